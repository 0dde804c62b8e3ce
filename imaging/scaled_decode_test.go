package imaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// scaledCase is one generated case made large enough (long side 2100)
// that the checks decode it at half size.
type scaledCase struct {
	name string
	kind Kind
	bg   Background
	img  func() image.Image
}

// scaledCases are the document and photo tables' cases, enlarged; blur
// grows with the canvas so that a picture stays as sharp or as blurred as
// its case meant.
func scaledCases() []scaledCase {
	var cases []scaledCase
	for _, c := range documentCases {
		s := c.spec
		k := 2100.0 / float64(max(s.W, s.H))
		s.W, s.H, s.Blur = int(float64(s.W)*k), int(float64(s.H)*k), s.Blur*k
		cases = append(cases, scaledCase{"document " + c.name, c.kind, Background{},
			func() image.Image { return testgen.Document(s) }})
	}
	for _, c := range photoCases {
		s := testgen.StandardPhoto()
		if c.edit != nil {
			c.edit(&s)
		}
		k := 2100.0 / float64(max(s.W, s.H))
		s.W, s.H, s.Blur = int(float64(s.W)*k), int(float64(s.H)*k), s.Blur*k
		cases = append(cases, scaledCase{"photo " + c.name, KindPhoto, c.bg,
			func() image.Image { return testgen.Photo(s) }})
	}
	return cases
}

// TestScaledDecodeGivesTheSameVerdicts: the checks of a JPEG decoded at
// half size (what CheckFile does) give every check the verdict they give
// when it is decoded at full size, on every generated document and photo
// case.
func TestScaledDecodeGivesTheSameVerdicts(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 65 pictures of 3 MP twice")
	}
	cases := scaledCases()
	diffs := make([][]string, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				diffs[i] = compareDecodes(t, cases[i])
			}
		})
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, d := range diffs {
		for _, line := range d {
			t.Errorf("%s: %s", cases[i].name, line)
		}
	}
}

func compareDecodes(t *testing.T, c scaledCase) []string {
	data := encodeJPEG(t, c.img(), 90)
	checks := func(detail int) ([]Check, uint) {
		w, _, err := openBytes(data, c.kind, Limits{}, DefaultGuard, detail)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			return nil, 0
		}
		defer w.Release()
		shift := w.fullShift
		return checkContent(w, c.kind, Options{Background: c.bg}), shift
	}
	full, _ := checks(0)
	scaled, shift := checks(WorkingSide)
	var diffs []string
	if shift != 1 {
		diffs = append(diffs, fmt.Sprintf("decoded with shift %d, want 1", shift))
	}
	byID := map[string]Check{}
	for _, ck := range full {
		byID[ck.ID] = ck
	}
	for _, ck := range scaled {
		f, ok := byID[ck.ID]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s reported only when scaled (%v, %s)", ck.ID, ck.Verdict, ck.Measured))
		case f.Verdict != ck.Verdict:
			diffs = append(diffs, fmt.Sprintf("%s = %v (%s) scaled, %v (%s) full", ck.ID, ck.Verdict, ck.Measured, f.Verdict, f.Measured))
		}
		delete(byID, ck.ID)
	}
	for id := range byID {
		diffs = append(diffs, id+" reported only at full size")
	}
	return diffs
}

// TestOriginalDecodesAgainForDetail: a region whose half-size pixels are
// fewer than a check asks for is read from a second, full-size decode, so
// it is exactly what a full-size open gives; a region with pixels to spare
// is read from the half-size picture and stays close to it. Both under an
// EXIF turn, whose mapping the scaled coordinates must follow.
func TestOriginalDecodesAgainForDetail(t *testing.T) {
	spec := testgen.StandardPhoto()
	spec.W, spec.H, spec.Noise = 2400, 1800, 6
	data := withOrientation(encodeJPEG(t, testgen.Photo(spec), 90), 6, binary.BigEndian)
	open := func(detail int) *Working {
		w, _, err := openBytes(data, KindPhoto, Limits{}, DefaultGuard, detail)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	// The reference owes nothing to Original: image/jpeg's picture, turned
	// as EXIF 6 says, cropped.
	decoded, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	shown := orientFull(decoded, 6)
	for _, c := range []struct {
		name      string
		region    image.Rectangle
		maxSide   int
		shiftLeft uint // fullShift after Original
		exact     bool
	}{
		{"small region, decoded again", image.Rect(700, 900, 900, 1140), 256, 0, true},
		{"large region, from the half-size picture", image.Rect(100, 200, 1300, 1400), 256, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := open(WorkingSide)
			if w.fullShift != 1 || w.Width != 1800 || w.Height != 2400 {
				t.Fatalf("opened at shift %d as %d×%d", w.fullShift, w.Width, w.Height)
			}
			got, want := w.Original(c.region, c.maxSide), reduce(subImage(shown, c.region), c.maxSide)
			if w.fullShift != c.shiftLeft {
				t.Errorf("shift after Original = %d, want %d", w.fullShift, c.shiftLeft)
			}
			if got.Rect.Size() != want.Rect.Size() {
				t.Fatalf("region %v, want %v", got.Rect, want.Rect)
			}
			var diff, worst int
			for i := range got.Pix {
				d := int(got.Pix[i]) - int(want.Pix[i])
				diff += max(d, -d)
				worst = max(worst, d, -d)
			}
			mean := float64(diff) / float64(len(got.Pix))
			if c.exact && worst != 0 || mean > 2 {
				t.Errorf("differs from image/jpeg's picture, turned and cropped: mean %.2f, worst %d", mean, worst)
			}
		})
	}
	w := open(WorkingSide)
	w.Release()
	if w.redecode != nil || w.full != nil {
		t.Error("Release keeps the picture or the way to decode it again")
	}
}

// TestOriginalKeepsTheHalfSizePictureOfAChangedFile: a file replaced after
// it passed the caps is not decoded again; the region comes from the
// picture already decoded.
func TestOriginalKeepsTheHalfSizePictureOfAChangedFile(t *testing.T) {
	spec := testgen.StandardPhoto()
	spec.W, spec.H = 1800, 2400
	path := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(path, encodeJPEG(t, testgen.Photo(spec), 90), 0o644); err != nil {
		t.Fatal(err)
	}
	w, _, err := openFile(path, KindPhoto, Limits{}, DefaultGuard, WorkingSide)
	if err != nil || w.fullShift != 1 {
		t.Fatalf("open: %v, shift %d", err, w.fullShift)
	}
	if err := os.WriteFile(path, encodeJPEG(t, quadrants(1800, 2400), 90), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	crop := w.Original(image.Rect(700, 900, 900, 1140), 256)
	if w.fullShift != 1 || crop.Rect.Dx() != 100 || crop.Rect.Dy() != 120 {
		t.Fatalf("shift %d, crop %v: decoded the changed file", w.fullShift, crop.Rect)
	}
}
