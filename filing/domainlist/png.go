package domainlist

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// DPI is the PNG's resolution: an A4 sheet is 2480 × 3508 pixels.
const DPI = 300

const pxPerPt = DPI / 72.0

// SheetSize is the pixel size of one PNG sheet.
var SheetSize = image.Pt(int(math.Round(pageW*pxPerPt)), int(math.Round(pageH*pxPerPt)))

// WritePNG renders each sheet as a greyscale PNG at 300 dpi (with the
// resolution recorded in a pHYs chunk, so that it prints at A4) into the
// writer open gives for it (sheet counts from 1). One sheet is in memory
// at a time.
func WritePNG(pg Page, f *Font, open func(sheet int) (io.Writer, error)) error {
	r := &rasterizer{font: f, glyphs: map[glyphKey]*glyphMask{}}
	img := image.NewGray(image.Rectangle{Max: SheetSize})
	n := 0
	return layout(pg, f, func(sh sheet) error {
		n++
		for i := range img.Pix {
			img.Pix[i] = 0xFF // white; draw.Draw has no fast path for grey
		}
		for _, l := range sh.lines {
			r.line(img, l)
		}
		for _, t := range sh.texts {
			if err := r.text(img, t); err != nil {
				return err
			}
		}
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
			return err
		}
		w, err := open(n)
		if err != nil {
			return err
		}
		_, err = w.Write(withDPI(buf.Bytes(), DPI))
		return err
	})
}

// withDPI inserts a pHYs chunk after the IHDR chunk of an encoded PNG.
func withDPI(p []byte, dpi int) []byte {
	const afterIHDR = 8 + 4 + 4 + 13 + 4
	ppm := uint32(math.Round(float64(dpi) / 0.0254))
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1) // unit: metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, len(p)+len(chunk))
	out = append(out, p[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, p[afterIHDR:]...)
}

type glyphKey struct {
	g    sfnt.GlyphIndex
	ppem fixed.Int26_6
}

// glyphMask is a rasterised glyph and where its top-left corner sits
// relative to the pen on the baseline.
type glyphMask struct {
	mask *image.Alpha
	off  image.Point
}

// rasterizer draws sheets, keeping each glyph it rasterised (a list uses
// few distinct glyphs, so the cache stays small).
type rasterizer struct {
	font   *Font
	glyphs map[glyphKey]*glyphMask
}

func (r *rasterizer) text(img *image.Gray, t textOp) error {
	ppem := fixed.Int26_6(math.Round(t.size * pxPerPt * 64))
	x := t.x * pxPerPt
	y := int(math.Round(t.y * pxPerPt))
	for _, c := range t.s {
		g := r.font.glyph(c)
		m, err := r.glyph(g, ppem)
		if err != nil {
			return err
		}
		if m.mask != nil {
			at := image.Pt(int(math.Round(x)), y).Add(m.off)
			draw.DrawMask(img, m.mask.Bounds().Add(at), image.Black, image.Point{}, m.mask, image.Point{}, draw.Over)
		}
		x += float64(r.font.advance(g)) * t.size * pxPerPt / float64(r.font.upem)
	}
	return nil
}

func (r *rasterizer) glyph(g sfnt.GlyphIndex, ppem fixed.Int26_6) (*glyphMask, error) {
	key := glyphKey{g, ppem}
	if m, ok := r.glyphs[key]; ok {
		return m, nil
	}
	segs, err := r.font.f.LoadGlyph(&r.font.buf, g, ppem, nil)
	if err != nil {
		return nil, err
	}
	m := &glyphMask{}
	r.glyphs[key] = m
	if len(segs) == 0 {
		return m, nil
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, s := range segs {
		for _, a := range s.Args[:argCount(s.Op)] {
			px, py := float64(a.X)/64, float64(a.Y)/64
			minX, minY, maxX, maxY = math.Min(minX, px), math.Min(minY, py), math.Max(maxX, px), math.Max(maxY, py)
		}
	}
	ox, oy := math.Floor(minX), math.Floor(minY)
	w, h := int(math.Ceil(maxX)-ox)+1, int(math.Ceil(maxY)-oy)+1
	v := vector.NewRasterizer(w, h)
	pt := func(a fixed.Point26_6) (float32, float32) {
		return float32(float64(a.X)/64 - ox), float32(float64(a.Y)/64 - oy)
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			v.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			v.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			v.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			x3, y3 := pt(s.Args[2])
			v.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	v.ClosePath()
	m.mask = image.NewAlpha(image.Rect(0, 0, w, h))
	v.Draw(m.mask, m.mask.Bounds(), image.Opaque, image.Point{})
	m.off = image.Pt(int(ox), int(oy))
	return m, nil
}

func argCount(op sfnt.SegmentOp) int {
	switch op {
	case sfnt.SegmentOpQuadTo:
		return 2
	case sfnt.SegmentOpCubeTo:
		return 3
	}
	return 1
}

// line strokes a horizontal or vertical line (all the page has), dashed
// 4 pt on, 3 pt off when asked.
func (r *rasterizer) line(img *image.Gray, l lineOp) {
	wpx := max(1, int(math.Round(l.width*pxPerPt)))
	x1, y1 := l.x1*pxPerPt, l.y1*pxPerPt
	x2, y2 := l.x2*pxPerPt, l.y2*pxPerPt
	length := math.Hypot(x2-x1, y2-y1)
	on, off := length, 0.0
	if l.dashed {
		on, off = 4*pxPerPt, 3*pxPerPt
	}
	for d := 0.0; d < length; d += on + off {
		e := math.Min(d+on, length)
		ax, ay := x1+(x2-x1)*d/length, y1+(y2-y1)*d/length
		bx, by := x1+(x2-x1)*e/length, y1+(y2-y1)*e/length
		rect := image.Rect(int(math.Round(math.Min(ax, bx))), int(math.Round(math.Min(ay, by))),
			int(math.Round(math.Max(ax, bx))), int(math.Round(math.Max(ay, by))))
		// Give the line its width across its direction.
		if rect.Dx() < wpx {
			rect.Min.X -= wpx / 2
			rect.Max.X = rect.Min.X + wpx
		}
		if rect.Dy() < wpx {
			rect.Min.Y -= wpx / 2
			rect.Max.Y = rect.Min.Y + wpx
		}
		draw.Draw(img, rect, image.NewUniform(color.Black), image.Point{}, draw.Src)
	}
}
