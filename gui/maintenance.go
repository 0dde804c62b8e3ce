package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ShowCrashReport offers the report of the last run's crash (already
// redacted): read it, copy it for a bug report, or delete it.
func (ui *UI) ShowCrashReport(report string, deleteReport func() error) {
	intro := newParagraph(lang.L("The app stopped unexpectedly last time. This is its report, with personal data removed. You can copy it into a bug report, or delete it."))
	text := newParagraph(report)
	text.TextStyle.Monospace = true
	var d *dialog.CustomDialog
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		ui.app.Clipboard().SetContent(report)
	})
	del := widget.NewButtonWithIcon(lang.L("Delete report"), theme.DeleteIcon(), func() {
		if deleteReport != nil {
			if err := deleteReport(); err != nil {
				showError(fmt.Errorf("%s", errorText(err, ui.lang)), ui.win)
				return
			}
		}
		d.Hide()
	})
	del.Importance = widget.DangerImportance
	closeBtn := widget.NewButton(lang.L("Close"), func() { d.Hide() })
	content := container.NewBorder(intro, nil, nil, nil, container.NewScroll(text))
	d = dialog.NewCustomWithoutButtons(lang.L("The app crashed last time"), content, ui.win)
	d.SetButtons([]fyne.CanvasObject{closeBtn, copyBtn, del})
	d.Resize(dialogSize(ui.win, fyne.NewSize(760, 520)))
	d.Show()
}

// confirmDeleteAllData asks twice in words, once in a click, then calls
// Services.DeleteAllData, which closes the store and deletes; the app
// quits when the user has read that it is done.
func (ui *UI) confirmDeleteAllData() {
	if ui.DeleteAllData == nil {
		return
	}
	msg := newParagraph(lang.L("This deletes every draft, scan, snapshot, saved setting and log of this app on this computer. Exported bundles you saved elsewhere are kept. It cannot be undone, and the app closes afterwards."))
	d := dialog.NewCustomConfirm(lang.L("Delete all my data"), lang.L("Delete everything"), lang.L("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		if err := ui.DeleteAllData(); err != nil {
			showError(fmt.Errorf("%s", errorText(err, ui.lang)), ui.win)
			return
		}
		// The passwords kept for this run go too.
		ui.secrets = newSessionSecrets()
		// The store is closed now: nothing else may be done in this window.
		done := dialog.NewInformation(lang.L("Delete all my data"), lang.L("All data was deleted. The app will now close."), ui.win)
		done.SetOnClosed(ui.app.Quit)
		done.Show()
	}, ui.win)
	// The danger shows here, where the deleting is done, not on the
	// Settings button that leads here.
	d.SetConfirmImportance(widget.DangerImportance)
	d.Resize(fyne.NewSize(520, 220))
	d.Show()
}
