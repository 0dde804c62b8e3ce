package gui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

type noDrafts struct{}

func (noDrafts) List(string) ([]DraftSummary, error)          { return nil, nil }
func (noDrafts) Create() (*filing.Application, error)         { return nil, errors.New("no") }
func (noDrafts) Load(string) (*filing.Application, error)     { return nil, errors.New("no") }
func (noDrafts) Save(*filing.Application)                     {}
func (noDrafts) Duplicate(string) (string, error)             { return "", errors.New("no") }
func (noDrafts) Delete(string) (func() error, error)          { return nil, errors.New("no") }
func (noDrafts) Export([]string, string) error                { return errors.New("no") }
func (noDrafts) Import(string) (int, error)                   { return 0, errors.New("no") }
func (noSettings) Backend() (BackendSettings, error)          { return BackendSettings{}, nil }
func (noSettings) SetBackend(BackendSettings) error           { return nil }
func (noSettings) HasPassphrase() bool                        { return false }
func (noSettings) Locked() bool                               { return false }
func (noSettings) Unlock(filing.Secret) error                 { return nil }
func (noSettings) SetPassphrase(old, new filing.Secret) error { return nil }

type noSettings struct{}

// findButton walks the top overlay (the open dialog) for a button.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	return findObject(t, o, func(b *widget.Button) bool { return b.Text == text })
}

// findObject walks o's tree for the first T that match accepts (the zero
// T when there is none).
func findObject[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject, match func(T) bool) T {
	t.Helper()
	x, _ := walkFor(t, o, match)
	return x
}

func walkFor[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject, match func(T) bool) (T, bool) {
	var none T
	if o == nil {
		return none, false
	}
	if x, ok := o.(T); ok && match(x) {
		return x, true
	}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.TempWidgetRenderer(t, c).Objects()
	}
	for _, k := range kids {
		if x, ok := walkFor(t, k, match); ok {
			return x, true
		}
	}
	return none, false
}

func newTestUI(t *testing.T, deleteAll func() error) (*UI, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := LoadTranslations(""); err != nil {
		t.Fatal(err)
	}
	a.Settings().SetTheme(Theme{})
	ui := NewUI(a, Services{Pack: filing.DefaultPack(), Drafts: noDrafts{}, Settings: noSettings{}, DeleteAllData: deleteAll})
	ui.Window().Resize(fyne.NewSize(1100, 760))
	return ui, ui.Window()
}

func TestDeleteAllDataAsksThenDeletes(t *testing.T) {
	calls := 0
	ui, w := newTestUI(t, func() error { calls++; return nil })
	ui.showSettings()
	wipe := findButton(t, w.Canvas().Overlays().Top(), lang.L("Delete all my data…"))
	if wipe == nil {
		t.Fatal("Settings has no delete-all button")
	}
	test.Tap(wipe)
	if calls != 0 {
		t.Fatal("deleted before the confirmation")
	}
	top := w.Canvas().Overlays().Top()
	cancel := findButton(t, top, lang.L("Cancel"))
	if cancel == nil {
		t.Fatal("no confirmation dialog")
	}
	test.Tap(cancel)
	if calls != 0 {
		t.Fatal("deleted although the user cancelled")
	}
	ui.confirmDeleteAllData()
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), lang.L("Delete everything")))
	if calls != 1 {
		t.Fatalf("DeleteAllData called %d times, want 1", calls)
	}
	if !strings.Contains(shownText(w.Canvas()), lang.L("All data was deleted. The app will now close.")) {
		t.Error("no message that the data is gone")
	}
}

func TestDeleteAllDataHiddenWithoutAction(t *testing.T) {
	ui, w := newTestUI(t, nil)
	ui.showSettings()
	if findButton(t, w.Canvas().Overlays().Top(), lang.L("Delete all my data…")) != nil {
		t.Error("delete-all button shown with no action behind it")
	}
}

func TestCrashReportDelete(t *testing.T) {
	ui, w := newTestUI(t, nil)
	deleted := false
	ui.ShowCrashReport("panic: boom\n\ngoroutine 1", func() error { deleted = true; return nil })
	if !strings.Contains(shownText(w.Canvas()), "panic: boom") {
		t.Fatal("report text not shown")
	}
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), lang.L("Delete report")))
	if !deleted {
		t.Fatal("report not deleted")
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("dialog still open after deleting")
	}
}

// The language chosen in Settings is kept as a preference for the next
// start, and the user is told when it takes effect.
func TestSettingsKeepTheChosenLanguage(t *testing.T) {
	ui, w := newTestUI(t, nil)
	for _, c := range []struct{ pick, want string }{{"English", "en"}, {"中文（简体）", "zh"}, {lang.L("Follow the system"), ""}} {
		ui.showSettings()
		top := w.Canvas().Overlays().Top()
		sel := findObject(t, top, func(s *widget.Select) bool { return slices.Contains(s.Options, "English") })
		if sel == nil {
			t.Fatal("Settings has no language choice")
		}
		sel.SetSelected(c.pick)
		test.Tap(findButton(t, top, lang.L("Save")))
		if got := ui.app.Preferences().String(LanguagePreference); got != c.want {
			t.Errorf("picked %s: preference %q, want %q", c.pick, got, c.want)
		}
		if !strings.Contains(shownText(w.Canvas()), lang.L("The new language is used from the next start.")) {
			t.Errorf("picked %s: no word on when it takes effect", c.pick)
		}
		for w.Canvas().Overlays().Top() != nil {
			w.Canvas().Overlays().Top().Hide()
			w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
		}
	}
	// Reopened, Settings shows what was kept.
	ui.app.Preferences().SetString(LanguagePreference, "en")
	ui.showSettings()
	sel := findObject(t, w.Canvas().Overlays().Top(), func(s *widget.Select) bool { return slices.Contains(s.Options, "English") })
	if sel.Selected != "English" {
		t.Errorf("Settings shows %q for a kept English", sel.Selected)
	}
}
