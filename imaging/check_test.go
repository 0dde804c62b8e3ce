package imaging

import (
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckFileDocumentEndToEnd(t *testing.T) {
	dir := t.TempDir()
	ok := writeFile(t, dir, "id.jpg", encodeJPEG(t, testgen.Document(idCanvas), 90))
	blurred := writeFile(t, dir, "blurred.jpg", encodeJPEG(t, testgen.Document(spec(idCanvas, func(s *testgen.DocSpec) { s.Blur = 4 })), 90))
	pdf := writeFile(t, dir, "licence.jpg", []byte("%PDF-1.4\n1 0 obj\n"))
	lim := Limits{RuleID: "upload.default", Formats: []string{mediaJPEG, mediaPNG, mediaGIF}, Discouraged: []string{mediaGIF}, MaxBytes: 4 << 20}

	cases := []struct {
		path    string
		verdict Verdict
		failing []string
	}{
		{ok, Pass, nil},
		{blurred, Fail, []string{"document.blur"}},
		{pdf, Fail, []string{"file.format"}},
	}
	for _, c := range cases {
		rep, err := CheckFile(c.path, KindIDFront, Options{Limits: lim, Preview: true})
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if rep.Verdict != c.verdict || rep.Path != c.path || rep.Kind != KindIDFront {
			t.Errorf("%s: report %v %s %s, want %v", c.path, rep.Verdict, rep.Path, rep.Kind, c.verdict)
		}
		var failing []string
		for _, ck := range rep.Checks {
			if ck.Verdict == Fail {
				failing = append(failing, ck.ID)
			}
		}
		if !slices.Equal(failing, c.failing) {
			t.Errorf("%s: failing %v, want %v", c.path, failing, c.failing)
		}
		if c.path != pdf {
			if rep.Width != 1600 || rep.Height != 1200 || rep.MediaType != mediaJPEG || rep.Size == 0 {
				t.Errorf("%s: file facts %d×%d %s %d", c.path, rep.Width, rep.Height, rep.MediaType, rep.Size)
			}
			if rep.Preview == nil || rep.Preview.Bounds().Dx() != WorkingSide {
				t.Errorf("%s: preview %v", c.path, rep.Preview)
			}
		}
		// The JSON a CLI or a saved draft holds: verdicts as names, no image.
		data, err := json.Marshal(rep)
		if err != nil || !strings.Contains(string(data), `"verdict":"`+c.verdict.String()+`"`) || strings.Contains(string(data), "Preview") {
			t.Errorf("%s: JSON %s (%v)", c.path, data, err)
		}
	}
	if _, err := CheckFile(filepath.Join(dir, "missing.jpg"), KindIDFront, Options{Limits: lim}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestCheckFilePhotoUsesHook(t *testing.T) {
	saved := photoChecks
	defer func() { photoChecks = saved }()
	var gotBg Background
	photoChecks = func(w *Working, bg Background) []Check {
		gotBg = bg
		return []Check{{ID: "photo.stub", Verdict: Warn, ZH: "桩", EN: "stub", Region: "face", Box: image.Rect(0, 0, w.Width/2, w.Height/2)}}
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "photo.jpg", encodeJPEG(t, quadrants(1200, 1600), 90))
	bg := Background{RuleID: "background.backdrop-blue", RGB: [3]uint8{38, 92, 170}}
	rep, err := CheckFile(p, KindPhoto, Options{Background: bg})
	if err != nil {
		t.Fatal(err)
	}
	if gotBg != bg || rep.Verdict != Warn || rep.Checks[len(rep.Checks)-1].ID != "photo.stub" {
		t.Errorf("hook not used: bg %+v, report %+v", gotBg, rep)
	}
	photoChecks = nil
	rep, err = CheckFile(p, KindPhoto, Options{Background: bg})
	if err != nil || rep.Verdict != Doubtful {
		t.Errorf("without photo checks a photo must be doubtful, got %v (%v)", rep.Verdict, err)
	}
}

func TestAnnotateDrawsBoxesAndMasks(t *testing.T) {
	w := FromImage(image.NewNRGBA(image.Rect(0, 0, 2048, 1536)), 1) // black; working 1024×768, scale 2
	mask := image.NewAlpha(w.Img.Rect)
	for y := 600; y < 700; y++ {
		for x := 100; x < 200; x++ {
			mask.SetAlpha(x, y, color.Alpha{255})
		}
	}
	checks := []Check{
		{ID: "a", Verdict: Fail, Box: image.Rect(200, 200, 1000, 800)}, // original coordinates
		{ID: "b", Verdict: Pass, Box: image.Rect(200, 200, 1000, 800)}, // same box: drawn once, worst colour
		{ID: "c", Verdict: Warn, Mask: mask},
		{ID: "d", Verdict: Pass},
	}
	out := Annotate(w, checks)
	if out.Rect != w.Img.Rect {
		t.Fatalf("preview %v", out.Rect)
	}
	red := VerdictColor(Fail)
	// The box's right edge at working x ≈ 499 is drawn in the worst verdict.
	if got := out.NRGBAAt(499, 300); got != red {
		t.Errorf("box edge %v, want %v", got, red)
	}
	if got := out.NRGBAAt(300, 300); got != (color.NRGBA{0, 0, 0, 0}) {
		t.Errorf("inside the box changed: %v", got)
	}
	amber := VerdictColor(Warn)
	if got := out.NRGBAAt(150, 650); got.R == 0 || got.R > amber.R || got.G > amber.G {
		t.Errorf("mask not tinted towards %v: %v", amber, got)
	}
	if got := out.NRGBAAt(250, 650); got.R != 0 {
		t.Errorf("outside the mask tinted: %v", got)
	}
	if w.Img.NRGBAAt(499, 300) != (color.NRGBA{}) {
		t.Error("Annotate drew on the working image itself")
	}
}

func TestCheckAllPoolKeepsOrderAndIsolatesFailures(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.jpg", encodeJPEG(t, quadrants(300, 200), 90))
	bad := writeFile(t, dir, "bad.jpg", []byte("\xff\xd8\xff garbage"))
	missing := filepath.Join(dir, "missing.jpg")
	paths := []string{good, bad, missing, good, good, bad, good}
	jobs := make([]Job, len(paths))
	for i, p := range paths {
		jobs[i] = Job{Path: p, Kind: KindCertificate}
	}
	var calls atomic.Int32
	res := CheckAll(context.Background(), jobs, 3, func(int) { calls.Add(1) })
	if len(res) != len(jobs) || int(calls.Load()) != len(jobs) {
		t.Fatalf("%d results, %d progress calls for %d jobs", len(res), calls.Load(), len(jobs))
	}
	for i, r := range res {
		if r.Job.Path != paths[i] {
			t.Errorf("result %d is for %s, want %s", i, r.Job.Path, paths[i])
		}
		switch paths[i] {
		case missing:
			if r.Err == nil {
				t.Errorf("%d: missing file gave no error", i)
			}
		case bad:
			if r.Err != nil || r.Report.Verdict != Fail {
				t.Errorf("%d: corrupt file: %v %v", i, r.Err, r.Report)
			}
		default:
			if r.Err != nil || r.Report == nil {
				t.Errorf("%d: %v", i, r.Err)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range CheckAll(ctx, jobs, 0, nil) {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("cancelled batch ran %s: %v", r.Job.Path, r.Err)
		}
	}
	if res := CheckAll(context.Background(), nil, 0, nil); len(res) != 0 {
		t.Errorf("empty batch: %v", res)
	}
}
