package imaging

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// noisy is a picture that compresses badly (fine random texture on
// smooth shapes), so that quality and size really trade off.
func noisy(w, h int, seed uint64) *image.NRGBA {
	img := testPhotoLike(w, h)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < len(img.Pix); i += 4 {
		n := int(rng.IntN(41)) - 20
		for c := range 3 {
			img.Pix[i+c] = uint8(min(max(int(img.Pix[i+c])+n, 0), 255))
		}
	}
	return img
}

func digest(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestFix(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "fixed")
	big := encodeJPEG(t, noisy(1800, 1350, 1), 98)
	transparent := image.NewNRGBA(image.Rect(0, 0, 400, 300))
	for y := range 300 {
		for x := range 200 { // left half opaque red, right half transparent
			transparent.SetNRGBA(x, y, color.NRGBA{200, 0, 0, 255})
		}
	}
	cases := []struct {
		name     string
		file     string
		data     []byte
		limit    int64
		applied  []string
		smaller  bool // downscaled
		wantSize [2]int
	}{
		{"png to jpeg", "scan.png", encodePNG(t, quadrants(600, 400)), 4 << 20, []string{FixToJPEG}, false, [2]int{600, 400}},
		{"rotate per exif", "phone.jpg", withOrientation(encodeJPEG(t, quadrants(600, 400), 92), 6, binary.BigEndian), 4 << 20, []string{FixRotate}, false, [2]int{400, 600}},
		{"quality steps fit the size", "big.jpg", big, int64(len(big)) * 6 / 10, []string{FixFitSize}, false, [2]int{1800, 1350}},
		{"downscale when quality is not enough", "big.jpg", big, int64(len(big)) / 5, []string{FixFitSize}, true, [2]int{}},
		{"convert and fit", "noisy.png", encodePNG(t, noisy(1200, 900, 2)), 300 << 10, []string{FixToJPEG, FixFitSize}, false, [2]int{1200, 900}},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := writeFile(t, dir, c.file, c.data)
			before := digest(t, src)
			lim := Limits{Formats: []string{mediaJPEG, mediaPNG}, MaxBytes: c.limit}
			res, err := Fix(src, out, KindCertificate, Options{Limits: lim})
			if err != nil {
				t.Fatal(err)
			}
			if digest(t, src) != before {
				t.Error("the original changed")
			}
			if filepath.Dir(res.Path) != out || filepath.Ext(res.Path) != ".jpg" {
				t.Errorf("written to %s", res.Path)
			}
			if !slices.Equal(res.Applied, c.applied) {
				t.Errorf("applied %v, want %v", res.Applied, c.applied)
			}
			st, err := os.Stat(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() >= c.limit {
				t.Errorf("fixed file is %d bytes, limit %d", st.Size(), c.limit)
			}
			if c.smaller {
				if res.Width >= 1800 || max(res.Width, res.Height) < fixMinSide {
					t.Errorf("downscaled to %d×%d", res.Width, res.Height)
				}
			} else if res.Width != c.wantSize[0] || res.Height != c.wantSize[1] {
				t.Errorf("size %d×%d, want %v", res.Width, res.Height, c.wantSize)
			}
			// Checked again: the file-level checks pass now.
			r := res.Report
			if r == nil || r.Path != res.Path || r.MediaType != mediaJPEG {
				t.Fatalf("report %+v", r)
			}
			for _, ck := range r.Checks {
				if ck.Fix != "" && ck.Verdict != Pass {
					t.Errorf("after the fix %s still asks for %s: %s", ck.ID, ck.Fix, ck.EN)
				}
			}
			if r.Width != res.Width || r.Height != res.Height {
				t.Errorf("re-checked %d×%d, wrote %d×%d", r.Width, r.Height, res.Width, res.Height)
			}
		})
	}

	t.Run("rotated pixels are upright and carry no orientation", func(t *testing.T) {
		src := writeFile(t, dir, "upright.jpg", withOrientation(encodeJPEG(t, quadrants(600, 400), 92), 8, binary.LittleEndian))
		res, err := Fix(src, out, KindCertificate, Options{})
		if err != nil {
			t.Fatal(err)
		}
		w, _, err := Open(res.Path, KindCertificate, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		q := func(x, y int) string {
			return dominant(meanColour(w.Img, image.Rect(x-5, y-5, x+5, y+5)))
		}
		ww, hh := w.Img.Rect.Dx(), w.Img.Rect.Dy()
		got := q(ww/4, hh/4) + q(3*ww/4, hh/4) + q(ww/4, 3*hh/4) + q(3*ww/4, 3*hh/4)
		if w.Orientation != 1 || got != "GWRB" {
			t.Errorf("orientation %d, quadrants %s, want 1 GWRB", w.Orientation, got)
		}
	})

	t.Run("transparent PNG goes on white", func(t *testing.T) {
		src := writeFile(t, dir, "alpha.png", encodePNG(t, transparent))
		res, err := Fix(src, out, KindCertificate, Options{})
		if err != nil {
			t.Fatal(err)
		}
		f, _ := os.ReadFile(res.Path)
		img, err := jpeg.Decode(bytes.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		if r, g, b, _ := img.At(300, 150).RGBA(); r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
			t.Errorf("transparent area became %d,%d,%d", r>>8, g>>8, b>>8)
		}
	})

	t.Run("never overwrites", func(t *testing.T) {
		src := writeFile(t, dir, "same.png", encodePNG(t, quadrants(200, 100)))
		taken := writeFile(t, dir, "same-fixed.jpg", []byte("someone else's file"))
		res, err := Fix(src, dir, KindCertificate, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Path != filepath.Join(dir, "same-fixed-2.jpg") {
			t.Errorf("wrote %s", res.Path)
		}
		if b, _ := os.ReadFile(taken); string(b) != "someone else's file" {
			t.Error("an existing file was replaced")
		}
	})

	t.Run("nothing to fix", func(t *testing.T) {
		src := writeFile(t, dir, "fine.jpg", encodeJPEG(t, quadrants(200, 100), 90))
		if _, err := Fix(src, out, KindCertificate, Options{Limits: Limits{MaxBytes: 4 << 20}}); !errors.Is(err, ErrNothingToFix) {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("cannot fit without losing legibility", func(t *testing.T) {
		src := writeFile(t, dir, "hopeless.jpg", encodeJPEG(t, noisy(fixMinSide, 1200, 3), 90))
		_, err := Fix(src, out, KindCertificate, Options{Limits: Limits{MaxBytes: 20 << 10}})
		if err == nil {
			t.Error("a 20 KB limit was met by a 1600 px noisy picture?")
		}
	})

	t.Run("undecodable", func(t *testing.T) {
		src := writeFile(t, dir, "x.jpg", []byte("%PDF-1.4"))
		var fe *FileError
		if _, err := Fix(src, out, KindCertificate, Options{}); !errors.As(err, &fe) {
			t.Errorf("err = %v", err)
		}
	})
}
