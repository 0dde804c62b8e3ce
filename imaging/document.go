package imaging

import (
	"fmt"
	"image"
	"math"
	"strings"
)

// DocumentThresholds are the limits of the document checks. Each field
// names its source: imaging.md §3.2 (provisional defaults measured in
// §2.7–2.8 on synthetic documents), or "calibration", the labelled set of
// testdata/documents/manifest.json (87 documents made the way applicants
// make them: flatbed scans at 100–600 dpi with the card anywhere on the
// bed, tight crops, phone photos at angles and in poor light, JPEG
// recompression, moiré, noise, photocopies; TestDocumentCalibration prints
// its confusion table). "Ours" is a choice with no measurement behind it
// yet. Calibrate on real scans before trusting any of them further.
type DocumentThresholds struct {
	// Colour original (§3.2): a picture is "neutral" (greyscale scan,
	// photocopy) when more than NeutralFraction of the document has
	// max−min channel ≤ NeutralChroma. Ours: measured on 4×4 block means,
	// so per-channel sensor noise does not pass for colour, and after
	// removing the document's mean colour cast, so a photocopy
	// photographed under warm light still reads as grey.
	NeutralChroma   int
	NeutralFraction float64

	// Resolution of the document itself: the long side of its rectangle,
	// in original pixels. Below the minimum warns, below the fail level
	// fails. Cards: 300 dpi on 85.6 mm is 1 011 px (§3.2 asks ≈ 1 000);
	// the minimum keeps 5 % for the outline's measuring error
	// (calibration: 300 dpi bed scans measured 1 000–1 011). A 150–200 dpi
	// card (506–674 px, the least scanners offer for documents) is legible
	// but small and warns; below ≈ 145 dpi it fails (calibration: a card
	// 480 px long in a phone photo, 337 px at 100 dpi). Pages: §3.2's 1 600 px (≈ 150 dpi on A4); the
	// fail level, 60 % of it (≈ 80 dpi), is ours.
	MinLongSideCard, FailLongSideCard int
	MinLongSidePage, FailLongSidePage int

	// Outline (§3.2): hull area / minimum rectangle area at least
	// OutlineFill, and long/short within AspectTolerance of the expected
	// ratio (1.586 ID-1, 1.414 A-series), or the outline is not trusted
	// (Doubtful).
	OutlineFill     float64
	AspectTolerance float64
	// QuadFill: a hull whose four corners cover this much of it is a
	// document seen at an angle (a trapezoid), and its shape is that of
	// the four corners; KeystoneWarn: opposite sides differing by more
	// than this warn that it was shot at an angle (calibration: phone
	// tilts of 10° give 0.10–0.11 and pass, 30° give 0.30).
	QuadFill     float64
	KeystoneWarn float64
	// CroppedFill: a component touching the frame whose fill is below this
	// is the background merged with the document, not a cut-off rectangle
	// (ours; a cut-off card measured 0.97, a merged one 0.91).
	CroppedFill float64
	// CompleteAspect: a document touching the frame's edge whose
	// proportions are within this of its kind's is whole, only pushed
	// against the edge (a card in the corner of a bed scan lies 1 mm from
	// it); a cut-off one has lost a slice (calibration: whole 0.0–0.01, a
	// card 9 % off the scan 0.09).
	CompleteAspect float64
	// CornerDelta: a frame-filling card picture whose four corners are
	// within this many luma levels of the card 3 % further in has had its
	// rounded corners cut away (ours; a whole card's corners show the bed
	// or the desk, 18 levels or more away in the calibration set).
	CornerDelta int
	// FillsArea: a component touching all four edges is a frame-filling
	// document (a scan) only if it covers this much of the frame (ours).
	FillsArea float64
	// PaperMin: a frame-filling picture is taken for a document only if
	// this share of it lies within ±10 levels of its modal luma, the
	// paper (ours: generated documents 0.74–0.94; real photographs that
	// fill the frame, 0.17–0.19).
	PaperMin float64
	// EdgeMargin: a box within this fraction of a frame edge touches it
	// (§3.2 "Cropped").
	EdgeMargin float64
	// MinArea: a smaller component is not taken for the document (ours).
	MinArea float64
	// BackgroundStd: a background whose luma spreads more than this (wood
	// grain, objects) is too busy to trust any outline (ours: plain dark
	// surfaces measured 1–6, a wood table 19–21 on the generated set).
	BackgroundStd float64

	// White bed: the frame's edge band is a scanner's bed when BedShare of
	// it has luma ≥ BedLuma and max−min channel ≤ BedChroma; a pixel is
	// then document when its luma is BedDelta below the bed's or its
	// chroma above BedChroma, and the largest such component is taken for
	// the document if at least BedSolid of its hull is filled (a card; a
	// page's paper is as white as the bed, only its print differs). Ours,
	// checked on the calibration set: lids 249–252, card stock 226–232,
	// A4 paper 245; a card in the corner leaves 84 % of the band white.
	BedLuma, BedChroma, BedDelta int
	BedShare, BedSolid           float64
	// A plain border (BedShare of it within ±BedDelta of its median)
	// brighter than Otsu's split, a light desk or a dull scan, is taken
	// for the background the same way, by luma alone (calibration: a pale
	// laminate at 180–195 under a card at 226–232; a dull scan's bed 180
	// around a card at 165).

	// ShadowRatio: the darkest cell's paper over the brightest below this
	// warns of a shadow or uneven light (calibration: a soft shadow 0.65,
	// a deep one 0.35; mixed warm and cool light 0.9).
	ShadowRatio float64

	// Skew of the rectangle, degrees (§3.2).
	SkewWarn, SkewFail float64

	// Blur (§3.2, §2.7): variance of the Laplacian of the document box at
	// working scale.
	BlurWarn, BlurFail float64

	// Glare (§3.2): the largest 4-connected blob of luma ≥ ClipLuma inside
	// the document, as a fraction of its area.
	ClipLuma             uint8
	GlareWarn, GlareFail float64
	// PageBlob: a clipped blob at least this large is the white page itself
	// (a scan), not a reflection (ours).
	PageBlob float64

	// Exposure (§3.2): document mean luma below DarkMean is too dark;
	// clipped pixels outside the glare blob above OverClipped is
	// over-exposed. For white-paper documents, whose paper may clip in a
	// good scan, the text decides instead: its 1st-percentile luma at or
	// above InkWashed means it has washed out (ours).
	DarkMean    float64
	OverClipped float64
	InkWashed   int
}

// DefaultDocumentThresholds are the defaults the fields' comments source.
var DefaultDocumentThresholds = DocumentThresholds{
	NeutralChroma:    3,
	NeutralFraction:  0.99,
	MinLongSideCard:  960,
	FailLongSideCard: 490,
	MinLongSidePage:  1600,
	FailLongSidePage: 960,
	OutlineFill:      0.95,
	AspectTolerance:  0.08,
	QuadFill:         0.97,
	KeystoneWarn:     0.15,
	CroppedFill:      0.90,
	CompleteAspect:   0.03,
	CornerDelta:      8,
	FillsArea:        0.6,
	PaperMin:         0.4,
	EdgeMargin:       0.01,
	MinArea:          0.03,
	BackgroundStd:    14,
	BedLuma:          238,
	BedChroma:        10,
	BedDelta:         10,
	BedShare:         0.6,
	BedSolid:         0.85,
	ShadowRatio:      0.5,
	SkewWarn:         10,
	SkewFail:         20,
	BlurWarn:         150,
	BlurFail:         50,
	ClipLuma:         250,
	GlareWarn:        0.001,
	GlareFail:        0.005,
	PageBlob:         0.4,
	DarkMean:         110,
	OverClipped:      0.05,
	InkWashed:        120,
}

// docProfile is what the checks expect of a kind of document. The facts
// are ours: ID-1 cards (GB/T 14916, 85.6 × 54 mm); licences and forms on
// A-series paper, either way up; unit certificates vary in size.
type docProfile struct {
	aspect float64 // long/short; 0 = any
	card   bool    // an ID card: short minimum resolution, coloured print
	// colour: the original is printed in colour, so a neutral picture is a
	// copy; the 核验单 and 授权书 are black print (seal and signature aside).
	colour bool
	zh, en string
}

func profileOf(k Kind) docProfile {
	switch k {
	case KindIDFront, KindIDBack:
		return docProfile{aspect: 1.586, card: true, colour: true, zh: "身份证", en: "ID card"}
	case KindBusinessLicence:
		return docProfile{aspect: 1.414, colour: true, zh: "营业执照", en: "business licence"}
	case KindVerificationForm:
		return docProfile{aspect: 1.414, zh: "核验单", en: "verification form"}
	case KindAuthorisationLetter:
		return docProfile{aspect: 1.414, zh: "授权书", en: "authorisation letter"}
	case KindDomainCertificate:
		return docProfile{colour: true, zh: "域名证书", en: "domain certificate"}
	}
	return docProfile{colour: true, zh: "证件", en: "certificate"}
}

// docMeasure is what the document checks measure, before any verdict.
type docMeasure struct {
	w, h     int
	grayFile bool // the file has no colour channels at all
	found    bool // a component large enough to be the document
	// plain: the document was found against a plain border brighter than
	// Otsu's split (a light desk, a dull scan), scan: against a scanner's
	// white bed.
	plain, scan bool
	// evenness is the darkest part of the document's paper over the
	// brightest (90th-percentile luma of a 4 × 4 grid's cells): a shadow.
	evenness float64
	fills    bool // it touches all four edges: a scan or a tight crop
	touches  []string
	fill     float64 // hull area / minimum rectangle area
	aspect   float64 // long/short
	rect     rotRect
	// quadFill is the area of the hull's four corners over the hull's,
	// quadAspect and keystone their proportions (quadShape).
	quadFill, quadAspect, keystone float64
	// cornersInside: of a frame-filling picture, how many corners look
	// like the picture further in (cornersLikeInside).
	cornersInside int
	box           image.Rectangle // the document, working coordinates
	longSide      float64         // the document's long side, original pixels
	lapVar        float64
	glare         float64 // largest clipped blob / document area
	// glareBox and glareMask are the largest clipped blob's box and all
	// clipped pixels of the document, working coordinates, for the preview.
	glareBox  image.Rectangle
	glareMask *image.Alpha
	// doc is measured over the document (the whole picture when it
	// fills it or none is found).
	doc   docStats
	bgStd float64 // luma spread of the background (0: none to measure)
}

// CheckDocument runs the document checks of imaging.md §3.2 on w.
func CheckDocument(w *Working, kind Kind) []Check {
	return CheckDocumentWith(w, kind, DefaultDocumentThresholds)
}

// CheckDocumentWith is CheckDocument with other thresholds.
func CheckDocumentWith(w *Working, kind Kind, t DocumentThresholds) []Check {
	m := measureDocument(w, t)
	return judgeDocument(w, kind, m, t)
}

func measureDocument(w *Working, t DocumentThresholds) docMeasure {
	img := w.Img
	W, H := img.Rect.Dx(), img.Rect.Dy()
	m := docMeasure{w: W, h: H, grayFile: w.gray}
	if W < 3 || H < 3 {
		m.box = img.Rect
		return m
	}
	luma := lumaPlane(img)
	mask := make([]uint8, len(luma))
	labels := make([]int32, len(mask))
	r := max(1, int(math.Round(6*float64(max(W, H))/WorkingSide)))
	var c component
	var th int

	// A scan on a white bed: the lid's white reaches the frame's edges. The
	// document is then what differs from the bed, found against white
	// rather than against a dark table, provided it is solid (a card); a
	// page's paper is as white as the bed, and only its print differs.
	var hist [256]int
	for _, v := range luma {
		hist[v]++
	}
	th = docThreshold(&hist)
	bedL, white := whiteBed(img, luma, W, H, t)
	bL, share := borderLevel(luma, W, H, t.BedDelta)
	if !white {
		bedL = bL
	}
	// A plain border that Otsu's split would count as document (a light
	// desk, a scan turned dull) is the background too: the document is
	// what differs from it, if that is solid.
	if white || (share >= t.BedShare && bL >= th) {
		for i, v := range luma {
			p := img.Pix[4*i : 4*i+3 : 4*i+3]
			if d := int(v) - bedL; d > t.BedDelta || d < -t.BedDelta ||
				(white && int(max(p[0], p[1], p[2]))-int(min(p[0], p[1], p[2])) > t.BedChroma) {
				mask[i] = 1
			}
		}
		opening(mask, W, H, r)
		c = largestComponent(mask, W, H, labels)
		// On a white bed the document is darker; on a plain border that is
		// not white it must be brighter (a card on a light desk), or the
		// "border" may be the document itself, cropped to its edge, and the
		// solid thing inside it its portrait.
		if float64(c.area) >= t.MinArea*float64(W*H) && (white || meanOf(luma, mask, W, c) > float64(bedL)) {
			if ha := polygonArea(c.hull()); ha > 0 && float64(c.area)/ha >= t.BedSolid {
				m.plain, m.scan = true, white
			}
		}
	}
	if !m.plain {
		for i, v := range luma {
			mask[i] = 0
			if int(v) > th {
				mask[i] = 1
			}
		}
		opening(mask, W, H, r)
		c = largestComponent(mask, W, H, labels)
	}

	m.found = float64(c.area) >= t.MinArea*float64(W*H)
	inDoc := mask // reused: 1 inside the document's row extents
	clear(inDoc)
	if m.found {
		mx := int(math.Ceil(t.EdgeMargin * float64(W)))
		my := int(math.Ceil(t.EdgeMargin * float64(H)))
		for _, e := range []struct {
			touch bool
			name  string
		}{
			{c.box.Min.X <= mx, "left"}, {c.box.Min.Y <= my, "top"},
			{c.box.Max.X >= W-mx, "right"}, {c.box.Max.Y >= H-my, "bottom"},
		} {
			if e.touch {
				m.touches = append(m.touches, e.name)
			}
		}
		// A scan or a tight crop: the page reaches every edge and is most
		// of the frame (a bright photo of anything also touches all four).
		// A card on a white bed is neither, wherever it lies.
		m.fills = !m.plain && ((len(m.touches) == 4 && float64(c.area) >= t.FillsArea*float64(W*H)) ||
			brightBorder(luma, W, H, th))
	}
	switch {
	case m.found && !m.fills:
		hull := c.hull()
		m.rect = minAreaRect(hull)
		ha := polygonArea(hull)
		if a := m.rect.width * m.rect.height; a > 0 {
			m.fill = ha / a
		}
		m.aspect = max(m.rect.width, m.rect.height) / max(min(m.rect.width, m.rect.height), 1)
		m.longSide = max(m.rect.width, m.rect.height) * w.Scale
		// Seen at an angle, a document is a trapezoid: its corners, not
		// its bounding rectangle, give its shape.
		q := quadOf(hull, m.rect)
		if ha > 0 {
			m.quadFill = polygonArea(q[:]) / ha
		}
		m.quadAspect, m.keystone = quadShape(q)
		m.box = c.box
		for i, r := range c.rows {
			if r[0] >= 0 {
				y := c.box.Min.Y + i
				row := inDoc[y*W : y*W+W]
				for x := r[0]; x <= r[1]; x++ {
					row[x] = 1
				}
			}
		}
	default:
		// A frame-filling document (or none found): the frame is the box.
		m.box = img.Rect
		m.fill = 1
		m.aspect = float64(max(W, H)) / float64(min(W, H))
		m.longSide = float64(max(w.Width, w.Height))
		for i := range inDoc {
			inDoc[i] = 1
		}
		m.cornersInside = cornersLikeInside(luma, W, H, t.CornerDelta)
	}

	m.doc = regionStats(img, luma, inDoc, t)
	m.evenness = evenness(luma, inDoc, W, m.box)
	if m.doc.area == 0 {
		return m
	}

	// Background: a busy surface (wood grain, objects) can merge with the
	// document however the outline looks, so its spread outside the
	// document's box decides whether the outline is trusted at all (ours).
	var bn, bs, bss float64
	if m.found && !m.fills {
		acc := func(vs []uint8) {
			for _, v := range vs {
				f := float64(v)
				bn++
				bs += f
				bss += f * f
			}
		}
		for y := range H {
			row := luma[y*W : y*W+W]
			if y < m.box.Min.Y || y >= m.box.Max.Y {
				acc(row)
				continue
			}
			acc(row[:m.box.Min.X])
			acc(row[m.box.Max.X:])
		}
	}
	if bn > 0.02*float64(W*H) {
		mu := bs / bn
		m.bgStd = math.Sqrt(max(bss/bn-mu*mu, 0))
	}

	// Glare: clipped blobs inside the document. On a scan that fills the
	// frame, clipped white reaching the frame's edge is the bed showing
	// past the page, not a reflection.
	glareMask := make([]uint8, len(luma))
	for i, in := range inDoc {
		if in != 0 && luma[i] >= t.ClipLuma {
			glareMask[i] = 1
		}
	}
	if m.fills && brightBorder(luma, W, H, th) {
		clearBorderConnected(glareMask, W, H)
	}
	gc := largestComponent(glareMask, W, H, labels)
	m.glare = float64(gc.area) / float64(m.doc.area)
	if gc.area > 0 {
		m.glareBox = gc.box
		m.glareMask = &image.Alpha{Pix: glareMask, Stride: W, Rect: image.Rect(0, 0, W, H)}
		for i, v := range glareMask {
			glareMask[i] = v * 0xff
		}
	}

	// Blur inside the box, away from its outline: the step between document
	// and table would otherwise dominate the variance.
	inset := 0.04
	if !m.found || m.fills {
		inset = 0.02
	}
	b := m.box
	dx, dy := int(inset*float64(b.Dx())), int(inset*float64(b.Dy()))
	m.lapVar = lapVar(luma, W, image.Rect(b.Min.X+dx, b.Min.Y+dy, b.Max.X-dx, b.Max.Y-dy))
	return m
}

// docStats are exposure and colour measures over a region.
type docStats struct {
	area    int
	mean    float64
	p1      int     // 1st-percentile luma: the darkest ink
	clipped float64 // share of pixels ≥ ClipLuma
	paper   float64 // share within ±10 levels of the modal luma
	neutral float64 // share of neutral 4×4 blocks
}

// regionStats measures the pixels where in is set (in nil: the whole
// picture).
func regionStats(img *image.NRGBA, luma, in []uint8, t DocumentThresholds) docStats {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	inside := func(i int) bool { return in == nil || in[i] != 0 }
	var s docStats
	var dh [256]int
	clipped := 0
	var sumL, sumRG, sumBG int64
	for i, v := range luma {
		if !inside(i) {
			continue
		}
		dh[v]++
		s.area++
		sumL += int64(v)
		if v >= t.ClipLuma {
			clipped++
		}
		p := img.Pix[4*i : 4*i+3 : 4*i+3]
		sumRG += int64(p[0]) - int64(p[1])
		sumBG += int64(p[2]) - int64(p[1])
	}
	if s.area == 0 {
		return s
	}
	s.mean = float64(sumL) / float64(s.area)
	// Paper: the share of the document within ±10 levels of its most
	// common luma. Printed documents are mostly blank paper of one tone.
	win := 0
	for v := range 21 {
		win += dh[v]
	}
	best := win
	for v := 21; v < 256; v++ {
		win += dh[v] - dh[v-21]
		best = max(best, win)
	}
	s.paper = float64(best) / float64(s.area)
	s.clipped = float64(clipped) / float64(s.area)
	for v, acc := 0, 0; v < 256; v++ {
		acc += dh[v]
		if acc*100 >= s.area {
			s.p1 = v
			break
		}
	}
	// Neutral: judged on 4×4 blocks, whose means keep printed colour but
	// not the per-channel sensor noise that would make a grey copy look
	// coloured pixel by pixel (ours; §3.2 counts single pixels).
	castRG := float64(sumRG) / float64(s.area)
	castBG := float64(sumBG) / float64(s.area)
	const blk = 4
	blocks, neutral := 0, 0
	for by := 0; by+blk <= H; by += blk {
		for bx := 0; bx+blk <= W; bx += blk {
			var a, b, n int
			for y := by; y < by+blk; y++ {
				for x := bx; x < bx+blk; x++ {
					i := y*W + x
					if inside(i) {
						n++
					}
					p := img.Pix[4*i : 4*i+3 : 4*i+3]
					a += int(p[0]) - int(p[1])
					b += int(p[2]) - int(p[1])
				}
			}
			if n < blk*blk {
				continue
			}
			blocks++
			ra := float64(a)/(blk*blk) - castRG
			rb := float64(b)/(blk*blk) - castBG
			if max(ra, rb, 0)-min(ra, rb, 0) <= float64(t.NeutralChroma) {
				neutral++
			}
		}
	}
	if blocks > 0 {
		s.neutral = float64(neutral) / float64(blocks)
	}
	return s
}

// whiteBed reports whether the frame's edges are mostly a scanner's white
// bed (near-white, near-neutral), and the bed's luma.
func whiteBed(img *image.NRGBA, luma []uint8, w, h int, t DocumentThresholds) (int, bool) {
	b := max(2, min(w, h)/100)
	n, bed, sum := 0, 0, 0
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, w, b), image.Rect(0, h-b, w, h),
		image.Rect(0, b, b, h-b), image.Rect(w-b, b, w, h-b),
	} {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				i := y*w + x
				n++
				p := img.Pix[4*i : 4*i+3 : 4*i+3]
				if int(luma[i]) >= t.BedLuma && int(max(p[0], p[1], p[2]))-int(min(p[0], p[1], p[2])) <= t.BedChroma {
					bed++
					sum += int(luma[i])
				}
			}
		}
	}
	if bed == 0 || float64(bed) < t.BedShare*float64(n) {
		return 0, false
	}
	return (sum + bed/2) / bed, true
}

// evenness is the lowest over the highest 90th-percentile luma of the
// cells of a 4 × 4 grid over box that lie at least 80 % in the document
// (1 when fewer than two do): the paper's brightness from end to end.
func evenness(luma, in []uint8, w int, box image.Rectangle) float64 {
	const n = 4
	lo, hi := 256, -1
	for j := range n {
		for i := range n {
			c := image.Rect(box.Min.X+i*box.Dx()/n, box.Min.Y+j*box.Dy()/n, box.Min.X+(i+1)*box.Dx()/n, box.Min.Y+(j+1)*box.Dy()/n)
			var hist [256]int
			cnt := 0
			for y := c.Min.Y; y < c.Max.Y; y++ {
				for x := c.Min.X; x < c.Max.X; x++ {
					if in[y*w+x] != 0 {
						hist[luma[y*w+x]]++
						cnt++
					}
				}
			}
			if cnt == 0 || cnt*5 < c.Dx()*c.Dy()*4 {
				continue
			}
			acc, p90 := 0, 0
			for v, h := range hist {
				acc += h
				if acc*10 >= cnt*9 {
					p90 = v
					break
				}
			}
			lo, hi = min(lo, p90), max(hi, p90)
		}
	}
	if hi <= 0 || lo > 255 {
		return 1
	}
	return float64(lo) / float64(hi)
}

// meanOf is the mean luma of the set pixels of mask within component
// c's rows: the component's own, but for a stray pixel of another.
func meanOf(luma, mask []uint8, w int, c component) float64 {
	var sum, n int64
	for i, r := range c.rows {
		if r[0] < 0 {
			continue
		}
		row := (c.box.Min.Y + i) * w
		for x := int(r[0]); x <= int(r[1]); x++ {
			if mask[row+x] != 0 {
				sum += int64(luma[row+x])
				n++
			}
		}
	}
	return float64(sum) / float64(max(n, 1))
}

// borderLevel is the median luma of the frame's edge band and the share
// of the band within ±delta of it.
func borderLevel(luma []uint8, w, h, delta int) (int, float64) {
	b := max(2, min(w, h)/100)
	var hist [256]int
	n := 0
	for y := range h {
		row := luma[y*w : y*w+w]
		if y < b || y >= h-b {
			for _, v := range row {
				hist[v]++
			}
			n += w
			continue
		}
		for _, v := range row[:b] {
			hist[v]++
		}
		for _, v := range row[w-b:] {
			hist[v]++
		}
		n += 2 * b
	}
	med, acc := 0, 0
	for v, c := range hist {
		acc += c
		if 2*acc >= n {
			med = v
			break
		}
	}
	near := 0
	for v := max(med-delta, 0); v <= min(med+delta, 255); v++ {
		near += hist[v]
	}
	return med, float64(near) / float64(max(n, 1))
}

// cornersLikeInside counts the frame's corners that look like the picture
// a little further in: a whole card's rounded corners show what it lies
// on, so a card picture whose corners are all card has had its edges cut
// away.
func cornersLikeInside(luma []uint8, w, h, delta int) int {
	s := min(w, h)
	in := max(2, s*3/100)
	mean := func(x, y int) int {
		sum := 0
		for j := y - 1; j <= y+1; j++ {
			for i := x - 1; i <= x+1; i++ {
				sum += int(luma[min(max(j, 0), h-1)*w+min(max(i, 0), w-1)])
			}
		}
		return sum / 9
	}
	n := 0
	for _, c := range [][4]int{{1, 1, 1, 1}, {w - 2, 1, -1, 1}, {1, h - 2, 1, -1}, {w - 2, h - 2, -1, -1}} {
		d := mean(c[0], c[1]) - mean(c[0]+c[2]*in, c[1]+c[3]*in)
		if d < 0 {
			d = -d
		}
		if d <= delta {
			n++
		}
	}
	return n
}

// docThreshold splits document from background: Otsu's threshold, lowered
// to halfway between it and the dark background's peak, so that mid-tone
// print at the document's edge (a licence's ornamental border, 110–160)
// stays with the document instead of cutting it short (ours).
func docThreshold(hist *[256]int) int {
	t := otsu(hist)
	peak := 0
	for v := 1; v <= t; v++ {
		if hist[v] > hist[peak] {
			peak = v
		}
	}
	return min(t, peak+max(24, (t-peak)/2))
}

// brightBorder reports whether a band along every edge of the frame is
// document-bright: a scan, whose page (or the scanner's white lid) reaches
// the frame all round, even where a printed border keeps the page's bright
// component off the edges (ours).
func brightBorder(luma []uint8, w, h, th int) bool {
	b := max(2, min(w, h)/100)
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, w, b), image.Rect(0, h-b, w, h),
		image.Rect(0, 0, b, h), image.Rect(w-b, 0, w, h),
	} {
		n, bright := 0, 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for _, v := range luma[y*w+r.Min.X : y*w+r.Max.X] {
				n++
				if int(v) > th {
					bright++
				}
			}
		}
		if bright*10 < n*9 {
			return false
		}
	}
	return true
}

// judgeDocument turns measures into checks with messages.
func judgeDocument(w *Working, kind Kind, m docMeasure, t DocumentThresholds) []Check {
	p := profileOf(kind)
	box := w.ToOriginal(m.box)
	doc := func(id string, v Verdict, measured, threshold bilingual, zh, en string) Check {
		c := Check{ID: id, Verdict: v, ZH: zh, EN: en, Region: "document", Box: box}
		c.measured(measured)
		c.threshold(threshold)
		return c
	}

	// What the picture is decides the advice: a card on a scanner's bed is
	// scanned again, a picture the document fills (a page scan, a tight
	// crop) is uploaded whole, a phone photo is shot again on a plain desk.
	var reshootZH, reshootEN string
	switch {
	case m.scan:
		reshootZH = "请重新扫描：把证件平放在扫描仪玻璃板上，离开边缘，盖好盖板"
		reshootEN = "scan it again: lay the document flat on the scanner glass, away from its edges, and close the lid"
	case m.fills:
		reshootZH = "请上传未裁剪的完整扫描件，或把证件平放在纯色桌面上，四周留出空白，正对拍摄"
		reshootEN = "upload the whole scan, not a crop of it, or lay the document on a plain surface with a margin all round and shoot it straight on"
	default:
		reshootZH = "请把证件平放在纯色深色桌面上，四周留出空白，正对拍摄"
		reshootEN = "lay the document on a plain dark surface with a margin all round and shoot it straight on"
	}

	// Outline, crop, skew, resolution: only from an outline that can be
	// trusted; otherwise say so and ask for a re-shoot rather than guess.
	var geom []Check
	add := func(c Check) { geom = append(geom, c) }
	aspectOK := func(a, tol float64) bool { return p.aspect == 0 || math.Abs(a/p.aspect-1) <= tol }
	aspectTxt := fmt.Sprintf("%.2f", m.aspect)
	aspect := bi("长宽比 "+aspectTxt, "aspect "+aspectTxt)
	expect := bi("长宽比不限", "any aspect")
	if p.aspect > 0 {
		e := fmt.Sprintf("%.3f ± %.0f %%", p.aspect, 100*t.AspectTolerance)
		expect = bi("长宽比 "+e, "aspect "+e)
	}
	fills := func(what bilingual) bilingual { return bi("占满画面，"+what.zh, "fills the frame, "+what.en) }
	fill := bi(fmt.Sprintf("填充度 %.2f，%s", m.fill, aspect.zh), fmt.Sprintf("fill %.2f, %s", m.fill, aspect.en))
	if m.scan {
		fill = bi("白色扫描底板上，"+fill.zh, "on a white scanner bed, "+fill.en)
	}
	fillLimit := bi(fmt.Sprintf("填充度 ≥ %.2f，%s", t.OutlineFill, expect.zh), fmt.Sprintf("fill ≥ %.2f, %s", t.OutlineFill, expect.en))
	zhEdges := map[string]string{"left": "左", "top": "上", "right": "右", "bottom": "下"}
	var touchedZH []string
	for _, e := range m.touches {
		touchedZH = append(touchedZH, zhEdges[e])
	}
	margin := bi("四周边距 ≥ "+percent(t.EdgeMargin), "margin ≥ "+percent(t.EdgeMargin))
	outlineOK := func() {
		zh, en := "证件轮廓完整", "the document's outline is complete"
		if m.scan {
			zh, en = "证件轮廓完整（白色底板上的扫描件）", "the document's outline is complete (a scan on a white bed)"
		}
		add(doc("document.outline", Pass, fill, fillLimit, zh, en))
	}
	trusted := false
	cropped := false
	rectOK := m.fill >= t.OutlineFill && aspectOK(m.aspect, t.AspectTolerance)
	quadOK := m.quadFill >= t.QuadFill && aspectOK(m.quadAspect, t.AspectTolerance)
	switch {
	case !m.found:
		add(doc("document.outline", Doubtful, bi("未找到", "none found"), bilingual{}, "未找到证件的轮廓："+reshootZH,
			"no document outline found: "+reshootEN))
	case m.fills && m.doc.paper < t.PaperMin:
		add(doc("document.outline", Doubtful, fills(bi("纸张底色占 "+percent(m.doc.paper), "paper "+percent(m.doc.paper))),
			bi("纸张底色 ≥ "+percent(t.PaperMin), "paper ≥ "+percent(t.PaperMin)),
			"画面被一张不像证件的图片占满（缺少大面积的纸张底色），无法确认是证件："+reshootZH,
			"the picture is filled by something that does not look like a document (no large area of blank paper), so it cannot be confirmed: "+reshootEN))
	case m.fills && p.card && m.cornersInside == 4 && aspectOK(m.aspect, t.AspectTolerance):
		// A whole card's rounded corners show what it lay on (a frame of
		// another shape is no card cut to its edge).
		cropped, trusted = true, true
		add(doc("document.cropped", Fail, bi("占满画面，四角都是证件本身", "fills the frame, all four corners are card"),
			bi("四角露出圆角外的背景", "the background shows past the rounded corners"),
			"证件占满整个画面，四个圆角外都没有露出背景，边缘已被裁掉：请上传含证件完整边缘的扫描件或照片，"+reshootZH,
			"the card fills the whole picture and no background shows past its rounded corners, so its edges have been cut away: upload a scan or photo with the card's whole edge; "+reshootEN))
	case m.fills:
		if aspectOK(m.aspect, t.AspectTolerance) {
			trusted = true
			add(doc("document.outline", Pass, fills(aspect), expect,
				"证件占满画面（扫描件或已裁剪）：请确认四角和边缘完整",
				"the document fills the frame (a scan or a tight crop): make sure all four corners and edges are in it"))
		} else {
			add(doc("document.outline", Doubtful, fills(aspect), expect,
				fmt.Sprintf("证件占满画面，但长宽比 %s 与%s不符，边缘可能被裁掉或混入了背景：%s", aspectTxt, p.zh, reshootZH),
				fmt.Sprintf("the document fills the frame but its proportions (%s) are not those of a %s: its edges may be cut off or the background mixed in; %s", aspectTxt, p.en, reshootEN)))
		}
	case m.bgStd > t.BackgroundStd:
		add(doc("document.outline", Doubtful, bi(fmt.Sprintf("背景亮度离散度 %.0f", m.bgStd), fmt.Sprintf("background luma spread %.0f", m.bgStd)),
			bi(fmt.Sprintf("离散度 ≤ %.0f", t.BackgroundStd), fmt.Sprintf("spread ≤ %.0f", t.BackgroundStd)),
			"背景杂乱，无法可靠识别证件的轮廓，边缘、倾斜和反光的判断不可信："+reshootZH,
			"the background is too busy to tell the document's outline from it, so edges, tilt and glare cannot be judged: "+reshootEN))
	case len(m.touches) > 2:
		// A document cut off on three or four sides but not filling the
		// frame is not a document seen whole, nor one cut off: whatever
		// bright thing spans the picture, the outline is unknown.
		add(doc("document.outline", Doubtful, bi("触及"+strings.Join(touchedZH, "、")+"边缘", "touches the "+strings.Join(m.touches, ", ")+" edges"), margin,
			"画面中的亮色区域延伸到三条以上边缘，无法识别证件的轮廓："+reshootZH,
			"something bright spans the picture to three or more edges, so no document outline can be found: "+reshootEN))
	case len(m.touches) > 0 && p.aspect > 0 && m.fill >= t.OutlineFill && aspectOK(m.aspect, t.CompleteAspect):
		// Pushed against the edge (a card in the corner guide of a scanner)
		// but whole: its proportions are its kind's.
		trusted = true
		outlineOK()
		add(doc("document.cropped", Pass, bi("贴着"+strings.Join(touchedZH, "、")+"边，长宽比完整", "against the "+strings.Join(m.touches, " and ")+map[bool]string{true: " edges", false: " edge"}[len(m.touches) > 1]+", proportions whole"),
			bi(fmt.Sprintf("长宽比 %.3f ± %.0f %%", p.aspect, 100*t.CompleteAspect), fmt.Sprintf("aspect %.3f ± %.0f %%", p.aspect, 100*t.CompleteAspect)),
			"证件贴着画面边缘，但四边完整", "the document lies against the picture's edge but no edge is cut off"))
	case len(m.touches) > 0 && m.fill >= t.CroppedFill:
		cropped, trusted = true, true
		add(doc("document.cropped", Fail, bi("截断于"+strings.Join(touchedZH, "、")+"边", "cut off at the "+strings.Join(m.touches, ", ")+" edge"), margin,
			fmt.Sprintf("证件在画面%s边被截断：四角和边缘须完整，%s", strings.Join(touchedZH, "、"), reshootZH),
			fmt.Sprintf("the document is cut off at the %s edge of the picture: all four corners and edges must show; %s", strings.Join(m.touches, " and "), reshootEN)))
	case rectOK || (quadOK && m.keystone <= t.KeystoneWarn):
		trusted = true
		outlineOK()
		add(doc("document.cropped", Pass, bi("无", "none"), margin,
			"四边完整，未被截断", "no edge is cut off"))
	case quadOK:
		trusted = true
		k := percent(m.keystone)
		add(doc("document.outline", Warn, bi("梯形变形 "+k, "keystone "+k), bi("梯形变形 ≤ "+percent(t.KeystoneWarn), "keystone ≤ "+percent(t.KeystoneWarn)),
			fmt.Sprintf("证件不是正对镜头拍摄的（对边长短相差 %s），文字被压扁：请把手机与证件平行，正对拍摄", k),
			fmt.Sprintf("the document was shot at an angle (opposite sides differ by %s) and its text is squeezed: hold the phone parallel to it and shoot straight on", k)))
		add(doc("document.cropped", Pass, bi("无", "none"), margin,
			"四边完整，未被截断", "no edge is cut off"))
	default:
		add(doc("document.outline", Doubtful, fill, fillLimit,
			"无法可靠识别证件轮廓（背景杂乱或有物体挨着证件），边缘、倾斜和反光的判断不可信："+reshootZH,
			"the document's outline cannot be told from the background (a busy surface, or something touching it), so edges, tilt and glare cannot be judged: "+reshootEN))
	}
	if trusted && !m.fills {
		s := math.Abs(m.rect.angle)
		v := Pass
		switch {
		case s > t.SkewFail:
			v = Fail
		case s > t.SkewWarn:
			v = Warn
		}
		c := doc("document.skew", v, numeric(fmt.Sprintf("%.1f°", s)),
			bi(fmt.Sprintf("≤ %.0f°（超过 %.0f° 不通过）", t.SkewWarn, t.SkewFail), fmt.Sprintf("≤ %.0f° (fail > %.0f°)", t.SkewWarn, t.SkewFail)),
			fmt.Sprintf("证件倾斜 %.1f°", s), fmt.Sprintf("the document is tilted by %.1f°", s))
		if v != Pass {
			if m.scan {
				c.ZH += "：请把证件摆正后重新扫描"
				c.EN += ": straighten it on the glass and scan again"
			} else {
				c.ZH += "：请把证件摆正，手机与证件平行后重拍"
				c.EN += ": straighten it and hold the phone parallel to it"
			}
		}
		add(c)
		if p.card && m.rect.height > m.rect.width*1.2 {
			add(doc("document.orientation", Warn, bi("竖向", "portrait"), bi("横向", "landscape"),
				"身份证是竖着的：请把照片旋转 90°，使证件横向、文字朝上",
				"the ID card is on its side: turn the picture by 90° so that the card is landscape with its text upright"))
		}
	}
	if trusted {
		need, failBelow := t.MinLongSidePage, t.FailLongSidePage
		if p.card {
			need, failBelow = t.MinLongSideCard, t.FailLongSideCard
		}
		v := Pass
		switch {
		case m.longSide < float64(failBelow):
			v = Fail
		case m.longSide < float64(need):
			v = Warn
		}
		// A cut-off document is larger than what shows: only a pass is sure.
		if !cropped || v == Pass {
			c := doc("document.resolution", v, bi(fmt.Sprintf("长边 %.0f px", m.longSide), fmt.Sprintf("long side %.0f px", m.longSide)),
				bi(fmt.Sprintf("≥ %d px（不足 %d px 不通过）", need, failBelow), fmt.Sprintf("≥ %d px (fail < %d px)", need, failBelow)),
				fmt.Sprintf("证件在图中长边 %.0f 像素", m.longSide), fmt.Sprintf("the document is %.0f px long in the picture", m.longSide))
			if v != Pass {
				if m.scan || m.fills {
					c.ZH += fmt.Sprintf("，小字可能看不清（需至少 %d）：请以 300 dpi 重新扫描", need)
					c.EN += fmt.Sprintf(", so small print may be illegible (needs ≥ %d): scan it again at 300 dpi", need)
				} else {
					c.ZH += fmt.Sprintf("，小字可能看不清（需至少 %d）：请靠近拍摄让证件占满大部分画面，或以 300 dpi 扫描", need)
					c.EN += fmt.Sprintf(", so small print may be illegible (needs ≥ %d): move closer so that it fills most of the frame, or scan at 300 dpi", need)
				}
			}
			add(c)
		}
	}

	// Colour and exposure are measured on the document. When its outline
	// is not confirmed, the region measured may be something else (a white
	// wall in a photograph): the texts say so, and it is not failed on.
	st := m.doc
	where := bi("证件区域", "the document")
	whereMean := bi("证件区域平均亮度", "document mean luma")
	unsure := !trusted
	switch {
	case unsure && (m.fills || !m.found):
		where = bi("整个画面", "the whole picture")
		whereMean = bi("整个画面平均亮度", "whole-picture mean luma")
	case unsure:
		where = bi("检测到的证件区域（轮廓未确认）", "the region taken for the document (outline not confirmed)")
		whereMean = bi("检测到的证件区域（轮廓未确认）平均亮度", "mean luma of the region taken for the document (outline not confirmed)")
	}
	// demote turns a failure measured on an unconfirmed region into a doubt.
	demote := func(c Check) Check {
		if unsure && c.Verdict == Fail {
			c.Verdict = Doubtful
			c.ZH += "；但证件轮廓未确认，测到的可能不是证件本身"
			c.EN += "; but no document outline is confirmed, so what was measured may not be the document"
		}
		return c
	}
	var out []Check
	grey := bi(where.zh+"内灰色占 "+percent(st.neutral), percent(st.neutral)+" of "+where.en+" grey")
	greyLimit := bi("灰色 ≤ "+percent(t.NeutralFraction), "grey ≤ "+percent(t.NeutralFraction))
	switch {
	case m.grayFile:
		out = append(out, Check{ID: "document.colour", Verdict: Fail, Measured: "greyscale file", MeasuredZH: "灰度文件", Threshold: "colour", ThresholdZH: "彩色",
			ZH: "这是黑白（灰度）图片：请用彩色扫描或拍摄原件，不要上传黑白扫描件或复印件",
			EN: "this is a black-and-white (greyscale) image: scan or photograph the original in colour, not a greyscale scan or a photocopy"})
	case st.neutral > t.NeutralFraction && p.colour:
		out = append(out, demote(Check{ID: "document.colour", Verdict: Fail, Measured: grey.en, MeasuredZH: grey.zh, Threshold: greyLimit.en, ThresholdZH: greyLimit.zh,
			ZH: fmt.Sprintf("%s几乎没有颜色（%s 为灰色），像是复印件或黑白扫描：请彩色拍摄或扫描%s原件", where.zh, percent(st.neutral), p.zh),
			EN: fmt.Sprintf("%s has almost no colour (%s grey), like a photocopy or a greyscale scan: photograph or scan the original %s in colour", where.en, percent(st.neutral), p.en)}))
	case st.neutral > t.NeutralFraction:
		out = append(out, Check{ID: "document.colour", Verdict: Warn, Measured: grey.en, MeasuredZH: grey.zh, Threshold: greyLimit.en, ThresholdZH: greyLimit.zh,
			ZH: fmt.Sprintf("%s几乎没有颜色（%s 为灰色）：请彩色扫描或拍摄%s，让公章和签字的颜色看得出来", where.zh, percent(st.neutral), p.zh),
			EN: fmt.Sprintf("%s has almost no colour (%s grey): the %s must be scanned or photographed in colour, so that the seal and signature show theirs", where.en, percent(st.neutral), p.en)})
	default:
		out = append(out, Check{ID: "document.colour", Verdict: Pass, Measured: grey.en, MeasuredZH: grey.zh, Threshold: greyLimit.en, ThresholdZH: greyLimit.zh,
			ZH: "彩色原件", EN: "a colour original"})
	}
	out = append(out, geom...)
	addOut := func(c Check) { out = append(out, c) }

	// Blur.
	{
		v := Pass
		switch {
		case m.lapVar < t.BlurFail:
			v = Fail
		case m.lapVar < t.BlurWarn:
			v = Warn
		}
		c := doc("document.blur", v, bi(fmt.Sprintf("清晰度 %.0f", m.lapVar), fmt.Sprintf("sharpness %.0f", m.lapVar)),
			bi(fmt.Sprintf("≥ %.0f（低于 %.0f 不通过）", t.BlurWarn, t.BlurFail), fmt.Sprintf("≥ %.0f (fail < %.0f)", t.BlurWarn, t.BlurFail)),
			"图像清晰", "the picture is sharp")
		switch {
		case v != Pass && m.scan:
			c.ZH = "扫描图像模糊，文字可能无法辨认：请把证件平贴在玻璃板上、盖好盖板后重新扫描"
			c.EN = "the scan is blurred and the text may be illegible: lay the document flat against the glass, close the lid and scan again"
		case v != Pass:
			c.ZH = "图像模糊，文字可能无法辨认：请在光线充足处拍摄，点屏幕对焦，手持稳定后再拍"
			c.EN = "the picture is blurred and the text may be illegible: shoot in good light, tap the screen to focus, and hold the phone still"
		}
		addOut(c)
	}

	// Glare and exposure. A clipped blob as large as PageBlob is the page
	// (a white scan, or a card washed out by light), not a reflection.
	page := m.glare >= t.PageBlob
	{
		v := Pass
		switch {
		case page:
		case m.glare >= t.GlareFail:
			v = Fail
		case m.glare >= t.GlareWarn:
			v = Warn
		}
		c := doc("document.glare", v, bi("反光占证件 "+percent(m.glare), "glare on "+percent(m.glare)+" of the document"),
			bi(fmt.Sprintf("< %s（≥ %s 不通过）", percent(t.GlareWarn), percent(t.GlareFail)), fmt.Sprintf("< %s (fail ≥ %s)", percent(t.GlareWarn), percent(t.GlareFail))),
			"没有反光", "no glare")
		switch {
		case page:
			c.measured(bi("无法测量（页面底色本身过曝）", "not measurable (the page itself is clipped white)"))
			c.ZH, c.EN = "页面底色过亮，无法判断反光", "the page itself is clipped white, so glare cannot be measured"
		case v != Pass && !trusted:
			// A white object beside the document looks the same.
			v = Doubtful
			c.Verdict = v
			c.ZH = "可能有反光，但证件轮廓不可靠，也可能是旁边的白色物体：" + reshootZH
			c.EN = "there may be glare, or a white object beside the document: " + reshootEN
		case v != Pass:
			c.Box = w.ToOriginal(m.glareBox)
			c.Mask = m.glareMask
			c.ZH = fmt.Sprintf("证件上有反光（占 %s），会遮住文字：请避开灯光直射、关闭闪光灯，或稍微倾斜证件后重拍", percent(m.glare))
			c.EN = fmt.Sprintf("there is glare on the document (%s of it) that hides the text: avoid direct light, switch the flash off, or tilt the document slightly", percent(m.glare))
		}
		addOut(c)
	}
	{
		glare := m.glare
		over := false
		if p.colour && p.card {
			over = page || st.clipped-glare > t.OverClipped
		} else {
			over = st.p1 >= t.InkWashed
		}
		// The measures and limits shown are those the verdict was taken
		// on: a card is judged by its clipped area, a page by its ink.
		measured := bi(fmt.Sprintf("%s %.0f", whereMean.zh, st.mean), fmt.Sprintf("%s %.0f", whereMean.en, st.mean))
		threshold := bi(fmt.Sprintf("平均亮度 ≥ %.0f", t.DarkMean), fmt.Sprintf("mean luma ≥ %.0f", t.DarkMean))
		switch {
		case p.colour && p.card && page:
			measured.zh += "，页面底色整片过曝"
			measured.en += ", the page clipped white"
			threshold.zh += fmt.Sprintf("，过曝（不含反光）≤ %s", percent(t.OverClipped))
			threshold.en += fmt.Sprintf(", clipped (glare aside) ≤ %s", percent(t.OverClipped))
		case p.colour && p.card:
			measured.zh += fmt.Sprintf("，过曝（不含反光）%s", percent(max(st.clipped-glare, 0)))
			measured.en += fmt.Sprintf(", clipped (glare aside) %s", percent(max(st.clipped-glare, 0)))
			threshold.zh += fmt.Sprintf("，过曝（不含反光）≤ %s", percent(t.OverClipped))
			threshold.en += fmt.Sprintf(", clipped (glare aside) ≤ %s", percent(t.OverClipped))
		default:
			measured.zh += fmt.Sprintf("，最深 1 %% 笔迹的亮度 %d", st.p1)
			measured.en += fmt.Sprintf(", darkest 1 %% of the ink at luma %d", st.p1)
			threshold.zh += fmt.Sprintf("，最深 1 %% 笔迹的亮度 < %d", t.InkWashed)
			threshold.en += fmt.Sprintf(", darkest 1 %% of the ink < %d", t.InkWashed)
		}
		darkZH, darkEN := "请在明亮处（如白天窗边）拍摄，不要用闪光灯", "shoot in brighter light (by a window in daylight), without the flash"
		overZH, overEN := "请避开强光或降低曝光后重拍", "move out of strong light or lower the exposure and shoot again"
		if m.scan || m.fills {
			darkZH, darkEN = "请调亮扫描设置后重新扫描，或在明亮处拍摄", "raise the scanner's brightness and scan again, or shoot in brighter light"
			overZH, overEN = "请调暗扫描设置后重新扫描，或避开强光拍摄", "lower the scanner's brightness and scan again, or shoot out of strong light"
		}
		switch {
		case st.mean < t.DarkMean:
			addOut(demote(doc("document.exposure", Fail, measured, threshold,
				where.zh+"太暗："+darkZH, where.en+" is too dark: "+darkEN)))
		case over:
			// Clipping is clipping whatever the picture: measured on the
			// whole picture, it is a fact about it and fails as it is.
			c := doc("document.exposure", Fail, measured, threshold,
				where.zh+"过曝，浅色部分和文字发白看不清："+overZH,
				where.en+" is over-exposed, light areas and text are washed out: "+overEN)
			if m.found && !m.fills {
				c = demote(c)
			}
			addOut(c)
		case trusted && m.evenness < t.ShadowRatio:
			e := percent(m.evenness)
			measured.zh += "，纸面最暗处亮度为最亮处的 " + e
			measured.en += ", the paper's darkest part at " + e + " of its brightest"
			threshold.zh += "，最暗处 ≥ 最亮处的 " + percent(t.ShadowRatio)
			threshold.en += ", darkest ≥ " + percent(t.ShadowRatio) + " of the brightest"
			addOut(doc("document.exposure", Warn, measured, threshold,
				fmt.Sprintf("证件上光照不均（最暗处只有最亮处的 %s），可能有阴影遮住文字：请在均匀的光线下重拍，不要让手或手机挡住光", e),
				fmt.Sprintf("the light on the document is uneven (its darkest part is at %s of its brightest), a shadow may hide text: shoot again in even light, without your hand or the phone blocking it", e)))
		default:
			addOut(doc("document.exposure", Pass, measured, threshold, where.zh+"曝光正常", "the exposure of "+where.en+" is fine"))
		}
	}
	return out
}

func percent(f float64) string {
	switch {
	case f >= 0.1:
		return fmt.Sprintf("%.0f %%", 100*f)
	case f >= 0.001:
		return fmt.Sprintf("%.1f %%", 100*f)
	case f > 0:
		return fmt.Sprintf("%.2f %%", 100*f)
	}
	return "0 %"
}
