package gui

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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

// writeScan writes a scan of an ID card as PNG to dir/name.
func writeScan(t *testing.T, dir, name string) string {
	t.Helper()
	return writeDoc(t, dir, name, testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.PlainDark, W: 800, H: 600, Seed: 5})
}

// uploadWizard is the upload step of a filing with no documents yet, its
// files kept in a temporary directory and checked for real.
func uploadWizard(t *testing.T) (*Wizard, fyne.Window) {
	t.Helper()
	app := completeTestApp()
	app.Documents = nil
	wz, w, _ := newTestWizard(t, app)
	wz.docs = fileDocuments{dir: t.TempDir()}
	wz.show(filing.StepUpload)
	if len(wz.slots) < 3 {
		t.Fatalf("%d upload slots", len(wz.slots))
	}
	return wz, w
}

func slotFile(wz *Wizard, sv *slotView) *filing.Attachment {
	return attachmentOf(wz.ctl.App(), sv.slot, sv.website)
}

// fillOthers puts a file in every slot but the ones kept empty.
func fillOthers(t *testing.T, wz *Wizard, src string, empty ...int) {
	t.Helper()
	att, err := wz.docs.Keep(src)
	if err != nil {
		t.Fatal(err)
	}
	for i, sv := range wz.slots {
		if !slices.Contains(empty, i) {
			wz.ctl.Edit(func(a *filing.Application) { setAttachment(a, sv.slot, sv.website, &att) })
		}
	}
}

// shown scrolls the step so that the top of slot i is in view, as a user
// would before dropping on it.
func shown(wz *Wizard, i int) *widget.Card {
	d := fyne.CurrentApp().Driver()
	card := wz.slots[i].card
	scroll := wz.bodyScroll()
	scroll.ScrollToOffset(fyne.NewPos(0, d.AbsolutePositionForObject(card).Y-d.AbsolutePositionForObject(wz.body).Y))
	return card
}

func middleOf(o fyne.CanvasObject) fyne.Position {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return p.Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
}

// A file dropped on a slot goes in that slot; a file dropped beside the
// slots goes in the one empty slot, and is not taken (with a message
// naming it) when more than one slot could be meant.
func TestDropPutsFilesWhereTheyAreDropped(t *testing.T) {
	between := func(wz *Wizard) fyne.Position {
		d := fyne.CurrentApp().Driver()
		a, b := shown(wz, 0), wz.slots[1].card
		bottom := d.AbsolutePositionForObject(a).Y + a.Size().Height
		top := d.AbsolutePositionForObject(b).Y
		return fyne.NewPos(middleOf(a).X, (bottom+top)/2)
	}
	for _, c := range []struct {
		name  string
		empty []int // slots left empty before the drop
		files []string
		at    func(wz *Wizard) fyne.Position
		want  int // slot that gets the file, -1 for none
	}{
		{"on the second slot", []int{0, 1, 2}, []string{"scan.png"}, func(wz *Wizard) fyne.Position { return middleOf(shown(wz, 1)) }, 1},
		{"on a filled slot replaces its file", nil, []string{"scan.png"}, func(wz *Wizard) fyne.Position { return middleOf(shown(wz, 2)) }, 2},
		{"between slots, two empty", []int{0, 1}, []string{"scan.png"}, between, -1},
		{"between slots, one empty", []int{1}, []string{"scan.png"}, between, 1},
		{"two files between slots, two empty", []int{0, 1}, []string{"scan.png", "other.png"}, between, -1},
		{"two files on one slot", []int{0, 1}, []string{"scan.png", "other.png"}, func(wz *Wizard) fyne.Position { return middleOf(shown(wz, 0)) }, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			wz, w := uploadWizard(t)
			dir := t.TempDir()
			var paths []string
			for _, f := range c.files {
				paths = append(paths, writeScan(t, dir, f))
			}
			fillOthers(t, wz, writeScan(t, t.TempDir(), "before.png"), c.empty...)
			if got := strings.Count(shownText(w.Canvas()), "或把文件拖到这里"); got < 2 {
				t.Errorf("the drop hint shows on %d slot cards", got)
			}
			before := make([]*filing.Attachment, len(wz.slots))
			for i, sv := range wz.slots {
				before[i] = slotFile(wz, sv)
			}
			pos := c.at(wz)
			wz.dropped(pos, paths)
			if c.want >= 0 {
				sv := wz.slots[c.want]
				waitUntil(t, func() bool { return sv.report != nil })
				if a := slotFile(wz, sv); a == nil || a.OriginalName != c.files[0] {
					t.Fatalf("slot %d holds %+v, want %s", c.want, a, c.files[0])
				}
			}
			for i, sv := range wz.slots {
				if i != c.want && slotFile(wz, sv) != before[i] {
					t.Errorf("slot %d changed", i)
				}
			}
			if c.want < 0 {
				said := wz.summary.Text
				for _, sv := range wz.slots {
					said += "\n" + sv.status.Text
				}
				if !strings.Contains(said, c.files[0]) && !strings.Contains(said, fmt.Sprint(len(c.files))) {
					t.Errorf("nothing says why the file was not taken:\n%s", said)
				}
			}
		})
	}
}

// A path typed in a slot keeps that file; a bad one says why on the slot,
// which keeps the file it had.
func TestTypedPathInSlot(t *testing.T) {
	wz, _ := uploadWizard(t)
	dir := t.TempDir()
	good := writeScan(t, dir, "typed.png")
	sv := wz.slots[0]
	test.Type(sv.path, " '"+good+"' ")
	sv.path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	waitUntil(t, func() bool { return sv.report != nil })
	kept := slotFile(wz, sv)
	if kept == nil || kept.OriginalName != "typed.png" {
		t.Fatalf("the typed file was not kept: %+v", kept)
	}
	if sv.path.Text != "" {
		t.Errorf("the path box still says %q after the file was kept", sv.path.Text)
	}
	use := sv.path // the OK button sits right of the path box
	for _, c := range []struct{ name, typed, want string }{
		{"missing file", filepath.Join(dir, "nope.jpg"), "nope.jpg"},
		{"a folder", dir, "文件夹"},
		{"nothing", "   ", "请先输入"},
	} {
		t.Run(c.name, func(t *testing.T) {
			use.SetText(c.typed)
			tapButton(t, sv.card, "确定")
			if !strings.Contains(sv.status.Text, c.want) || sv.status.Importance != widget.DangerImportance {
				t.Errorf("slot says %q (importance %v), want a message with %q", sv.status.Text, sv.status.Importance, c.want)
			}
			if a := slotFile(wz, sv); a == nil || a.SHA256 != kept.SHA256 {
				t.Errorf("the slot lost its file: %+v", a)
			}
			if use.Text != c.typed {
				t.Errorf("the typed path was cleared: %q", use.Text)
			}
		})
	}
}

// tapButton taps the button labelled text inside o.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Button:
			if o.Text == text {
				found = o
			}
		case *widget.Card:
			walk(o.Content)
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	test.Tap(found)
}

// "Choose a file…" opens a chooser over most of the window, in the folder
// last used, folders first, then images only; a typed path chooses that
// file, a bad one is said and nothing closes.
func TestFileChooser(t *testing.T) {
	wz, w := uploadWizard(t)
	dir := t.TempDir()
	for _, d := range []string{"b-folder", "Zeta", ".hidden-folder"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"notes.txt", ".hidden.png", "C.PNG"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeScan(t, dir, "a.png")
	rememberFolder(filepath.Join(dir, "earlier.png"))

	sv := wz.slots[1]
	tapButton(t, sv.card, "选择文件…")
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no chooser opened")
	}
	want := w.Canvas().Size()
	if got := top.(*widget.PopUp).Content.Size(); got.Width < want.Width*0.8 || got.Height < want.Height*0.8 {
		t.Errorf("chooser is %v in a %v window", got, want)
	}
	markup := shownText(w.Canvas())
	var order []int
	for _, name := range []string{"b-folder", "Zeta", "a.png", "C.PNG"} {
		order = append(order, strings.Index(markup, ">"+name+"<"))
	}
	if !slices.IsSorted(order) || order[0] < 0 {
		t.Errorf("listed out of order (folders first, then images by name): %v", order)
	}
	for _, hidden := range []string{"notes.txt", ".hidden"} {
		if strings.Contains(markup, hidden) {
			t.Errorf("%s is listed", hidden)
		}
	}

	entry := findEntry(t, top)
	entry.SetText(filepath.Join(dir, "missing.png"))
	entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !top.Visible() || !strings.Contains(shownText(w.Canvas()), "missing.png") {
		t.Fatal("a missing file closed the chooser or was not said")
	}
	entry.SetText("a.png") // relative to the folder shown
	entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if top.Visible() {
		t.Fatal("the chooser stayed open after a file was chosen")
	}
	waitUntil(t, func() bool { return sv.report != nil })
	if a := slotFile(wz, sv); a == nil || a.OriginalName != "a.png" {
		t.Fatalf("slot holds %+v", a)
	}
	if got := startFolder(); got != dir {
		t.Errorf("next choice starts in %s, want %s", got, dir)
	}
}

func findEntry(t *testing.T, o fyne.CanvasObject) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Entry:
			if found == nil {
				found = o
			}
		case *widget.PopUp:
			walk(o.Content)
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	if found == nil {
		t.Fatal("no entry")
	}
	return found
}

// What people paste as a path is understood: quoted (file managers copy
// paths so), as a file:// URI, from the home folder, or relative.
func TestCleanPath(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	for _, c := range []struct{ typed, base, want string }{
		{"  /tmp/a.png ", "", "/tmp/a.png"},
		{`"/tmp/with space.png"`, "", "/tmp/with space.png"},
		{"'/tmp/a.png'", "", "/tmp/a.png"},
		{"file:///tmp/with%20space.png", "", "/tmp/with space.png"},
		{"~/scan.jpg", "", filepath.Join(home, "scan.jpg")},
		{"scan.jpg", "/data/scans", "/data/scans/scan.jpg"},
		{"../x/scan.jpg", "/data/scans", "/data/x/scan.jpg"},
		{"   ", "/data", ""},
	} {
		if got := cleanPath(c.typed, c.base); got != filepath.FromSlash(c.want) {
			t.Errorf("cleanPath(%q, %q) = %q, want %q", c.typed, c.base, got, c.want)
		}
	}
}

// A file dropped on a step that takes none is not lost silently.
func TestDropOnStepWithoutSlots(t *testing.T) {
	wz, _ := uploadWizard(t)
	wz.show(filing.StepAccessInfo)
	src := writeScan(t, t.TempDir(), "scan.png")
	wz.dropped(fyne.NewPos(500, 300), []string{src})
	if wz.summary.Importance != widget.WarningImportance || !strings.Contains(wz.summary.Text, "不需要文件") {
		t.Errorf("footer says %q", wz.summary.Text)
	}
	for _, sv := range wz.slots {
		if slotFile(wz, sv) != nil {
			t.Errorf("slot %s of another step got the file", sv.slot)
		}
	}
}
