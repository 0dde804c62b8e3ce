package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

var testDay = func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) }

// newTestWizard opens the wizard on an application in the software test
// driver, with the app's translations and theme.
func newTestWizard(t *testing.T, app *filing.Application) (*Wizard, fyne.Window, *[]*filing.Application) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := LoadTranslations(""); err != nil {
		t.Fatal(err)
	}
	a.Settings().SetTheme(Theme{})
	var saved []*filing.Application
	ctl := NewController(filing.DefaultPack(), app, testDay, func(a *filing.Application) { saved = append(saved, a) })
	wz := NewWizard(ctl, nil)
	w := test.NewTempWindow(t, wz.Content())
	wz.window = w
	w.Resize(fyne.NewSize(1100, 800))
	// The step's timers end with the test, not in the middle of the next.
	t.Cleanup(func() { fyne.DoAndWait(wz.Close) })
	return wz, w, &saved
}

func TestWizardBlocksNextUntilStepIsComplete(t *testing.T) {
	wz, w, saved := newTestWizard(t, &filing.Application{SchemaVersion: filing.SchemaVersion})
	if wz.Current() != filing.StepPrepare {
		t.Fatalf("starts at step %d", wz.Current())
	}
	wz.Next()
	if wz.Current() != filing.StepPrepare {
		t.Fatal("Next left a step with blocking findings")
	}
	if !footerSays(wz, "请先阅读接入须知") {
		t.Errorf("the footer does not say what blocks: %q", wz.summary.Text)
	}
	markup := shownText(w.Canvas())
	if !strings.Contains(markup, "请选择接入类型") {
		t.Error("after Next, the fields' findings are not shown inline")
	}

	// Fill step 0 through the widgets, as a person does.
	var selects []*widget.Select
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if s, ok := o.(*widget.Select); ok {
			selects = append(selects, s)
		}
	}
	if len(selects) < 2 {
		t.Fatalf("found %d selects on step 0", len(selects))
	}
	if selects[0].PlaceHolder != "(请选择)" {
		t.Errorf("Fyne's select placeholder is not translated: %q", selects[0].PlaceHolder)
	}
	selects[0].SetSelected("浙江（浙）")
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if s, ok := o.(*widget.Select); ok && len(s.Options) == 2 {
			s.SetSelectedIndex(0)
		}
	}
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if c, ok := o.(*widget.Check); ok && strings.Contains(c.Text, "已阅读") {
			test.Tap(c)
		}
	}
	app := wz.ctl.App()
	if app.Province != "33" || app.Kind != filing.NewAccess || !app.PreparationRead {
		t.Fatalf("widgets did not reach the application: %+v", app)
	}
	if len(*saved) == 0 {
		t.Error("edits were not saved")
	}
	wz.Next()
	if wz.Current() != filing.StepVerifyType {
		t.Fatalf("Next went to %d", wz.Current())
	}
	wz.Back()
	if wz.Current() != filing.StepPrepare {
		t.Fatalf("Back went to %d", wz.Current())
	}
}

func TestWizardFindingShownWhenFieldIsLeft(t *testing.T) {
	app := completeTestApp()
	app.Websites[0].Name = ""
	wz, w, _ := newTestWizard(t, app)
	wz.show(filing.StepAccessInfo)
	var nameEntry *fieldEntry
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if e, ok := o.(*fieldEntry); ok && e.PlaceHolder == "至少 3 个汉字，说明网站内容" {
			nameEntry = e
		}
	}
	if nameEntry == nil {
		t.Fatal("website name entry not found")
	}
	hint := func() *widget.Label {
		for _, v := range wz.fields.views {
			if v.path == "websites[0].name" {
				return v.hint
			}
		}
		t.Fatal("no field view for the website name")
		return nil
	}
	test.Type(nameEntry, "示例")
	if hint().Visible() {
		t.Error("a finding shows while the user is still typing")
	}
	nameEntry.FocusLost()
	if h := hint(); !h.Visible() || !strings.Contains(h.Text, "网站名称至少需要 3 个汉字") || h.Importance != widget.DangerImportance {
		t.Errorf("the finding is not shown when the field is left: %q", h.Text)
	}
	test.Type(nameEntry, "科技官网")
	if got := wz.ctl.App().Websites[0].Name; got != "示例科技官网" {
		t.Fatalf("name %q", got)
	}
	if hint().Visible() {
		t.Error("the finding stays after the name was fixed")
	}
}

func TestWizardSkipsStepsThatDoNotApply(t *testing.T) {
	app := completeTestApp()
	app.Kind = filing.ContinueAccess
	app.Province = "31"
	app.Subject.Domicile.Province, app.Subject.MailingAddress.Province = "31", "31"
	app.Websites[0].ICPNumber = "沪ICP备2021003158号-1"
	wz, _, _ := newTestWizard(t, app)
	wz.show(filing.StepPrepare)
	wz.Next()
	if wz.Current() != filing.StepProduct {
		t.Errorf("continue access went from step 0 to %d, want 2", wz.Current())
	}
	wz.show(filing.StepSMS)
	wz.Back()
	if wz.Current() != filing.StepUpload {
		t.Errorf("Shanghai: Back from SMS went to %d, want the uploads (the photo is done in the Shanghai app)", wz.Current())
	}
}

func TestWizardRemoveWebsiteAndUndo(t *testing.T) {
	app := completeTestApp()
	app.Websites = append(app.Websites, app.Websites[0])
	app.Websites[1].Domain = "second.example.cn"
	wz, _, _ := newTestWizard(t, app)
	wz.show(filing.StepAccessInfo)
	wz.removeWebsite(1)
	if n := len(wz.ctl.App().Websites); n != 1 {
		t.Fatalf("%d websites after removal", n)
	}
	wz.Undo()
	if n := len(wz.ctl.App().Websites); n != 2 || wz.ctl.App().Websites[1].Domain != "second.example.cn" {
		t.Fatalf("undo did not restore the website: %+v", wz.ctl.App().Websites)
	}
}

func TestReviewStepLinksToFindings(t *testing.T) {
	app := completeTestApp()
	app.FilingPassword = filing.Secret{}
	wz, w, _ := newTestWizard(t, app)
	wz.show(filing.StepSubmit)
	markup := shownText(w.Canvas())
	if !strings.Contains(markup, "3  工信部备案密码") || !strings.Contains(markup, "请填写工信部备案密码") {
		t.Fatal("the review does not list the missing password under its step")
	}
	// The finding is a link to its field.
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if l, ok := o.(*widget.Hyperlink); ok && strings.Contains(l.Text, "请填写工信部备案密码") {
			// On the text, as a person clicks it: a link ignores taps beside its text.
			test.TapAt(l, fyne.NewPos(20, l.Size().Height/2))
			break
		}
	}
	if wz.Current() != filing.StepFilingPassword {
		t.Errorf("the link went to step %d", wz.Current())
	}
}

func TestSubmitWithoutBackendPointsToSettings(t *testing.T) {
	wz, w, _ := newTestWizard(t, completeTestApp())
	wz.show(filing.StepSubmit)
	if !strings.Contains(shownText(w.Canvas()), "尚未配置后端") {
		t.Error("no message about the missing backend")
	}
}

// completeTestApp is a complete Zhejiang enterprise filing (as in the
// filing package's tests and testdata/example-application.json).
func completeTestApp() *filing.Application {
	data := mustRead("../testdata/example-application.json")
	app, err := filing.DecodeApplication(data)
	if err != nil {
		panic(err)
	}
	return app
}

// footerSays is whether one of the footer's finding links says text.
func footerSays(wz *Wizard, text string) bool {
	for _, o := range wz.footer.Objects {
		if l, ok := o.(*widget.Hyperlink); ok && strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}
