package imaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// scaledCase is one generated case made large enough (long side 2100 or
// 3200) that the checks decode it at half size.
type scaledCase struct {
	name string
	kind Kind
	bg   Background
	img  func() image.Image
	// want: verdicts the case must still get at this size (the others
	// need only agree between the two decodes).
	want map[string]Verdict
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
			func() image.Image { return testgen.Document(s) }, nil})
	}
	for _, c := range photoCases {
		// At 2100 px the face needs the full-size decode for its
		// sharpness; at 3200 px (a 12 MP phone photo's scale) it is read
		// from the half-size picture, where the cases about focus and
		// light must come out alike too.
		sides := []float64{2100}
		if c.edit == nil || slices.Contains([]Verdict{Warn, Fail, Doubtful}, c.want["photo.sharpness"]) ||
			slices.Contains([]Verdict{Warn, Fail, Doubtful}, c.want["photo.exposure"]) {
			sides = append(sides, 3200)
		}
		for _, side := range sides {
			s := testgen.StandardPhoto()
			if c.edit != nil {
				c.edit(&s)
			}
			k := side / float64(max(s.W, s.H))
			s.W, s.H, s.Blur = int(float64(s.W)*k), int(float64(s.H)*k), s.Blur*k
			var want map[string]Verdict
			if side == 3200 {
				want = map[string]Verdict{"photo.sharpness": c.want["photo.sharpness"], "photo.exposure": c.want["photo.exposure"]}
			}
			cases = append(cases, scaledCase{fmt.Sprintf("photo %s at %.0f px", c.name, side), KindPhoto, c.bg,
				func() image.Image { return testgen.Photo(s) }, want})
		}
	}
	return cases
}

// TestScaledDecodeGivesTheSameVerdicts: the checks of a JPEG decoded at
// half size (what CheckFile does) give every check the verdict they give
// when it is decoded at full size, on every generated document and photo
// case; and a photo of 12 MP's scale still gets its case's verdict for
// focus and light.
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
		if want, listed := c.want[ck.ID]; listed && ck.Verdict != want {
			diffs = append(diffs, fmt.Sprintf("%s = %v (%s), the case wants %v", ck.ID, ck.Verdict, ck.Measured, want))
		}
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

// TestOriginalDecodesAgainForDetail: for every EXIF orientation, a region
// whose half-size pixels are fewer than a check asks for is read from a
// second, full-size decode, exactly image/jpeg's picture turned and
// cropped; a region with pixels to spare is read from the half-size
// picture and equals what a full-size open gives (Original averages
// both alike), within rounding.
func TestOriginalDecodesAgainForDetail(t *testing.T) {
	spec := testgen.StandardPhoto()
	spec.W, spec.H, spec.Noise = 2400, 1800, 6
	plain := encodeJPEG(t, testgen.Photo(spec), 90)
	decoded, err := jpeg.Decode(bytes.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	for o := 1; o <= 8; o++ {
		data := withOrientation(plain, o, binary.BigEndian)
		open := func(detail int) *Working {
			w, _, err := openBytes(data, KindPhoto, Limits{}, DefaultGuard, detail)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		// The reference owes nothing to Original: image/jpeg's picture,
		// turned as EXIF o says, cropped.
		shown := orientFull(decoded, o)
		for _, c := range []struct {
			name      string
			region    image.Rectangle
			shiftLeft uint // fullShift after Original
		}{
			{"small region, decoded again", image.Rect(700, 902, 900, 1140), 0},
			{"large region, from the half-size picture", image.Rect(101, 203, 1301, 1403), 1},
		} {
			w := open(WorkingSide)
			if w.fullShift != 1 {
				t.Fatalf("EXIF %d: opened at shift %d", o, w.fullShift)
			}
			got := w.Original(c.region, 256)
			if w.fullShift != c.shiftLeft {
				t.Errorf("EXIF %d, %s: shift after Original = %d, want %d", o, c.name, w.fullShift, c.shiftLeft)
			}
			if c.shiftLeft == 0 {
				if d := meanDiff(t, got, reduce(subImage(shown, c.region), 256)); d.worst != 0 {
					t.Errorf("EXIF %d, %s: differs from image/jpeg's picture, turned and cropped: %+v", o, c.name, d)
				}
				continue
			}
			if d := meanDiff(t, got, open(0).Original(c.region, 256)); d.mean > 0.3 || d.worst > 3 {
				t.Errorf("EXIF %d, %s: differs from a full-size open: %+v", o, c.name, d)
			}
			if d := meanDiff(t, got, reduce(subImage(shown, c.region), 256)); d.mean > 3 {
				t.Errorf("EXIF %d, %s: not the region of image/jpeg's picture: %+v", o, c.name, d)
			}
		}
	}
	w, _, err := openBytes(plain, KindPhoto, Limits{}, DefaultGuard, WorkingSide)
	if err != nil {
		t.Fatal(err)
	}
	w.Release()
	if w.redecode != nil || w.full != nil {
		t.Error("Release keeps the picture or the way to decode it again")
	}
}

type pixelDiff struct {
	mean  float64
	worst int
}

func meanDiff(t *testing.T, got, want *image.NRGBA) pixelDiff {
	t.Helper()
	if got.Rect.Size() != want.Rect.Size() {
		t.Fatalf("region %v, want %v", got.Rect, want.Rect)
	}
	var sum, worst int
	for i := range got.Pix {
		d := int(got.Pix[i]) - int(want.Pix[i])
		sum += max(d, -d)
		worst = max(worst, d, -d)
	}
	return pixelDiff{float64(sum) / float64(len(got.Pix)), worst}
}

// TestOriginalKeepsTheHalfSizePictureOfAChangedFile: a file replaced after
// it passed the caps is not decoded again, the region comes from the
// picture already decoded: whether the change shows in the file's time, or
// only in its header (same inode, size and time, a larger picture inside).
func TestOriginalKeepsTheHalfSizePictureOfAChangedFile(t *testing.T) {
	spec := testgen.StandardPhoto()
	spec.W, spec.H = 1800, 2400
	first := encodeJPEG(t, testgen.Photo(spec), 90)
	larger := encodeJPEG(t, quadrants(2400, 3200), 50)
	if len(larger) > len(first) {
		t.Fatalf("the replacement (%d bytes) must fit in the first file (%d)", len(larger), len(first))
	}
	for _, c := range []struct {
		name        string
		replacement []byte
		keepTime    bool
	}{
		{"another picture, newer", encodeJPEG(t, quadrants(1800, 2400), 90), false},
		// Trailing bytes after the end marker are ignored by decoders.
		{"a larger picture, same size and time", append(larger, make([]byte, len(first)-len(larger))...), true},
	} {
		path := filepath.Join(t.TempDir(), "photo.jpg")
		if err := os.WriteFile(path, first, 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		w, _, err := openFile(path, KindPhoto, Limits{}, DefaultGuard, WorkingSide)
		if err != nil || w.fullShift != 1 {
			t.Fatalf("open: %v, shift %d", err, w.fullShift)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(c.replacement); err != nil {
			t.Fatal(err)
		}
		f.Close()
		when := time.Now().Add(time.Minute)
		if c.keepTime {
			when = st.ModTime()
		}
		if err := os.Chtimes(path, when, when); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		crop := w.Original(image.Rect(700, 900, 900, 1140), 256)
		runtime.ReadMemStats(&after)
		if w.fullShift != 1 || crop.Rect.Dx() != 100 || crop.Rect.Dy() != 120 {
			t.Errorf("%s: shift %d, crop %v: decoded the changed file", c.name, w.fullShift, crop.Rect)
		}
		// Not decoded at all, not even to be thrown away: a decode of
		// the replacement allocates 11 MB.
		if n := after.TotalAlloc - before.TotalAlloc; n > 2<<20 {
			t.Errorf("%s: %d bytes allocated: the changed file was decoded", c.name, n)
		}
	}
}

// TestGIFFrameSmallerThanItsScreen: a GIF's picture is its first frame,
// whatever screen its header declares: sizes, scale and boxes are the
// frame's.
func TestGIFFrameSmallerThanItsScreen(t *testing.T) {
	frame := image.NewPaletted(image.Rect(100, 50, 900, 650), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0},
		Config: image.Config{ColorModel: frame.Palette, Width: 2000, Height: 1500}})
	if err != nil {
		t.Fatal(err)
	}
	for _, detail := range []int{0, WorkingSide} {
		w, _, err := openBytes(buf.Bytes(), KindCertificate, Limits{}, DefaultGuard, detail)
		if err != nil {
			t.Fatal(err)
		}
		if w.Width != 800 || w.Height != 600 || w.Scale != 1 || w.Img.Rect.Dx() != 800 {
			t.Errorf("detail %d: %d×%d at scale %v, working %v; want the 800×600 frame at 1:1", detail, w.Width, w.Height, w.Scale, w.Img.Rect)
		}
		if r := w.ToOriginal(w.Img.Rect); r != image.Rect(0, 0, 800, 600) {
			t.Errorf("detail %d: the whole working image maps to %v", detail, r)
		}
	}
}

// TestOriginalFromSeveralGoroutines: checks of one file may ask for
// regions at once while one of them swaps in the full-size decode; all
// get the same pixels (run with -race to see the swap is guarded).
func TestOriginalFromSeveralGoroutines(t *testing.T) {
	spec := testgen.StandardPhoto()
	spec.W, spec.H = 1800, 2400
	w, _, err := openBytes(encodeJPEG(t, testgen.Photo(spec), 90), KindPhoto, Limits{}, DefaultGuard, WorkingSide)
	if err != nil {
		t.Fatal(err)
	}
	region := image.Rect(700, 900, 900, 1140)
	got := make([]*image.NRGBA, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = w.Original(region, 256) })
	}
	wg.Wait()
	for i, g := range got[1:] {
		if d := meanDiff(t, g, got[0]); d.worst != 0 {
			t.Errorf("goroutine %d got other pixels: %+v", i+1, d)
		}
	}
}
