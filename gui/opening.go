package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// The windows shown before the store is open: the passphrase of a store
// whose data key it seals, and the progress of encrypting a store an
// older build wrote in plain text. Both only raise callbacks; main opens
// the store.

// UnlockScreen asks for the store passphrase before the store is opened.
type UnlockScreen struct {
	Window fyne.Window
	pass   *widget.Entry
	msg    *Paragraph
	button *widget.Button
	forgot *widget.Button
}

// NewUnlockScreen makes the window. unlock is called with what was typed
// (Refused or the next window follows); deleteAll, called once the user
// confirmed that forgetting the passphrase leaves nothing to recover,
// removes every piece of data so the app can start empty.
func NewUnlockScreen(a fyne.App, unlock func(filing.Secret), deleteAll func() error) *UnlockScreen {
	u := &UnlockScreen{Window: a.NewWindow(WindowTitle())}
	u.pass = widget.NewPasswordEntry()
	u.pass.SetPlaceHolder(lang.L("Store passphrase"))
	u.msg = newParagraph("")
	submit := func() {
		if u.pass.Text == "" || u.button.Disabled() {
			return
		}
		u.button.Disable()
		u.forgot.Disable()
		u.msg.Importance = widget.MediumImportance
		u.msg.SetText(lang.L("Opening…"))
		unlock(filing.NewSecret(u.pass.Text))
	}
	u.pass.OnSubmitted = func(string) { submit() }
	u.button = widget.NewButton(lang.L("Unlock"), submit)
	u.button.Importance = widget.HighImportance
	u.forgot = widget.NewButton(lang.L("Forgot the passphrase?"), func() { u.confirmForgot(deleteAll) })
	u.forgot.Importance = widget.LowImportance
	intro := newParagraph(lang.L("This data is protected by a store passphrase. Enter it to open your drafts."))
	u.Window.SetContent(container.NewPadded(container.NewVBox(
		intro, u.pass, u.msg, container.NewHBox(u.button, u.forgot))))
	u.Window.Resize(fyne.NewSize(520, 240))
	u.Window.Canvas().Focus(u.pass)
	return u
}

// Refused says why the passphrase did not open the store (wrong, or the
// store failed) and lets the user try again.
func (u *UnlockScreen) Refused(message string) {
	u.msg.Importance = widget.DangerImportance
	u.msg.SetText(message)
	u.pass.SetText("")
	u.button.Enable()
	u.forgot.Enable()
	u.Window.Canvas().Focus(u.pass)
}

func (u *UnlockScreen) confirmForgot(deleteAll func() error) {
	msg := newParagraph(lang.L("There is no way to recover a forgotten store passphrase: nobody, including the app's makers, can open the data without it. You can delete all data of this app on this computer and start again empty. Exported bundles you saved elsewhere are kept."))
	d := dialog.NewCustomConfirm(lang.L("Forgot the passphrase?"), lang.L("Delete everything"), lang.L("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		if err := deleteAll(); err != nil {
			u.Refused(err.Error())
		}
	}, u.Window)
	d.SetConfirmImportance(widget.DangerImportance)
	d.Resize(fyne.NewSize(500, 240))
	d.Show()
}

// ProgressScreen shows how far encrypting an older store has come.
type ProgressScreen struct {
	Window fyne.Window
	bar    *widget.ProgressBar
}

// NewProgressScreen makes the window; Set moves the bar.
func NewProgressScreen(a fyne.App) *ProgressScreen {
	p := &ProgressScreen{Window: a.NewWindow(WindowTitle()), bar: widget.NewProgressBar()}
	head := widget.NewLabel(lang.L("Encrypting your data…"))
	head.TextStyle.Bold = true
	note := newParagraph(lang.L("This happens once, after an update. Nothing is lost if it is interrupted: it starts again at the next start."))
	p.Window.SetContent(container.NewPadded(container.NewVBox(head, p.bar, note)))
	p.Window.Resize(fyne.NewSize(480, 160))
	return p
}

// Set shows done of total records and snapshots encrypted.
func (p *ProgressScreen) Set(done, total int) {
	if total <= 0 {
		p.bar.SetValue(0)
		return
	}
	p.bar.SetValue(float64(done) / float64(total))
}
