package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// Wizard is the step-by-step screen of one filing: a step indicator on the
// left, the current step's fields in the middle, Back and Next below.
type Wizard struct {
	ctl     *Controller
	lang    string
	current filing.Step
	fields  *fields

	steps   *widget.List
	body    *fyne.Container
	summary *Paragraph
	// notices are the rule-pack update notice and the filing's "rules
	// updated" line (gui/rulepack.go), above the step.
	notices   *fyne.Container
	rulesNote *Paragraph
	back      *widget.Button
	next      *widget.Button
	content   fyne.CanvasObject
	onClose   func()

	// undo restores what the last removal took away, while it is offered.
	undo    func()
	undoBtn *widget.Button

	// footer lists the step's findings, each a link to its field.
	footer *fyne.Container
	scroll *container.Scroll
	// refreshStatus asks the backend for the submission's status now (the
	// submission card's Refresh), while that card is on screen.
	refreshStatus func()
	// scrollToEnd: the next redraw of the step scrolls to its end (View
	// progress asked for the timeline).
	scrollToEnd bool

	window fyne.Window
	docs   Documents
	submit Submitter
	// settings, when set, opens Settings over the wizard and calls back
	// when it is closed; passphrase says whether a store passphrase keeps
	// the passwords across restarts.
	settings   func(closed func())
	passphrase func() bool
	// passwordNoteShown: the note that the MIIT password must be typed
	// again after a restart has been shown in this run.
	passwordNoteShown bool
	slots             []*slotView
	// stepDone is closed when the step on screen is left, ending its timers.
	stepDone chan struct{}
}

// NewWizard builds the wizard for the controller's application. onClose is
// called when the user leaves the wizard (back to the drafts list).
func NewWizard(ctl *Controller, onClose func()) *Wizard {
	w := &Wizard{ctl: ctl, lang: Language(), onClose: onClose}
	w.current = ctl.Flow().Current
	if w.current == filing.StepSubmit && ctl.App().CurrentStatus() == filing.StatusDraft {
		w.current = filing.StepPrepare
	}
	w.build()
	ctl.OnChange(w.refresh)
	return w
}

// Content is the wizard's canvas object.
func (w *Wizard) Content() fyne.CanvasObject { return w.content }

// Current is the step on screen.
func (w *Wizard) Current() filing.Step { return w.current }

func (w *Wizard) build() {
	w.steps = widget.NewList(
		func() int { return len(filing.AllSteps()) },
		func() fyne.CanvasObject {
			// A long step name is cut with "…" rather than widening the
			// window: the list yields its width to the form on a small screen.
			name := widget.NewLabel("0  接入备案的步骤名称")
			name.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(theme.RadioButtonIcon()), nil, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			st := w.ctl.Flow().Steps[id]
			var l *widget.Label
			for _, obj := range row.Objects {
				switch x := obj.(type) {
				case *widget.Icon:
					x.SetResource(stepIcon(st, filing.Step(id) == w.current))
				case *widget.Label:
					l = x
				}
			}
			l.SetText(fmt.Sprintf("%d  %s", id, filing.Step(id).Name(w.lang)))
			l.TextStyle.Bold = filing.Step(id) == w.current
			if st.Applies {
				l.Importance = widget.MediumImportance
			} else {
				l.Importance = widget.LowImportance
			}
			l.Refresh()
		})
	w.steps.OnSelected = func(id widget.ListItemID) {
		if filing.Step(id) != w.current {
			w.show(filing.Step(id))
		}
	}
	w.summary = newParagraph("")
	w.rulesNote = newParagraph("")
	w.rulesNote.Importance = widget.WarningImportance
	w.rulesNote.Hide()
	w.notices = container.NewVBox(w.rulesNote)
	w.footer = container.NewVBox()
	w.body = container.NewStack()
	w.back = widget.NewButtonWithIcon(lang.L("Back"), theme.NavigateBackIcon(), w.Back)
	w.next = widget.NewButtonWithIcon(lang.L("Next"), theme.NavigateNextIcon(), w.Next)
	w.next.IconPlacement = widget.ButtonIconTrailingText
	w.next.Importance = widget.HighImportance
	closeBtn := widget.NewButtonWithIcon(lang.L("Drafts"), theme.ListIcon(), func() {
		if w.onClose != nil {
			w.onClose()
		}
	})
	w.undoBtn = widget.NewButtonWithIcon(lang.L("Undo"), theme.ContentUndoIcon(), w.Undo)
	w.undoBtn.Hide()
	settingsBtn := widget.NewButtonWithIcon(lang.L("Settings"), theme.SettingsIcon(), w.openSettings)
	buttons := container.NewHBox(closeBtn, settingsBtn, w.undoBtn, widget.NewSeparator(), w.back, w.next)
	w.scroll = container.NewVScroll(w.body)
	main := container.NewBorder(w.notices, container.NewVBox(widget.NewSeparator(), w.summary, w.footer, container.NewCenter(buttons)), nil, nil,
		w.scroll)
	split := container.NewHSplit(w.steps, main)
	split.Offset = 0.24
	w.content = split
	w.show(w.current)
}

func stepIcon(st filing.StepState, current bool) fyne.Resource {
	switch {
	case st.Status == filing.StepNotNeeded:
		return theme.ContentRemoveIcon()
	case current:
		return theme.NavigateNextIcon()
	}
	switch st.Status {
	case filing.StepBlocked:
		return theme.ErrorIcon()
	case filing.StepChecking:
		return theme.ViewRefreshIcon()
	case filing.StepToConfirm:
		return theme.WarningIcon()
	case filing.StepDone:
		return theme.ConfirmIcon()
	}
	return theme.RadioButtonIcon()
}

// show puts a step on screen, building its fields afresh from the application.
func (w *Wizard) show(s filing.Step) {
	if w.current == filing.StepFilingPassword && s != w.current && w.needsPasswordNote() {
		w.passwordNoteShown = true
		showMessage(lang.L("The password is kept only until the app quits"),
			lang.L("No store passphrase is set, so the MIIT filing password (and the console password) are not written to disk: they stay in this run of the app, and after a restart you type them again before submitting. To keep them encrypted, set a store passphrase in Settings."), w.window)
	}
	if w.stepDone != nil {
		close(w.stepDone)
	}
	w.stepDone = make(chan struct{})
	w.current = s
	w.refreshStatus = nil
	w.slots = nil
	w.fields = &fields{ctl: w.ctl, lang: w.lang}
	w.body.Objects = []fyne.CanvasObject{w.stepContent(s)}
	w.body.Refresh()
	w.steps.Select(int(s))
	w.refresh()
}

// rebuild redraws the current step after an answer that changes what it asks.
func (w *Wizard) rebuild() {
	showAll := w.fields.showAll
	w.show(w.current)
	w.fields.showAll = showAll
	w.fields.refresh()
	if w.scrollToEnd {
		w.scrollToEnd = false
		w.scroll.ScrollToBottom()
	}
}

func (w *Wizard) refresh() {
	flow := w.ctl.Flow()
	st := flow.Steps[w.current]
	w.fields.refresh()
	w.steps.Refresh()
	w.back.Disable()
	if flow.Previous(w.current) != w.current {
		w.back.Enable()
	}
	if w.current == filing.StepSubmit {
		w.next.Disable()
	} else {
		w.next.Enable()
	}
	if w.current == filing.StepSubmit {
		// The review page says it all; the footer stays empty.
		w.summary.SetText("")
		w.summary.Hide()
		w.footer.Objects = nil
		w.footer.Refresh()
		return
	}
	w.summary.Show()
	text, imp := w.stepHeadline(st)
	w.summary.SetText(text)
	w.summary.Importance = imp
	w.summary.Refresh()
	w.footer.Objects = w.footerList(st)
	w.footer.Refresh()
}

// Next goes to the next applicable step unless this one has blocking
// findings; then every field's findings are shown instead.
func (w *Wizard) Next() {
	to, blockers := w.ctl.Flow().Next(w.current)
	if len(blockers) > 0 {
		w.fields.showAll = true
		w.fields.refresh()
		w.summary.SetText(lang.L("Fix these before going on:"))
		w.summary.Importance = widget.DangerImportance
		w.summary.Refresh()
		var links []fyne.CanvasObject
		for i, f := range w.inFormOrder(blockers) {
			if i == footerLimit {
				break
			}
			links = append(links, w.findingLink(f))
		}
		w.footer.Objects = links
		w.footer.Refresh()
		return
	}
	if to != w.current {
		w.show(to)
	}
}

// needsPasswordNote says whether the applicant still has to be told, once,
// that the typed passwords will not outlive the app.
func (w *Wizard) needsPasswordNote() bool {
	a := w.ctl.App()
	return !w.passwordNoteShown && w.window != nil && w.passphrase != nil && !w.passphrase() &&
		(a.FilingPassword.IsSet() || a.Product.ConsolePassword.IsSet())
}

// openSettings opens Settings over the wizard; nothing typed is lost, and
// the step is drawn again when Settings closes (the backend may be set now).
func (w *Wizard) openSettings() {
	if w.settings == nil {
		if w.window != nil {
			showMessage(lang.L("Settings"), lang.L("Settings are not available in this window."), w.window)
		}
		return
	}
	w.settings(func() { w.rebuild() })
}

// Back goes to the previous applicable step; nothing blocks going back.
func (w *Wizard) Back() {
	if to := w.ctl.Flow().Previous(w.current); to != w.current {
		w.show(to)
	}
}

// Close ends the wizard's timers; the UI calls it when the wizard leaves the window.
func (w *Wizard) Close() {
	if w.stepDone != nil {
		close(w.stepDone)
		w.stepDone = nil
	}
}

// Undo restores what the last removal took away.
func (w *Wizard) Undo() {
	if w.undo == nil {
		return
	}
	undo := w.undo
	w.undo = nil
	w.undoBtn.Hide()
	undo()
}

// AddShortcuts binds Ctrl+PageDown / Ctrl+PageUp to Next / Back and Ctrl+Z to Undo.
func (w *Wizard) AddShortcuts(c fyne.Canvas) {
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { w.Undo() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { w.Next() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { w.Back() })
}
