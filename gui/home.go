package gui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// DraftSummary is one row of the drafts list.
type DraftSummary struct {
	ID       string
	Subject  string
	Domain   string
	Province string
	Step     filing.Step
	Status   filing.Status
	Edited   time.Time
	// RulesUpdated: the draft was last checked under an older rule pack
	// than the one in use; NewProblems counts the findings new under it
	// (-1: that older pack is not kept here to compare).
	RulesUpdated bool
	NewProblems  int
}

// Drafts is what the home screen needs from the drafts store; main adapts
// the store to it.
type Drafts interface {
	// List returns the drafts matching a search (subject name, domain or
	// the last digits of a certificate number); "" lists all, newest first.
	List(query string) ([]DraftSummary, error)
	Create() (*filing.Application, error)
	Load(id string) (*filing.Application, error)
	// Save is called after every edit; the store debounces it.
	Save(a *filing.Application)
	Duplicate(id string) (string, error)
	// Delete removes a draft and returns a function that restores it.
	Delete(id string) (undo func() error, err error)
	Export(ids []string, path string) error
	Import(path string) (int, error)
}

// Home is the drafts list: the first screen of the app.
type Home struct {
	ui       *UI
	query    *widget.Entry
	list     *widget.List
	rows     []DraftSummary
	selected int
	status   *Paragraph
	undo     func() error
	undoBtn  *widget.Button
	bar      *overflowBar
	content  fyne.CanvasObject
}

func newHome(ui *UI) *Home {
	h := &Home{ui: ui, selected: -1}
	h.query = widget.NewEntry()
	h.query.SetPlaceHolder(lang.L("Search by subject name, domain or the last digits of a certificate number"))
	h.query.OnChanged = func(string) { h.reload() }
	h.list = widget.NewList(func() int { return len(h.rows) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("主办单位名称示例有限公司", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			note := widget.NewLabel("")
			note.Importance = widget.WarningImportance
			return container.NewVBox(container.NewBorder(nil, nil, nil, note, title),
				widget.NewLabel("example.com · 浙江 · 4 填写接入信息 · 草稿 · 2026-11-26 10:00"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			r := h.rows[id]
			box := o.(*fyne.Container)
			subject := r.Subject
			if subject == "" {
				subject = lang.L("(no subject name yet)")
			}
			head := box.Objects[0].(*fyne.Container)
			head.Objects[0].(*widget.Label).SetText(subject)
			head.Objects[1].(*widget.Label).SetText(rulesNote(r.RulesUpdated, r.NewProblems >= 0, r.NewProblems))
			prov := r.Province
			if p, ok := ui.pack.Province(r.Province); ok {
				prov = pickLang(ui.lang, p.ZH, p.EN)
			}
			box.Objects[1].(*widget.Label).SetText(fmt.Sprintf("%s · %s · %d %s · %s · %s",
				orDash(r.Domain), orDash(prov), int(r.Step), r.Step.Name(ui.lang), r.Status.Label(ui.lang), r.Edited.Local().Format("2006-01-02 15:04")))
		})
	h.list.OnSelected = func(id widget.ListItemID) { h.selected = id }
	h.list.OnUnselected = func(widget.ListItemID) { h.selected = -1 }
	h.status = newParagraph("")
	h.undoBtn = widget.NewButtonWithIcon(lang.L("Undo"), theme.ContentUndoIcon(), h.undoDelete)
	h.undoBtn.Hide()

	// The commands in order of use: on a narrow window the last ones move
	// into the bar's "More" menu instead of falling off its end.
	h.bar = newOverflowBar(
		barAction{label: lang.L("New access filing"), icon: theme.ContentAddIcon(), run: h.create, primary: true},
		barAction{label: lang.L("Open"), icon: theme.DocumentIcon(), run: h.open},
		barAction{label: lang.L("Duplicate"), icon: theme.ContentCopyIcon(), run: h.duplicate},
		barAction{label: lang.L("Delete"), icon: theme.DeleteIcon(), run: h.delete},
		barAction{label: lang.L("Export…"), icon: theme.UploadIcon(), run: h.export},
		barAction{label: lang.L("Import…"), icon: theme.DownloadIcon(), run: h.importBundle},
		barAction{label: lang.L("Agency batch"), icon: theme.ListIcon(), run: ui.showBatch},
		barAction{label: lang.L("Settings"), icon: theme.SettingsIcon(), run: ui.showSettings},
		barAction{label: lang.L("About"), icon: theme.InfoIcon(), run: ui.showAbout})
	title := widget.NewLabelWithStyle(lang.L("ICP Access Filing Assistant"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	top := container.NewVBox(title, ui.rules.banner, h.bar, h.query)
	h.content = container.NewBorder(top, container.NewBorder(nil, nil, nil, h.undoBtn, h.status), nil, nil, h.list)
	h.reload()
	return h
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (h *Home) reload() {
	rows, err := h.ui.drafts.List(h.query.Text)
	if err != nil {
		h.say(errorText(err, h.ui.lang), widget.DangerImportance)
		return
	}
	h.rows = rows
	h.selected = -1
	h.list.UnselectAll()
	h.list.Refresh()
	if len(rows) == 0 && h.query.Text == "" {
		h.say(lang.L("No drafts yet: start with “New access filing”."), widget.LowImportance)
	}
}

func (h *Home) say(msg string, imp widget.Importance) {
	h.status.SetText(msg)
	h.status.Importance = imp
	h.status.Refresh()
}

func (h *Home) current() (DraftSummary, bool) {
	if h.selected < 0 || h.selected >= len(h.rows) {
		h.say(lang.L("Select a draft first."), widget.WarningImportance)
		return DraftSummary{}, false
	}
	return h.rows[h.selected], true
}

func (h *Home) create() {
	app, err := h.ui.drafts.Create()
	if err != nil {
		h.say(errorText(err, h.ui.lang), widget.DangerImportance)
		return
	}
	h.ui.openWizard(app)
}

func (h *Home) open() {
	r, ok := h.current()
	if !ok {
		return
	}
	app, err := h.ui.drafts.Load(r.ID)
	if err != nil {
		h.say(errorText(err, h.ui.lang), widget.DangerImportance)
		return
	}
	h.ui.openWizard(app)
}

func (h *Home) duplicate() {
	r, ok := h.current()
	if !ok {
		return
	}
	if _, err := h.ui.drafts.Duplicate(r.ID); err != nil {
		h.say(errorText(err, h.ui.lang), widget.DangerImportance)
		return
	}
	h.reload()
	h.say(lang.L("Draft duplicated."), widget.SuccessImportance)
}

func (h *Home) delete() {
	r, ok := h.current()
	if !ok {
		return
	}
	undo, err := h.ui.drafts.Delete(r.ID)
	if err != nil {
		h.say(errorText(err, h.ui.lang), widget.DangerImportance)
		return
	}
	h.undo = undo
	h.reload()
	h.say(lang.L("Draft deleted."), widget.MediumImportance)
	h.undoBtn.Show()
}

func (h *Home) undoDelete() {
	if h.undo == nil {
		return
	}
	err := h.undo()
	h.undo = nil
	h.undoBtn.Hide()
	if err != nil {
		h.say(errorText(err, h.ui.lang), widget.DangerImportance)
		return
	}
	h.reload()
	h.say(lang.L("Draft restored."), widget.SuccessImportance)
}

func (h *Home) export() {
	var ids []string
	if r, ok := h.current(); ok {
		ids = []string{r.ID}
	} else {
		return
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		_ = wc.Close()
		if err := h.ui.drafts.Export(ids, path); err != nil {
			h.say(errorText(err, h.ui.lang), widget.DangerImportance)
			return
		}
		h.say(lang.L("Exported to {{.Path}}", map[string]any{"Path": path}), widget.SuccessImportance)
	}, h.ui.win)
	d.SetFileName("filing.icpf")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".icpf"}))
	d.SetConfirmText(lang.L("Save"))
	d.SetDismissText(lang.L("Cancel"))
	d.Show()
}

func (h *Home) importBundle() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		n, err := h.ui.drafts.Import(path)
		if err != nil {
			h.say(errorText(err, h.ui.lang), widget.DangerImportance)
			return
		}
		h.reload()
		h.say(lang.L("Imported {{.Count}} filings.", map[string]any{"Count": n}), widget.SuccessImportance)
	}, h.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".icpf"}))
	d.SetConfirmText(lang.L("Open"))
	d.SetDismissText(lang.L("Cancel"))
	d.Show()
}
