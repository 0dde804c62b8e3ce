package gui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/batch"
)

// BatchService is what the agency batch view needs; main adapts the drafts
// store and the outbox to it. The rules live in package batch.
type BatchService interface {
	// Batches lists the imported batches, newest first.
	Batches() ([]*batch.Batch, error)
	// Import reads a sheet (.xlsx or .csv) and, when scanDir is not "",
	// the scans named after the rows' keys.
	Import(path, scanDir string) (*batch.ImportResult, error)
	// Load reads the batch's drafts in batch order (nil for a deleted one).
	Load(b *batch.Batch) ([]*filing.Application, error)
	// Check runs the batch check (forms, scans, batch rules) on every core.
	Check(ctx context.Context, b *batch.Batch, apps []*filing.Application, progress func(batch.Progress)) ([]batch.Result, error)
	// Submit hands the batch to the outbox (onlyFailed: retry the failed rows).
	Submit(b *batch.Batch, onlyFailed bool) ([]batch.RowStatus, error)
	// Statuses reads each row's submission state.
	Statuses(b *batch.Batch) ([]batch.RowStatus, error)
	// Report writes the findings to an .xlsx or .csv file.
	Report(path string, rows []batch.ReportRow, lang string) error
}

// batchRow is one line of the batch table.
type batchRow struct {
	index                       int
	key, subject, domain, prov  string
	status                      string // the submission's state, or the draft's status
	blocking, warnings          int
	step                        filing.Step
	checked, missing, submitted bool
}

// The status filter's choices, in order.
const (
	filterAll = iota
	filterBlocking
	filterReady
	filterUnchecked
	filterSubmitted
)

func filterLabels() []string {
	return []string{lang.L("All filings"), lang.L("With blocking findings"), lang.L("Without blocking findings"),
		lang.L("Not checked yet"), lang.L("Sent to the outbox")}
}

// batchColumns are the table's columns; the header sorts by them.
func batchColumns() []string {
	return []string{lang.L("Key"), lang.L("Subject"), lang.L("Domain"), lang.L("Province"), lang.L("Status"),
		lang.L("Blocking"), lang.L("Warnings"), lang.L("Step reached")}
}

// visibleRows filters rows by text (key, subject, domain or province, any
// case) and by status choice, then sorts them stably by column col.
func visibleRows(rows []batchRow, text string, choice, col int, desc bool) []int {
	text = strings.ToLower(strings.TrimSpace(text))
	var out []int
	for i, r := range rows {
		if text != "" && !strings.Contains(strings.ToLower(r.key+"\x00"+r.subject+"\x00"+r.domain+"\x00"+r.prov), text) {
			continue
		}
		switch choice {
		case filterBlocking:
			if !r.checked || r.blocking == 0 {
				continue
			}
		case filterReady:
			if !r.checked || r.blocking > 0 {
				continue
			}
		case filterUnchecked:
			if r.checked {
				continue
			}
		case filterSubmitted:
			if !r.submitted {
				continue
			}
		}
		out = append(out, i)
	}
	less := func(a, b batchRow) int {
		switch col {
		case 1:
			return strings.Compare(a.subject, b.subject)
		case 2:
			return strings.Compare(a.domain, b.domain)
		case 3:
			return strings.Compare(a.prov, b.prov)
		case 4:
			return strings.Compare(a.status, b.status)
		case 5:
			return a.blocking - b.blocking
		case 6:
			return a.warnings - b.warnings
		case 7:
			return int(a.step) - int(b.step)
		}
		return a.index - b.index
	}
	sort.SliceStable(out, func(i, j int) bool {
		c := less(rows[out[i]], rows[out[j]])
		if desc {
			return c > 0
		}
		return c < 0
	})
	return out
}

// BatchView is the agency screen: one batch's filings in a table.
type BatchView struct {
	ui      *UI
	svc     BatchService
	batches []*batch.Batch
	current *batch.Batch
	apps    []*filing.Application
	results []batch.Result
	rows    []batchRow
	visible []int
	sortCol int
	desc    bool
	sel     int // index into rows, -1 for none

	pick     *widget.Select
	filter   *widget.Entry
	status   *widget.Select
	table    *widget.Table
	progress *widget.ProgressBar
	count    *widget.Label
	message  *Paragraph
	checkBtn *widget.Button
	cancel   *widget.Button
	stop     context.CancelFunc
	done     chan struct{} // closed when the running check is shown
	content  fyne.CanvasObject
}

// showBatch opens the batch view from the drafts list.
func (ui *UI) showBatch() {
	if ui.Batches == nil {
		ui.ShowError(lang.L("Batch mode is not available in this build."))
		return
	}
	v := NewBatchView(ui, ui.Batches)
	ui.win.SetContent(v.content)
}

// NewBatchView builds the view on the newest batch.
func NewBatchView(ui *UI, svc BatchService) *BatchView {
	v := &BatchView{ui: ui, svc: svc, sel: -1}
	v.pick = widget.NewSelect(nil, func(string) { v.choose(v.pick.SelectedIndex()) })
	v.pick.PlaceHolder = lang.L("No batch imported yet")
	v.filter = widget.NewEntry()
	v.filter.SetPlaceHolder(lang.L("Filter by key, subject, domain or province"))
	v.filter.OnChanged = func(string) { v.refilter() }
	v.status = widget.NewSelect(filterLabels(), func(string) { v.refilter() })
	v.status.SetSelectedIndex(filterAll)
	v.progress = widget.NewProgressBar()
	v.count = widget.NewLabel("")
	v.message = newParagraph("")
	v.table = v.newTable()

	v.checkBtn = widget.NewButtonWithIcon(lang.L("Check all"), theme.ConfirmIcon(), v.check)
	v.checkBtn.Importance = widget.HighImportance
	v.cancel = widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), func() {
		if v.stop != nil {
			v.stop()
		}
	})
	v.cancel.Disable()
	submitAll := func() {
		showConfirm(lang.L("Submit all"), lang.L("Hand every filing without blocking findings to the outbox? Filings already sent are skipped."),
			func(yes bool) {
				if yes {
					v.submit(false)
				}
			}, ui.win)
	}
	// On a narrow window the last commands move into the bar's "More" menu.
	bar := newOverflowBar(
		barAction{label: lang.L("Back"), icon: theme.NavigateBackIcon(), run: ui.showHome},
		barAction{label: lang.L("Import sheet…"), icon: theme.DownloadIcon(), run: v.importSheet},
		barAction{label: lang.L("Check all"), icon: theme.ConfirmIcon(), run: v.check, button: v.checkBtn},
		barAction{label: lang.L("Cancel"), icon: theme.CancelIcon(), run: v.cancel.OnTapped, button: v.cancel},
		barAction{label: lang.L("Open"), icon: theme.DocumentIcon(), run: v.open},
		barAction{label: lang.L("Report…"), icon: theme.DocumentSaveIcon(), run: v.report},
		barAction{label: lang.L("Submit all"), icon: theme.MailSendIcon(), run: submitAll},
		barAction{label: lang.L("Retry failed"), icon: theme.ViewRefreshIcon(), run: func() { v.submit(true) }},
	)
	filters := container.NewBorder(nil, nil, v.pick, v.status, v.filter)
	top := container.NewVBox(bar, filters)
	bottom := container.NewVBox(container.NewBorder(nil, nil, nil, v.count, v.progress), v.message)
	v.content = container.NewBorder(top, bottom, nil, nil, v.table)
	v.reloadBatches(0)
	return v
}

// Content is the view's root object.
func (v *BatchView) Content() fyne.CanvasObject { return v.content }

func (v *BatchView) newTable() *widget.Table {
	cols := batchColumns()
	widths := []float32{90, 260, 200, 80, 110, 70, 70, 150}
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(v.visible), len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(v.visible) {
				return
			}
			o.(*widget.Label).SetText(v.cell(v.rows[v.visible[id.Row]], id.Col))
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return widget.NewButton("", nil) }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		if id.Col < 0 {
			return
		}
		title := cols[id.Col]
		if id.Col == v.sortCol {
			title += map[bool]string{false: " ▲", true: " ▼"}[v.desc]
		}
		b.SetText(title)
		col := id.Col
		b.OnTapped = func() { v.sortBy(col) }
	}
	for i, w := range widths {
		t.SetColumnWidth(i, w)
	}
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(v.visible) {
			v.sel = v.visible[id.Row]
		}
	}
	return t
}

func (v *BatchView) cell(r batchRow, col int) string {
	switch col {
	case 0:
		return r.key
	case 1:
		return orDash(r.subject)
	case 2:
		return orDash(r.domain)
	case 3:
		return orDash(r.prov)
	case 4:
		return r.status
	case 5, 6, 7:
		if !r.checked {
			return "—"
		}
		switch col {
		case 5:
			return fmt.Sprint(r.blocking)
		case 6:
			return fmt.Sprint(r.warnings)
		}
		return fmt.Sprintf("%d %s", int(r.step), r.step.Name(v.ui.lang))
	}
	return ""
}

func (v *BatchView) say(msg string, imp widget.Importance) {
	v.message.SetText(msg)
	v.message.Importance = imp
	v.message.Refresh()
}

func (v *BatchView) reloadBatches(choose int) {
	bs, err := v.svc.Batches()
	if err != nil {
		v.say(errorText(err, v.ui.lang), widget.DangerImportance)
		return
	}
	v.batches = bs
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = fmt.Sprintf("%s (%d) · %s", b.Name, len(b.Filings), b.Created.Local().Format("2006-01-02 15:04"))
	}
	v.pick.SetOptions(names)
	if len(bs) > 0 {
		v.pick.SetSelectedIndex(choose) // calls choose via OnChanged
	}
}

// choose loads batch i; the check results of another batch are dropped.
func (v *BatchView) choose(i int) {
	if i < 0 || i >= len(v.batches) {
		return
	}
	v.current = v.batches[i]
	apps, err := v.svc.Load(v.current)
	if err != nil {
		v.say(errorText(err, v.ui.lang), widget.DangerImportance)
		return
	}
	v.apps, v.results, v.sel = apps, make([]batch.Result, len(apps)), -1
	v.rebuild()
}

// rebuild makes the rows from the filings, their results and the outbox.
func (v *BatchView) rebuild() {
	if v.current == nil {
		return
	}
	var states []batch.RowStatus
	if s, err := v.svc.Statuses(v.current); err == nil {
		states = s
	}
	v.rows = make([]batchRow, len(v.apps))
	for i, a := range v.apps {
		r := batchRow{index: i, key: v.current.Filings[i].Key}
		if a == nil {
			r.missing, r.status = true, lang.L("Draft deleted")
		} else {
			r.subject = a.Subject.Name
			var ds []string
			for _, w := range a.Websites {
				ds = append(ds, w.Domain)
			}
			r.domain = strings.Join(ds, ", ")
			r.prov = a.Province
			if p, ok := v.ui.pack.Province(a.Province); ok {
				r.prov = pickLang(v.ui.lang, p.ZH, p.EN)
			}
			r.status = filing.StatusDraft.Label(v.ui.lang)
		}
		if i < len(states) && states[i].State != batch.StateNotSent {
			r.status = batch.StateLabel(states[i].State, v.ui.lang)
			r.submitted = states[i].SubmissionID != ""
		}
		if res := v.results[i]; res.Checked {
			r.checked, r.blocking, r.warnings, r.step = true, res.Blocking, res.Warnings, res.Step
		}
		v.rows[i] = r
	}
	v.refilter()
}

func (v *BatchView) refilter() {
	if v.table == nil { // the filter widgets fire while the view is built
		return
	}
	v.visible = visibleRows(v.rows, v.filter.Text, v.status.SelectedIndex(), v.sortCol, v.desc)
	v.table.UnselectAll()
	v.table.Refresh()
	for i, r := range v.visible {
		if r == v.sel {
			v.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
		}
	}
	v.count.SetText(fmt.Sprintf(lang.L("%d of %d filings"), len(v.visible), len(v.rows)))
}

func (v *BatchView) sortBy(col int) {
	if v.sortCol == col {
		v.desc = !v.desc
	} else {
		v.sortCol, v.desc = col, false
	}
	v.refilter()
}

// check runs the batch check off the UI goroutine. The workers only store
// the latest progress; one goroutine shows it through fyne.Do at most ten
// times a second, so 1000 filings do not flood the UI thread. Cancel stops
// the check; done is closed once the results are on screen.
func (v *BatchView) check() {
	if v.current == nil || v.stop != nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	v.stop = stop
	v.done = make(chan struct{})
	done := v.done
	v.checkBtn.Disable()
	v.cancel.Enable()
	v.progress.SetValue(0)
	apps, b := v.apps, v.current
	v.say(lang.L("Checking…"), widget.MediumImportance)
	var latest atomic.Pointer[batch.Progress]
	show := func() {
		p := latest.Load()
		if p == nil {
			return
		}
		if p.Total > 0 {
			v.progress.SetValue(float64(p.Done) / float64(p.Total))
		}
		text := fmt.Sprintf(lang.L("%d of %d checked"), p.Done, p.Total)
		if p.Left > 0 {
			text += " · " + fmt.Sprintf(lang.L("about %s left"), p.Left.Round(time.Second).String())
		}
		v.count.SetText(text)
	}
	finished := make(chan struct{})
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-finished:
				return
			case <-tick.C:
				fyne.DoAndWait(show)
			}
		}
	}()
	go func() {
		res, err := v.svc.Check(ctx, b, apps, func(p batch.Progress) { latest.Store(&p) })
		close(finished)
		fyne.DoAndWait(func() {
			show()
			v.stop = nil
			stop()
			v.checkBtn.Enable()
			v.cancel.Disable()
			if res != nil {
				v.results = res
			}
			v.rebuild()
			blocking := 0
			for _, r := range res {
				if r.Blocking > 0 {
					blocking++
				}
			}
			if err != nil {
				v.say(lang.L("Check cancelled; the filings not reached are marked “—”."), widget.WarningImportance)
				return
			}
			v.say(fmt.Sprintf(lang.L("Checked %d filings: %d with blocking findings."), len(res), blocking), widget.SuccessImportance)
		})
		close(done)
	}()
}

// open edits the selected filing in the wizard; closing the wizard comes
// back to this view with its batch, filter, sort and selection as they
// were; the edited filing is marked not checked.
func (v *BatchView) open() {
	if v.sel < 0 || v.sel >= len(v.apps) || v.apps[v.sel] == nil {
		v.say(lang.L("Select a filing first."), widget.WarningImportance)
		return
	}
	i := v.sel
	app, err := v.ui.drafts.Load(v.current.Filings[i].DraftID)
	if err != nil {
		v.say(errorText(err, v.ui.lang), widget.DangerImportance)
		return
	}
	v.ui.OpenWizardThen(app, func() {
		if a, err := v.ui.drafts.Load(v.current.Filings[i].DraftID); err == nil {
			v.apps[i] = a
		}
		// The edit may have changed anything, scans included: the row
		// shows "not checked" until the next check rather than stale counts.
		v.results[i] = batch.Result{}
		v.rebuild()
		v.ui.win.SetContent(v.content)
	})
}

func (v *BatchView) importSheet() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		showConfirm(lang.L("Scans"), lang.L("Add scans from a folder? Files are matched by name: <key>_<slot>[_<n>].jpg."), func(yes bool) {
			if !yes {
				v.runImport(path, "")
				return
			}
			fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
				dir := ""
				if err == nil && u != nil {
					dir = u.Path()
				}
				v.runImport(path, dir)
			}, v.ui.win)
			fd.Show()
		}, v.ui.win)
	}, v.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx", ".csv"}))
	d.Show()
}

// runImport imports off the UI goroutine: a big sheet with scans takes a while.
func (v *BatchView) runImport(path, scanDir string) {
	v.say(lang.L("Importing…"), widget.MediumImportance)
	go func() {
		res, err := v.svc.Import(path, scanDir)
		fyne.Do(func() {
			if err != nil {
				v.say(errorText(err, v.ui.lang), widget.DangerImportance)
				return
			}
			v.showImportResult(res)
		})
	}()
}

func (v *BatchView) showImportResult(res *batch.ImportResult) {
	n := 0
	if res.Batch != nil {
		n = len(res.Batch.Filings)
	}
	lines := []string{fmt.Sprintf(lang.L("Imported %d filings and %d scans; %d rows have errors."), n, res.Scans, len(res.Errors))}
	for _, e := range res.Errors {
		lines = append(lines, e.Message(v.ui.lang))
	}
	for _, u := range res.Unused {
		lines = append(lines, u.Message(v.ui.lang))
	}
	imp := widget.SuccessImportance
	if len(res.Errors) > 0 {
		imp = widget.WarningImportance
	}
	v.say(strings.Join(lines, "\n"), imp)
	if res.Batch != nil {
		v.reloadBatches(0)
	}
}

func (v *BatchView) reportRows() []batch.ReportRow {
	subjects := make([]string, len(v.apps))
	for i, a := range v.apps {
		if a != nil {
			subjects[i] = a.Subject.Name
		}
	}
	return batch.ReportRows(v.current, subjects, v.results)
}

func (v *BatchView) report() {
	if v.current == nil {
		return
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		path := wc.URI().Path()
		_ = wc.Close()
		if err := v.svc.Report(path, v.reportRows(), v.ui.lang); err != nil {
			v.say(errorText(err, v.ui.lang), widget.DangerImportance)
			return
		}
		v.say(lang.L("Report saved."), widget.SuccessImportance)
	}, v.ui.win)
	d.SetFileName(v.current.Name + "-report.xlsx")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx", ".csv"}))
	d.Show()
}

func (v *BatchView) submit(onlyFailed bool) {
	if v.current == nil {
		return
	}
	b := v.current
	v.say(lang.L("Submitting…"), widget.MediumImportance)
	go func() {
		rows, err := v.svc.Submit(b, onlyFailed)
		fyne.Do(func() {
			if err != nil {
				v.say(errorText(err, v.ui.lang), widget.DangerImportance)
				return
			}
			s := batch.Summarise(rows)
			v.rebuild()
			v.say(fmt.Sprintf(lang.L("%d filings: %d failed (blocked, refused or held); the rest are in the outbox or already sent."), s.Total, s.Failed),
				map[bool]widget.Importance{true: widget.WarningImportance, false: widget.SuccessImportance}[s.Failed > 0])
		})
	}()
}
