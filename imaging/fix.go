package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"

	dimg "github.com/disintegration/imaging"
)

// FixResult is what Fix wrote.
type FixResult struct {
	// Path is the new file; the original is never touched.
	Path string
	// Applied lists the fixes made, in order: FixRotate, FixToJPEG, FixFitSize.
	Applied []string
	// Quality is the JPEG quality used; Width and Height the new size.
	Quality       int
	Width, Height int
	// Report is the new file checked again with the same options.
	Report *Report
}

// ErrNothingToFix is returned when the file needs none of the fixes.
var ErrNothingToFix = errors.New("imaging: nothing to fix")

// Fix quality steps, after HivisionIDPhotos' resize_image_to_kb (from 95
// down by 5, imaging.md §1.1 "Resolution / file"); we start a little
// lower and stop at 70, below which small print blurs into blocks (ours).
const (
	fixQualityStart = 92
	fixQualityStep  = 5
	fixQualityFloor = 70
	// fixMinSide keeps a downscaled document legible: imaging.md §3.2
	// wants ≥ 1 600 px on an A4 document, so a picture is never made
	// smaller than that on its long side.
	fixMinSide = 1600
)

// Fix writes into dir a copy of src that needs none of the one-click fixes:
// turned upright per its EXIF orientation, converted to JPEG, and
// re-encoded (quality stepped down, then downscaled) to fit opts.Limits'
// MaxBytes. It never writes over an existing file, src included, and
// checks the new file again (FixResult.Report). A file that cannot be
// decoded gives its *FileError; one that needs nothing, ErrNothingToFix.
func Fix(src, dir string, kind Kind, opts Options) (*FixResult, error) {
	g := opts.Guard
	if g == (Guard{}) {
		g = DefaultGuard
	}
	w, _, err := OpenGuarded(src, kind, opts.Limits, g)
	if err != nil {
		return nil, err
	}
	var applied []string
	full := w.full
	w.Release()
	if w.Orientation != 1 {
		// The new file carries no EXIF, so the pixels themselves must turn;
		// this is the one place the full-size image is rotated.
		full = orientFull(full, w.Orientation)
		applied = append(applied, FixRotate)
	}
	if w.MediaType != mediaJPEG {
		full = flatten(full)
		applied = append(applied, FixToJPEG)
	}
	tooBig := opts.Limits.MaxBytes > 0 && w.Size >= opts.Limits.MaxBytes
	if tooBig {
		applied = append(applied, FixFitSize)
	}
	if len(applied) == 0 {
		return nil, ErrNothingToFix
	}
	data, q, img, err := encodeToFit(full, opts.Limits.MaxBytes)
	if err != nil {
		return nil, err
	}
	if !tooBig && opts.Limits.MaxBytes > 0 && img.Bounds() != full.Bounds() {
		applied = append(applied, FixFitSize)
	}
	path, err := writeNew(dir, src, data)
	if err != nil {
		return nil, err
	}
	res := &FixResult{Path: path, Applied: applied, Quality: q, Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	res.Report, err = CheckFile(path, kind, opts)
	return res, err
}

// encodeToFit encodes img as JPEG under maxBytes (0: no limit): quality
// first, from fixQualityStart down to the floor, then smaller by the
// square root of the size ratio (bytes follow pixels) until it fits or
// reaches fixMinSide.
func encodeToFit(img image.Image, maxBytes int64) ([]byte, int, image.Image, error) {
	var buf bytes.Buffer
	for {
		for q := fixQualityStart; q >= fixQualityFloor; q -= fixQualityStep {
			buf.Reset()
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
				return nil, 0, nil, err
			}
			if maxBytes <= 0 || int64(buf.Len()) < maxBytes {
				return buf.Bytes(), q, img, nil
			}
			// The whole quality range rarely halves a file: far over the
			// limit, try the floor at once and go on to downscaling.
			if int64(buf.Len()) > 2*maxBytes && q > fixQualityFloor {
				q = fixQualityFloor + fixQualityStep
			}
		}
		b := img.Bounds()
		long := max(b.Dx(), b.Dy())
		if long <= fixMinSide {
			return nil, 0, nil, fmt.Errorf("imaging: cannot fit under %s without going below %d px; retake the picture with less detail or a plainer background", humanBytes(maxBytes), fixMinSide)
		}
		f := min(0.9, 0.95*math.Sqrt(float64(maxBytes)/float64(buf.Len())))
		side := max(int(float64(long)*f), fixMinSide)
		nw, nh := fitSide(b.Dx(), b.Dy(), side)
		// Lanczos for output images; Box is for analysis only (imaging.md §0.2).
		img = dimg.Resize(img, nw, nh, dimg.Lanczos)
	}
}

// orientFull turns a full-size image upright.
func orientFull(img image.Image, o int) image.Image {
	switch o {
	case 2:
		return dimg.FlipH(img)
	case 3:
		return dimg.Rotate180(img)
	case 4:
		return dimg.FlipV(img)
	case 5:
		return dimg.Transpose(img)
	case 6:
		return dimg.Rotate270(img)
	case 7:
		return dimg.Transverse(img)
	case 8:
		return dimg.Rotate90(img)
	}
	return img
}

// flatten puts an image with transparency on white: JPEG has no alpha, and
// the encoder would otherwise show transparent pixels as their (often
// black) colour.
func flatten(img image.Image) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	b := img.Bounds()
	dst := image.NewNRGBA(b)
	draw.Draw(dst, b, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, b, img, b.Min, draw.Over)
	return dst
}

// writeNew writes data to a new file in dir named after src
// ("scan.png" → "scan-fixed.jpg", then "scan-fixed-2.jpg", …), refusing to
// replace any file that exists.
func writeNew(dir, src string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	for i := 1; i < 1000; i++ {
		name := base + "-fixed.jpg"
		if i > 1 {
			name = fmt.Sprintf("%s-fixed-%d.jpg", base, i)
		}
		p := filepath.Join(dir, name)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(p)
			return "", err
		}
		if err := f.Close(); err != nil {
			os.Remove(p)
			return "", err
		}
		return p, nil
	}
	return "", fmt.Errorf("imaging: no free file name for %s in %s", base, dir)
}
