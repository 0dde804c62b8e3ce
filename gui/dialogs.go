package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
)

// Fyne's text dialogs (ShowInformation, ShowError, ShowConfirm) wrap
// their message by Fyne's own rule, which breaks Chinese anywhere; these
// give the message a Paragraph, with Fyne's choice of width: the message's
// own, at most 480 px and 80 % of the window.

// messageWidth is the width a text dialog opens at for message.
func messageWidth(message string, win fyne.Window) float32 {
	p := newParagraph(message)
	want := min(p.MinSizeUnwrapped(), 480)
	return dialogSize(win, fyne.NewSize(want, 0)).Width
}

func messageContent(message string) *Paragraph {
	p := newParagraph(message)
	p.Alignment = fyne.TextAlignCenter
	return p
}

// showMessage tells the user something, with an OK button.
func showMessage(title, message string, win fyne.Window) {
	d := dialog.NewCustom(title, lang.L("OK"), messageContent(message), win)
	d.Resize(fyne.NewSize(messageWidth(message, win), 0))
	d.Show()
}

// showError is a failure as a message titled 错误 / Error.
func showError(err error, win fyne.Window) {
	showMessage(lang.L("Error"), fmt.Sprint(err), win)
}

// showConfirm asks a yes/no question.
func showConfirm(title, message string, answer func(bool), win fyne.Window) {
	d := dialog.NewCustomConfirm(title, lang.L("Yes"), lang.L("No"), messageContent(message), answer, win)
	d.Resize(fyne.NewSize(messageWidth(message, win), 0))
	d.Show()
}
