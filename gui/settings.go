package gui

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/submit"
)

// BackendSettings is where finished filings are sent.
type BackendSettings struct {
	URL    string
	Token  filing.Secret
	CAFile string
	Proxy  string
}

// Settings keeps the backend settings and the store's passphrase. The
// token and the filing passwords are kept encrypted with a key derived from
// the passphrase, or, without one, not kept at all (asked for again).
type Settings interface {
	Backend() (BackendSettings, error)
	SetBackend(BackendSettings) error
	HasPassphrase() bool
	Locked() bool
	Unlock(pass filing.Secret) error
	SetPassphrase(old, new filing.Secret) error
}

func (ui *UI) showSettings() { ui.showSettingsThen(nil) }

// showSettingsThen opens Settings over whatever is on screen (the drafts
// list or a wizard, which keeps everything typed) and calls closed, when
// set, once the dialog is gone.
func (ui *UI) showSettingsThen(closed func()) {
	if ui.Settings == nil {
		showMessage(lang.L("Settings"), lang.L("Settings are not available in this window."), ui.win)
		return
	}
	cur, err := ui.Settings.Backend()
	if err != nil {
		showError(fmt.Errorf("%s", errorText(err, ui.lang)), ui.win)
		return
	}
	url := widget.NewEntry()
	url.SetText(cur.URL)
	url.SetPlaceHolder("https://backend.example.com")
	token := widget.NewPasswordEntry()
	token.SetPlaceHolder(lang.L("unchanged when left empty"))
	ca := widget.NewEntry()
	ca.SetText(cur.CAFile)
	proxy := widget.NewEntry()
	proxy.SetText(cur.Proxy)
	oldPass, newPass := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	newPass.SetPlaceHolder(lang.L("keeps passwords and the token, encrypted"))
	language := newLanguageSelect(ui.app.Preferences().String(LanguagePreference))
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Language"), language.Select),
		widget.NewFormItem(lang.L("Backend address"), url),
		widget.NewFormItem(lang.L("Access token"), token),
		widget.NewFormItem(lang.L("Extra CA certificate (PEM file)"), ca),
		widget.NewFormItem(lang.L("Proxy"), proxy),
	}
	// The rule pack comes from the backend above (or a file): its part
	// follows the backend's.
	if sec := ui.rules.newSection(); sec != nil {
		items = append(items, widget.NewFormItem(lang.L("Rule pack"), sec.content))
	}
	// Removing the passphrase is offered where the store can do it.
	remover, _ := ui.Settings.(interface{ RemovePassphrase(old filing.Secret) error })
	var removePass *widget.Check
	if ui.Settings.HasPassphrase() {
		items = append(items, widget.NewFormItem(lang.L("Current store passphrase"), oldPass))
	}
	items = append(items, widget.NewFormItem(lang.L("New store passphrase"), newPass))
	if ui.Settings.HasPassphrase() && remover != nil {
		removePass = widget.NewCheck(lang.L("Remove the store passphrase (the saved passwords and the token are deleted)"), func(on bool) {
			if on {
				newPass.SetText("")
				newPass.Disable()
			} else {
				newPass.Enable()
			}
		})
		items = append(items, widget.NewFormItem("", removePass))
	}
	if k, ok := ui.Settings.(interface{ KeyLocationText(lang string) string }); ok && k.KeyLocationText(ui.lang) != "" {
		where := newParagraph(k.KeyLocationText(ui.lang))
		items = append(items, widget.NewFormItem(lang.L("Data key"), where))
	}
	var settingsDlg dialog.Dialog
	if ui.DeleteAllData != nil {
		wipe := widget.NewButtonWithIcon(lang.L("Delete all my data…"), theme.DeleteIcon(), func() {
			if settingsDlg != nil {
				settingsDlg.Hide() // not saved: deleting makes the settings moot
			}
			ui.confirmDeleteAllData()
		})
		// Quiet and last, set apart by a line: the danger is spelt out, in
		// red, by the confirmation it opens, not by the settings' loudest
		// control.
		wipe.Importance = widget.MediumImportance
		// A thin line at the top of an empty row: set apart, not a black band.
		items = append(items, widget.NewFormItem("", container.NewVBox(widget.NewSeparator())),
			widget.NewFormItem(lang.L("Data on this computer"), container.NewHBox(wipe)))
	}
	// The form scrolls inside the dialog: with the rule pack's part it is
	// taller than an 800×600 window leaves.
	form := container.NewVScroll(widget.NewForm(items...))
	d := dialog.NewCustomConfirm(lang.L("Settings"), lang.L("Save"), lang.L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		// The language first: it depends on nothing else, and an error
		// below must not lose it.
		if chosen := language.Chosen(); chosen != ui.app.Preferences().String(LanguagePreference) {
			ui.app.Preferences().SetString(LanguagePreference, chosen)
			// Every open screen holds its words; rebuilding them all under a
			// half-filled wizard would risk what the user typed.
			showMessage(lang.L("Language"), lang.L("The new language is used from the next start."), ui.win)
		}
		next := BackendSettings{URL: strings.TrimSpace(url.Text), Token: cur.Token, CAFile: strings.TrimSpace(ca.Text), Proxy: strings.TrimSpace(proxy.Text)}
		if token.Text != "" {
			next.Token = filing.NewSecret(token.Text)
		}
		// The passphrase first: the token is kept only once there is one.
		if removePass != nil && removePass.Checked {
			if err := remover.RemovePassphrase(filing.NewSecret(oldPass.Text)); err != nil {
				showError(fmt.Errorf("%s", errorText(err, ui.lang)), ui.win)
				return
			}
			next.Token = filing.Secret{} // deleted with the passphrase
		} else if newPass.Text != "" {
			if err := ui.Settings.SetPassphrase(filing.NewSecret(oldPass.Text), filing.NewSecret(newPass.Text)); err != nil {
				showError(fmt.Errorf("%s", errorText(err, ui.lang)), ui.win)
				return
			}
		}
		switch err := ui.Settings.SetBackend(next); {
		case errors.Is(err, submit.ErrTokenNotKept):
			// Saved, with a caveat: not an error, and not titled as one.
			showMessage(lang.L("Settings saved"), errorText(err, ui.lang), ui.win)
		case err != nil:
			showError(fmt.Errorf("%s", errorText(err, ui.lang)), ui.win)
		}
	}, ui.win)
	settingsDlg = d
	d.SetOnClosed(func() {
		ui.rules.section = nil
		if closed != nil {
			closed()
		}
	})
	d.Resize(dialogSize(ui.win, fyne.NewSize(640, 620)))
	d.Show()
}

// languageSelect offers the UI languages. Each is named in its own
// language, as language menus do, so that a user who cannot read the
// current one still finds theirs.
type languageSelect struct {
	*widget.Select
	codes []string
}

func newLanguageSelect(current string) languageSelect {
	codes := []string{"", "zh", "en"}
	names := []string{lang.L("Follow the system"), "中文（简体）", "English"}
	s := languageSelect{Select: widget.NewSelect(names, nil), codes: codes}
	s.SetSelectedIndex(max(slices.Index(codes, current), 0))
	return s
}

// Chosen is the selected language's code: "zh", "en", or "" (the system's).
func (s languageSelect) Chosen() string {
	return s.codes[max(s.SelectedIndex(), 0)]
}

func (ui *UI) showAbout() {
	head := widget.NewLabel(lang.L("ICP Access Filing Assistant") + " " + ui.Version + "\n" +
		lang.L("Rule pack revision {{.Revision}}, published {{.Date}}", map[string]any{"Revision": ui.pack.Revision, "Date": ui.pack.Published.String()}))
	licences := map[string]string{"Noto Sans CJK SC (SIL OFL 1.1)": FontLicence()}
	for k, v := range ui.Licences {
		licences[k] = v
	}
	names := make([]string, 0, len(licences))
	for k := range licences {
		names = append(names, k)
	}
	sort.Strings(names)
	// A list of components beside the selected licence: there is one per
	// Go module, too many for tabs.
	text := newParagraph("")
	scroll := container.NewVScroll(text)
	list := widget.NewList(func() int { return len(names) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(names[i]) })
	list.OnSelected = func(i widget.ListItemID) {
		text.SetText(licences[names[i]])
		scroll.ScrollToTop()
	}
	split := container.NewHSplit(list, scroll)
	split.Offset = 0.38
	content := container.NewBorder(head, nil, nil, nil, split)
	if len(names) > 0 {
		list.Select(0)
	}
	d := dialog.NewCustom(lang.L("About"), lang.L("Close"), content, ui.win)
	d.Resize(dialogSize(ui.win, fyne.NewSize(900, 600)))
	d.Show()
}

// AskToUnlock asks for the store's passphrase when it has one and is
// locked; without it drafts still open, only their passwords are missing.
func (ui *UI) AskToUnlock() {
	if ui.Settings == nil || !ui.Settings.HasPassphrase() || !ui.Settings.Locked() {
		return
	}
	pass := widget.NewPasswordEntry()
	msg := newParagraph("")
	var d dialog.Dialog
	d = dialog.NewForm(lang.L("Unlock"), lang.L("Unlock"), lang.L("Later"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Store passphrase"), pass), widget.NewFormItem("", msg)},
		func(ok bool) {
			if !ok {
				return
			}
			if err := ui.Settings.Unlock(filing.NewSecret(pass.Text)); err != nil {
				ui.ShowError(errorText(err, ui.lang))
			}
		}, ui.win)
	msg.SetText(lang.L("The saved passwords and the backend token are encrypted with this passphrase. Without it, drafts open without their passwords."))
	d.Resize(fyne.NewSize(520, 240))
	d.Show()
}
