package jpeg

import (
	"bytes"
	"image"
	stdjpeg "image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// The files are Go's own image/jpeg test files (GOROOT/src/image/testdata):
// every chroma subsampling, baseline and progressive, restart markers,
// greyscale, Adobe RGB and CMYK, a truncated progressive file.
func testFiles(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob("testdata/*.jpeg")
	if err != nil || len(names) < 20 {
		t.Fatalf("test files: %v (%d)", err, len(names))
	}
	files := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(n)] = b
	}
	return files
}

// plane is one 8-bit sample plane with the padding image/jpeg decodes
// beyond the picture's edge (the image's slices keep it).
type plane struct {
	pix    []uint8
	stride int
}

func planes(t *testing.T, img image.Image) []plane {
	switch m := img.(type) {
	case *image.Gray:
		return []plane{{m.Pix, m.Stride}}
	case *image.YCbCr:
		return []plane{{m.Y, m.YStride}, {m.Cb, m.CStride}, {m.Cr, m.CStride}}
	case *image.RGBA:
		return []plane{{m.Pix, m.Stride}}
	case *image.CMYK:
		return []plane{{m.Pix, m.Stride}}
	}
	t.Fatalf("unexpected image type %T", img)
	return nil
}

// boxMean is the rounded mean of the n×n square at (x, y) of p, scaled
// coordinates; step is the distance between a pixel's samples (4 for
// RGBA and CMYK, whose channels are averaged one by one).
func boxMean(p plane, x, y, n, step, channel int) uint8 {
	sum := 0
	for j := range n {
		for i := range n {
			sum += int(p.pix[(y*n+j)*p.stride+(x*n+i)*step+channel])
		}
	}
	return uint8((sum + n*n/2) / (n * n))
}

// TestDecodeScaledIsABoxOfTheFullDecode holds the fork to image/jpeg:
// shift 0 gives exactly image/jpeg's picture, every other shift gives
// exactly the rounded means of aligned squares of it, sample plane by
// sample plane, and a file image/jpeg refuses is refused.
func TestDecodeScaledIsABoxOfTheFullDecode(t *testing.T) {
	for name, data := range testFiles(t) {
		want, wantErr := stdjpeg.Decode(bytes.NewReader(data))
		for shift := uint(0); shift <= MaxShift; shift++ {
			got, err := DecodeScaled(bytes.NewReader(data), shift)
			if (err != nil) != (wantErr != nil) {
				t.Errorf("%s shift %d: err %v, image/jpeg's %v", name, shift, err, wantErr)
				continue
			}
			if err != nil {
				continue
			}
			n := 1 << shift
			wb := want.Bounds()
			wantRect := image.Rect(0, 0, (wb.Dx()+n-1)/n, (wb.Dy()+n-1)/n)
			if got.Bounds() != wantRect {
				t.Errorf("%s shift %d: bounds %v, want %v", name, shift, got.Bounds(), wantRect)
				continue
			}
			if gotT, wantT := typeName(got), typeName(want); gotT != wantT {
				t.Errorf("%s shift %d: %s, image/jpeg gives %s", name, shift, gotT, wantT)
				continue
			}
			if gp, wp, ok := interleaved(got, want); ok && shift > 0 {
				// The colour transform of an Adobe RGB or YCbCrK file runs
				// after the blocks are averaged, on planes with their own
				// subsampling: not a box of the converted full decode,
				// only close to it.
				assertClose(t, name, shift, gp, wp)
				continue
			}
			compareBoxed(t, name, shift, got, want)
		}
	}
}

func typeName(img image.Image) string {
	switch img.(type) {
	case *image.Gray:
		return "Gray"
	case *image.YCbCr:
		return "YCbCr"
	case *image.RGBA:
		return "RGBA"
	case *image.CMYK:
		return "CMYK"
	}
	return "other"
}

func compareBoxed(t *testing.T, name string, shift uint, got, want image.Image) {
	t.Helper()
	n := 1 << shift
	gp, wp := planes(t, got), planes(t, want)
	step := 1
	switch got.(type) {
	case *image.RGBA, *image.CMYK:
		step = 4
	}
	// Each output plane is compared over the samples it holds for the
	// picture: its rows and columns up to the picture's scaled size
	// (chroma planes: their own share of it).
	b := got.Bounds()
	for k := range gp {
		w, h := b.Dx(), b.Dy()
		if ycc, ok := got.(*image.YCbCr); ok && k > 0 {
			c := ycc.COffset(b.Max.X-1, b.Max.Y-1)
			w, h = c%ycc.CStride+1, c/ycc.CStride+1
		}
		bad := 0
		for y := range h {
			for x := range w {
				for ch := range step {
					g := gp[k].pix[y*gp[k].stride+x*step+ch]
					if wv := boxMean(wp[k], x, y, n, step, ch); g != wv && bad < 3 {
						bad++
						t.Errorf("%s shift %d plane %d (%d,%d)[%d]: %d, box of image/jpeg's %d", name, shift, k, x, y, ch, g, wv)
					}
				}
			}
		}
	}
}

// interleaved gives the 4-byte-per-pixel planes of two RGBA or two CMYK
// images, with their sizes.
func interleaved(got, want image.Image) (g, w sizedPlane, ok bool) {
	switch gm := got.(type) {
	case *image.RGBA:
		wm := want.(*image.RGBA)
		return sizedPlane{plane{gm.Pix, gm.Stride}, gm.Rect}, sizedPlane{plane{wm.Pix, wm.Stride}, wm.Rect}, true
	case *image.CMYK:
		wm := want.(*image.CMYK)
		return sizedPlane{plane{gm.Pix, gm.Stride}, gm.Rect}, sizedPlane{plane{wm.Pix, wm.Stride}, wm.Rect}, true
	}
	return
}

type sizedPlane struct {
	plane
	rect image.Rectangle
}

// assertClose: every channel keeps its mean (averaging moves it by
// rounding only), and the first channel, drawn from the full-resolution
// component, stays within 1.5 of a box of the full decode on average.
// Channels drawn from subsampled planes are averaged in their own grid,
// so they are only held to their mean.
func assertClose(t *testing.T, name string, shift uint, got, want sizedPlane) {
	t.Helper()
	n := 1 << shift
	var diff, gotSum, wantSum [4]int
	count := 0
	for y := range got.rect.Dy() {
		for x := range got.rect.Dx() {
			if (x+1)*n > want.rect.Dx() || (y+1)*n > want.rect.Dy() {
				continue
			}
			count++
			for ch := range 4 {
				g, w := int(got.pix[y*got.stride+4*x+ch]), int(boxMean(want.plane, x, y, n, 4, ch))
				diff[ch] += max(g-w, w-g)
				gotSum[ch] += g
				wantSum[ch] += w
			}
		}
	}
	if count == 0 {
		t.Fatalf("%s shift %d: nothing compared", name, shift)
	}
	c := float64(count)
	if d := float64(diff[0]) / c; d > 1.5 {
		t.Errorf("%s shift %d: first channel differs by %.2f on average", name, shift, d)
	}
	for ch := range 4 {
		if d := float64(gotSum[ch]-wantSum[ch]) / c; d > 1 || d < -1 {
			t.Errorf("%s shift %d: channel %d mean moved by %.2f", name, shift, ch, d)
		}
	}
}

func TestDecodeScaledRefusesAShiftBeyondOneEighth(t *testing.T) {
	data := testFiles(t)["video-001.jpeg"]
	if _, err := DecodeScaled(bytes.NewReader(data), MaxShift+1); err == nil {
		t.Fatal("shift 4 decoded")
	}
}

// FuzzDecodeScaled: on any input the fork never panics, refuses what
// image/jpeg refuses, and decodes what it decodes at the scaled size.
func FuzzDecodeScaled(f *testing.F) {
	for _, data := range testFiles(f) {
		f.Add(data, uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, s uint8) {
		shift := uint(s) % (MaxShift + 1)
		cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		want, wantErr := stdjpeg.Decode(bytes.NewReader(data))
		got, err := DecodeScaled(bytes.NewReader(data), shift)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("shift %d: err %v, image/jpeg's %v", shift, err, wantErr)
		}
		if err != nil {
			return
		}
		n := 1 << shift
		wb := want.Bounds()
		if r := image.Rect(0, 0, (wb.Dx()+n-1)/n, (wb.Dy()+n-1)/n); got.Bounds() != r {
			t.Fatalf("shift %d: bounds %v, want %v", shift, got.Bounds(), r)
		}
		switch got.(type) {
		case *image.Gray, *image.YCbCr:
			compareBoxed(t, "fuzz input", shift, got, want)
		}
	})
}
