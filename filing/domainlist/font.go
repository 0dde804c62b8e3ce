package domainlist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"sort"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Font is the bundled face (an OpenType font with CFF outlines) as the
// page uses it: advances for the layout, outlines for the PNG, and a
// TrueType subset of the glyphs a PDF shows, so the PDF embeds a few
// kilobytes rather than the 13 MB face.
type Font struct {
	f    *sfnt.Font
	buf  sfnt.Buffer
	upem int
	// Ascent and Descent (positive, below the baseline) in font units.
	ascent, descent int
}

// ParseFont reads an OpenType or TrueType face.
func ParseFont(data []byte) (*Font, error) {
	f, err := sfnt.Parse(data)
	if err != nil {
		return nil, err
	}
	ft := &Font{f: f, upem: int(f.UnitsPerEm())}
	m, err := f.Metrics(&ft.buf, fixed.I(ft.upem), font.HintingNone)
	if err != nil {
		return nil, err
	}
	ft.ascent, ft.descent = m.Ascent.Round(), m.Descent.Round()
	return ft, nil
}

// glyph is the face's glyph for a rune (0, .notdef, when it has none).
func (f *Font) glyph(r rune) sfnt.GlyphIndex {
	g, err := f.f.GlyphIndex(&f.buf, r)
	if err != nil {
		return 0
	}
	return g
}

// advance is a glyph's advance in font units.
func (f *Font) advance(g sfnt.GlyphIndex) int {
	a, err := f.f.GlyphAdvance(&f.buf, g, fixed.I(f.upem), font.HintingNone)
	if err != nil {
		return 0
	}
	return a.Round()
}

// Width is the width of s set at size (points) in points.
func (f *Font) Width(s string, size float64) float64 {
	units := 0
	for _, r := range s {
		units += f.advance(f.glyph(r))
	}
	return float64(units) * size / float64(f.upem)
}

// point is an outline point in font units, y up.
type point struct {
	x, y int
	on   bool
}

// outline is a glyph's contours as TrueType points: cubic curves of the
// CFF outlines become quadratic ones, split until they are within half a
// font unit (a 2000th of the type size), far below a printer's dot.
func (f *Font) outline(g sfnt.GlyphIndex) ([][]point, error) {
	segs, err := f.f.LoadGlyph(&f.buf, g, fixed.I(f.upem), nil)
	if err != nil {
		return nil, err
	}
	var contours [][]point
	var cur []point
	var last [2]float64
	pt := func(p fixed.Point26_6) [2]float64 { return [2]float64{float64(p.X) / 64, -float64(p.Y) / 64} }
	add := func(p [2]float64, on bool) {
		cur = append(cur, point{int(math.Round(p[0])), int(math.Round(p[1])), on})
	}
	flush := func() {
		if n := len(cur); n > 1 && cur[n-1] == cur[0] {
			cur = cur[:n-1]
		}
		if len(cur) > 2 {
			// CFF outer contours run counter-clockwise, TrueType ones
			// clockwise: reverse, keeping the first (on-curve) point first.
			for i, j := 1, len(cur)-1; i < j; i, j = i+1, j-1 {
				cur[i], cur[j] = cur[j], cur[i]
			}
			contours = append(contours, cur)
		}
		cur = nil
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			flush()
			last = pt(s.Args[0])
			add(last, true)
		case sfnt.SegmentOpLineTo:
			last = pt(s.Args[0])
			add(last, true)
		case sfnt.SegmentOpQuadTo:
			add(pt(s.Args[0]), false)
			last = pt(s.Args[1])
			add(last, true)
		case sfnt.SegmentOpCubeTo:
			for _, q := range cubicToQuads(last, pt(s.Args[0]), pt(s.Args[1]), pt(s.Args[2])) {
				add(q[0], false)
				add(q[1], true)
			}
			last = pt(s.Args[2])
		}
	}
	flush()
	return contours, nil
}

// cubicToQuads approximates a cubic Bézier by quadratic pieces, each
// given as (control, end). The error of one piece of n is about
// √3/36·|p3−3c2+3c1−p0|/n³; n is chosen to keep it under 0.5 units.
func cubicToQuads(p0, c1, c2, p3 [2]float64) [][2][2]float64 {
	dx := p3[0] - 3*c2[0] + 3*c1[0] - p0[0]
	dy := p3[1] - 3*c2[1] + 3*c1[1] - p0[1]
	e := math.Sqrt(3) / 36 * math.Hypot(dx, dy)
	n := int(math.Ceil(math.Cbrt(e / 0.5)))
	n = max(1, min(n, 16))
	out := make([][2][2]float64, 0, n)
	at := func(t float64) (p, d [2]float64) {
		// Point and derivative of the cubic at t.
		mt := 1 - t
		for i := 0; i < 2; i++ {
			p[i] = mt*mt*mt*p0[i] + 3*mt*mt*t*c1[i] + 3*mt*t*t*c2[i] + t*t*t*p3[i]
			d[i] = 3*mt*mt*(c1[i]-p0[i]) + 6*mt*t*(c2[i]-c1[i]) + 3*t*t*(p3[i]-c2[i])
		}
		return p, d
	}
	for k := 0; k < n; k++ {
		t0, t1 := float64(k)/float64(n), float64(k+1)/float64(n)
		a, da := at(t0)
		b, db := at(t1)
		h := (t1 - t0) / 3
		// The piece as a cubic (a, a+h·da, b−h·db, b); its best single
		// quadratic control point is the mean of the two extrapolations.
		q1 := [2]float64{a[0] + h*da[0], a[1] + h*da[1]}
		q2 := [2]float64{b[0] - h*db[0], b[1] - h*db[1]}
		c := [2]float64{(3*(q1[0]+q2[0]) - (a[0] + b[0])) / 4, (3*(q1[1]+q2[1]) - (a[1] + b[1])) / 4}
		out = append(out, [2][2]float64{c, b})
	}
	return out
}

// subset collects the glyphs a PDF shows and numbers them from 1 (0 is
// .notdef), which are the CIDs of its text (CIDToGIDMap /Identity).
type subset struct {
	font    *Font
	gids    []sfnt.GlyphIndex          // new glyph id → glyph of the face
	byGlyph map[sfnt.GlyphIndex]uint16 // glyph of the face → new glyph id
	text    map[uint16]rune            // new glyph id → the text it shows (ToUnicode)
}

func newSubset(f *Font) *subset {
	return &subset{font: f, gids: []sfnt.GlyphIndex{0}, byGlyph: map[sfnt.GlyphIndex]uint16{0: 0}, text: map[uint16]rune{}}
}

// errTooManyGlyphs: a TrueType font holds at most 65 535 glyphs.
var errTooManyGlyphs = errors.New("too many distinct glyphs for one font")

// cid is the new glyph id of a rune, added to the subset on first use.
func (s *subset) cid(r rune) (uint16, error) {
	g := s.font.glyph(r)
	id, ok := s.byGlyph[g]
	if !ok {
		if len(s.gids) >= 0xFFFF {
			return 0, errTooManyGlyphs
		}
		id = uint16(len(s.gids))
		s.gids = append(s.gids, g)
		s.byGlyph[g] = id
	}
	if _, ok := s.text[id]; !ok && id != 0 {
		s.text[id] = r
	}
	return id, nil
}

// bbox is a rectangle in font units.
type bbox struct{ xMin, yMin, xMax, yMax int }

// trueType writes the subset as a TrueType font with the tables a PDF
// viewer needs for a CIDFontType2 (glyf, loca, head, hhea, hmtx, maxp),
// plus cmap and post. It returns the font, the font-wide bounding box
// and each glyph's advance.
func (s *subset) trueType() (ttf []byte, box bbox, advances []int, err error) {
	var glyf bytes.Buffer
	loca := make([]uint32, 0, len(s.gids)+1)
	hmtx := make([]byte, 0, 4*len(s.gids))
	advances = make([]int, len(s.gids))
	maxPoints, maxContours, advMax := 0, 0, 0
	minLSB, minRSB, maxExtent := math.MaxInt16, math.MaxInt16, 0
	first := true
	for i, g := range s.gids {
		loca = append(loca, uint32(glyf.Len()))
		adv := s.font.advance(g)
		advances[i] = adv
		advMax = max(advMax, adv)
		contours, err := s.font.outline(g)
		if err != nil {
			return nil, bbox{}, nil, err
		}
		lsb := 0
		if len(contours) > 0 {
			gb, pts := writeGlyph(&glyf, contours)
			lsb = gb.xMin
			maxPoints, maxContours = max(maxPoints, pts), max(maxContours, len(contours))
			minLSB, minRSB = min(minLSB, gb.xMin), min(minRSB, adv-gb.xMax)
			maxExtent = max(maxExtent, gb.xMax)
			if first {
				box, first = gb, false
			} else {
				box = bbox{min(box.xMin, gb.xMin), min(box.yMin, gb.yMin), max(box.xMax, gb.xMax), max(box.yMax, gb.yMax)}
			}
		}
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(adv))
		hmtx = binary.BigEndian.AppendUint16(hmtx, uint16(int16(lsb)))
	}
	loca = append(loca, uint32(glyf.Len()))
	if minLSB == math.MaxInt16 {
		minLSB, minRSB = 0, 0
	}
	n := uint16(len(s.gids))

	be := binary.BigEndian
	head := make([]byte, 54)
	be.PutUint32(head[0:], 0x00010000)
	be.PutUint32(head[4:], 0x00010000)
	be.PutUint32(head[12:], 0x5F0F3CF5)
	be.PutUint16(head[16:], 0x000B) // baseline at y=0, lsb at x=0, integer scaling
	be.PutUint16(head[18:], uint16(s.font.upem))
	be.PutUint16(head[36:], uint16(int16(box.xMin)))
	be.PutUint16(head[38:], uint16(int16(box.yMin)))
	be.PutUint16(head[40:], uint16(int16(box.xMax)))
	be.PutUint16(head[42:], uint16(int16(box.yMax)))
	be.PutUint16(head[46:], 8) // lowestRecPPEM
	be.PutUint16(head[48:], 2) // fontDirectionHint
	be.PutUint16(head[50:], 1) // long loca

	hhea := make([]byte, 36)
	be.PutUint32(hhea[0:], 0x00010000)
	be.PutUint16(hhea[4:], uint16(int16(s.font.ascent)))
	be.PutUint16(hhea[6:], uint16(int16(-s.font.descent)))
	be.PutUint16(hhea[10:], uint16(advMax))
	be.PutUint16(hhea[12:], uint16(int16(minLSB)))
	be.PutUint16(hhea[14:], uint16(int16(minRSB)))
	be.PutUint16(hhea[16:], uint16(int16(maxExtent)))
	be.PutUint16(hhea[18:], 1) // caretSlopeRise
	be.PutUint16(hhea[34:], n)

	maxp := make([]byte, 32)
	be.PutUint32(maxp[0:], 0x00010000)
	be.PutUint16(maxp[4:], n)
	be.PutUint16(maxp[6:], uint16(maxPoints))
	be.PutUint16(maxp[8:], uint16(maxContours))
	be.PutUint16(maxp[14:], 2) // maxZones

	locaB := make([]byte, 0, 4*len(loca))
	for _, o := range loca {
		locaB = be.AppendUint32(locaB, o)
	}
	post := make([]byte, 32)
	be.PutUint32(post[0:], 0x00030000)

	tables := map[string][]byte{
		"cmap": s.cmap(), "glyf": glyf.Bytes(), "head": head, "hhea": hhea,
		"hmtx": hmtx, "loca": locaB, "maxp": maxp, "post": post,
	}
	return assembleSFNT(tables), box, advances, nil
}

// writeGlyph appends one simple TrueType glyph (no instructions) and
// returns its bounding box and point count.
func writeGlyph(w *bytes.Buffer, contours [][]point) (bbox, int) {
	b := bbox{math.MaxInt32, math.MaxInt32, math.MinInt32, math.MinInt32}
	total := 0
	for _, c := range contours {
		for _, p := range c {
			b = bbox{min(b.xMin, p.x), min(b.yMin, p.y), max(b.xMax, p.x), max(b.yMax, p.y)}
		}
		total += len(c)
	}
	be := binary.BigEndian
	out := w.AvailableBuffer()
	out = be.AppendUint16(out, uint16(len(contours)))
	for _, v := range []int{b.xMin, b.yMin, b.xMax, b.yMax} {
		out = be.AppendUint16(out, uint16(int16(v)))
	}
	end := -1
	for _, c := range contours {
		end += len(c)
		out = be.AppendUint16(out, uint16(end))
	}
	out = be.AppendUint16(out, 0) // no instructions
	for _, c := range contours {
		for _, p := range c {
			var flag byte
			if p.on {
				flag = 1
			}
			out = append(out, flag) // x and y as int16 deltas
		}
	}
	px := 0
	for _, c := range contours {
		for _, p := range c {
			out = be.AppendUint16(out, uint16(int16(p.x-px)))
			px = p.x
		}
	}
	py := 0
	for _, c := range contours {
		for _, p := range c {
			out = be.AppendUint16(out, uint16(int16(p.y-py)))
			py = p.y
		}
	}
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	w.Write(out)
	return b, total
}

// cmap maps the subset's BMP characters to its glyphs (format 4), for
// viewers that look a glyph up by character.
func (s *subset) cmap() []byte {
	type pair struct {
		code uint16
		gid  uint16
	}
	var pairs []pair
	for gid, r := range s.text {
		if r > 0 && r < 0xFFFF {
			pairs = append(pairs, pair{uint16(r), gid})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].code < pairs[j].code })
	segs := len(pairs) + 1
	be := binary.BigEndian
	sub := make([]byte, 14, 16+8*segs)
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[6:], uint16(2*segs))
	es := 0
	for 1<<(es+1) <= segs {
		es++
	}
	sr := 2 << es
	be.PutUint16(sub[8:], uint16(sr))
	be.PutUint16(sub[10:], uint16(es))
	be.PutUint16(sub[12:], uint16(2*segs-sr))
	for _, p := range pairs {
		sub = be.AppendUint16(sub, p.code)
	}
	sub = be.AppendUint16(sub, 0xFFFF)
	sub = be.AppendUint16(sub, 0) // reservedPad
	for _, p := range pairs {
		sub = be.AppendUint16(sub, p.code)
	}
	sub = be.AppendUint16(sub, 0xFFFF)
	for _, p := range pairs {
		sub = be.AppendUint16(sub, p.gid-p.code) // idDelta, modulo 65536
	}
	sub = be.AppendUint16(sub, 1)
	for range segs {
		sub = be.AppendUint16(sub, 0) // idRangeOffset
	}
	be.PutUint16(sub[2:], uint16(len(sub)))
	head := make([]byte, 12)
	be.PutUint16(head[2:], 1)  // one subtable
	be.PutUint16(head[4:], 3)  // Windows
	be.PutUint16(head[6:], 1)  // Unicode BMP
	be.PutUint32(head[8:], 12) // offset
	return append(head, sub...)
}

// assembleSFNT writes the table directory and the tables, each padded to
// four bytes and with its checksum, and sets head's checkSumAdjustment.
func assembleSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	be := binary.BigEndian
	n := len(tags)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	out := make([]byte, 12+16*n)
	be.PutUint32(out[0:], 0x00010000)
	be.PutUint16(out[4:], uint16(n))
	be.PutUint16(out[6:], uint16(16<<es))
	be.PutUint16(out[8:], uint16(es))
	be.PutUint16(out[10:], uint16(16*n-16<<es))
	headAt := 0
	for i, t := range tags {
		data := tables[t]
		rec := out[12+16*i:]
		copy(rec, t)
		be.PutUint32(rec[4:], checksum(data))
		be.PutUint32(rec[8:], uint32(len(out)))
		be.PutUint32(rec[12:], uint32(len(data)))
		if t == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	be.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
