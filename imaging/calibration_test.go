package imaging

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// calibrationCase is one document of testdata/documents/manifest.json:
// how an applicant made it and what a careful reviewer says of each check.
type calibrationCase struct {
	Name string `json:"name"`
	How  string `json:"how"`
	Kind Kind   `json:"kind"`
	// File, relative to testdata/documents, instead of a generated Spec.
	File string       `json:"file"`
	Spec calibSpec    `json:"spec"`
	JPEG []int        `json:"jpeg"`
	Want calibExpects `json:"expect"`
}

// calibSpec is a testgen.DocSpec with its shape and surface by name.
type calibSpec struct {
	Shape   string `json:"shape"`
	Surface string `json:"surface"`
	testgen.DocSpec
}

// calibExpects maps a check's short name ("outline" for
// "document.outline") to "pass", "warn", "doubtful", "fail" or "any".
type calibExpects map[string]string

func (s calibSpec) docSpec(t *testing.T) testgen.DocSpec {
	d := s.DocSpec
	shapes := map[string]testgen.DocShape{"id_card": testgen.IDCard, "a4": testgen.A4Licence}
	surfaces := map[string]testgen.Surface{"dark": testgen.PlainDark, "cluttered": testgen.Cluttered,
		"scanner": testgen.Scanner, "flatbed": testgen.Flatbed, "light": testgen.LightDesk}
	var ok1, ok2 bool
	d.Shape, ok1 = shapes[s.Shape]
	d.Surface, ok2 = surfaces[s.Surface]
	if !ok1 || !ok2 {
		t.Fatalf("unknown shape %q or surface %q", s.Shape, s.Surface)
	}
	return d
}

// verdictClass folds verdicts into what the table compares: a warning and
// a doubt both send the applicant back to look, so they are one class.
func verdictClass(v Verdict) int {
	switch v {
	case Pass:
		return 0
	case Warn, Doubtful:
		return 1
	}
	return 2
}

var classNames = []string{"pass", "warn/doubt", "fail"}

func loadCalibration(t *testing.T) []calibrationCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "documents", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cases []calibrationCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m.Cases
}

// calibrationChecks draws (or reads) a case and runs the document checks
// on it, through the real opening path for files and JPEGs.
func calibrationChecks(t *testing.T, c calibrationCase) []Check {
	var w *Working
	var err error
	switch {
	case c.File != "":
		w, _, err = Open(filepath.Join("testdata", "documents", c.File), c.Kind, Limits{})
	case len(c.JPEG) > 0:
		w, _, err = OpenBytes(testgen.JPEG(testgen.Document(c.Spec.docSpec(t)), c.JPEG...), c.Kind, Limits{}, DefaultGuard)
	default:
		w = FromImage(testgen.Document(c.Spec.docSpec(t)), 1)
	}
	if err != nil {
		t.Fatalf("%s: %v", c.Name, err)
	}
	defer w.Release()
	return CheckDocument(w, c.Kind)
}

// TestDocumentCalibration runs every check on every document of the
// calibration set and prints the confusion table of what a reviewer
// expects against what the checks say. It fails when more than 2 % of
// the checks that should not fail do (false fails: an applicant told to
// redo a good scan), or more than 5 % of those that should not pass do
// (false passes: a bad scan sent to the provider).
//
//	go test ./imaging -run TestDocumentCalibration -v
func TestDocumentCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("draws about 90 documents")
	}
	cases := loadCalibration(t)
	if len(cases) < 60 {
		t.Errorf("the calibration set has %d documents, want at least 60", len(cases))
	}
	results := make([][]Check, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, c := range cases {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = calibrationChecks(t, c)
		})
	}
	wg.Wait()

	var table [3][4]int // expected class × got class, or not reported
	var disagree []string
	for i, c := range cases {
		got := map[string]Check{}
		for _, ck := range results[i] {
			got[strings.TrimPrefix(ck.ID, "document.")] = ck
			assertCheckTexts(t, c.Name, ck) // every way of making a document speaks both languages
		}
		names := slices.Sorted(func(yield func(string) bool) {
			seen := map[string]bool{}
			for n := range got {
				seen[n] = true
			}
			for n := range c.Want {
				seen[n] = true
			}
			for n := range seen {
				if !yield(n) {
					return
				}
			}
		})
		// Advice fits the way the picture was made: a scan or a picture the
		// document fills is never told to use a dark desk; and a measure
		// taken where no outline is confirmed says what it was taken on.
		scanned := c.Spec.Surface == "flatbed" || c.Spec.Surface == "scanner" || c.Spec.Crop || c.Spec.Margin != 0
		for _, ck := range results[i] {
			if scanned && (strings.Contains(ck.ZH, "深色桌面") || strings.Contains(ck.EN, "dark surface")) {
				t.Errorf("%s: %s advises a dark desk for a scan or a crop: %s", c.Name, ck.ID, ck.ZH)
			}
		}
		if o, ok := got["outline"]; (!ok || o.Verdict == Doubtful) && got["cropped"].Verdict != Fail {
			for _, n := range []string{"colour", "exposure"} {
				if m := got[n].MeasuredIn("zh"); !strings.Contains(m, "未确认") && !strings.Contains(m, "整个画面") {
					t.Errorf("%s: %s measured where no outline is confirmed, but says %q", c.Name, n, m)
				}
			}
		}
		for _, n := range names {
			want, listed := c.Want[n]
			if want == "any" {
				continue
			}
			ck, reported := got[n]
			if !listed {
				want = "pass"
			}
			var wv Verdict
			if err := wv.UnmarshalText([]byte(want)); err != nil {
				t.Fatalf("%s: %s: %v", c.Name, n, err)
			}
			e := verdictClass(wv)
			g := 3
			if reported {
				g = verdictClass(ck.Verdict)
			} else if !listed {
				continue // not applicable here, and nobody expected it
			}
			table[e][g]++
			if e != g {
				disagree = append(disagree, fmt.Sprintf("%-28s %-12s want %-8s got %-8s %s", c.Name, n, want,
					map[bool]string{true: ck.Verdict.String(), false: "absent"}[reported], ck.Measured))
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%d documents; checks: expected (rows) × got (columns)\n", len(cases))
	fmt.Fprintf(&b, "%-12s %6s %11s %6s %8s\n", "", "pass", "warn/doubt", "fail", "absent")
	for e, row := range table {
		fmt.Fprintf(&b, "%-12s %6d %11d %6d %8d\n", classNames[e], row[0], row[1], row[2], row[3])
	}
	// A problem the checks do not report at all was let through: absent
	// counts as a pass.
	sum := func(row [4]int) int { return row[0] + row[1] + row[2] + row[3] }
	notFail, notPass := sum(table[0])+sum(table[1]), sum(table[1])+sum(table[2])
	falseFail := table[0][2] + table[1][2]
	falsePass := table[1][0] + table[1][3] + table[2][0] + table[2][3]
	ffr := float64(falseFail) / float64(max(notFail, 1))
	fpr := float64(falsePass) / float64(max(notPass, 1))
	fmt.Fprintf(&b, "false fails %d/%d = %.1f %% (limit 2 %%); false passes %d/%d = %.1f %% (limit 5 %%)\n",
		falseFail, notFail, 100*ffr, falsePass, notPass, 100*fpr)
	for _, d := range disagree {
		b.WriteString("  " + d + "\n")
	}
	t.Log("\n" + b.String())
	if ffr > 0.02 {
		t.Errorf("false fails %.1f %% > 2 %%", 100*ffr)
	}
	if fpr > 0.05 {
		t.Errorf("false passes %.1f %% > 5 %%", 100*fpr)
	}
}

// The same spec draws the same pixels, whatever it asks for: the
// manifest's verdicts stay attached to its documents.
func TestCalibrationDeterministic(t *testing.T) {
	s := testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.Flatbed, DPI: 100, Pos: [2]float64{0.3, 0.6}, Angle: 2,
		Tilt: 5, Light: [3]float64{1.08, 0.97, 0.72}, Shadow: 0.3, Moire: 4, Noise: 6, Margin: 0.1, Seed: 9}
	a, b := testgen.Document(s), testgen.Document(s)
	if !slices.Equal(a.Pix, b.Pix) || a.Rect != b.Rect {
		t.Fatal("the same spec drew two different pictures")
	}
	s.Seed++
	if slices.Equal(a.Pix, testgen.Document(s).Pix) {
		t.Error("another seed drew the same noise")
	}
}
