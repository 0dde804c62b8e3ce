package gui

import (
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// fileDocuments keeps files in a directory by hash and checks them with
// the real image checks: what main's store-backed adapter does, minus Badger.
type fileDocuments struct{ dir string }

func (d fileDocuments) Keep(path string) (filing.Attachment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return filing.Attachment{}, err
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	if err := os.WriteFile(filepath.Join(d.dir, h), data, 0o600); err != nil {
		return filing.Attachment{}, err
	}
	mt := "image/jpeg"
	if strings.HasSuffix(path, ".png") {
		mt = "image/png"
	}
	return filing.Attachment{SHA256: h, Size: int64(len(data)), MediaType: mt, OriginalName: filepath.Base(path)}, nil
}

func (d fileDocuments) opts() imaging.Options {
	return imaging.Options{Preview: true, Limits: imaging.Limits{Formats: []string{"image/jpeg", "image/png"}, Discouraged: []string{"image/png"}, MaxBytes: 4 << 20}}
}

func (d fileDocuments) Check(a filing.Attachment, _ Scan) (*imaging.Report, error) {
	return imaging.CheckFile(filepath.Join(d.dir, a.SHA256), imaging.KindIDFront, d.opts())
}

func (d fileDocuments) Fix(a filing.Attachment, s Scan) (filing.Attachment, *imaging.Report, error) {
	res, err := imaging.Fix(filepath.Join(d.dir, a.SHA256), t0dir(d.dir), imaging.KindIDFront, d.opts())
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	fixed, err := d.Keep(res.Path)
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	rep, err := d.Check(fixed, s)
	return fixed, rep, err
}

func t0dir(dir string) string {
	p := filepath.Join(dir, "fixed")
	_ = os.MkdirAll(p, 0o700)
	return p
}

// A scan chosen on the upload step is kept, checked off the UI goroutine
// with a spinner, shown with its report, and a PNG gets the one-click fix.
func TestUploadStepChecksAndFixes(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "id-card.png")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.PlainDark, W: 1600, H: 1200, Seed: 3})); err != nil {
		t.Fatal(err)
	}
	f.Close()

	app := completeTestApp()
	app.Documents = nil
	wz, w, _ := newTestWizard(t, app)
	wz.docs = fileDocuments{dir: t.TempDir()}
	wz.show(filing.StepUpload)
	if len(wz.slots) < 4 {
		t.Fatalf("%d upload slots for a Zhejiang enterprise", len(wz.slots))
	}
	sv := wz.slots[0]
	wz.keepAndCheck(sv, src)
	waitUntil(t, func() bool { return sv.report != nil })
	if attachmentOf(wz.ctl.App(), sv.slot, sv.website) == nil {
		t.Fatal("the chosen file did not fill the slot")
	}
	if !sv.preview.Visible() || sv.preview.Image == nil {
		t.Error("no annotated preview")
	}
	if len(sv.fixes.Objects) == 0 {
		t.Fatalf("a PNG scan offers no fix; checks:\n%s", sv.checks.Text)
	}
	if out := os.Getenv("ICPFILING_SHOT"); out != "" {
		if g, err := os.Create(out); err == nil {
			_ = png.Encode(g, w.Canvas().Capture())
			g.Close()
		}
	}
	sv.report = nil
	test.Tap(sv.fixes.Objects[0].(fyne.Tappable))
	waitUntil(t, func() bool {
		a := attachmentOf(wz.ctl.App(), sv.slot, sv.website)
		return a != nil && a.MediaType == "image/jpeg" && sv.report != nil
	})
	wz.Undo()
	if a := attachmentOf(wz.ctl.App(), sv.slot, sv.website); a == nil || a.MediaType != "image/png" {
		t.Error("undo did not bring back the original scan")
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
