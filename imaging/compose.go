package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	dimg "github.com/disintegration/imaging"
)

// ComposeThresholds are the limits of Compose. Each field names its
// source, as DocumentThresholds' do; "ours" is a choice with no
// measurement behind it yet.
type ComposeThresholds struct {
	// MinPartSide: a part whose long side in the composite is shorter than
	// this warns, naming the part, that its small print may not stay
	// legible. Issue 18 point 1 and imaging.md §3.2: about 1 000 px keeps an
	// ID card at 300 dpi (85.6 mm = 1 011 px), what the document checks
	// accept without a warning (DocumentThresholds.MinLongSideCard, 960,
	// plus their measuring margin).
	MinPartSide int
	// PartSide: a part is reduced to at most this long side. imaging.md
	// §3.2's 1 600 px on an A4 page (DocumentThresholds.MinLongSidePage),
	// the most any document check asks of a part; more only makes the
	// composite larger, and so lower in quality under the upload limit.
	PartSide int
	// Gap: the white space between the parts and around them, in pixels at
	// PartSide scale (ours): each part's outline stays apart from its
	// neighbours' and from the frame, for the reviewer and for the
	// document check of the composite.
	Gap int
	// TrimDelta, TrimNoise: a row or column of a part's working image is
	// empty margin when at most TrimNoise of its pixels differ by more
	// than TrimDelta levels, in any channel, from the colour of the
	// picture's border. TrimDelta is DocumentThresholds.BedDelta, the step
	// at which the document check takes a pixel for the document against
	// a scanner's bed; TrimNoise (0.5 %, dust and JPEG ringing) is ours.
	TrimDelta int
	TrimNoise float64
	// TrimPad: the margin kept around a trimmed part, as a fraction of
	// what is kept's long side (ours): the document's own edge stays in
	// the picture.
	TrimPad float64
	// MinCanvasSide: the composite is never made smaller than this long
	// side to fit the limit; Compose gives ErrComposeTooLarge instead
	// (ours; by then every part is long illegible).
	MinCanvasSide int
}

// DefaultComposeThresholds are the defaults the fields' comments source.
var DefaultComposeThresholds = ComposeThresholds{
	MinPartSide:   1000,
	PartSide:      1600,
	Gap:           24,
	TrimDelta:     10,
	TrimNoise:     0.005,
	TrimPad:       0.015,
	MinCanvasSide: 256,
}

// The number of parts Compose takes: issue 18 point 1 (a main certificate
// and up to five supporting documents).
const (
	MinComposeParts = 2
	MaxComposeParts = 6
)

// composeQualities are the JPEG qualities Compose searches, best first:
// Fix's steps (fixQualityStart down by fixQualityStep to the floor).
var composeQualities = func() []int {
	var q []int
	for v := fixQualityStart; v >= fixQualityFloor; v -= fixQualityStep {
		q = append(q, v)
	}
	return q
}()

// ComposePart is one picture to compose: a file (Path) or the bytes of
// one (Reader, read up to the guard's MaxFileBytes).
type ComposePart struct {
	// Name names the part in warnings and reports; default: the file's
	// base name, or "part N".
	Name   string
	Path   string
	Reader io.Reader
	// Kind is what the part is checked as on its own; default: kindAt.
	Kind Kind `json:",omitempty"`
}

// kindAt is what part i of a composite of kind main is checked as: its
// own Kind when set, else main for the first part, the main certificate,
// and KindAuthorisationLetter for the others — a signed or sealed page in
// black print, the commonest supporting document (icp-rules 1.1.8: the
// 授权书 with the owner's ID).
func (p ComposePart) kindAt(i int, main Kind) Kind {
	switch {
	case p.Kind != "":
		return p.Kind
	case i == 0:
		return main
	}
	return KindAuthorisationLetter
}

// settledByComposite are the file checks of a part that the composite's
// own file checks replace: the part is never uploaded alone, and the
// composite is upright, JPEG and under the limit.
var settledByComposite = map[string]bool{"file.orientation": true, "file.size": true, "file.format": true}

// ComposeOptions say how to compose and what the result must meet.
type ComposeOptions struct {
	// Kind is what the composite is checked as: the slot's kind.
	Kind Kind
	// Limits are the slot's upload rules (filing.Pack.UploadFor); the JPEG
	// is always under Limits.MaxBytes when that is set.
	Limits Limits
	// Grid lays the parts out in a grid (two columns for up to four parts,
	// three for five or six) instead of one above the other.
	Grid bool
	// Guard caps each part's decoding; the zero value means DefaultGuard.
	Guard Guard
	// Thresholds; the zero value means DefaultComposeThresholds.
	Thresholds ComposeThresholds
	// Name is the composite's name in its report (Report.Path).
	Name string
}

// ComposedPart is one part as it ended up in the composite.
type ComposedPart struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Rect is the part's place in the composite, for the window's outlines.
	Rect image.Rectangle `json:"rect"`
	// Trim is the region of the original kept (empty margins cut), in
	// original pixels after EXIF orientation; OriginalSide its long side.
	Trim         image.Rectangle `json:"trim"`
	OriginalSide int             `json:"original_side"`
	// Orientation is the EXIF orientation the part was turned upright by.
	Orientation int `json:"orientation"`
	// Report is the part's own document check, as the upload step runs it,
	// less the file checks the composite settles (orientation, size,
	// format): the composite is upright, JPEG and under the limit.
	Report *Report `json:"report"`
	// Warnings are what composing did to the part's legibility.
	Warnings []Check `json:"warnings,omitempty"`
}

// Composition is what Compose made.
type Composition struct {
	// JPEG is the composite, under Limits.MaxBytes.
	JPEG          []byte `json:"-"`
	Width, Height int
	Quality       int
	// Scale is how much the parts were reduced to fit the limit (1: not).
	Scale float64
	Parts []ComposedPart
	// Report is the composite's file checks as the slot's (format, size,
	// decoding). Its content — outline, exposure, sharpness, colour — is
	// judged part by part (Parts[i].Report): a picture of several
	// documents has no one outline or exposure, and judged as one it was
	// always "doubtful".
	Report *Report
}

// Warnings are every part's warnings, in part order.
func (c *Composition) Warnings() []Check {
	var out []Check
	for _, p := range c.Parts {
		out = append(out, p.Warnings...)
	}
	return out
}

// legibilityChecks are the document checks that say whether a part can be
// read at all; the others (outline, colour original, skew) are about the
// document, which composing does not change.
var legibilityChecks = map[string]bool{
	"file.decode": true, "document.resolution": true, "document.blur": true,
	"document.exposure": true, "document.glare": true,
}

// Problems are the reasons the composite should not be uploaded as it is:
// every part's PartProblems, in part order. None: every part stays
// legible.
func (c *Composition) Problems() []Check {
	var out []Check
	for i := range c.Parts {
		out = append(out, c.PartProblems(i)...)
	}
	return out
}

// PartProblems are part i's warnings and its failed legibility checks,
// with the part's name in front.
func (c *Composition) PartProblems(i int) []Check {
	p := c.Parts[i]
	out := slices.Clone(p.Warnings)
	if p.Report == nil {
		return out
	}
	for _, ch := range p.Report.Checks {
		if ch.Verdict == Fail && legibilityChecks[ch.ID] {
			out = append(out, namedCheck(ch, i, p.Name))
		}
	}
	return out
}

// namedCheck prefixes a check's messages with the part it is about.
func namedCheck(c Check, i int, name string) Check {
	c.ZH = fmt.Sprintf("第 %d 部分（%s）：%s", i+1, name, c.ZH)
	c.EN = fmt.Sprintf("part %d (%s): %s", i+1, name, c.EN)
	return c
}

// ComposeError is a part that cannot be composed (unreadable, not an
// image, too large to decode safely).
type ComposeError struct {
	Part  int // 0-based
	Name  string
	Check Check // why, in both languages (Verdict Fail)
	Err   error
}

func (e *ComposeError) Error() string { return e.Message("en") }

// Message is the error in "zh" or "en", naming the part.
func (e *ComposeError) Message(lang string) string {
	return namedCheck(e.Check, e.Part, e.Name).Message(lang)
}

func (e *ComposeError) Unwrap() error { return e.Err }

// ErrComposeTooLarge: the parts cannot be put under the limit even at
// MinCanvasSide.
var ErrComposeTooLarge = errors.New("imaging: the parts do not fit under the size limit")

// ErrComposeParts: fewer than MinComposeParts or more than MaxComposeParts.
var ErrComposeParts = fmt.Errorf("imaging: compose takes %d to %d parts", MinComposeParts, MaxComposeParts)

// preparedPart is a part decoded, checked, trimmed and reduced to at most
// PartSide.
type preparedPart struct {
	ComposedPart
	img *image.NRGBA
}

// Compose lays 2–6 pictures out into one JPEG for a slot that takes
// stitched material (icp-rules.md 1.1.8: a supporting document with no
// slot of its own goes into one image with the main certificate). Each
// part is decoded guarded, checked on its own as the upload step checks a
// scan, turned upright from EXIF, trimmed of empty margins and reduced to
// at most PartSide, never enlarged; the parts are laid out one above the
// other (or in a grid) on white, and the result encoded under
// opts.Limits.MaxBytes: JPEG quality first, from Fix's start down to its
// floor, then all parts smaller together until it fits. A part shorter
// than MinPartSide in the result warns, naming it. The composite is then
// checked as opts.Kind, like any scan.
func Compose(parts []ComposePart, opts ComposeOptions) (*Composition, error) {
	if len(parts) < MinComposeParts || len(parts) > MaxComposeParts {
		return nil, ErrComposeParts
	}
	t := opts.Thresholds
	if t == (ComposeThresholds{}) {
		t = DefaultComposeThresholds
	}
	g := opts.Guard
	if g == (Guard{}) {
		g = DefaultGuard
	}
	prepared := make([]preparedPart, len(parts))
	errs := make([]error, len(parts))
	// Decoding is most of the work and uses one core per file: the parts
	// go on a pool, each worker holding one decoded part at a time.
	workers := min(len(parts), max(composeWorkers, 1))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= len(parts) {
					return
				}
				prepared[k], errs[k] = preparePart(k, parts[k], opts, t, g)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	c, err := fit(prepared, opts, t)
	if err != nil {
		return nil, err
	}
	c.Report, err = checkComposite(c.JPEG, opts, g)
	return c, err
}

// composeWorkers is how many parts are prepared at once.
var composeWorkers = runtime.GOMAXPROCS(0)

func partName(i int, p ComposePart) string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Path != "":
		return filepath.Base(p.Path)
	}
	return fmt.Sprintf("part %d", i+1)
}

// preparePart decodes part i once, at the detail the larger of the checks
// and the composite need, runs the part's own checks on that decode, and
// cuts out its trimmed, upright, reduced picture.
func preparePart(i int, p ComposePart, opts ComposeOptions, t ComposeThresholds, g Guard) (preparedPart, error) {
	name := partName(i, p)
	kind := p.kindAt(i, opts.Kind)
	fail := func(c Check, err error) (preparedPart, error) {
		c.Verdict = Fail
		return preparedPart{}, &ComposeError{Part: i, Name: name, Check: c, Err: err}
	}
	detail := max(checkDetail, t.PartSide)
	// The part is never uploaded alone: the size and format rules are the
	// composite's, so the part is opened without them.
	var lim Limits
	var w *Working
	var checks []Check
	var err error
	switch {
	case p.Reader != nil:
		data, rerr := io.ReadAll(io.LimitReader(p.Reader, g.MaxFileBytes+1))
		if rerr != nil {
			return fail(Check{ID: "file.decode", ZH: "无法读取：" + rerr.Error(), EN: "cannot be read: " + rerr.Error()}, rerr)
		}
		if g.MaxFileBytes > 0 && int64(len(data)) > g.MaxFileBytes {
			return fail(msgTooBigToOpen(int64(len(data)), g.MaxFileBytes), nil)
		}
		w, checks, err = openBytes(data, kind, lim, g, detail)
	default:
		w, checks, err = openFile(p.Path, kind, lim, g, detail)
	}
	var fe *FileError
	switch {
	case errors.As(err, &fe):
		return fail(fe.Check, fe.Err)
	case err != nil:
		return fail(Check{ID: "file.decode", ZH: "无法读取：" + err.Error(), EN: "cannot be read: " + err.Error()}, err)
	}
	defer w.Release()

	checksInFlight.Add(1)
	rep := &Report{Path: name, Kind: kind, MediaType: w.MediaType, Size: w.Size, Width: w.Width, Height: w.Height}
	for _, c := range checks {
		if !settledByComposite[c.ID] {
			rep.Checks = append(rep.Checks, c)
		}
	}
	rep.Checks = append(rep.Checks, checkContent(w, kind, Options{Limits: lim})...)
	rep.Verdict = Worst(rep.Checks)
	checksInFlight.Add(-1)

	trim := w.ToOriginal(trimBox(w.Img, t))
	pp := preparedPart{ComposedPart: ComposedPart{Name: name, Kind: kind, Trim: trim,
		OriginalSide: max(trim.Dx(), trim.Dy()), Orientation: w.Orientation, Report: rep}}
	// The part was decoded scaled down so that the whole picture keeps
	// PartSide; once trimmed it may hold less. Decoding it again at full
	// size costs another full decode (the most expensive step), so the
	// part keeps what this decode holds as long as that stays legible.
	side := t.PartSide
	s := w.fullShift
	if avail := (pp.OriginalSide + 1<<s - 1) >> s; avail < side && avail >= t.MinPartSide {
		side = avail
	}
	pp.img = w.Original(trim, side)
	return pp, nil
}

// trimBox is the part of a working image inside its empty margins: rows
// and columns, from each edge inwards, that keep to the colour of the
// picture's border (a scanner's bed, a plain sheet, a white page margin),
// plus TrimPad. A picture whose border is not plain (a photograph on a
// wood table) keeps its frame; so does a blank one.
func trimBox(img *image.NRGBA, t ComposeThresholds) image.Rectangle {
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	if w < 3 || h < 3 {
		return b
	}
	ref := borderColour(img)
	d := t.TrimDelta
	differs := func(x, y int) bool {
		i := img.PixOffset(x, y)
		for c := range 3 {
			v := int(img.Pix[i+c]) - int(ref[c])
			if v > d || v < -d {
				return true
			}
		}
		return false
	}
	empty := func(n int, at func(k int) bool) bool {
		allowed := int(t.TrimNoise * float64(n))
		bad := 0
		for k := range n {
			if at(k) {
				bad++
				if bad > allowed {
					return false
				}
			}
		}
		return true
	}
	x0, y0, x1, y1 := 0, 0, w, h
	for y0 < y1 && empty(w, func(k int) bool { return differs(k, y0) }) {
		y0++
	}
	for y1 > y0 && empty(w, func(k int) bool { return differs(k, y1-1) }) {
		y1--
	}
	for x0 < x1 && empty(y1-y0, func(k int) bool { return differs(x0, y0+k) }) {
		x0++
	}
	for x1 > x0 && empty(y1-y0, func(k int) bool { return differs(x1-1, y0+k) }) {
		x1--
	}
	// Nothing left worth keeping (a blank page, or only dust): the whole
	// picture, so that the part's check says what is wrong with it.
	if (x1-x0)*(y1-y0)*100 < w*h {
		return b
	}
	pad := int(math.Ceil(t.TrimPad * float64(max(x1-x0, y1-y0))))
	return image.Rect(x0-pad, y0-pad, x1+pad, y1+pad).Intersect(b)
}

// borderColour is the per-channel median of the picture's outermost
// rows and columns.
func borderColour(img *image.NRGBA) [3]uint8 {
	var hist [3][256]int
	n := 0
	add := func(x, y int) {
		i := img.PixOffset(x, y)
		for c := range 3 {
			hist[c][img.Pix[i+c]]++
		}
		n++
	}
	b := img.Rect
	for x := b.Min.X; x < b.Max.X; x++ {
		add(x, b.Min.Y)
		add(x, b.Max.Y-1)
	}
	for y := b.Min.Y + 1; y < b.Max.Y-1; y++ {
		add(b.Min.X, y)
		add(b.Max.X-1, y)
	}
	var out [3]uint8
	for c := range 3 {
		s := 0
		for v, k := range hist[c] {
			s += k
			if 2*s >= n {
				out[c] = uint8(v)
				break
			}
		}
	}
	return out
}

// composeLayout places parts of the given sizes: one above the other,
// centred, or in a grid of columns (each column as wide as its widest
// part, each row as high as its highest), gap pixels between them and
// around. It returns each part's rectangle and the canvas size.
func composeLayout(sizes []image.Point, grid bool, gap int) ([]image.Rectangle, image.Point) {
	n := len(sizes)
	cols := 1
	if grid {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	rows := (n + cols - 1) / cols
	colW := make([]int, cols)
	rowH := make([]int, rows)
	for i, s := range sizes {
		colW[i%cols] = max(colW[i%cols], s.X)
		rowH[i/cols] = max(rowH[i/cols], s.Y)
	}
	colX := make([]int, cols+1)
	colX[0] = gap
	for c, cw := range colW {
		colX[c+1] = colX[c] + cw + gap
	}
	rowY := make([]int, rows+1)
	rowY[0] = gap
	for r, rh := range rowH {
		rowY[r+1] = rowY[r] + rh + gap
	}
	rects := make([]image.Rectangle, n)
	for i, s := range sizes {
		c, r := i%cols, i/cols
		x := colX[c] + (colW[c]-s.X)/2
		y := rowY[r] + (rowH[r]-s.Y)/2
		rects[i] = image.Rect(x, y, x+s.X, y+s.Y)
	}
	return rects, image.Pt(colX[cols], rowY[rows])
}

// fit renders the parts at falling scales until the JPEG fits the limit.
func fit(parts []preparedPart, opts ComposeOptions, t ComposeThresholds) (*Composition, error) {
	limit := opts.Limits.MaxBytes
	scale := 1.0
	var buf bytes.Buffer
	for {
		sizes := make([]image.Point, len(parts))
		for i, p := range parts {
			b := p.img.Rect
			sizes[i] = image.Pt(max(1, int(math.Round(float64(b.Dx())*scale))), max(1, int(math.Round(float64(b.Dy())*scale))))
		}
		gap := max(2, int(math.Round(float64(t.Gap)*scale)))
		rects, size := composeLayout(sizes, opts.Grid, gap)
		canvas := image.NewRGBA(image.Rectangle{Max: size})
		draw.Draw(canvas, canvas.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
		for i, p := range parts {
			var img image.Image = p.img
			if sizes[i] != p.img.Rect.Size() {
				// Lanczos for output images; Box is for analysis only
				// (imaging.md §0.2).
				img = dimg.Resize(p.img, sizes[i].X, sizes[i].Y, dimg.Lanczos)
			}
			draw.Draw(canvas, rects[i], img, img.Bounds().Min, draw.Over)
		}
		q, n, err := encodeUnder(&buf, canvas, limit)
		if err != nil {
			return nil, err
		}
		if q > 0 {
			c := &Composition{JPEG: bytes.Clone(buf.Bytes()), Width: size.X, Height: size.Y, Quality: q, Scale: scale}
			for i, p := range parts {
				cp := p.ComposedPart
				cp.Rect = rects[i]
				cp.Warnings = partWarnings(i, cp, t)
				c.Parts = append(c.Parts, cp)
			}
			return c, nil
		}
		// Bytes follow pixels: smaller by the square root of the ratio at
		// the floor quality, with some room, at least by a tenth.
		f := min(0.9, 0.95*math.Sqrt(float64(limit)/float64(n)))
		if float64(max(size.X, size.Y))*f < float64(t.MinCanvasSide) {
			return nil, fmt.Errorf("%w (%s): even at %d px the composite takes %s", ErrComposeTooLarge, humanBytes(limit), max(size.X, size.Y), humanBytes(int64(n)))
		}
		scale *= f
	}
}

// encodeUnder encodes img into buf at the best of composeQualities that
// is under limit (0: none), searching by halves: the best first, then the
// floor, then between. It returns the quality, or 0 and the size at the
// floor when none fits.
func encodeUnder(buf *bytes.Buffer, img image.Image, limit int64) (int, int, error) {
	held := 0 // the quality buf holds
	enc := func(q int) (bool, error) {
		buf.Reset()
		held = q
		if err := jpeg.Encode(buf, img, &jpeg.Options{Quality: q}); err != nil {
			return false, err
		}
		return limit <= 0 || int64(buf.Len()) < limit, nil
	}
	qs := composeQualities
	if ok, err := enc(qs[0]); err != nil || ok {
		return qs[0], buf.Len(), err
	}
	last := len(qs) - 1
	if ok, err := enc(qs[last]); err != nil || !ok {
		return 0, buf.Len(), err
	}
	// qs[lo] fits, qs[hi] does not (lo > hi: lower quality).
	lo, hi := last, 0
	for lo-hi > 1 {
		mid := (lo + hi) / 2
		ok, err := enc(qs[mid])
		if err != nil {
			return 0, 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	if held != qs[lo] {
		if _, err := enc(qs[lo]); err != nil {
			return 0, 0, err
		}
	}
	return qs[lo], buf.Len(), nil
}

// partWarnings say what composing did to part i's legibility.
func partWarnings(i int, p ComposedPart, t ComposeThresholds) []Check {
	side := max(p.Rect.Dx(), p.Rect.Dy())
	if side >= t.MinPartSide {
		return nil
	}
	c := Check{ID: "compose.resolution", Verdict: Warn, Region: "part",
		Measured: fmt.Sprintf("long side %d px", side), MeasuredZH: fmt.Sprintf("长边 %d px", side),
		Threshold: fmt.Sprintf("≥ %d px", t.MinPartSide)}
	if p.OriginalSide < t.MinPartSide {
		c.ZH = fmt.Sprintf("原图只有 %d 像素长（应至少 %d），拼接后小字可能看不清：请以 300 dpi 重新扫描或靠近拍摄", p.OriginalSide, t.MinPartSide)
		c.EN = fmt.Sprintf("the original is only %d px long (needs ≥ %d), so its small print may be illegible in the composite: scan it again at 300 dpi or shoot it closer", p.OriginalSide, t.MinPartSide)
	} else {
		c.ZH = fmt.Sprintf("为压到大小限值内缩小到 %d 像素长（应至少 %d），小字可能看不清：请减少拼接的部分，或把各部分裁得更紧", side, t.MinPartSide)
		c.EN = fmt.Sprintf("reduced to %d px long to fit the size limit (needs ≥ %d), so its small print may be illegible: stitch fewer parts, or crop them closer", side, t.MinPartSide)
	}
	return []Check{namedCheck(c, i, p.Name)}
}

// checkComposite checks the composite as opts.Kind, as CheckFile checks a
// scan.
func checkComposite(data []byte, opts ComposeOptions, g Guard) (*Report, error) {
	checksInFlight.Add(1)
	defer checksInFlight.Add(-1)
	w, checks, err := openBytes(data, opts.Kind, opts.Limits, g, checkDetail)
	rep, done, err := fileReport(opts.Name, opts.Kind, w, checks, err)
	if rep != nil {
		// Compose wrote these bytes: a JPEG of this size, refused or not.
		rep.MediaType, rep.Size = mediaJPEG, int64(len(data))
	}
	if !done {
		w.Release()
	}
	return rep, err
}

// CheckStitched checks a kept composite as the upload step and the gate
// judge it, the judgement Compose made when it made it: the file by the
// slot's file checks (format, size, decoding), the content part by part,
// each as its own kind (ComposePart.kindAt), every check of a part named
// with it. A part that cannot be read fails.
func CheckStitched(path string, kind Kind, opts Options, parts []ComposePart) (*Report, error) {
	g := opts.Guard
	if g == (Guard{}) {
		g = DefaultGuard
	}
	checksInFlight.Add(1)
	w, checks, err := openFile(path, kind, opts.Limits, g, checkDetail)
	checksInFlight.Add(-1)
	rep, done, err := fileReport(path, kind, w, checks, err)
	if done {
		return rep, err
	}
	if opts.Preview {
		// The composite as it is, unmarked: the parts' checks mark places
		// in the parts, and the window outlines the parts on it.
		rep.Preview = Annotate(w, checks)
	}
	w.Release()
	for i, p := range parts {
		name := partName(i, p)
		prep, err := CheckFile(p.Path, p.kindAt(i, kind), Options{Guard: opts.Guard, Background: opts.Background})
		if err != nil {
			rep.Checks = append(rep.Checks, namedCheck(Check{ID: "file.decode", Verdict: Fail,
				ZH: "无法读取：" + err.Error(), EN: "cannot be read: " + err.Error()}, i, name))
			continue
		}
		for _, c := range prep.Checks {
			if !settledByComposite[c.ID] {
				rep.Checks = append(rep.Checks, namedCheck(c, i, name))
			}
		}
	}
	rep.Verdict = Worst(rep.Checks)
	return rep, nil
}
