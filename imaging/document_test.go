package imaging

import (
	"image"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// Canvases: 1.9 MP for cards, 3 MP for A4 pages: large enough that a well
// framed document meets the resolution minimum (1 000 / 1 600 px), small
// enough to draw in a fraction of a second.
var (
	idCanvas = testgen.DocSpec{Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4}
	a4Canvas = testgen.DocSpec{Shape: testgen.A4Licence, W: 1500, H: 2000, Angle: 3, Fill: 0.8}
)

func spec(base testgen.DocSpec, edit func(*testgen.DocSpec)) testgen.DocSpec {
	edit(&base)
	return base
}

// documentCases are generated documents with the verdict each check must
// give. A check not listed must pass; a check listed as absent (-1) must
// not be reported at all (it cannot be judged, e.g. skew of a cut-off
// outline that is not trusted).
var documentCases = []struct {
	name    string
	kind    Kind
	spec    testgen.DocSpec
	want    map[string]Verdict
	verdict Verdict
}{
	{"id plain ok", KindIDFront, idCanvas, nil, Pass},
	{"id back plain ok", KindIDBack, spec(idCanvas, func(s *testgen.DocSpec) { s.Seed = 7; s.Angle = 2 }), nil, Pass},
	{"id cropped at the right edge", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Shift = [2]float64{0.25, 0} }),
		map[string]Verdict{"document.cropped": Fail, "document.outline": absent}, Fail},
	{"id skewed 17°", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Angle = 17; s.Fill = 0.66 }),
		map[string]Verdict{"document.skew": Warn}, Warn},
	{"id skewed 28°", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Angle = -28; s.Fill = 0.66 }),
		map[string]Verdict{"document.skew": Fail}, Fail},
	{"id on its side", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Angle = 88; s.Fill = 0.88; s.W, s.H = 1200, 1600 }),
		map[string]Verdict{"document.orientation": Warn}, Warn},
	{"id large glare", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Glare = 0.08 }),
		map[string]Verdict{"document.glare": Fail}, Fail},
	{"id small glare", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Glare = 0.025 }),
		map[string]Verdict{"document.glare": Warn}, Warn},
	{"id blurred", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Blur = 4 }),
		map[string]Verdict{"document.blur": Fail}, Fail},
	{"id slightly blurred", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Blur = 1.5 }),
		map[string]Verdict{"document.blur": Warn}, Warn},
	{"id dark", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Gain = 0.42 }),
		map[string]Verdict{"document.exposure": Fail}, Fail},
	{"id over-exposed", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Gain, s.Lift = 1.5, 50 }),
		map[string]Verdict{"document.exposure": Fail}, Fail},
	{"id greyscale scan", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Grey = true }),
		map[string]Verdict{"document.colour": Fail}, Fail},
	{"id photocopy under warm light", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Photocopy = true }),
		map[string]Verdict{"document.colour": Fail}, Fail},
	{"id small in the frame", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Fill = 0.45 }),
		map[string]Verdict{"document.resolution": Warn}, Warn},
	{"id tiny in the frame", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Fill = 0.3 }),
		map[string]Verdict{"document.resolution": Fail}, Fail},
	{"id on a cluttered table", KindIDFront, spec(idCanvas, func(s *testgen.DocSpec) { s.Surface = testgen.Cluttered; s.Fill = 0.6 }),
		map[string]Verdict{"document.outline": Doubtful, "document.cropped": absent, "document.skew": absent, "document.resolution": absent}, Doubtful},

	{"a4 licence plain ok", KindBusinessLicence, a4Canvas, nil, Pass},
	{"a4 licence on a cluttered table", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Surface = testgen.Cluttered; s.Fill = 0.75 }),
		map[string]Verdict{"document.outline": Doubtful, "document.cropped": absent, "document.skew": absent, "document.resolution": absent}, Doubtful},
	{"a4 licence flatbed scan", KindBusinessLicence, testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 1240},
		map[string]Verdict{"document.cropped": absent, "document.skew": absent}, Pass},
	{"a4 licence glare", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Glare = 0.08 }),
		map[string]Verdict{"document.glare": Fail}, Fail},
	{"a4 licence blurred", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Blur = 4 }),
		map[string]Verdict{"document.blur": Fail}, Fail},
	{"a4 licence over-exposed", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Gain, s.Lift = 1.3, 110 }),
		map[string]Verdict{"document.exposure": Fail}, Fail},
	{"a4 licence dark", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Gain = 0.4 }),
		map[string]Verdict{"document.exposure": Fail}, Fail},
	{"a4 licence skewed 14°", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Angle = -14; s.Fill = 0.62 }),
		map[string]Verdict{"document.skew": Warn, "document.resolution": Warn}, Warn},
	{"a4 licence cropped at the bottom", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Shift = [2]float64{0, 0.2} }),
		map[string]Verdict{"document.cropped": Fail, "document.outline": absent}, Fail},
	{"a4 licence greyscale", KindBusinessLicence, spec(a4Canvas, func(s *testgen.DocSpec) { s.Grey = true }),
		map[string]Verdict{"document.colour": Fail}, Fail},
	// The 核验单 is black print: no colour only warns (its seal must show).
	{"a4 form greyscale", KindVerificationForm, spec(a4Canvas, func(s *testgen.DocSpec) { s.Grey = true }),
		map[string]Verdict{"document.colour": Warn}, Warn},
	// Unit certificates have no one shape: any proportions pass.
	{"certificate any shape", KindCertificate, spec(idCanvas, func(s *testgen.DocSpec) { s.W, s.H, s.Fill = 2000, 1500, 0.85 }), nil, Pass},
}

// absent marks a check that must not be reported.
const absent Verdict = -1

func TestDocumentChecks(t *testing.T) {
	for _, c := range documentCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := FromImage(testgen.Document(c.spec), 1)
			checks := CheckDocument(w, c.kind)
			got := map[string]Check{}
			for _, ck := range checks {
				if _, dup := got[ck.ID]; dup {
					t.Errorf("%s reported twice", ck.ID)
				}
				got[ck.ID] = ck
				if ck.ZH == "" || ck.EN == "" {
					t.Errorf("%s has no message", ck.ID)
				}
				if ck.Verdict != Pass && !strings.ContainsAny(ck.ZH, "请") {
					t.Errorf("%s (%v) gives no fix in Chinese: %q", ck.ID, ck.Verdict, ck.ZH)
				}
				if ck.Region == "document" && (ck.Box.Empty() || !ck.Box.In(imageRect(w))) {
					t.Errorf("%s box %v outside the %d×%d picture", ck.ID, ck.Box, w.Width, w.Height)
				}
				want, listed := c.want[ck.ID]
				if !listed {
					want = Pass
				}
				if ck.Verdict != want {
					t.Errorf("%s = %v (%s), want %v", ck.ID, ck.Verdict, ck.Measured, want)
				}
			}
			for id, want := range c.want {
				if _, ok := got[id]; ok != (want != absent) {
					t.Errorf("%s reported = %v, want %v", id, ok, want != absent)
				}
			}
			for _, id := range []string{"document.colour", "document.blur", "document.glare", "document.exposure"} {
				if _, ok := got[id]; !ok {
					t.Errorf("%s missing: it is always measured", id)
				}
			}
			if v := Worst(checks); v != c.verdict {
				t.Errorf("verdict %v, want %v", v, c.verdict)
			}
		})
	}
}

func imageRect(w *Working) image.Rectangle { return image.Rect(0, 0, w.Width, w.Height) }

// TestDocumentChecksOnRealPhotographs: real photographs that are not
// documents (testdata/photo/README.md has their origin and licence) must
// never have their outline confirmed as a document's, whatever kind they
// are checked as: the honest answer is "doubtful", not a guess.
func TestDocumentChecksOnRealPhotographs(t *testing.T) {
	for _, f := range []string{"astronaut.jpg", "camera.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg"} {
		for _, k := range []Kind{KindIDFront, KindBusinessLicence, KindCertificate, KindDomainCertificate} {
			w, _, err := Open(filepath.Join("testdata", "photo", f), k, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			checks := CheckDocument(w, k)
			for _, c := range checks {
				if c.ID == "document.outline" && c.Verdict != Doubtful {
					t.Errorf("%s as %s: outline %v (%s)", f, k, c.Verdict, c.Measured)
				}
			}
			if v := Worst(checks); v < Doubtful {
				t.Errorf("%s as %s: verdict %v", f, k, v)
			}
		}
	}
}
