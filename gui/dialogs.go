package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

// Fyne's text dialogs (ShowInformation, ShowError, ShowConfirm) wrap
// their message by Fyne's own rule, which breaks Chinese anywhere; these
// give the message a Paragraph, with Fyne's choice of width: the message's
// own, at most 600 px and 80 % of the window, as Fyne's.

// messageWidth is the width a text dialog opens at for message.
func messageWidth(message string, win fyne.Window) float32 {
	// A Fyne dialog draws its content inside 32 px of its own padding
	// and a theme padding on either side (fyne dialog.padWidth).
	const dialogPad = 32
	want := newParagraph(message).MinSizeUnwrapped() + dialogPad + 2*theme.Padding()
	if win != nil && win.Canvas() != nil && win.Canvas().Size().Width > 0 {
		want = min(want, win.Canvas().Size().Width*0.8)
	}
	return min(want, 600)
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
