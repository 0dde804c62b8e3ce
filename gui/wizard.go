package gui

import (
	"fmt"
	"strings"

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
	summary *widget.Label
	back    *widget.Button
	next    *widget.Button
	content fyne.CanvasObject
	onClose func()

	// undo restores what the last removal took away, while it is offered.
	undo    func()
	undoBtn *widget.Button

	window fyne.Window
	docs   Documents
	submit Submitter
	slots  []*slotView
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
			return container.NewHBox(widget.NewIcon(theme.RadioButtonIcon()), widget.NewLabel("0  接入备案的步骤名称"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			st := w.ctl.Flow().Steps[id]
			row.Objects[0].(*widget.Icon).SetResource(stepIcon(st, filing.Step(id) == w.current))
			l := row.Objects[1].(*widget.Label)
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
	w.summary = widget.NewLabel("")
	w.summary.Wrapping = fyne.TextWrapBreak
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
	buttons := container.NewHBox(closeBtn, w.undoBtn, widget.NewSeparator(), w.back, w.next)
	main := container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), w.summary, container.NewCenter(buttons)), nil, nil,
		container.NewVScroll(w.body))
	split := container.NewHSplit(w.steps, main)
	split.Offset = 0.24
	w.content = split
	w.show(w.current)
}

func stepIcon(st filing.StepState, current bool) fyne.Resource {
	switch {
	case !st.Applies:
		return theme.ContentRemoveIcon()
	case current:
		return theme.NavigateNextIcon()
	case len(st.Blocking) > 0:
		return theme.ErrorIcon()
	case st.Complete:
		return theme.ConfirmIcon()
	}
	return theme.RadioButtonIcon()
}

// show puts a step on screen, building its fields afresh from the application.
func (w *Wizard) show(s filing.Step) {
	if w.stepDone != nil {
		close(w.stepDone)
	}
	w.stepDone = make(chan struct{})
	w.current = s
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
	switch {
	case !st.Applies:
		w.summary.SetText(st.Note(w.lang))
		w.summary.Importance = widget.LowImportance
	case len(st.Blocking) > 0:
		lines := []string{lang.L("Left to do on this step: {{.Count}}", map[string]any{"Count": len(st.Blocking)})}
		for i, f := range st.Blocking {
			if i == 3 {
				lines = append(lines, "…")
				break
			}
			lines = append(lines, "• "+f.Message(w.lang))
		}
		w.summary.SetText(strings.Join(lines, "\n"))
		w.summary.Importance = widget.WarningImportance
	case len(st.Warnings) > 0:
		w.summary.SetText(lang.L("This step is complete; {{.Count}} warnings can be checked or passed.", map[string]any{"Count": len(st.Warnings)}))
		w.summary.Importance = widget.MediumImportance
	default:
		w.summary.SetText(lang.L("This step is complete."))
		w.summary.Importance = widget.SuccessImportance
	}
	w.summary.Refresh()
}

// Next goes to the next applicable step unless this one has blocking
// findings; then every field's findings are shown instead.
func (w *Wizard) Next() {
	to, blockers := w.ctl.Flow().Next(w.current)
	if len(blockers) > 0 {
		w.fields.showAll = true
		w.fields.refresh()
		lines := []string{lang.L("Fix these before going on:")}
		for _, f := range blockers {
			lines = append(lines, "✖ "+f.Message(w.lang))
		}
		w.summary.SetText(strings.Join(lines, "\n"))
		w.summary.Importance = widget.DangerImportance
		w.summary.Refresh()
		return
	}
	if to != w.current {
		w.show(to)
	}
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
