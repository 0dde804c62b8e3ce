package imaging

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	pigo "github.com/esimov/pigo/core"

	"github.com/icpfiling/icpfiling/imaging/cascade"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

func photoPortrait(t testing.TB) *image.NRGBA {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testgen", "photo_portrait.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(src.Bounds())
	draw.Draw(img, img.Rect, src, src.Bounds().Min, draw.Src)
	return img
}

// TestDetectFacesPortrait pins what the generator relies on: where pigo
// finds the face in the portrait, and that its score is far above the
// threshold (imaging.md §2.5: Q 276 on the upscaled portrait).
func TestDetectFacesPortrait(t *testing.T) {
	faces := DetectFaces(photoPortrait(t))
	if len(faces) != 1 {
		t.Fatalf("%d faces, want 1: %v", len(faces), faces)
	}
	f := faces[0]
	c := f.Box.Min.Add(f.Box.Max)
	if math.Abs(float64(c.X)/2-testgen.PortraitFaceX) > 1 || math.Abs(float64(c.Y)/2-testgen.PortraitFaceY) > 1 ||
		math.Abs(float64(f.Size())-testgen.PortraitFaceSize) > 1 {
		t.Errorf("face %v; testgen assumes centre (%.1f, %.1f) side %.0f", f.Box,
			testgen.PortraitFaceX, testgen.PortraitFaceY, testgen.PortraitFaceSize)
	}
	if f.Score < 100 {
		t.Errorf("score %.1f, want a clear detection", f.Score)
	}
}

func TestMergeFaces(t *testing.T) {
	sq := func(x, y, s int, q float64) Face { return Face{Box: image.Rect(x, y, x+s, y+s), Score: q} }
	tests := []struct {
		name   string
		in     []Face
		want   []Face
		reason string
	}{
		{"one", []Face{sq(10, 10, 100, 50)}, []Face{sq(10, 10, 100, 50)}, ""},
		{"overlapping duplicates merge, scores add", []Face{sq(10, 10, 100, 40), sq(22, 18, 100, 60)},
			[]Face{sq(22, 18, 100, 100)}, "IoU ≈ 0.6: the better box stays"},
		{"a small box inside a face merges", []Face{sq(0, 0, 200, 80), sq(60, 60, 50, 9)},
			[]Face{sq(0, 0, 200, 89)}, "covered 100 %"},
		{"two people side by side stay two", []Face{sq(0, 0, 100, 80), sq(120, 0, 90, 70)},
			[]Face{sq(0, 0, 100, 80), sq(120, 0, 90, 70)}, ""},
		{"touching at an edge stay two", []Face{sq(0, 0, 100, 30), sq(70, 0, 100, 20)},
			[]Face{sq(0, 0, 100, 30), sq(70, 0, 100, 20)}, "IoU 0.18, cover 0.3"},
		{"a chain merges into the best", []Face{sq(0, 0, 100, 10), sq(10, 0, 100, 90), sq(20, 0, 100, 10)},
			[]Face{sq(10, 0, 100, 110)}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mergeFaces(append([]Face(nil), tc.in...))
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v (%s)", got, tc.want, tc.reason)
			}
			for i := range got {
				if got[i].Box != tc.want[i].Box || math.Abs(got[i].Score-tc.want[i].Score) > 1e-9 {
					t.Errorf("face %d = %v, want %v (%s)", i, got[i], tc.want[i], tc.reason)
				}
			}
		})
	}
}

// TestFindEyesMatchesPigo: the deterministic pupil walk lands where
// pigo's own RunDetector lands (the median of 63 random starts moves by a
// pixel or so between runs, hence the tolerance), and twice the same.
func TestFindEyesMatchesPigo(t *testing.T) {
	img := photoPortrait(t)
	w, h := img.Rect.Dx(), img.Rect.Dy()
	gray := grayPixels(img)
	face := DetectFaces(img)[0]
	e1, ok := findEyes(face, gray, w, h)
	e2, _ := findEyes(face, gray, w, h)
	if !ok || e1 != e2 {
		t.Fatalf("eyes %+v ok=%v, then %+v", e1, ok, e2)
	}
	plc, err := pigo.NewPuplocCascade().UnpackCascade(cascade.Puploc)
	if err != nil {
		t.Fatal(err)
	}
	s := float32(face.Size())
	c := face.Centre()
	params := pigo.ImageParams{Pixels: gray, Rows: h, Cols: w, Dim: w}
	l := plc.RunDetector(pigo.Puploc{Row: c.Y - int(0.075*s), Col: c.X - int(0.175*s), Scale: 0.25 * s, Perturbs: 63}, params, 0, false)
	r := plc.RunDetector(pigo.Puploc{Row: c.Y - int(0.075*s), Col: c.X + int(0.185*s), Scale: 0.25 * s, Perturbs: 63}, params, 0, false)
	tol := 0.02 * float64(s)
	for _, d := range []float64{e1.LeftX - float64(l.Col), e1.LeftY - float64(l.Row), e1.RightX - float64(r.Col), e1.RightY - float64(r.Row)} {
		if math.Abs(d) > tol {
			t.Errorf("ours %+v, pigo left (%d,%d) right (%d,%d)", e1, l.Col, l.Row, r.Col, r.Row)
			break
		}
	}
	// The portrait's pupils (by eye: about (114,185) and (204,183)).
	if e1.Distance() < 85 || e1.Distance() > 95 || math.Abs(e1.Roll()) > 3 {
		t.Errorf("eye distance %.1f, roll %.1f°", e1.Distance(), e1.Roll())
	}
}

func TestParsePuplocRejectsDamage(t *testing.T) {
	good := cascade.Puploc
	tests := map[string][]byte{
		"empty":     nil,
		"header":    good[:16],
		"truncated": good[:len(good)-1],
		"zero depth": func() []byte {
			b := append([]byte(nil), good...)
			b[12], b[13], b[14], b[15] = 0, 0, 0, 0
			return b
		}(),
	}
	for name, b := range tests {
		if _, err := parsePuploc(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	if _, err := parsePuploc(good); err != nil {
		t.Errorf("embedded cascade: %v", err)
	}
}
