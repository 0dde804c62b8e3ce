package gui

import (
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// packDocuments checks each kept file as what its slot holds, with the rule
// pack's limits: main's adapter, minus Badger (which TestJourney… in
// package main exercises).
type packDocuments struct{ fileDocuments }

func (d packDocuments) Check(a filing.Attachment, s Scan) (*imaging.Report, error) {
	pack := filing.DefaultPack()
	day := filing.DateOf(testDay())
	kind := scans.KindOf(s.Slot, s.CertificateType)
	opts, err := scans.Options(pack, kind, scans.Background(pack, s.Province, day), day)
	if err != nil {
		return nil, err
	}
	opts.Preview = true
	return imaging.CheckFile(filepath.Join(d.dir, a.SHA256), kind, opts)
}

// writeJPEG encodes img into dir/name.
func writeJPEG(t *testing.T, dir, name string, img image.Image) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return p
}

// photoWithTop is the standard passing photo with another top.
func photoWithTop(c color.NRGBA) image.Image {
	spec := testgen.StandardPhoto()
	spec.Top = testgen.Top{Color: c}
	return testgen.Photo(spec)
}

// journeyApp is the example filing with its files replaced by generated
// scans kept in docs, each passing its slot's checks, and the photo with
// the given top.
func journeyApp(t *testing.T, docs packDocuments, top color.NRGBA) *filing.Application {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "example-application.json"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	for i := range app.Documents {
		img := testgen.PassingScan(string(scans.KindOf(app.Documents[i].Slot, app.Subject.CertificateType)), uint64(10+i))
		att, err := docs.Keep(writeJPEG(t, src, app.Documents[i].Slot+".jpg", img))
		if err != nil {
			t.Fatal(err)
		}
		app.Documents[i].Attachment = &att
	}
	att, err := docs.Keep(writeJPEG(t, src, "photo.jpg", photoWithTop(top)))
	if err != nil {
		t.Fatal(err)
	}
	app.Photo.Attachment = &att
	return app
}

// waitFor runs the UI's pending work until cond holds (the checks run off
// the UI goroutine and report through fyne.Do).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func stepStatus(wz *Wizard, s filing.Step) filing.StepStatus {
	var st filing.StepStatus
	fyne.DoAndWait(func() { st = wz.ctl.Flow().Steps[s].Status })
	return st
}

// A photo that fails its check (a red top) blocks step 6 and the filing:
// the step's mark and footer say so, the review page names the rule and
// keeps Submit disabled; with a grey top instead the step is done. While
// the check runs, the step says it is checking, never done.
func TestJourneyFailingPhotoBlocksTheGate(t *testing.T) {
	docs := packDocuments{fileDocuments{dir: t.TempDir()}}
	app := journeyApp(t, docs, testgen.Red)
	wz, w, _ := newTestWizard(t, app)
	wz.docs = docs
	if got := stepStatus(wz, filing.StepPhoto); got != filing.StepChecking {
		t.Fatalf("before any check, step 6 is %v, want checking", got)
	}
	wz.Start()
	waitFor(t, "the photo's check", func() bool { return stepStatus(wz, filing.StepPhoto) != filing.StepChecking })
	if got := stepStatus(wz, filing.StepPhoto); got != filing.StepBlocked {
		t.Fatalf("a red top: step 6 is %v, want blocked", got)
	}
	var r filing.Readiness
	fyne.DoAndWait(func() { r = wz.ctl.Readiness() })
	if r.Sendable() || !hasRule(r.Blocking, "photo.clothing") {
		t.Fatalf("the gate lets a red top through, or names another rule: %+v", r.Blocking)
	}
	fyne.DoAndWait(func() { wz.show(filing.StepPhoto) })
	if !strings.Contains(wz.summary.Text, "须修改") {
		t.Errorf("step 6 footer does not say it is blocked: %q", wz.summary.Text)
	}
	if len(wz.footer.Objects) == 0 {
		t.Error("step 6 footer lists no reason")
	}
	fyne.DoAndWait(func() { wz.show(filing.StepSubmit) })
	submit := findButton(t, w.Canvas().Content(), "提交")
	if submit == nil || !submit.Disabled() {
		t.Fatal("the review page offers an enabled Submit for a red top")
	}
	if markup := shownText(w.Canvas()); !strings.Contains(markup, "网站负责人核验照片") {
		t.Error("the review page does not show the photo")
	}

	// Replacing the photo with a grey top passes step 6.
	src := t.TempDir()
	grey, err := docs.Keep(writeJPEG(t, src, "grey.jpg", photoWithTop(testgen.Grey)))
	if err != nil {
		t.Fatal(err)
	}
	fyne.DoAndWait(func() { wz.ctl.Edit(func(a *filing.Application) { a.Photo.Attachment = &grey }) })
	if got := stepStatus(wz, filing.StepPhoto); got != filing.StepChecking {
		t.Errorf("a new photo not checked yet: step 6 is %v, want checking", got)
	}
	fyne.DoAndWait(wz.checkTargets)
	waitFor(t, "the new photo's check", func() bool { return stepStatus(wz, filing.StepPhoto) != filing.StepChecking })
	if got := stepStatus(wz, filing.StepPhoto); got != filing.StepDone && got != filing.StepToConfirm {
		var st filing.StepState
		fyne.DoAndWait(func() { st = wz.ctl.Flow().Steps[filing.StepPhoto] })
		t.Fatalf("a grey top: step 6 is %v: %+v", got, st.Blocking)
	}
}

func hasRule(fs []filing.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// Steps never claim done before the province is known, and a step the
// province skips says so.
func TestStepsTellTheTruthBeforeTheProvince(t *testing.T) {
	wz, _, _ := newTestWizard(t, &filing.Application{SchemaVersion: filing.SchemaVersion})
	for _, s := range []filing.Step{filing.StepUpload, filing.StepPhoto, filing.StepSMS} {
		if got := stepStatus(wz, s); got == filing.StepDone || got == filing.StepNotNeeded {
			t.Errorf("step %d is %v before the province is chosen", s, got)
		}
	}
	// Shanghai verifies with its own app: step 6 is not needed, not done.
	wz2, _, _ := newTestWizard(t, &filing.Application{SchemaVersion: filing.SchemaVersion, Province: "31"})
	if got := stepStatus(wz2, filing.StepPhoto); got != filing.StepNotNeeded {
		t.Errorf("Shanghai's photo step is %v, want not needed", got)
	}
}

// A backend's finding shows on its field marked as the backend's, with its
// time, until the field is edited; then the filing can be sent again.
func TestBackendFindingClearsWhenItsFieldIsEdited(t *testing.T) {
	app := &filing.Application{SchemaVersion: filing.SchemaVersion, Province: "12",
		Websites: []filing.Website{{Domain: "example.com", Name: "某某的个人博客"}}}
	wz, _, _ := newTestWizard(t, app)
	sent := app.Clone()
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	returned := []filing.Finding{{Rule: "backend.name", Severity: filing.Block, Field: "websites[0].name",
		ZH: "网站名称与原备案不一致。", EN: "The site name differs from the original filing."}}
	fyne.DoAndWait(func() { wz.ctl.SetBackendFindings(returned, sent, at) })
	var got []filing.Finding
	fyne.DoAndWait(func() { got = wz.ctl.FieldFindings("websites[0].name") })
	found := false
	for _, f := range got {
		if f.Rule == "backend.name" {
			found = true
			if !strings.Contains(f.ZH, "后台") || !strings.Contains(f.ZH, at.Local().Format("15:04")) || f.At == nil {
				t.Errorf("not marked as the backend's with its time: %q", f.ZH)
			}
		}
	}
	if !found {
		t.Fatalf("the backend's finding is not on its field: %+v", got)
	}
	// Editing another field keeps it; editing its own field drops it.
	fyne.DoAndWait(func() { wz.ctl.Edit(func(a *filing.Application) { a.Websites[0].Remark = "x" }) })
	if !hasRule(wz.ctl.Findings(), "backend.name") {
		t.Fatal("editing another field dropped the backend's finding")
	}
	fyne.DoAndWait(func() { wz.ctl.Edit(func(a *filing.Application) { a.Websites[0].Name = "某某的个人网站" }) })
	if hasRule(wz.ctl.Findings(), "backend.name") {
		t.Fatal("the backend's finding stays after its field was edited")
	}
}

// After a refusal the review page offers "Submit again" (same draft); after
// acceptance it shows the receipt and "View progress" instead of Submit.
func TestReviewPageAfterRefusalAndAcceptance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status SubmissionStatus
		want   string
		absent string
	}{
		{"returned", SubmissionStatus{State: "被后台退回", Returned: true, Received: false}, "再次提交", ""},
		{"accepted", SubmissionStatus{State: "初审中", Received: true, RemoteID: "f-123", ReceivedAt: testDay()}, "查看进度", "提交"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := &filing.Application{SchemaVersion: filing.SchemaVersion, ID: "d1"}
			wz, w, _ := newTestWizard(t, app)
			wz.submit = &fakeSubmitter{status: tc.status}
			fyne.DoAndWait(func() { wz.show(filing.StepSubmit) })
			if findButton(t, w.Canvas().Content(), tc.want) == nil {
				t.Errorf("no %q button", tc.want)
			}
			if tc.absent != "" && findButton(t, w.Canvas().Content(), tc.absent) != nil {
				t.Errorf("a %q button after acceptance", tc.absent)
			}
			if tc.status.RemoteID != "" && !strings.Contains(shownText(w.Canvas()), tc.status.RemoteID) {
				t.Error("the receipt id is not shown")
			}
		})
	}
}

// The passwords typed in this run survive leaving the wizard and opening
// the draft again, although the store (no passphrase) does not keep them;
// Settings opens over the wizard without leaving it.
func TestPasswordsSurviveLeavingTheWizard(t *testing.T) {
	a := test.NewTempApp(t)
	if err := LoadTranslations(""); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ui := NewUI(a, Services{Pack: filing.DefaultPack(), Drafts: storeDrafts{st: st}, Settings: noSettings{}, Now: testDay})
	app := &filing.Application{SchemaVersion: filing.SchemaVersion, Province: "12"}
	if _, err := st.SaveDraft(app); err != nil {
		t.Fatal(err)
	}
	fyne.DoAndWait(func() {
		ui.openWizard(app)
		ui.wizard.show(filing.StepFilingPassword)
		ui.wizard.ctl.Edit(func(a *filing.Application) { a.FilingPassword = filing.NewSecret("miit-secret") })
	})
	// Settings from inside the wizard: the wizard stays on its step.
	fyne.DoAndWait(func() {
		findButton(t, ui.win.Canvas().Content(), "设置").OnTapped()
	})
	if ui.wizard == nil || ui.wizard.Current() != filing.StepFilingPassword {
		t.Fatal("opening Settings left the wizard")
	}
	fyne.DoAndWait(ui.showHome)
	reloaded, _, err := st.LoadDraft(app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded.FilingPassword.IsSet() {
		t.Fatal("the store kept a password without a passphrase")
	}
	fyne.DoAndWait(func() { ui.openWizard(reloaded) })
	if got := ui.wizard.ctl.App().FilingPassword.Reveal(); got != "miit-secret" {
		t.Fatalf("the password typed in this run is lost after leaving the wizard: %q", got)
	}
	var entry *fieldEntry
	fyne.DoAndWait(func() {
		ui.wizard.show(filing.StepFilingPassword)
		entry = findObject(t, ui.win.Canvas().Content(), func(e *fieldEntry) bool { return e.Password })
	})
	if entry == nil || entry.Text != "miit-secret" {
		t.Fatal("the password field is empty after coming back")
	}
	// Opened from a batch, the same draft is the same wizard: its password
	// of this run is there, and closing it goes back to the batch.
	back := false
	fyne.DoAndWait(func() {
		ui.showHome()
		ui.OpenWizardThen(reloaded, func() { back = true })
	})
	if got := ui.wizard.ctl.App().FilingPassword.Reveal(); got != "miit-secret" {
		t.Fatalf("opened from a batch, the draft lost the password typed in this run: %q", got)
	}
	fyne.DoAndWait(func() { ui.wizard.onClose() })
	if !back || ui.wizard != nil {
		t.Error("closing the wizard did not go back to the batch")
	}
}

// Without a store passphrase, the applicant is told once, on leaving step
// 3 with a password typed, that it must be typed again after a restart.
func TestPasswordNoteOnceWhenLeavingStep3(t *testing.T) {
	wz, w, _ := newTestWizard(t, &filing.Application{SchemaVersion: filing.SchemaVersion, Province: "12"})
	wz.passphrase = func() bool { return false }
	notes := func() int {
		n := 0
		for _, o := range w.Canvas().Overlays().List() {
			if strings.Contains(test.RenderObjectToMarkup(o), "密码只保留到程序退出") {
				n++
			}
		}
		return n
	}
	fyne.DoAndWait(func() {
		wz.show(filing.StepFilingPassword)
		wz.show(filing.StepAccessInfo)
	})
	if notes() != 0 {
		t.Fatal("the note shows with no password typed")
	}
	fyne.DoAndWait(func() {
		wz.show(filing.StepFilingPassword)
		wz.ctl.Edit(func(a *filing.Application) { a.FilingPassword = filing.NewSecret("pw") })
		wz.show(filing.StepAccessInfo)
		wz.show(filing.StepFilingPassword)
		wz.show(filing.StepAccessInfo)
	})
	if n := notes(); n != 1 {
		t.Fatalf("the note showed %d times, want once", n)
	}
}

// A finding's link takes the applicant to its step, scrolls its field into
// view and puts the cursor in it.
func TestFindingLinkFocusesItsField(t *testing.T) {
	app := completeTestApp()
	app.Websites[0].Owner.Email = ""
	wz, w, _ := newTestWizard(t, app)
	var target filing.Finding
	for _, f := range wz.ctl.Findings() {
		if f.Field == "websites[0].owner.email" && f.Severity == filing.Block {
			target = f
		}
	}
	if target.Field == "" {
		t.Fatal("no finding for the missing e-mail")
	}
	fyne.DoAndWait(func() { wz.show(filing.StepSubmit) })
	fyne.DoAndWait(func() { wz.goTo(target) })
	if wz.Current() != filing.StepAccessInfo {
		t.Fatalf("the link went to step %d", wz.Current())
	}
	var want fyne.CanvasObject
	for _, v := range wz.fields.views {
		if v.path == target.Field {
			want = v.target
		}
	}
	if got := w.Canvas().Focused(); got == nil || got != want.(fyne.Focusable) {
		t.Errorf("the cursor is in %T, not the e-mail field", got)
	}
	if wz.scroll.Offset.Y <= 0 {
		t.Error("the step did not scroll to the field")
	}
}

// A scan's warning must be acknowledged on the review page, one tick per
// warning; the tick is kept with the filing and lets it through, and a
// replaced file needs a tick of its own.
func TestAcknowledgeWarningOnReviewPage(t *testing.T) {
	docs := packDocuments{fileDocuments{dir: t.TempDir()}}
	app := journeyApp(t, docs, testgen.Grey)
	app.FilingPassword = filing.NewSecret("pw")
	// A form photographed too small: document.resolution warns.
	small, err := docs.Keep(writeJPEG(t, t.TempDir(), "form-small.jpg",
		testgen.Document(testgen.DocSpec{Shape: testgen.A4Licence, W: 1200, H: 1600, Seed: 5})))
	if err != nil {
		t.Fatal(err)
	}
	for i := range app.Documents {
		if app.Documents[i].Slot == "verification_form" {
			app.Documents[i].Attachment = &small
		}
	}
	wz, w, saved := newTestWizard(t, app)
	wz.docs = docs
	wz.Start()
	ready := func() filing.Readiness {
		var r filing.Readiness
		fyne.DoAndWait(func() { r = wz.ctl.Readiness() })
		return r
	}
	waitFor(t, "every file's check", func() bool { return len(ready().Checking) == 0 })
	r := ready()
	if r.Sendable() || len(r.Blocking) != 0 || len(r.ToConfirm) != 1 || r.ToConfirm[0].Rule != "document.resolution" {
		t.Fatalf("want exactly one warning to confirm: blocking %+v, to confirm %+v", r.Blocking, r.ToConfirm)
	}
	if got := stepStatus(wz, filing.StepUpload); got != filing.StepToConfirm {
		t.Errorf("step 5 is %v, want to confirm", got)
	}
	fyne.DoAndWait(func() { wz.show(filing.StepSubmit) })
	var tick *widget.Check
	fyne.DoAndWait(func() {
		tick = findObject(t, w.Canvas().Content(), func(c *widget.Check) bool { return c.Text == "仍然提交" })
	})
	if tick == nil {
		t.Fatal("no tick for the warning on the review page")
	}
	// On the box, as a person clicks it (the box sits in the middle of its row).
	fyne.DoAndWait(func() { test.TapAt(tick, fyne.NewPos(10, tick.Size().Height/2)) })
	if r := ready(); !r.Sendable() {
		t.Fatalf("still not sendable after the tick: %+v", r.Reasons())
	}
	last := (*saved)[len(*saved)-1]
	if len(last.Acknowledgements) != 1 || last.Acknowledgements[0].SHA256 != small.SHA256 {
		t.Fatalf("the acknowledgement is not kept with the filing: %+v", last.Acknowledgements)
	}
	if findButton(t, w.Canvas().Content(), "提交") == nil {
		t.Fatal("no Submit button")
	}
}

// While a submission can still move, the card follows the outbox's record
// by itself: a status the worker polled shows without pressing anything.
func TestSubmissionCardFollowsTheOutbox(t *testing.T) {
	old := statusWatch
	statusWatch = 20 * time.Millisecond
	defer func() { statusWatch = old }()
	// The test driver runs a tick's work on the timer's goroutine: the
	// ticks and the test's reading of the window take turns.
	var ui sync.Mutex
	oldOnUI := onUI
	onUI = func(f func()) {
		ui.Lock()
		defer ui.Unlock()
		f()
	}
	app := &filing.Application{SchemaVersion: filing.SchemaVersion, ID: "d1"}
	wz, w, _ := newTestWizard(t, app)
	t.Cleanup(func() {
		ui.Lock()
		defer ui.Unlock()
		wz.Close() // its timers stop before the lock goes
		onUI = oldOnUI
	})
	sub := &fakeSubmitter{status: SubmissionStatus{State: "初审中", Received: true, RemoteID: "f-1",
		LastChecked: testDay(), NextCheck: testDay().Add(time.Hour)}}
	var mu sync.Mutex
	fyne.DoAndWait(func() {
		wz.submit = lockedSubmitter{sub, &mu}
		wz.show(filing.StepSubmit)
	})
	mu.Lock()
	sub.status.State = "管局审核中"
	sub.status.LastChecked = testDay().Add(time.Minute)
	mu.Unlock()
	waitFor(t, "the card to show the polled status", func() bool {
		ui.Lock()
		defer ui.Unlock()
		return strings.Contains(shownText(w.Canvas()), "管局审核中")
	})
}

// lockedSubmitter guards a fakeSubmitter changed by the test while the
// window reads it.
type lockedSubmitter struct {
	*fakeSubmitter
	mu *sync.Mutex
}

func (l lockedSubmitter) Latest(id string) (SubmissionStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fakeSubmitter.Latest(id)
}

func (l lockedSubmitter) History(id string) []SubmissionStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fakeSubmitter.History(id)
}
