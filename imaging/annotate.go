package imaging

import (
	"image"
	"image/color"
	"image/draw"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// VerdictColor is the colour the preview (and the GUI, to match it) uses
// for a verdict.
func VerdictColor(v Verdict) color.NRGBA {
	switch v {
	case Pass:
		return color.NRGBA{0x2e, 0xa0, 0x43, 0xff} // green
	case Warn:
		return color.NRGBA{0xf0, 0xa0, 0x00, 0xff} // amber
	case Doubtful:
		return color.NRGBA{0x8e, 0x44, 0xd0, 0xff} // violet: "look again", not "wrong"
	}
	return color.NRGBA{0xe0, 0x20, 0x20, 0xff} // red
}

// Annotate draws the checks over a copy of the working image: each check's
// Mask tinted in its verdict's colour, then each Box outlined, labelled
// with the 1-based numbers of the checks it belongs to (so the GUI's list
// and the picture refer to each other). Checks that share a box draw it
// once, in the worst of their verdicts.
func Annotate(w *Working, checks []Check) *image.NRGBA {
	dst := image.NewNRGBA(w.Img.Rect)
	copy(dst.Pix, w.Img.Pix)
	for _, c := range checks {
		if c.Mask != nil {
			tint(dst, c.Mask, VerdictColor(c.Verdict))
		}
	}
	type mark struct {
		box     image.Rectangle
		verdict Verdict
		labels  []string
	}
	var marks []*mark
	byBox := map[image.Rectangle]*mark{}
	for i, c := range checks {
		if c.Box.Empty() {
			continue
		}
		m := byBox[c.Box]
		if m == nil {
			m = &mark{box: c.Box}
			byBox[c.Box] = m
			marks = append(marks, m)
		}
		m.verdict = max(m.verdict, c.Verdict)
		m.labels = append(m.labels, strconv.Itoa(i+1))
	}
	thick := max(2, dst.Rect.Dx()/400)
	for _, m := range marks {
		r := toWorking(w, m.box)
		col := VerdictColor(m.verdict)
		outline(dst, r, thick, col)
		label(dst, r.Min.Add(image.Pt(thick, thick)), strings.Join(m.labels, ","), col)
	}
	return dst
}

// toWorking maps a box in the original's coordinates onto the working image.
func toWorking(w *Working, r image.Rectangle) image.Rectangle {
	s := 1 / w.Scale
	return image.Rect(int(float64(r.Min.X)*s), int(float64(r.Min.Y)*s),
		int(float64(r.Max.X)*s+0.5), int(float64(r.Max.Y)*s+0.5)).Intersect(w.Img.Rect)
}

// tint blends col over dst where the mask is set, at half strength so the
// pixels underneath stay recognisable.
func tint(dst *image.NRGBA, mask *image.Alpha, col color.NRGBA) {
	r := dst.Rect.Intersect(mask.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := uint32(mask.AlphaAt(x, y).A) / 2
			if a == 0 {
				continue
			}
			p := dst.Pix[dst.PixOffset(x, y):]
			p[0] = uint8((uint32(p[0])*(255-a) + uint32(col.R)*a) / 255)
			p[1] = uint8((uint32(p[1])*(255-a) + uint32(col.G)*a) / 255)
			p[2] = uint8((uint32(p[2])*(255-a) + uint32(col.B)*a) / 255)
		}
	}
}

func outline(dst *image.NRGBA, r image.Rectangle, t int, col color.NRGBA) {
	if r.Empty() {
		return
	}
	u := image.NewUniform(col)
	for _, e := range []image.Rectangle{
		image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+t),
		image.Rect(r.Min.X, r.Max.Y-t, r.Max.X, r.Max.Y),
		image.Rect(r.Min.X, r.Min.Y, r.Min.X+t, r.Max.Y),
		image.Rect(r.Max.X-t, r.Min.Y, r.Max.X, r.Max.Y),
	} {
		draw.Draw(dst, e.Intersect(r), u, image.Point{}, draw.Src)
	}
}

// label writes text (digits and commas: the font has no CJK, the GUI shows
// the messages beside the picture) on a tag of the verdict's colour.
func label(dst *image.NRGBA, at image.Point, text string, col color.NRGBA) {
	face := basicfont.Face7x13
	d := font.Drawer{Dst: dst, Src: image.White, Face: face}
	wdt := d.MeasureString(text).Ceil()
	tag := image.Rect(at.X, at.Y, at.X+wdt+4, at.Y+face.Height+2).Intersect(dst.Rect)
	draw.Draw(dst, tag, image.NewUniform(col), image.Point{}, draw.Src)
	d.Dot = fixed.P(at.X+2, at.Y+face.Ascent+1)
	d.DrawString(text)
}
