package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// Services are the concrete parts main wires into the window. Any of
// Documents, Submitter and Settings may be nil; the screens then say what
// is not available instead of failing.
type Services struct {
	Pack      *filing.Pack
	Drafts    Drafts
	Documents Documents
	Submitter Submitter
	Settings  Settings
	Version   string
	// Licences are third-party licence texts shown in About, by component.
	Licences map[string]string
	Now      func() time.Time
	// DeleteAllData closes the store and removes everything the app keeps
	// on this computer; nil hides the action in Settings.
	DeleteAllData func() error
	// Batches is the agency batch mode (gui/batch.go); nil hides it.
	Batches BatchService
	// RulePacks updates the rule pack (gui/rulepack.go); nil keeps Pack.
	RulePacks RulePacks
}

// UI is the main window and the screen on it: the drafts list or a wizard.
type UI struct {
	Services
	app    fyne.App
	win    fyne.Window
	lang   string
	pack   *filing.Pack
	drafts Drafts
	home   *Home
	wizard *Wizard
	// secrets keeps the passwords typed in this run, sealed, until the app
	// quits: leaving a wizard does not lose them.
	secrets *sessionSecrets
	// rules tells of rule-pack updates and swaps the pack in use.
	rules *rulePacks
}

// WindowTitle is the main window's title. It contains "icpfiling" in every
// language, which is what scripts look for.
func WindowTitle() string { return lang.L("ICP Access Filing Assistant · icpfiling") }

// NewUI builds the main window on the drafts list.
func NewUI(a fyne.App, s Services) *UI {
	ui := &UI{Services: s, app: a, lang: Language(), pack: s.Pack, drafts: s.Drafts, secrets: newSessionSecrets()}
	if ui.Now == nil {
		ui.Now = time.Now
	}
	ui.win = a.NewWindow(WindowTitle())
	ui.win.Resize(initialWindowSize(screenSize(a)))
	ui.win.SetMaster()
	ui.rules = newRulePacks(ui)
	ui.win.SetOnDropped(func(pos fyne.Position, uris []fyne.URI) {
		if ui.wizard == nil {
			return
		}
		var paths []string
		for _, u := range uris {
			paths = append(paths, u.Path())
		}
		ui.wizard.dropped(pos, paths)
	})
	ui.showHome()
	return ui
}

// defaultWindowSize is the window's size on a screen that has room for it.
var defaultWindowSize = fyne.NewSize(1100, 760)

// initialWindowSize is the default size, made smaller to fit a known screen
// with room left for the title bar and a panel: the window never opens
// wider than the screen. The content fits 800×600 (TestWindowFitsSmallScreen).
func initialWindowSize(screen fyne.Size, known bool) fyne.Size {
	size := defaultWindowSize
	if !known {
		return size
	}
	return fyne.NewSize(min(size.Width, screen.Width), min(size.Height, screen.Height*0.92))
}

// Window is the main window.
func (ui *UI) Window() fyne.Window { return ui.win }

func (ui *UI) showHome() {
	if ui.wizard != nil {
		ui.wizard.Close()
	}
	ui.wizard = nil
	ui.home = newHome(ui)
	ui.win.SetContent(ui.home.content)
	ui.win.Canvas().Focus(ui.home.query)
}

// openWizard edits an application; every change is saved as it is made.
func (ui *UI) openWizard(app *filing.Application) { ui.OpenWizardThen(app, ui.showHome) }

// OpenWizardThen edits an application, and calls back when the wizard
// closes: the drafts list (openWizard) or the batch view. One way in, so
// that a draft opened from a batch gets what one from the drafts list
// gets (its passwords of this run, the rules note, its scans checked).
func (ui *UI) OpenWizardThen(app *filing.Application, back func()) {
	ctl := NewController(ui.pack, app, ui.Now, ui.drafts.Save)
	// The passwords typed in this run come back when the draft is opened
	// again; they follow every edit into the sealed keeper.
	if app.ID != "" {
		ui.secrets.restore(app.ID, app)
		ctl.OnChange(func() { ui.secrets.keep(app.ID, app) })
	}
	ui.wizard = NewWizard(ctl, func() {
		if ui.wizard != nil {
			ui.wizard.Close()
		}
		ui.wizard = nil
		back()
	})
	ui.wizard.window = ui.win
	ui.wizard.docs = ui.Documents
	ui.wizard.submit = ui.Submitter
	ui.wizard.settings = ui.showSettingsThen
	if ui.Settings != nil {
		ui.wizard.passphrase = ui.Settings.HasPassphrase
	}
	ui.rules.attach(ui.wizard)
	ui.wizard.AddShortcuts(ui.win.Canvas())
	ui.win.SetContent(ui.wizard.Content())
	ui.wizard.Start()
}

// ShowError tells the user about a failure that is not tied to a field,
// such as an autosave that could not be written.
func (ui *UI) ShowError(msg string) {
	showMessage(lang.L("Problem"), msg, ui.win)
}

// StoreProblem is the screen shown instead of the drafts list when the
// store cannot be opened: already open in another window, or damaged.
func StoreProblem(a fyne.App, message string, snapshots []string, restore func(name string) error) fyne.Window {
	w := a.NewWindow(WindowTitle())
	msg := newParagraph(message)
	msg.Importance = widget.DangerImportance
	parts := []fyne.CanvasObject{msg}
	result := newParagraph("")
	if len(snapshots) > 0 && restore != nil {
		parts = append(parts, widget.NewLabel(lang.L("Restore the drafts from a snapshot:")))
		for _, s := range snapshots {
			s := s
			parts = append(parts, widget.NewButton(s, func() {
				if err := restore(s); err != nil {
					result.SetText(err.Error())
					return
				}
				result.SetText(lang.L("Restored. Start the app again to continue."))
			}))
		}
	}
	parts = append(parts, result, widget.NewButton(lang.L("Quit"), a.Quit))
	w.SetContent(container.NewPadded(container.NewVBox(parts...)))
	w.Resize(fyne.NewSize(640, 360))
	return w
}
