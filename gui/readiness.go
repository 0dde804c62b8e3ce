package gui

import (
	"cmp"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/imaging"
)

// The wizard's marks, footers and review page all read the readiness gate
// (Controller.Readiness, filing.Assess). This file feeds the gate the
// check results of the filing's files and turns its findings into the
// footer's clickable lines.

// scanDone hands the gate the check of the file in a slot ("photo" for the
// photo). Call it on the UI goroutine.
func (w *Wizard) scanDone(slot string, website int, att filing.Attachment, rep *imaging.Report, err error) {
	field := "photo"
	if slot != "photo" {
		field = documentField(slot, website)
	}
	w.ctl.SetScan(scans.Result(filing.ScanTarget{Field: field, Slot: slot, Website: website, Attachment: att}, rep, err))
}

// scanOfTarget is what a target's file is in the filing as it stands.
func (w *Wizard) scanOfTarget(t filing.ScanTarget) Scan {
	a := w.ctl.App()
	return Scan{Slot: t.Slot, CertificateType: a.Subject.CertificateType, Province: a.Province}
}

// checkTargets checks every file the gate needs, so that the step marks
// know their verdicts from the start.
func (w *Wizard) checkTargets() {
	w.checkTargetsOf(filing.ScanTargets(w.ctl.App(), w.ctl.Pack(), w.ctl.now()), nil)
}

// checkTargetsOf checks the files of targets one after the other off the
// UI goroutine (kept reports come back in milliseconds), hands each result
// to the gate and then calls each, on the UI goroutine, with the report and
// whether the gate's view of that file changed.
func (w *Wizard) checkTargetsOf(targets []filing.ScanTarget, each func(t filing.ScanTarget, rep *imaging.Report, err error, changed bool)) {
	if w.docs == nil || len(targets) == 0 {
		return
	}
	jobs := make([]Scan, len(targets))
	for i, t := range targets {
		jobs[i] = w.scanOfTarget(t)
	}
	docs := w.docs
	go func() {
		for i, t := range targets {
			rep, err := docs.Check(t.Attachment, jobs[i])
			fyne.Do(func() {
				changed := w.ctl.SetScan(scans.Result(t, rep, err))
				if each != nil {
					each(t, rep, err, changed)
				}
			})
		}
	}()
}

// footerLines are the findings the footer of step s lists: what blocks,
// what is being checked, the warnings to confirm, then the other warnings,
// each once, in the order of the step's form.
func footerLines(st filing.StepState) []filing.Finding {
	var out []filing.Finding
	seen := map[string]bool{}
	add := func(fs []filing.Finding) {
		for _, f := range fs {
			k := f.Rule + "\x00" + f.Field + "\x00" + f.ZH
			if !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	add(st.Blocking)
	add(st.Checking)
	add(st.ToConfirm)
	add(st.Warnings)
	return out
}

// inFormOrder orders findings as their fields stand on the step on
// screen, top to bottom; what blocks still comes before what warns.
func (w *Wizard) inFormOrder(fs []filing.Finding) []filing.Finding {
	if w.fields == nil {
		return fs
	}
	pos := map[string]int{}
	for i, v := range w.fields.views {
		if _, ok := pos[v.path]; !ok {
			pos[v.path] = i
		}
	}
	at := func(f filing.Finding) int {
		if i, ok := pos[f.Field]; ok {
			return i
		}
		return len(pos)
	}
	rank := func(f filing.Finding) int {
		if f.Severity == filing.Block {
			return 0
		}
		return 1
	}
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b filing.Finding) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(at(a), at(b)))
	})
	return out
}

// findingLine is a finding as one line of the footer or the review page,
// naming whom or which website it concerns.
func (w *Wizard) findingLine(f filing.Finding) string {
	mark := severityMark(f.Severity)
	if f.Rule == "scan.pending" {
		mark = "⏳ "
	}
	text := f.Message(w.lang)
	if who := filing.Concerns(w.ctl.App(), f.Field, w.lang); who != "" {
		text = who + pickLang(w.lang, "：", ": ") + text
	}
	return mark + text
}

// findingLink is a finding as a line that takes the applicant to its
// field, cut to one line for the footer: a long message must not widen
// the window and shift the form.
func (w *Wizard) findingLink(f filing.Finding) *widget.Hyperlink {
	l := widget.NewHyperlink(w.findingLine(f), nil)
	l.OnTapped = func() { w.goTo(f) }
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// findingParagraph is findingLink whole, wrapped, for the review page.
func (w *Wizard) findingParagraph(f filing.Finding) *Paragraph {
	p := newParagraph(w.findingLine(f))
	p.OnTapped = func() { w.goTo(f) }
	return p
}

// goTo shows the step of f and puts the cursor in its field.
func (w *Wizard) goTo(f filing.Finding) {
	if f.Step != w.current {
		w.show(f.Step)
	}
	w.fields.showAll = true
	w.fields.refresh()
	if w.window != nil {
		w.fields.focus(f.Field, w.window.Canvas())
	}
	w.scrollTo(f.Field)
}

// scrollTo scrolls the step so that the field of path sits near the top.
func (w *Wizard) scrollTo(path string) {
	if w.scroll == nil || w.fields == nil {
		return
	}
	for _, v := range w.fields.views {
		if v.path != path || v.target == nil {
			continue
		}
		d := fyne.CurrentApp().Driver()
		y := d.AbsolutePositionForObject(v.target).Y - d.AbsolutePositionForObject(w.body).Y
		w.scroll.Offset = fyne.NewPos(0, max(0, y-theme.Padding()*8))
		w.scroll.Refresh()
		return
	}
}

// stepHeadline is the first line of a step's footer: where the step
// stands, in the gate's words.
func (w *Wizard) stepHeadline(st filing.StepState) (string, widget.Importance) {
	switch st.Status {
	case filing.StepNotNeeded:
		return st.Note(w.lang), widget.LowImportance
	case filing.StepChecking:
		return lang.L("Checking the files of this step…"), widget.MediumImportance
	case filing.StepBlocked:
		return lang.L("To fix on this step: {{.Count}}", map[string]any{"Count": len(st.Blocking)}), widget.DangerImportance
	case filing.StepNotStarted:
		if len(st.Blocking) == 0 {
			return lang.L("Not started yet."), widget.MediumImportance
		}
		return lang.L("Left to do on this step: {{.Count}}", map[string]any{"Count": len(st.Blocking)}), widget.WarningImportance
	case filing.StepToConfirm:
		return lang.L("Warnings to confirm: {{.Count}}. Tick each one on the review page (step 8) to send the filing anyway, or replace the file.", map[string]any{"Count": len(st.ToConfirm)}), widget.WarningImportance
	}
	if len(st.Warnings) > 0 {
		return lang.L("This step is done; warnings you may want to check: {{.Count}}", map[string]any{"Count": len(st.Warnings)}), widget.MediumImportance
	}
	return lang.L("This step is complete."), widget.SuccessImportance
}

// footerLimit is how many findings the footer lists; the review page lists all.
const footerLimit = 4

// footerList is the footer's clickable findings of st.
func (w *Wizard) footerList(st filing.StepState) []fyne.CanvasObject {
	if !st.Applies {
		return nil
	}
	lines := w.inFormOrder(footerLines(st))
	var out []fyne.CanvasObject
	for i, f := range lines {
		if i == footerLimit {
			more := widget.NewLabel(lang.L("… and {{.Count}} more: see the review page (step 8).", map[string]any{"Count": len(lines) - footerLimit}))
			more.Importance = widget.LowImportance
			out = append(out, more)
			break
		}
		out = append(out, w.findingLink(f))
	}
	return out
}

// Start begins the wizard's background work once main has wired its
// services: the checks of the filing's files (kept reports, so the step
// marks know their verdicts) and, for a filing the backend returned, its
// findings on their fields.
func (w *Wizard) Start() {
	a := w.ctl.App()
	if w.submit != nil && a.ID != "" {
		if st, ok := w.submit.Latest(a.ID); ok && st.Returned && len(st.Findings) > 0 {
			w.ctl.SetBackendFindings(st.Findings, st.Sent, st.At)
		}
	}
	w.checkTargets()
	w.rebuild()
}
