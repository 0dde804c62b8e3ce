package imaging

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"slices"
	"sync"

	scaledjpeg "github.com/icpfiling/icpfiling/imaging/internal/jpeg"
)

// WorkingSide is the long side of the working image every check measures.
// imaging.md §0.2: analyse a ~1024 px copy; the thresholds are calibrated at
// this scale, so changing it changes what they mean.
const WorkingSide = 1024

// Working is a decoded file as the checks see it.
type Working struct {
	// Img is the working image: long side at most WorkingSide (never
	// upscaled), EXIF orientation applied, origin at (0, 0).
	Img *image.NRGBA
	// Width and Height are the original's dimensions after EXIF orientation;
	// Check.Box is in these coordinates (see ToOriginal).
	Width, Height int
	// Scale is original pixels per working pixel (≥ 1).
	Scale float64
	// Orientation is the EXIF orientation, 1–8 (1 when the file has none).
	Orientation int
	// MediaType is the sniffed type ("image/jpeg", "image/png", "image/gif"),
	// whatever the file's name says.
	MediaType string
	// Size is the file's size in bytes.
	Size int64
	// Progressive is true for a progressive JPEG (decodes with 4× the memory).
	Progressive bool

	// gray is true when the file itself has no colour (a greyscale JPEG or
	// PNG, a grey palette): no colour original can come out of it.
	gray bool

	// full is the decoded original, unrotated, kept so that a check can look
	// at a small region at full resolution (Original); nil after Release.
	// A JPEG opened for the checks may be decoded scaled down by
	// 1<<fullShift (decodeShift); redecode, when set, decodes it again at
	// full size for a region that needs more detail than that.
	// mu guards the three: Original may swap in the full-size decode
	// while other checks of the same file run (the face search is split
	// over goroutines).
	mu        sync.Mutex
	full      image.Image
	fullShift uint
	redecode  func() (image.Image, error)
}

// ToOriginal maps a rectangle of the working image to the original's
// coordinates (after orientation), for Check.Box.
func (w *Working) ToOriginal(r image.Rectangle) image.Rectangle {
	s := w.Scale
	o := image.Rect(int(float64(r.Min.X)*s), int(float64(r.Min.Y)*s),
		int(float64(r.Max.X)*s+0.5), int(float64(r.Max.Y)*s+0.5))
	return o.Intersect(image.Rect(0, 0, w.Width, w.Height))
}

// Original returns the region r of the original (coordinates after
// orientation, as from ToOriginal) reduced with a box filter so that its
// long side is at most maxSide (≤ 0: not reduced), with the orientation
// applied. Measures that depend on scale (blur on a face) need the detail
// the working image has lost. A file decoded scaled down is decoded again
// at full size when the region needs it. After Release it falls back to
// the working image, upscaled never.
func (w *Working) Original(r image.Rectangle, maxSide int) *image.NRGBA {
	w.mu.Lock()
	defer w.mu.Unlock()
	r = r.Intersect(image.Rect(0, 0, w.Width, w.Height))
	if r.Empty() {
		return image.NewNRGBA(image.Rect(0, 0, 0, 0))
	}
	if w.full == nil {
		s := 1 / w.Scale
		wr := image.Rect(int(float64(r.Min.X)*s), int(float64(r.Min.Y)*s),
			int(float64(r.Max.X)*s+0.5), int(float64(r.Max.Y)*s+0.5)).Intersect(w.Img.Rect)
		return reduce(w.Img.SubImage(wr), maxSide)
	}
	ow, oh := w.Width, w.Height
	if w.Orientation >= 5 {
		ow, oh = oh, ow
	}
	src := unorientRect(r, w.Orientation, ow, oh)
	// The region is read from the original averaged over aligned squares
	// of side 1<<k, k the largest that keeps its long side at least
	// maxSide: the pixels a file decoded scaled down by 1<<k holds, so a
	// measure on the region does not depend on how the file was opened.
	k := uint(0)
	if maxSide > 0 {
		k = decodeShift(src.Dx(), src.Dy(), maxSide)
	}
	if w.fullShift > k && w.redecode != nil {
		if full, err := w.redecode(); err == nil {
			w.full, w.fullShift = full, 0
		}
		w.redecode = nil
	}
	s := w.fullShift
	g := max(k, s)
	n := 1 << g
	src = image.Rect(src.Min.X>>g<<g, src.Min.Y>>g<<g, (src.Max.X+n-1)>>g<<g, (src.Max.Y+n-1)>>g<<g)
	b := w.full.Bounds()
	dec := image.Rect(src.Min.X>>s, src.Min.Y>>s, src.Max.X>>s, src.Max.Y>>s).Add(b.Min).Intersect(b)
	img := subImage(w.full, dec)
	if f := k - min(k, s); f > 0 {
		m := 1 << f
		img = reduceTo(img, (dec.Dx()+m-1)>>f, (dec.Dy()+m-1)>>f)
	}
	return orient(reduce(img, maxSide), w.Orientation)
}

// Release drops the full-size original so that its memory can be reused
// while the report is kept; Original then works from the working image.
func (w *Working) Release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.full, w.redecode = nil, nil
}

// Guard caps what Open will decode. The caps are checked on the header,
// before any pixel buffer is allocated: Go's out-of-memory is fatal, not a
// panic (imaging.md §2.4 and §4.1).
type Guard struct {
	MaxFileBytes int64 // larger files are refused unread
	MaxSide      int   // longest side, pixels
	MaxPixels    int64 // width × height
	// MaxProgressivePixels caps progressive JPEGs, which Go decodes with
	// about 4× the memory of baseline ones (imaging.md §4.3).
	MaxProgressivePixels int64
	// MaxScans caps a JPEG's scans: each one walks every block, and a
	// crafted file of a few hundred KB can hold tens of thousands of empty
	// scans (a CPU bomb rather than a memory one). Encoders write 1–3
	// scans for baseline and about 10 for progressive files.
	MaxScans int
	// MaxDecodeBytes caps the memory the decoder allocates, estimated from
	// the header (decodeBytes): a pixel costs 1 byte in a grey or palette
	// image, 4 in 8-bit RGBA, 8 in 16-bit RGBA, and a progressive JPEG
	// keeps its coefficients besides. Pixels alone do not bound memory: a
	// 381 KB 16-bit PNG of 7000×7000 is under MaxPixels and took 451 MB
	// (issue 15).
	MaxDecodeBytes int64
}

// DefaultGuard is what Open uses: 12 000 px a side and 50 MP as imaging.md
// §0.1 recommends; 24 MP for progressive JPEGs (≈ 180 MB while decoding);
// and whatever the pixels, what 50 MP of 8-bit RGBA take (200 MB), so that
// a 16-bit or many-channel image gets the same memory, not the same
// pixels.
var DefaultGuard = Guard{
	MaxFileBytes:         128 << 20,
	MaxSide:              12000,
	MaxPixels:            50_000_000,
	MaxProgressivePixels: 24_000_000,
	MaxScans:             100,
	MaxDecodeBytes:       4 * 50_000_000,
}

// FileError is a file that cannot be checked at all: unsupported format,
// corrupt, truncated, too large to decode safely. Check says why and how to
// fix it, in both languages; its verdict is Fail.
type FileError struct {
	Check Check
	Err   error // the decoder's error, if any
}

func (e *FileError) Error() string {
	if e.Err != nil {
		return e.Check.EN + " (" + e.Err.Error() + ")"
	}
	return e.Check.EN
}

// Message is the error in "zh" or "en", as the CLI prints it.
func (e *FileError) Message(lang string) string { return e.Check.Message(lang) }

func (e *FileError) Unwrap() error { return e.Err }

// Open reads an image file for the checks of kind, guarded by DefaultGuard.
// The checks it returns are about the file itself (format, size on disk).
// A file that cannot be checked gives a *FileError, and its failing check
// is also among the returned checks so that a report can still be built;
// an unreadable path gives the os error and no checks.
func Open(path string, kind Kind, lim Limits) (*Working, []Check, error) {
	return OpenGuarded(path, kind, lim, DefaultGuard)
}

// OpenGuarded is Open with explicit caps.
func OpenGuarded(path string, kind Kind, lim Limits, g Guard) (*Working, []Check, error) {
	return openFile(path, kind, lim, g, 0)
}

// openFile opens path for the checks of kind; detail is the long side the
// decoded original must keep at least (0: full size, as a fix needs).
func openFile(path string, kind Kind, lim Limits, g Guard, detail int) (*Working, []Check, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	// Opened again only if it still looks like the file that was checked
	// (its header must also pass the caps again: decodeGuarded).
	again := func() (io.ReadSeekCloser, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, 0, err
		}
		if now, err := f.Stat(); err != nil || !os.SameFile(st, now) || now.Size() != st.Size() || !now.ModTime().Equal(st.ModTime()) {
			f.Close()
			return nil, 0, errChanged
		}
		return f, st.Size(), nil
	}
	return decodeGuarded(f, st.Size(), kind, lim, g, detail, again)
}

// OpenBytes is OpenGuarded on a file already in memory (a dropped file, a
// fuzz input).
func OpenBytes(data []byte, kind Kind, lim Limits, g Guard) (*Working, []Check, error) {
	return openBytes(data, kind, lim, g, 0)
}

func openBytes(data []byte, kind Kind, lim Limits, g Guard, detail int) (*Working, []Check, error) {
	again := func() (io.ReadSeekCloser, int64, error) {
		return nopCloser{bytes.NewReader(data)}, int64(len(data)), nil
	}
	return decodeGuarded(bytes.NewReader(data), int64(len(data)), kind, lim, g, detail, again)
}

// errChanged: a file opened again for detail is no longer the one checked.
var errChanged = errors.New("the file changed while it was checked")

type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }

// header is what a file says of itself before any pixel is decoded.
type header struct {
	media       string
	cfg         image.Config
	orientation int
	progressive bool
}

// same: o describes the same picture as h (a GIF's palette is not compared).
func (h header) same(o header) bool {
	return h.media == o.media && h.cfg.Width == o.cfg.Width && h.cfg.Height == o.cfg.Height &&
		h.orientation == o.orientation && h.progressive == o.progressive
}

// readHeader reads r's header and applies g's caps to it, before any pixel
// buffer exists. checks are the checks of the file itself (format, size on
// disk); a file that must not be decoded gives a *FileError whose failing
// check is also the last of checks.
func readHeader(r io.ReadSeeker, size int64, lim Limits, g Guard) (header, []Check, error) {
	var checks []Check
	refuse := func(c Check, err error) (header, []Check, error) {
		c.Verdict = Fail
		checks = append(checks, c)
		return header{}, checks, &FileError{Check: c, Err: err}
	}
	if size == 0 {
		return refuse(msgEmpty(), nil)
	}
	if g.MaxFileBytes > 0 && size > g.MaxFileBytes {
		return refuse(msgTooBigToOpen(size, g.MaxFileBytes), nil)
	}
	var head [64]byte
	n, err := io.ReadFull(r, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return header{}, nil, err
	}
	ft := sniff(head[:n])
	if ft.media == "" {
		return refuse(msgUnsupported(ft, lim), nil)
	}
	checks = append(checks, formatCheck(ft.media, lim))
	checks = append(checks, sizeChecks(size, lim)...)
	// A decodable format that this kind does not accept is still decoded:
	// its content is checked, and the to_jpeg fix can convert it.

	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return header{}, nil, err
	}
	br := bufio.NewReaderSize(r, 32<<10)
	h := header{media: ft.media, orientation: 1}
	switch ft.media {
	case mediaJPEG:
		h.cfg, err = jpeg.DecodeConfig(br)
	case mediaPNG:
		h.cfg, err = png.DecodeConfig(br)
	case mediaGIF:
		h.cfg, err = gif.DecodeConfig(br)
	}
	if err != nil {
		return refuse(msgUndecodable(ft.media, err, truncated(r, size, ft.media, err)), err)
	}
	if ft.media == mediaJPEG {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return header{}, nil, err
		}
		h.orientation, h.progressive = scanJPEG(bufio.NewReaderSize(r, 4<<10))
	}
	if c, ok := pixelCap(h.cfg, h.progressive, g); !ok {
		return refuse(c, nil)
	}
	if g.MaxDecodeBytes > 0 {
		var frame []jpegComponent
		if ft.media == mediaJPEG {
			if _, err := r.Seek(0, io.SeekStart); err != nil {
				return header{}, nil, err
			}
			br.Reset(r)
			frame = jpegFrame(br)
		}
		interlaced := ft.media == mediaPNG && n > 28 && head[28] != 0
		if need := decodeBytes(h.cfg, frame, h.progressive, interlaced); need > g.MaxDecodeBytes {
			return refuse(msgTooManyBytes(h.cfg, need, g.MaxDecodeBytes), nil)
		}
	}
	if ft.media == mediaJPEG && g.MaxScans > 0 {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return header{}, nil, err
		}
		br.Reset(r)
		if n := countScans(br); n > g.MaxScans {
			return refuse(Check{ID: "file.decode", Verdict: Fail,
				Measured: fmt.Sprintf("%d scans", n), Threshold: fmt.Sprintf("≤ %d", g.MaxScans),
				ZH: "这个 JPG 的编码结构异常（扫描段过多），为安全起见不予解码：请用图片编辑器另存为普通 JPG",
				EN: "this JPG is built abnormally (too many scans) and is not decoded, for safety: open it in an image editor and save it as a standard JPG"}, nil)
		}
	}
	return h, checks, nil
}

// decodeGuarded decodes r within g's caps. detail is the long side, in
// pixels, the decoded original must keep at least; 0 keeps full size.
// again opens the same bytes once more, for Working.Original.
func decodeGuarded(r io.ReadSeeker, size int64, kind Kind, lim Limits, g Guard, detail int, again func() (io.ReadSeekCloser, int64, error)) (*Working, []Check, error) {
	h, checks, err := readHeader(r, size, lim, g)
	if err != nil {
		return nil, checks, err // checks is nil unless err is a *FileError
	}
	refuse := func(c Check, err error) (*Working, []Check, error) {
		c.Verdict = Fail
		checks = append(checks, c)
		return nil, checks, &FileError{Check: c, Err: err}
	}
	cfg, orientation := h.cfg, h.orientation
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(r, 32<<10)
	var shift uint
	if h.media == mediaJPEG {
		shift = decodeShift(cfg.Width, cfg.Height, detail)
	}
	full, err := decodeFull(br, h.media, shift)
	if err != nil {
		return refuse(msgUndecodable(h.media, err, truncated(r, size, h.media, err)), err)
	}
	b := full.Bounds()
	width, height := b.Dx(), b.Dy()
	if shift > 0 {
		scale := 1 << shift
		if width != (cfg.Width+scale-1)>>shift || height != (cfg.Height+scale-1)>>shift {
			return refuse(msgUndecodable(h.media, errors.New("decoded size differs from the header"), false), nil)
		}
		width, height = cfg.Width, cfg.Height
	} else if width != cfg.Width || height != cfg.Height {
		// A GIF frame may be smaller than its screen; never larger, or
		// the cap above would mean nothing.
		if int64(width)*int64(height) > int64(cfg.Width)*int64(cfg.Height) {
			return refuse(msgUndecodable(h.media, errors.New("frame larger than header"), false), nil)
		}
	}
	w := fromDecoded(full, orientation, shift, width, height)
	if shift > 0 {
		w.redecode = func() (image.Image, error) {
			f, size, err := again()
			if err != nil {
				return nil, err
			}
			defer f.Close()
			// The same caps as the first time, on whatever is there now.
			if now, _, err := readHeader(f, size, lim, g); err != nil || !now.same(h) {
				return nil, errChanged
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return nil, err
			}
			img, err := decodeFull(bufio.NewReaderSize(f, 32<<10), mediaJPEG, 0)
			if err == nil && img.Bounds().Size() != image.Pt(cfg.Width, cfg.Height) {
				err = errChanged
			}
			return img, err
		}
	}
	w.MediaType, w.Size, w.Progressive = h.media, size, h.progressive
	if orientation != 1 {
		// The pixels are stored turned or mirrored and only a tag says how
		// to show them; a reviewer's viewer that ignores EXIF sees them
		// sideways.
		checks = append(checks, Check{ID: "file.orientation", Verdict: Warn,
			Measured: fmt.Sprintf("EXIF %d", orientation), Threshold: "EXIF 1", Fix: FixRotate,
			ZH: "图片靠 EXIF 方向标记显示为正，部分上传页面会忽略该标记而显示成横的：请用“旋转摆正”自动修复",
			EN: "the picture is upright only through its EXIF orientation tag, which some upload pages ignore and show it sideways: apply the \"rotate upright\" fix"})
	}
	return w, checks, nil
}

func isGrayModel(img image.Image) bool {
	switch m := img.ColorModel(); {
	case m == color.GrayModel || m == color.Gray16Model:
		return true
	default:
		p, ok := m.(color.Palette)
		if !ok {
			return false
		}
		for _, c := range p {
			r, g, b, _ := c.RGBA()
			if r != g || g != b {
				return false
			}
		}
		return true
	}
}

// FromImage makes the working image of an image already decoded (a
// generated test image, a pasted one), turned by EXIF orientation o (1 for
// none). MediaType and Size stay empty.
func FromImage(full image.Image, o int) *Working {
	b := full.Bounds()
	return fromDecoded(full, o, 0, b.Dx(), b.Dy())
}

// fromDecoded is FromImage of an original of width×height pixels decoded
// scaled down by 1<<shift.
func fromDecoded(full image.Image, o int, shift uint, width, height int) *Working {
	if o < 1 || o > 8 {
		o = 1
	}
	w := &Working{Orientation: o, full: full, fullShift: shift, gray: isGrayModel(full), Scale: 1}
	w.Width, w.Height = width, height
	if o >= 5 {
		w.Width, w.Height = w.Height, w.Width
	}
	small := reduce(full, WorkingSide)
	if small.Rect.Dx() > 0 && small.Rect.Dx() < width {
		w.Scale = float64(width) / float64(small.Rect.Dx())
	}
	w.Img = orient(small, o)
	return w
}

// decodeShift is how many times a JPEG of width×height may be halved while
// it is decoded when the checks need a long side of detail pixels (0: all
// of it): as many as keep the long side at least detail. Original uses it
// the same way for a region. The decoder then
// stores a 12 MP scan as a 2000×1500 picture instead of an 18 MB one,
// which is what lets two checks share a 2-core laptop without waiting on
// memory (imaging/internal/jpeg).
func decodeShift(width, height, detail int) uint {
	if detail <= 0 {
		return 0
	}
	long := max(width, height)
	var s uint
	for s < scaledjpeg.MaxShift && (long+(2<<s)-1)>>(s+1) >= detail {
		s++
	}
	return s
}

// decodeFull decodes with the one decoder of the sniffed type: never
// image.Decode, which would also accept the TIFF and BMP decoders that
// disintegration/imaging registers.
func decodeFull(r io.Reader, media string, shift uint) (img image.Image, err error) {
	defer func() {
		// The standard decoders are not known to panic, but one bad file
		// must not take a batch of hundreds down with it.
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("decoder panic: %v", p)
		}
	}()
	switch media {
	case mediaJPEG:
		if shift > 0 {
			return scaledjpeg.DecodeScaled(r, shift)
		}
		return jpeg.Decode(r)
	case mediaPNG:
		return png.Decode(r)
	case mediaGIF:
		return gif.Decode(r)
	}
	return nil, errors.New("no decoder")
}

// jpegComponent is a component of a JPEG frame: its sampling factors.
type jpegComponent struct{ h, v int }

// jpegFrame reads the components of a JPEG's frame header (SOFn), or nil
// when there is none before the first scan.
func jpegFrame(r *bufio.Reader) []jpegComponent {
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xff, 0xd8} {
		return nil
	}
	for {
		b, err := r.ReadByte()
		if err != nil || b != 0xff {
			return nil
		}
		m, err := r.ReadByte()
		for err == nil && m == 0xff {
			m, err = r.ReadByte()
		}
		switch {
		case err != nil, m == 0xd9, m == 0xda:
			return nil
		case m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01:
			continue
		}
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil
		}
		n := int(l[0])<<8 | int(l[1]) - 2
		if n < 0 {
			return nil
		}
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			seg := make([]byte, n)
			if _, err := io.ReadFull(r, seg); err != nil || n < 6 {
				return nil
			}
			nc := int(seg[5])
			if nc < 1 || nc > 4 || len(seg) < 6+3*nc {
				return nil
			}
			out := make([]jpegComponent, nc)
			for i := range out {
				f := seg[6+3*i+1]
				out[i] = jpegComponent{max(int(f>>4), 1), max(int(f&15), 1)}
			}
			return out
		}
		if _, err := r.Discard(n); err != nil {
			return nil
		}
	}
}

// decodeBytes estimates what the standard decoders allocate for an image:
// its pixel buffer in the colour model the header announces (twice for an
// interlaced PNG, whose passes are decoded apart and then merged), and for
// a progressive JPEG the coefficients of every block (an int32 a sample),
// kept until the last scan. frame lists a JPEG's components (nil: taken
// as three at full resolution, the worst case of YCbCr).
func decodeBytes(cfg image.Config, frame []jpegComponent, progressive, interlaced bool) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	if frame != nil || cfg.ColorModel == color.YCbCrModel || cfg.ColorModel == color.CMYKModel {
		if frame == nil {
			frame = []jpegComponent{{1, 1}, {1, 1}, {1, 1}}
			if cfg.ColorModel == color.CMYKModel {
				frame = append(frame, jpegComponent{1, 1})
			}
		}
		hmax, vmax := 1, 1
		for _, c := range frame {
			hmax, vmax = max(hmax, c.h), max(vmax, c.v)
		}
		var samples int64
		for _, c := range frame {
			samples += (w*int64(c.h) + int64(hmax) - 1) / int64(hmax) * ((h*int64(c.v) + int64(vmax) - 1) / int64(vmax))
		}
		if len(frame) == 4 {
			// CMYK is converted into a 4-byte-a-pixel image.
			samples = max(samples, 4*w*h)
		}
		if progressive {
			return samples * 5
		}
		return samples
	}
	var per int64
	switch cfg.ColorModel {
	case color.GrayModel, color.AlphaModel:
		per = 1
	case color.Gray16Model, color.Alpha16Model:
		per = 2
	case color.RGBAModel, color.NRGBAModel:
		per = 4
	case color.RGBA64Model, color.NRGBA64Model:
		per = 8
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			per = 1
		} else {
			per = 8 // unknown: the widest the standard decoders make
		}
	}
	n := w * h * per
	if interlaced {
		n *= 2
	}
	return n
}

func pixelCap(cfg image.Config, progressive bool, g Guard) (Check, bool) {
	w, h := int64(cfg.Width), int64(cfg.Height)
	px := w * h
	switch {
	case w <= 0 || h <= 0:
		return msgUndecodable("", errors.New("zero size"), false), false
	case g.MaxSide > 0 && (w > int64(g.MaxSide) || h > int64(g.MaxSide)):
		return msgTooManyPixels(cfg, fmt.Sprintf("≤ %d px", g.MaxSide)), false
	case g.MaxPixels > 0 && px > g.MaxPixels:
		return msgTooManyPixels(cfg, fmt.Sprintf("≤ %.0f MP", float64(g.MaxPixels)/1e6)), false
	case progressive && g.MaxProgressivePixels > 0 && px > g.MaxProgressivePixels:
		c := msgTooManyPixels(cfg, fmt.Sprintf("≤ %.0f MP (progressive)", float64(g.MaxProgressivePixels)/1e6))
		c.ZH = fmt.Sprintf("渐进式 JPEG 像素过多（%d×%d），无法安全解码：请另存为普通（基线）JPG 或缩小后再上传", cfg.Width, cfg.Height)
		c.EN = fmt.Sprintf("this progressive JPEG has too many pixels (%d×%d) to decode safely: save it as a standard (baseline) JPG or make it smaller", cfg.Width, cfg.Height)
		return c, false
	}
	return Check{}, true
}

// Media types as the rule pack names them.
const (
	mediaJPEG = "image/jpeg"
	mediaPNG  = "image/png"
	mediaGIF  = "image/gif"
)

// fileType is what the first bytes say a file is: media is set for the
// types we decode, name for the ones we recognise only to refuse well.
type fileType struct {
	media string
	name  string
}

// sniff recognises a file by its magic bytes, never by its name: a PDF or a
// HEIC renamed to .jpg must get the right advice.
func sniff(b []byte) fileType {
	has := func(off int, magic string) bool {
		return len(b) >= off+len(magic) && string(b[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "\xff\xd8\xff"):
		return fileType{mediaJPEG, "JPEG"}
	case has(0, "\x89PNG\r\n\x1a\n"):
		return fileType{mediaPNG, "PNG"}
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return fileType{mediaGIF, "GIF"}
	case has(0, "RIFF") && has(8, "WEBP"):
		return fileType{"", "WebP"}
	case has(4, "ftyp"):
		brand := ""
		if len(b) >= 12 {
			brand = string(b[8:12])
		}
		switch brand {
		case "avif", "avis":
			return fileType{"", "AVIF"}
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
			return fileType{"", "HEIC"}
		}
		return fileType{"", "MP4/MOV"}
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return fileType{"", "TIFF"}
	case has(0, "BM"):
		return fileType{"", "BMP"}
	case has(0, "%PDF-"):
		return fileType{"", "PDF"}
	case has(0, "\x00\x00\x00\x0cjP  "), has(0, "\xff\x4f\xff\x51"):
		return fileType{"", "JPEG 2000"}
	case has(0, "8BPS"):
		return fileType{"", "PSD"}
	case has(0, "PK\x03\x04"):
		return fileType{"", "ZIP/Office"}
	case has(0, "\xd0\xcf\x11\xe0"):
		return fileType{"", "Office"}
	}
	t := bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	if bytes.HasPrefix(t, []byte("<svg")) || bytes.HasPrefix(t, []byte("<?xml")) {
		return fileType{"", "SVG"}
	}
	return fileType{}
}

func formatCheck(media string, lim Limits) Check {
	allowed := lim.Formats
	if len(allowed) == 0 {
		allowed = []string{mediaJPEG, mediaPNG}
	}
	name := map[string]string{mediaJPEG: "JPG", mediaPNG: "PNG", mediaGIF: "GIF"}[media]
	c := Check{ID: "file.format", Measured: name, Threshold: formatList(allowed), Region: ""}
	switch {
	case !slices.Contains(allowed, media):
		c.Verdict = Fail
		c.ZH = fmt.Sprintf("此处不接受 %s 格式（允许：%s）：请另存为 JPG", name, formatList(allowed))
		c.EN = fmt.Sprintf("%s is not accepted here (allowed: %s): save it as JPG", name, formatList(allowed))
		c.Fix = FixToJPEG
	case slices.Contains(lim.Discouraged, media):
		c.Verdict = Warn
		c.ZH = fmt.Sprintf("%s 格式虽然允许，但部分上传页面不接受：建议另存为 JPG", name)
		c.EN = fmt.Sprintf("%s is allowed but some upload pages refuse it: better save it as JPG", name)
		c.Fix = FixToJPEG
	default:
		c.Verdict = Pass
		c.ZH = fmt.Sprintf("格式 %s 符合要求", name)
		c.EN = fmt.Sprintf("format %s is accepted", name)
	}
	return c
}

func formatList(media []string) string {
	var names []byte
	for i, m := range media {
		if i > 0 {
			names = append(names, '/')
		}
		switch m {
		case mediaJPEG:
			names = append(names, "JPG"...)
		case mediaPNG:
			names = append(names, "PNG"...)
		case mediaGIF:
			names = append(names, "GIF"...)
		default:
			names = append(names, m...)
		}
	}
	return string(names)
}

func sizeChecks(size int64, lim Limits) []Check {
	c := Check{ID: "file.size", Measured: humanBytes(size)}
	switch {
	case lim.MaxBytes > 0 && size >= lim.MaxBytes:
		c.Verdict = Fail
		c.Threshold = "< " + humanBytes(lim.MaxBytes)
		c.ZH = fmt.Sprintf("文件过大（%s，须小于 %s）：请用“压缩到限值内”自动修复，或降低画质另存为 JPG", humanBytes(size), humanBytes(lim.MaxBytes))
		c.EN = fmt.Sprintf("the file is too large (%s, must be under %s): apply the “fit the size limit” fix, or save it as JPG at a lower quality", humanBytes(size), humanBytes(lim.MaxBytes))
		c.Fix = FixFitSize
	case lim.MinBytes > 0 && size < lim.MinBytes:
		c.Verdict = Fail
		c.Threshold = "≥ " + humanBytes(lim.MinBytes)
		c.ZH = fmt.Sprintf("文件过小（%s，须至少 %s）：请彩色打印原件后拍照上传，不要上传截图或压缩过的图片", humanBytes(size), humanBytes(lim.MinBytes))
		c.EN = fmt.Sprintf("the file is too small (%s, must be at least %s): print the original in colour and photograph it; do not upload a screenshot or a compressed copy", humanBytes(size), humanBytes(lim.MinBytes))
	default:
		c.Verdict = Pass
		switch {
		case lim.MaxBytes > 0 && lim.MinBytes > 0:
			c.Threshold = humanBytes(lim.MinBytes) + " – " + humanBytes(lim.MaxBytes)
		case lim.MaxBytes > 0:
			c.Threshold = "< " + humanBytes(lim.MaxBytes)
		}
		c.ZH = fmt.Sprintf("文件大小 %s 符合要求", humanBytes(size))
		c.EN = fmt.Sprintf("file size %s is within the limit", humanBytes(size))
	}
	return []Check{c}
}

// humanBytes writes sizes the way the rule pack's sources state them
// (binary units: "4 MB" is 4 194 304 bytes there).
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func msgEmpty() Check {
	return Check{ID: "file.decode", Verdict: Fail,
		ZH: "文件是空的（0 字节）：请重新导出或重新拍摄后另存为 JPG",
		EN: "the file is empty (0 bytes): export or take it again and save it as JPG"}
}

func msgTooBigToOpen(size, max int64) Check {
	return Check{ID: "file.decode", Verdict: Fail, Measured: humanBytes(size), Threshold: "≤ " + humanBytes(max),
		ZH: fmt.Sprintf("文件过大（%s），为安全起见不予打开：请缩小图片后另存为 JPG", humanBytes(size)),
		EN: fmt.Sprintf("the file is too large to open safely (%s): make the image smaller and save it as JPG", humanBytes(size))}
}

func msgTooManyPixels(cfg image.Config, limit string) Check {
	return Check{ID: "file.decode", Verdict: Fail,
		Measured: fmt.Sprintf("%d×%d", cfg.Width, cfg.Height), Threshold: limit,
		ZH: fmt.Sprintf("图片像素过多（%d×%d），为防止内存耗尽不予解码：请缩小到 12000 像素以内（建议长边 3000–4000）后另存为 JPG", cfg.Width, cfg.Height),
		EN: fmt.Sprintf("the image has too many pixels (%d×%d) to decode safely: scale it down (long side 3000–4000 px is plenty) and save it as JPG", cfg.Width, cfg.Height)}
}

func msgTooManyBytes(cfg image.Config, need, limit int64) Check {
	deep := ""
	switch cfg.ColorModel {
	case color.Gray16Model, color.RGBA64Model, color.NRGBA64Model, color.Alpha16Model:
		deep = "16 位色深，"
	}
	deepEN := ""
	if deep != "" {
		deepEN = "16 bits a channel, "
	}
	return Check{ID: "file.decode", Verdict: Fail,
		Measured: humanBytes(need), Threshold: "≤ " + humanBytes(limit),
		ZH: fmt.Sprintf("图片解码需要约 %s 内存（%d×%d，%s超过上限 %s），为防止内存耗尽不予解码：请另存为普通 8 位 JPG（长边 3000–4000 像素即可）", humanBytes(need), cfg.Width, cfg.Height, deep, humanBytes(limit)),
		EN: fmt.Sprintf("decoding this image would take about %s of memory (%d×%d, %sover the %s limit), so it is not decoded: save it as a standard 8-bit JPG (a long side of 3000–4000 px is plenty)", humanBytes(need), cfg.Width, cfg.Height, deepEN, humanBytes(limit))}
}

func msgUnsupported(ft fileType, lim Limits) Check {
	allowed := lim.Formats
	if len(allowed) == 0 {
		allowed = []string{mediaJPEG, mediaPNG}
	}
	c := Check{ID: "file.format", Verdict: Fail, Measured: ft.name, Threshold: formatList(allowed)}
	switch ft.name {
	case "HEIC", "AVIF":
		c.ZH = fmt.Sprintf("这是 %s 格式（苹果/安卓手机的高效格式），无法识别：请在手机相机设置中选择“兼容性最佳”，或用相册导出为 JPG", ft.name)
		c.EN = fmt.Sprintf("this is a %s file (a phone's high-efficiency format) and cannot be read: choose “Most Compatible” in the camera settings, or export it as JPG", ft.name)
	case "WebP":
		c.ZH = "这是 WebP 格式（常见于网页或聊天软件保存的图片）：请用原图，或用画图等工具另存为 JPG"
		c.EN = "this is a WebP file (as saved from web pages or chat apps): use the original photo, or save it as JPG in an image editor"
	case "TIFF", "BMP", "PSD", "JPEG 2000":
		c.ZH = fmt.Sprintf("这是 %s 格式，备案系统不接受：请在扫描软件或图片编辑器中另存为 JPG", ft.name)
		c.EN = fmt.Sprintf("this is a %s file, which the filing system does not accept: save it as JPG in the scanner software or an image editor", ft.name)
	case "PDF":
		c.ZH = "这是 PDF 文件（即使扩展名是图片）：请将页面导出或截图为图片，另存为 JPG"
		c.EN = "this is a PDF (whatever its name says): export the page as an image and save it as JPG"
	case "SVG":
		c.ZH = "这是 SVG 矢量图：请导出为 JPG"
		c.EN = "this is an SVG drawing: export it as JPG"
	case "":
		c.Measured = "?"
		c.ZH = "无法识别的文件（不是 JPG、PNG 或 GIF 图片）：请用相机或扫描仪重新生成，另存为 JPG"
		c.EN = "this is not a JPG, PNG or GIF image: take or scan it again and save it as JPG"
	default:
		c.ZH = fmt.Sprintf("这是 %s 文件，不是图片：请上传证件的照片或扫描件，另存为 JPG", ft.name)
		c.EN = fmt.Sprintf("this is a %s file, not an image: upload a photo or scan of the document, saved as JPG", ft.name)
	}
	return c
}

// truncated tells a cut-off file from a corrupt one after a decoding
// error: the decoders say "unexpected EOF" only sometimes (image/jpeg
// reports "short Huffman data"), but a complete file ends with its
// format's trailer: JPEG EOI, PNG IEND, GIF ';'.
func truncated(r io.ReadSeeker, size int64, media string, err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var tail [12]byte
	n := min(size, int64(len(tail)))
	if _, err := r.Seek(-n, io.SeekEnd); err != nil {
		return false
	}
	if _, err := io.ReadFull(r, tail[:n]); err != nil {
		return false
	}
	t := tail[:n]
	switch media {
	case mediaJPEG:
		return !bytes.HasSuffix(t, []byte{0xff, 0xd9})
	case mediaPNG:
		return !bytes.HasSuffix(t, []byte("\x00\x00\x00\x00IEND\xaeB`\x82"))
	case mediaGIF:
		return !bytes.HasSuffix(t, []byte{0x3b})
	}
	return false
}

func msgUndecodable(media string, err error, cut bool) Check {
	c := Check{ID: "file.decode", Verdict: Fail}
	if err != nil {
		c.Measured = err.Error()
	}
	name := map[string]string{mediaJPEG: "JPG", mediaPNG: "PNG", mediaGIF: "GIF"}[media]
	var unsup jpeg.UnsupportedError
	switch {
	case cut:
		c.ZH = fmt.Sprintf("%s 文件不完整（可能下载或复制时中断）：请从原始位置重新复制，或重新拍摄后另存为 JPG", name)
		c.EN = fmt.Sprintf("the %s file is truncated (the download or copy was probably cut off): copy it again from its source, or take it again and save it as JPG", name)
	case errors.As(err, &unsup):
		c.ZH = fmt.Sprintf("%s 使用了不常见的编码方式，无法读取：请用图片编辑器另存为普通 JPG", name)
		c.EN = fmt.Sprintf("this %s uses an unusual encoding that cannot be read: open it in an image editor and save it as a standard JPG", name)
	default:
		c.ZH = fmt.Sprintf("%s 文件已损坏，无法读取：请重新拍摄或扫描，另存为 JPG", name)
		c.EN = fmt.Sprintf("the %s file is corrupt and cannot be read: take or scan it again and save it as JPG", name)
	}
	return c
}

// The one-click fixes a Check can name in Check.Fix.
const (
	FixFitSize = "fit_size"
	FixToJPEG  = "to_jpeg"
	FixRotate  = "rotate"
)
