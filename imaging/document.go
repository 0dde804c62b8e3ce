package imaging

import (
	"fmt"
	"image"
	"math"
	"strings"
)

// DocumentThresholds are the limits of the document checks. They are
// provisional defaults, all from imaging.md §3.2 (measured in §2.7–2.8 on
// synthetic documents) unless the field says otherwise; calibrate them on
// real scans before trusting them further.
type DocumentThresholds struct {
	// Colour original: a picture is "neutral" (greyscale scan, photocopy)
	// when more than NeutralFraction of the document has max−min channel ≤
	// NeutralChroma. Ours: measured on 4×4 block means, so per-channel
	// sensor noise does not pass for colour, and after removing the
	// document's mean colour cast, so a photocopy photographed under warm
	// light still reads as grey.
	NeutralChroma   int
	NeutralFraction float64

	// Resolution of the document itself: the long side of its rectangle,
	// in original pixels (≈ 300 dpi on an ID card). Below ResolutionFail ×
	// the minimum fails, below the minimum warns (the fail band is ours).
	MinLongSideCard int
	MinLongSidePage int
	ResolutionFail  float64

	// Outline: hull area / minimum rectangle area at least OutlineFill, and
	// long/short within AspectTolerance of the expected ratio (1.586 ID-1,
	// 1.414 A-series), or the outline is not trusted (Doubtful).
	OutlineFill     float64
	AspectTolerance float64
	// CroppedFill: a component touching the frame whose fill is below this
	// is the background merged with the document, not a cut-off rectangle
	// (ours; a cut-off card measured 0.97, a merged one 0.91).
	CroppedFill float64
	// FillsArea: a component touching all four edges is a frame-filling
	// document (a scan) only if it covers this much of the frame (ours).
	FillsArea float64
	// PaperMin: a frame-filling picture is taken for a document only if
	// this share of it lies within ±10 levels of its modal luma, the
	// paper (ours: generated documents 0.74–0.94; real photographs that
	// fill the frame, 0.17–0.19).
	PaperMin float64
	// EdgeMargin: a box within this fraction of a frame edge touches it.
	EdgeMargin float64
	// MinArea: a smaller bright component is not taken for the document (ours).
	MinArea float64
	// BackgroundStd: a background whose luma spreads more than this (wood
	// grain, objects) is too busy to trust any outline (ours: plain dark
	// surfaces measured 1–6, a wood table 19–21 on the generated set).
	BackgroundStd float64

	// Skew of the rectangle, degrees.
	SkewWarn, SkewFail float64

	// Blur: variance of the Laplacian of the document box at working scale.
	BlurWarn, BlurFail float64

	// Glare: the largest 4-connected blob of luma ≥ ClipLuma inside the
	// document, as a fraction of its area.
	ClipLuma             uint8
	GlareWarn, GlareFail float64
	// PageBlob: a clipped blob at least this large is the white page itself
	// (a scan), not a reflection (ours).
	PageBlob float64

	// Exposure: document mean luma below DarkMean is too dark; clipped
	// pixels outside the glare blob above OverClipped is over-exposed. For
	// white-paper documents, whose paper may clip in a good scan, the text
	// decides instead: its 1st-percentile luma at or above InkWashed means
	// it has washed out (ours).
	DarkMean    float64
	OverClipped float64
	InkWashed   int
}

// DefaultDocumentThresholds are the defaults of imaging.md §3.2.
var DefaultDocumentThresholds = DocumentThresholds{
	NeutralChroma:   3,
	NeutralFraction: 0.99,
	MinLongSideCard: 1000,
	MinLongSidePage: 1600,
	ResolutionFail:  0.6,
	OutlineFill:     0.95,
	AspectTolerance: 0.08,
	CroppedFill:     0.90,
	FillsArea:       0.6,
	PaperMin:        0.4,
	EdgeMargin:      0.01,
	MinArea:         0.03,
	BackgroundStd:   14,
	SkewWarn:        10,
	SkewFail:        20,
	BlurWarn:        150,
	BlurFail:        50,
	ClipLuma:        250,
	GlareWarn:       0.001,
	GlareFail:       0.005,
	PageBlob:        0.4,
	DarkMean:        110,
	OverClipped:     0.05,
	InkWashed:       120,
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
	grayFile bool    // the file has no colour channels at all
	neutral  float64 // fraction of neutral pixels in the document
	found    bool    // a component large enough to be the document
	fills    bool    // it touches all four edges: a scan or a tight crop
	touches  []string
	fill     float64 // hull area / minimum rectangle area
	aspect   float64 // long/short
	rect     rotRect
	box      image.Rectangle // the document, working coordinates
	longSide float64         // the document's long side, original pixels
	lapVar   float64
	glare    float64 // largest clipped blob / document area
	// glareBox and glareMask are the largest clipped blob's box and all
	// clipped pixels of the document, working coordinates, for the preview.
	glareBox  image.Rectangle
	glareMask *image.Alpha
	clipped   float64 // all clipped pixels / document area
	mean      float64
	p1        int
	bgStd     float64 // luma spread of the background (0: none to measure)
	paper     float64 // share of the document within ±10 of its modal luma
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
	var hist [256]int
	for _, v := range luma {
		hist[v]++
	}
	th := docThreshold(&hist)
	mask := make([]uint8, len(luma))
	for i, v := range luma {
		if int(v) > th {
			mask[i] = 1
		}
	}
	opening(mask, W, H, max(1, int(math.Round(6*float64(max(W, H))/WorkingSide))))
	labels := make([]int32, len(mask))
	c := largestComponent(mask, W, H, labels)

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
		m.fills = (len(m.touches) == 4 && float64(c.area) >= t.FillsArea*float64(W*H)) ||
			brightBorder(luma, W, H, th)
	}
	switch {
	case m.found && !m.fills:
		hull := c.hull()
		m.rect = minAreaRect(hull)
		if a := m.rect.width * m.rect.height; a > 0 {
			m.fill = polygonArea(hull) / a
		}
		m.aspect = max(m.rect.width, m.rect.height) / max(min(m.rect.width, m.rect.height), 1)
		m.longSide = max(m.rect.width, m.rect.height) * w.Scale
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
	}

	// Exposure and colour over the document's own pixels.
	var dh [256]int
	area, clipped := 0, 0
	var sumL, sumRG, sumBG int64
	for i, in := range inDoc {
		if in == 0 {
			continue
		}
		v := luma[i]
		dh[v]++
		area++
		sumL += int64(v)
		if v >= t.ClipLuma {
			clipped++
		}
		p := img.Pix[4*i : 4*i+3 : 4*i+3]
		sumRG += int64(p[0]) - int64(p[1])
		sumBG += int64(p[2]) - int64(p[1])
	}
	if area == 0 {
		return m
	}
	m.mean = float64(sumL) / float64(area)
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
	m.paper = float64(best) / float64(area)
	m.clipped = float64(clipped) / float64(area)
	for v, acc := 0, 0; v < 256; v++ {
		acc += dh[v]
		if acc*100 >= area {
			m.p1 = v
			break
		}
	}
	// Neutral: judged on 4×4 blocks, whose means keep printed colour but
	// not the per-channel sensor noise that would make a grey copy look
	// coloured pixel by pixel (ours; §3.2 counts single pixels).
	castRG := float64(sumRG) / float64(area)
	castBG := float64(sumBG) / float64(area)
	const blk = 4
	blocks, neutral := 0, 0
	for by := 0; by+blk <= H; by += blk {
		for bx := 0; bx+blk <= W; bx += blk {
			var a, b, inside int
			for y := by; y < by+blk; y++ {
				for x := bx; x < bx+blk; x++ {
					i := y*W + x
					inside += int(inDoc[i])
					p := img.Pix[4*i : 4*i+3 : 4*i+3]
					a += int(p[0]) - int(p[1])
					b += int(p[2]) - int(p[1])
				}
			}
			if inside < blk*blk {
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
		m.neutral = float64(neutral) / float64(blocks)
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

	// Glare: clipped blobs inside the document (reuse mask as the plane).
	glareMask := make([]uint8, len(luma))
	for i, in := range inDoc {
		if in != 0 && luma[i] >= t.ClipLuma {
			glareMask[i] = 1
		}
	}
	gc := largestComponent(glareMask, W, H, labels)
	m.glare = float64(gc.area) / float64(area)
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
	var out []Check
	add := func(c Check) { out = append(out, c) }
	doc := func(id string, v Verdict, measured, threshold bilingual, zh, en string) Check {
		c := Check{ID: id, Verdict: v, ZH: zh, EN: en, Region: "document", Box: box}
		c.measured(measured)
		c.threshold(threshold)
		return c
	}
	grey := bi("证件区域内灰色占 "+percent(m.neutral), percent(m.neutral)+" of the document grey")
	greyLimit := bi("灰色 ≤ "+percent(t.NeutralFraction), "grey ≤ "+percent(t.NeutralFraction))

	// Colour original.
	switch {
	case m.grayFile:
		add(Check{ID: "document.colour", Verdict: Fail, Measured: "greyscale file", MeasuredZH: "灰度文件", Threshold: "colour", ThresholdZH: "彩色",
			ZH: "这是黑白（灰度）图片：请用彩色扫描或拍摄原件，不要上传黑白扫描件或复印件",
			EN: "this is a black-and-white (greyscale) image: scan or photograph the original in colour, not a greyscale scan or a photocopy"})
	case m.neutral > t.NeutralFraction && p.colour:
		add(Check{ID: "document.colour", Verdict: Fail, Measured: grey.en, MeasuredZH: grey.zh, Threshold: greyLimit.en, ThresholdZH: greyLimit.zh,
			ZH: fmt.Sprintf("画面几乎没有颜色（%s 为灰色），像是复印件或黑白扫描：请彩色拍摄或扫描%s原件", percent(m.neutral), p.zh),
			EN: fmt.Sprintf("the picture has almost no colour (%s grey), like a photocopy or a greyscale scan: photograph or scan the original %s in colour", percent(m.neutral), p.en)})
	case m.neutral > t.NeutralFraction:
		add(Check{ID: "document.colour", Verdict: Warn, Measured: grey.en, MeasuredZH: grey.zh, Threshold: greyLimit.en, ThresholdZH: greyLimit.zh,
			ZH: fmt.Sprintf("画面几乎没有颜色（%s 为灰色）：请彩色扫描或拍摄%s，让公章和签字的颜色看得出来", percent(m.neutral), p.zh),
			EN: fmt.Sprintf("the picture has almost no colour (%s grey): the %s must be scanned or photographed in colour, so that the seal and signature show theirs", percent(m.neutral), p.en)})
	default:
		add(Check{ID: "document.colour", Verdict: Pass, Measured: grey.en, MeasuredZH: grey.zh, Threshold: greyLimit.en, ThresholdZH: greyLimit.zh,
			ZH: "彩色原件", EN: "a colour original"})
	}

	// Outline, crop, skew, resolution: only from an outline that can be
	// trusted; otherwise say so and ask for a re-shoot rather than guess.
	const reshootZH = "请把证件平放在纯色深色桌面上，四周留出空白，正对拍摄"
	const reshootEN = "lay the document on a plain dark surface with a margin all round and shoot it straight on"
	aspectOK := p.aspect == 0 || math.Abs(m.aspect/p.aspect-1) <= t.AspectTolerance
	aspectTxt := fmt.Sprintf("%.2f", m.aspect)
	aspect := bi("长宽比 "+aspectTxt, "aspect "+aspectTxt)
	expect := bi("长宽比不限", "any aspect")
	if p.aspect > 0 {
		e := fmt.Sprintf("%.3f ± %.0f %%", p.aspect, 100*t.AspectTolerance)
		expect = bi("长宽比 "+e, "aspect "+e)
	}
	fills := func(what bilingual) bilingual { return bi("占满画面，"+what.zh, "fills the frame, "+what.en) }
	fill := bi(fmt.Sprintf("填充度 %.2f，%s", m.fill, aspect.zh), fmt.Sprintf("fill %.2f, %s", m.fill, aspect.en))
	fillLimit := bi(fmt.Sprintf("填充度 ≥ %.2f，%s", t.OutlineFill, expect.zh), fmt.Sprintf("fill ≥ %.2f, %s", t.OutlineFill, expect.en))
	zhEdges := map[string]string{"left": "左", "top": "上", "right": "右", "bottom": "下"}
	var touchedZH []string
	for _, e := range m.touches {
		touchedZH = append(touchedZH, zhEdges[e])
	}
	margin := bi("四周边距 ≥ "+percent(t.EdgeMargin), "margin ≥ "+percent(t.EdgeMargin))
	trusted := false
	cropped := false
	switch {
	case !m.found:
		add(doc("document.outline", Doubtful, bi("未找到", "none found"), bilingual{}, "未找到证件的轮廓："+reshootZH,
			"no document outline found: "+reshootEN))
	case m.fills && m.paper < t.PaperMin:
		add(doc("document.outline", Doubtful, fills(bi("纸张底色占 "+percent(m.paper), "paper "+percent(m.paper))),
			bi("纸张底色 ≥ "+percent(t.PaperMin), "paper ≥ "+percent(t.PaperMin)),
			"画面被一张不像证件的图片占满（缺少大面积的纸张底色），无法确认是证件："+reshootZH,
			"the picture is filled by something that does not look like a document (no large area of blank paper), so it cannot be confirmed: "+reshootEN))
	case m.fills:
		if aspectOK {
			trusted = true
			add(doc("document.outline", Pass, fills(aspect), expect,
				"证件占满画面（扫描件或已裁剪）：请确认四角和边缘完整",
				"the document fills the frame (a scan or a tight crop): make sure all four corners and edges are in it"))
		} else {
			add(doc("document.outline", Doubtful, fills(aspect), expect,
				fmt.Sprintf("证件占满画面，但长宽比 %s 与%s不符，边缘可能被裁掉或背景过于杂乱：%s", aspectTxt, p.zh, reshootZH),
				fmt.Sprintf("the document fills the frame but its proportions (%s) are not those of a %s: its edges may be cut off or the background is too busy; %s", aspectTxt, p.en, reshootEN)))
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
	case len(m.touches) > 0 && m.fill >= t.CroppedFill:
		cropped, trusted = true, true
		add(doc("document.cropped", Fail, bi("截断于"+strings.Join(touchedZH, "、")+"边", "cut off at the "+strings.Join(m.touches, ", ")+" edge"), margin,
			fmt.Sprintf("证件在画面%s边被截断：四角和边缘须完整，%s", strings.Join(touchedZH, "、"), reshootZH),
			fmt.Sprintf("the document is cut off at the %s edge of the picture: all four corners and edges must show; %s", strings.Join(m.touches, " and "), reshootEN)))
	case m.fill >= t.OutlineFill && aspectOK:
		trusted = true
		add(doc("document.outline", Pass, fill, fillLimit,
			"证件轮廓完整", "the document's outline is complete"))
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
			c.ZH += "：请把证件摆正，手机与证件平行后重拍"
			c.EN += ": straighten it and hold the phone parallel to it"
		}
		add(c)
		if p.card && m.rect.height > m.rect.width*1.2 {
			add(doc("document.orientation", Warn, bi("竖向", "portrait"), bi("横向", "landscape"),
				"身份证是竖着的：请把照片旋转 90°，使证件横向、文字朝上",
				"the ID card is on its side: turn the picture by 90° so that the card is landscape with its text upright"))
		}
	}
	if trusted {
		need := t.MinLongSidePage
		if p.card {
			need = t.MinLongSideCard
		}
		v := Pass
		switch {
		case m.longSide < t.ResolutionFail*float64(need):
			v = Fail
		case m.longSide < float64(need):
			v = Warn
		}
		// A cut-off document is larger than what shows: only a pass is sure.
		if !cropped || v == Pass {
			failBelow := t.ResolutionFail * float64(need)
			c := doc("document.resolution", v, bi(fmt.Sprintf("长边 %.0f px", m.longSide), fmt.Sprintf("long side %.0f px", m.longSide)),
				bi(fmt.Sprintf("≥ %d px（不足 %.0f px 不通过）", need, failBelow), fmt.Sprintf("≥ %d px (fail < %.0f px)", need, failBelow)),
				fmt.Sprintf("证件在图中长边 %.0f 像素", m.longSide), fmt.Sprintf("the document is %.0f px long in the picture", m.longSide))
			if v != Pass {
				c.ZH += fmt.Sprintf("，小字可能看不清（需至少 %d）：请靠近拍摄让证件占满大部分画面，或以 300 dpi 扫描", need)
				c.EN += fmt.Sprintf(", so small print may be illegible (needs ≥ %d): move closer so that it fills most of the frame, or scan at 300 dpi", need)
			}
			add(c)
		}
	}

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
		if v != Pass {
			c.ZH = "图像模糊，文字可能无法辨认：请在光线充足处拍摄，点屏幕对焦，手持稳定后再拍"
			c.EN = "the picture is blurred and the text may be illegible: shoot in good light, tap the screen to focus, and hold the phone still"
		}
		add(c)
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
		add(c)
	}
	{
		over := false
		if p.colour && p.card {
			over = page || m.clipped-m.glare > t.OverClipped
		} else {
			over = m.p1 >= t.InkWashed
		}
		// The measures and limits shown are those the verdict was taken
		// on: a card is judged by its clipped area, a page by its ink.
		measured := bi(fmt.Sprintf("平均亮度 %.0f", m.mean), fmt.Sprintf("mean luma %.0f", m.mean))
		threshold := bi(fmt.Sprintf("平均亮度 ≥ %.0f", t.DarkMean), fmt.Sprintf("mean luma ≥ %.0f", t.DarkMean))
		switch {
		case p.colour && p.card && page:
			measured.zh += "，页面底色整片过曝"
			measured.en += ", the page clipped white"
			threshold.zh += fmt.Sprintf("，过曝（不含反光）≤ %s", percent(t.OverClipped))
			threshold.en += fmt.Sprintf(", clipped (glare aside) ≤ %s", percent(t.OverClipped))
		case p.colour && p.card:
			measured.zh += fmt.Sprintf("，过曝（不含反光）%s", percent(max(m.clipped-m.glare, 0)))
			measured.en += fmt.Sprintf(", clipped (glare aside) %s", percent(max(m.clipped-m.glare, 0)))
			threshold.zh += fmt.Sprintf("，过曝（不含反光）≤ %s", percent(t.OverClipped))
			threshold.en += fmt.Sprintf(", clipped (glare aside) ≤ %s", percent(t.OverClipped))
		default:
			measured.zh += fmt.Sprintf("，最深 1 %% 笔迹的亮度 %d", m.p1)
			measured.en += fmt.Sprintf(", darkest 1 %% of the ink at luma %d", m.p1)
			threshold.zh += fmt.Sprintf("，最深 1 %% 笔迹的亮度 < %d", t.InkWashed)
			threshold.en += fmt.Sprintf(", darkest 1 %% of the ink < %d", t.InkWashed)
		}
		switch {
		case m.mean < t.DarkMean:
			add(doc("document.exposure", Fail, measured, threshold,
				"照片太暗：请在明亮处（如白天窗边）拍摄，不要用闪光灯",
				"the picture is too dark: shoot in brighter light (by a window in daylight), without the flash"))
		case over:
			add(doc("document.exposure", Fail, measured, threshold,
				"照片过曝，浅色部分和文字发白看不清：请避开强光或降低曝光后重拍",
				"the picture is over-exposed, light areas and text are washed out: move out of strong light or lower the exposure and shoot again"))
		default:
			add(doc("document.exposure", Pass, measured, threshold, "曝光正常", "the exposure is fine"))
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
