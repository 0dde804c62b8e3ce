package gui

import (
	"errors"
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
	if o == nil {
		return nil
	}
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.TempWidgetRenderer(t, c).Objects()
	}
	for _, k := range kids {
		if b := findButton(t, k, text); b != nil {
			return b
		}
	}
	return nil
}

func newTestUI(t *testing.T, deleteAll func() error) (*UI, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := LoadTranslations(); err != nil {
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
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), lang.L("All data was deleted. The app will now close.")) {
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
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), "panic: boom") {
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
