package gui

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
)

// Documents keeps the files a user chooses and checks them. main wires it
// to the attachment store and the image checks; the GUI only calls it.
type Documents interface {
	// Keep copies a file into the attachment store.
	Keep(path string) (filing.Attachment, error)
	// Check checks a kept file as what it is in the filing and returns its
	// report with an annotated preview.
	Check(a filing.Attachment, s Scan) (*imaging.Report, error)
	// Fix applies the one-click fixes (turn upright, convert to JPEG, fit
	// the size limit), keeps the result as a new attachment (the original
	// is untouched) and checks it.
	Fix(a filing.Attachment, s Scan) (filing.Attachment, *imaging.Report, error)
}

// Scan is what a kept file is in the filing, read off the application on
// the UI goroutine so that the check, off it, never reads the application.
type Scan struct {
	// Slot is the document slot, "photo" for the verification photo.
	Slot string
	// CertificateType is the subject's certificate type: a business
	// licence is checked as one, other unit certificates more loosely.
	CertificateType string
	// Province is the filing's province, whose way of verifying the
	// website owner picks the background a photo is checked against.
	Province string
}

// previewSize is the least size of a slot's preview.
var previewSize = fyne.NewSize(240, 180)

// slotView is the on-screen state of one upload slot.
type slotView struct {
	slot    string
	website int
	status  *widget.Label
	busy    *widget.Activity
	preview *canvas.Image
	checks  *Paragraph
	// details holds the measures, limits and sources behind the checks'
	// headlines, closed until asked for.
	details     *widget.Accordion
	detailsText *Paragraph
	fixes       *fyne.Container
	// report is the last report shown (nil while none or while checking).
	report *imaging.Report
	// row holds the preview beside the checks; it is laid out again when
	// the preview appears or goes.
	row  *fyne.Container
	card *widget.Card
	// path takes a typed or pasted path of the file for this slot.
	path *widget.Entry
	// compose adds supporting documents to the slot's image, on the slots
	// the pack stitches them into (compose.go); nil on the others.
	compose *composeView
}

func (w *Wizard) uploadStep() fyne.CanvasObject {
	needs := filing.RequiredDocuments(w.ctl.App(), w.ctl.Pack(), w.ctl.Day())
	if len(needs) == 0 {
		return newParagraph(lang.L("Choose the province and subject type first: they decide which documents are needed."))
	}
	intro := newParagraph(lang.L("Colour scans or photos of the originals, JPG or PNG, under 4 MB each. Choose a file, drop it on its slot or type its path; it is checked on this computer."))
	cards := []fyne.CanvasObject{intro}
	w.slots = nil
	listShown := false
	for _, n := range needs {
		title := pickLang(w.lang, n.ZH, n.EN)
		if n.Website >= 0 {
			title += " · " + lang.L("Website {{.N}}", map[string]any{"N": n.Website + 1})
		}
		// The domain list page, where the province wants one, goes with
		// the verification form: it is stitched into the form's image.
		if n.Slot == "verification_form" && !listShown {
			listShown = true
			if box := w.domainListArea(); box != nil {
				cards = append(cards, box)
			}
		}
		cards = append(cards, w.slotCard(title, n.Slot, n.Website, documentField(n.Slot, n.Website)))
	}
	return container.NewVBox(cards...)
}

func documentField(slot string, website int) string {
	if website >= 0 {
		return fmt.Sprintf("documents.%s[%d]", slot, website)
	}
	return "documents." + slot
}

// attachmentOf finds the file filling a slot ("photo" for the photo).
func attachmentOf(a *filing.Application, slot string, website int) *filing.Attachment {
	if slot == "photo" {
		return a.Photo.Attachment
	}
	for _, d := range a.Documents {
		if d.Slot == slot && (website < 0 || d.Website == website) {
			return d.Attachment
		}
	}
	return nil
}

func setAttachment(a *filing.Application, slot string, website int, att *filing.Attachment) {
	if slot == "photo" {
		a.Photo.Attachment = att
		return
	}
	for i := range a.Documents {
		if d := &a.Documents[i]; d.Slot == slot && (website < 0 || d.Website == website) {
			if att == nil {
				a.Documents = append(a.Documents[:i:i], a.Documents[i+1:]...)
			} else {
				d.Attachment = att
			}
			return
		}
	}
	if att != nil {
		a.Documents = append(a.Documents, filing.Document{Slot: slot, Website: max(website, 0), Attachment: att})
	}
}

func (w *Wizard) slotCard(title, slot string, website int, field string) fyne.CanvasObject {
	v := w.fields.add(field)
	sv := &slotView{slot: slot, website: website, status: widget.NewLabel(""), busy: widget.NewActivity(),
		checks: newParagraph(""), fixes: container.NewHBox()}
	sv.detailsText = newParagraph("")
	sv.details = widget.NewAccordion(widget.NewAccordionItem(lang.L("Details"), sv.detailsText))
	sv.details.Hide()
	sv.preview = canvas.NewImageFromImage(nil)
	sv.preview.FillMode = canvas.ImageFillContain
	sv.preview.SetMinSize(previewSize)
	sv.preview.Hide()
	w.slots = append(w.slots, sv)
	stitch := w.composeArea(sv, title)

	choose := widget.NewButtonWithIcon(lang.L("Choose a file…"), theme.FolderOpenIcon(), func() {
		showFileChooser(w.window, lang.L("Choose a file for: {{.Slot}}", map[string]any{"Slot": title}), func(path string) {
			w.keepAndCheck(sv, path)
		})
	})
	remove := widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), func() {
		old := attachmentOf(w.ctl.App(), slot, website)
		if old == nil {
			return
		}
		w.ctl.Edit(func(a *filing.Application) { setAttachment(a, slot, website, nil) })
		w.showSlot(sv, nil)
		w.offerUndo(lang.L("File removed."), func() {
			w.ctl.Edit(func(a *filing.Application) { setAttachment(a, slot, website, old) })
			w.rebuild()
		})
	})
	sv.busy.Hide()
	w.showSlot(sv, nil)
	if att := attachmentOf(w.ctl.App(), slot, website); att != nil {
		w.checkInBackground(sv, *att)
	}
	head := container.NewHBox(choose, remove, sv.busy, sv.status)
	sv.path = widget.NewEntry()
	sv.path.SetPlaceHolder(lang.L("Or type the file's path"))
	sv.path.OnSubmitted = func(typed string) { w.keepTyped(sv, typed) }
	use := widget.NewButton(lang.L("OK"), func() { w.keepTyped(sv, sv.path.Text) })
	dropHint := widget.NewLabel(lang.L("Or drop the file here"))
	dropHint.Importance = widget.LowImportance
	typed := container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.DownloadIcon()), dropHint), use, sv.path)
	sv.row = container.NewBorder(nil, nil, sv.preview, nil, container.NewVBox(sv.checks, sv.details))
	v.target = choose
	// The slot's name is a wrapping line, not the card's subtitle, which
	// draws on one line and made the window wider than a small screen.
	name := newParagraph(title)
	parts := []fyne.CanvasObject{name, head, typed, v.area(), sv.row, sv.fixes}
	if stitch != nil {
		parts = append(parts, stitch)
	}
	sv.card = widget.NewCard("", "", container.NewVBox(parts...))
	return sv.card
}

// keepAndCheck copies a chosen file into the store and checks it in the
// background; the window stays responsive and shows a spinner meanwhile.
func (w *Wizard) keepAndCheck(sv *slotView, path string) {
	if w.docs == nil {
		showMessage(lang.L("Documents"), lang.L("The document store is not available in this window."), w.window)
		return
	}
	rememberFolder(path)
	w.startBusy(sv)
	go func() {
		att, err := w.docs.Keep(path)
		fyne.Do(func() {
			if err != nil {
				w.stopBusy(sv)
				w.slotError(sv, lang.L("Could not keep the file: {{.Err}}", map[string]any{"Err": errorText(err, w.lang)}))
				return
			}
			w.ctl.Edit(func(a *filing.Application) { setAttachment(a, sv.slot, sv.website, &att) })
			w.checkInBackground(sv, att)
		})
	}()
}

func (w *Wizard) startBusy(sv *slotView) {
	sv.busy.Show()
	sv.busy.Start()
	sv.status.SetText(lang.L("Checking…"))
	sv.status.Importance = widget.MediumImportance
	sv.status.Refresh()
}

// slotError says on the slot what went wrong; the slot keeps what it had.
func (w *Wizard) slotError(sv *slotView, msg string) {
	sv.status.SetText(msg)
	sv.status.Importance = widget.DangerImportance
	sv.status.Refresh()
}

func (w *Wizard) stopBusy(sv *slotView) {
	sv.busy.Stop()
	sv.busy.Hide()
}

func (w *Wizard) checkInBackground(sv *slotView, att filing.Attachment) {
	if w.docs == nil {
		w.showSlot(sv, nil)
		return
	}
	w.startBusy(sv)
	scan := w.scanOf(sv)
	go func() {
		rep, err := w.docs.Check(att, scan)
		fyne.Do(func() {
			w.stopBusy(sv)
			w.scanDone(sv.slot, sv.website, att, rep, err)
			if err != nil {
				w.slotError(sv, errorText(err, w.lang))
				return
			}
			w.showSlot(sv, rep)
		})
	}()
}

// errorText is an error in the user's language when it carries one.
func errorText(err error, lng string) string {
	if l, ok := err.(interface{ Message(string) string }); ok {
		return l.Message(lng)
	}
	return err.Error()
}

// verdictLabel is a file's overall verdict as the slot shows it.
func verdictLabel(v imaging.Verdict) string {
	switch v {
	case imaging.Pass:
		return lang.L("passed")
	case imaging.Warn:
		return lang.L("warnings")
	case imaging.Doubtful:
		return lang.L("doubtful: re-shoot")
	}
	return lang.L("failed")
}

// showSlot shows a slot's file and, when there is one, its check report.
func (w *Wizard) showSlot(sv *slotView, rep *imaging.Report) {
	att := attachmentOf(w.ctl.App(), sv.slot, sv.website)
	sv.fixes.Objects = nil
	sv.fixes.Refresh()
	defer func() { sv.report = rep }()
	if att == nil {
		sv.status.SetText(lang.L("No file yet."))
		sv.status.Importance = widget.LowImportance
		sv.status.Refresh()
		sv.preview.Hide()
		sv.checks.SetText("")
		sv.details.Hide()
		w.showComposition(sv, nil, nil)
		w.relayout(sv)
		return
	}
	text := att.OriginalName + " · " + humanSize(att.Size)
	if rep == nil {
		sv.status.SetText(text)
		sv.status.Refresh()
		w.showComposition(sv, att, nil)
		return
	}
	sv.status.SetText(text + " · " + verdictLabel(rep.Verdict))
	sv.status.Importance = map[imaging.Verdict]widget.Importance{imaging.Pass: widget.SuccessImportance,
		imaging.Warn: widget.WarningImportance, imaging.Doubtful: widget.WarningImportance, imaging.Fail: widget.DangerImportance}[rep.Verdict]
	sv.status.Refresh()
	// The headline of each check that did not pass says what is wrong and
	// what to do; its numbers and the rule's source are behind Details.
	var lines []string
	fixes := map[string]bool{}
	for _, c := range rep.Checks {
		if c.Verdict == imaging.Pass {
			continue
		}
		lines = append(lines, verdictMark(c.Verdict)+c.Message(w.lang))
		if c.Fix != "" {
			fixes[c.Fix] = true
		}
	}
	if len(lines) == 0 {
		lines = append(lines, lang.L("Every check passed."))
	}
	sv.checks.SetText(strings.Join(lines, "\n"))
	sv.detailsText.SetText(w.checkDetails(sv.slot, rep))
	sv.details.Show()
	sv.details.Refresh()
	if rep.Preview != nil {
		sv.preview.Image = rep.Preview
		sv.preview.Show()
		sv.preview.Refresh()
	}
	// The parts of a stitched file, outlined on the preview.
	w.showComposition(sv, att, rep)
	if rep.Preview != nil {
		w.relayout(sv)
	}
	var labels []string
	for _, fix := range []string{imaging.FixRotate, imaging.FixToJPEG, imaging.FixFitSize} {
		if fixes[fix] {
			labels = append(labels, fixLabel(fix))
		}
	}
	if len(labels) > 0 {
		sv.fixes.Add(widget.NewButtonWithIcon(strings.Join(labels, " + "), theme.ViewRefreshIcon(), func() { w.applyFix(sv, *att) }))
	}
	sv.fixes.Refresh()
}

// verdictMark is the sign a check's line starts with.
func verdictMark(v imaging.Verdict) string {
	return map[imaging.Verdict]string{imaging.Pass: "✔ ", imaging.Warn: "⚠ ", imaging.Doubtful: "? ", imaging.Fail: "✖ "}[v]
}

// checkDetails is every check of a report with what it measured, its
// limit and where the limit comes from: the rule pack's upload rule for
// the file's format and size, the image-check study for the picture.
func (w *Wizard) checkDetails(slot string, rep *imaging.Report) string {
	pack := w.ctl.Pack()
	upload := ""
	if u := pack.UploadFor(slot, w.ctl.Day()); u != nil {
		upload = u.ID
	}
	var lines, sources []string
	seen := map[string]bool{}
	for _, c := range rep.Checks {
		line := verdictMark(c.Verdict) + c.Message(w.lang)
		var nums []string
		if m := c.MeasuredIn(w.lang); m != "" {
			nums = append(nums, lang.L("measured {{.Value}}", map[string]any{"Value": m}))
		}
		if l := c.ThresholdIn(w.lang); l != "" {
			nums = append(nums, lang.L("limit {{.Value}}", map[string]any{"Value": l}))
		}
		if len(nums) > 0 {
			line += "\n    " + strings.Join(nums, pickLang(w.lang, "；", "; "))
		}
		lines = append(lines, line)
		f := filing.Finding{Rule: c.ID, Source: "IMG"}
		if strings.HasPrefix(c.ID, "file.") && upload != "" {
			f.Rule = upload
		}
		if src := pack.Cite(f, w.lang); src != "" && !seen[src] {
			seen[src] = true
			sources = append(sources, src)
		}
	}
	return strings.Join(append(lines, sources...), "\n")
}

// scanOf is what the file in sv is in the filing as it stands.
func (w *Wizard) scanOf(sv *slotView) Scan {
	a := w.ctl.App()
	return Scan{Slot: sv.slot, CertificateType: a.Subject.CertificateType, Province: a.Province}
}

// relayout lays the slot's card and the step out again after the preview
// appeared or went: its height changed.
func (w *Wizard) relayout(sv *slotView) {
	if sv.row == nil {
		return
	}
	sv.row.Refresh()
	sv.card.Content.Refresh()
	sv.card.Refresh()
	for _, o := range w.body.Objects {
		o.Refresh()
	}
	w.body.Refresh()
}

func fixLabel(fix string) string {
	switch fix {
	case imaging.FixFitSize:
		return lang.L("Fit the size limit")
	case imaging.FixToJPEG:
		return lang.L("Convert to JPG")
	}
	return lang.L("Rotate upright")
}

// applyFix makes a fixed copy, fills the slot with it and shows its report;
// the original stays in the store, so the change can be undone.
func (w *Wizard) applyFix(sv *slotView, att filing.Attachment) {
	w.startBusy(sv)
	scan := w.scanOf(sv)
	go func() {
		fixed, rep, err := w.docs.Fix(att, scan)
		fyne.Do(func() {
			w.stopBusy(sv)
			if err != nil {
				w.slotError(sv, errorText(err, w.lang))
				return
			}
			w.ctl.Edit(func(a *filing.Application) { setAttachment(a, sv.slot, sv.website, &fixed) })
			w.scanDone(sv.slot, sv.website, fixed, rep, nil)
			w.showSlot(sv, rep)
			w.offerUndo(lang.L("Fixed copy in use."), func() {
				w.ctl.Edit(func(a *filing.Application) { setAttachment(a, sv.slot, sv.website, &att) })
				w.rebuild()
			})
		})
	}()
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// keepTyped keeps the file whose path was typed in a slot; a path that
// names no readable file is said on the slot, which keeps what it had.
func (w *Wizard) keepTyped(sv *slotView, typed string) {
	p := cleanPath(typed, startFolder())
	if err := fileAt(p); err != nil {
		w.slotError(sv, err.Error())
		return
	}
	sv.path.SetText("")
	w.keepAndCheck(sv, p)
}

// dropped takes files dropped on the window at pos (canvas coordinates).
// A file dropped on a slot goes in that slot. A single file dropped
// elsewhere goes in the one empty slot if there is exactly one; otherwise
// nothing is guessed and the footer says to drop each file on its slot.
func (w *Wizard) dropped(pos fyne.Position, paths []string) {
	if len(paths) == 0 {
		return
	}
	slots := w.slotsOnScreen()
	if len(slots) == 0 {
		w.say(lang.L("This step takes no files. Drop a file on its slot on the documents or photo step."), widget.WarningImportance)
		return
	}
	if sv := w.slotAt(slots, pos); sv != nil {
		switch {
		case len(paths) > 1:
			w.slotError(sv, lang.L("{{.Count}} files were dropped here; a slot takes one file. Drop them one at a time.", map[string]any{"Count": len(paths)}))
		case sv.busy.Visible():
			w.slotError(sv, lang.L("Still checking the file before; drop this one again when the check is done."))
		default:
			w.keepDropped(sv, paths[0])
		}
		return
	}
	var empty []*slotView
	for _, sv := range slots {
		if attachmentOf(w.ctl.App(), sv.slot, sv.website) == nil && !sv.busy.Visible() {
			empty = append(empty, sv)
		}
	}
	if len(paths) == 1 && len(empty) == 1 {
		w.keepDropped(empty[0], paths[0])
		return
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	w.say(lang.L("Not taken: {{.Files}}. Drop each file on the slot it belongs to.", map[string]any{"Files": strings.Join(names, ", ")}), widget.WarningImportance)
}

// keepDropped keeps a dropped file in sv, or says on sv why it cannot.
func (w *Wizard) keepDropped(sv *slotView, path string) {
	if err := fileAt(path); err != nil {
		w.slotError(sv, err.Error())
		return
	}
	w.keepAndCheck(sv, path)
}

// say puts a message in the step's footer until the next change.
func (w *Wizard) say(msg string, imp widget.Importance) {
	w.summary.SetText(msg)
	w.summary.Importance = imp
	w.summary.Refresh()
}

// slotsOnScreen are the slots of the step on screen: w.slots may still
// hold the cards of a step left before.
func (w *Wizard) slotsOnScreen() []*slotView {
	shown := map[fyne.CanvasObject]bool{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Card:
			shown[o] = true
			walk(o.Content)
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(o.Content)
		}
	}
	walk(w.body)
	var out []*slotView
	for _, sv := range w.slots {
		if sv.card != nil && shown[sv.card] && sv.card.Visible() {
			out = append(out, sv)
		}
	}
	return out
}

// slotAt is the slot whose card is under pos, counting only the part of
// the card scrolled into view.
func (w *Wizard) slotAt(slots []*slotView, pos fyne.Position) *slotView {
	d := fyne.CurrentApp().Driver()
	inside := func(o fyne.CanvasObject) bool {
		p, s := d.AbsolutePositionForObject(o), o.Size()
		return pos.X >= p.X && pos.Y >= p.Y && pos.X < p.X+s.Width && pos.Y < p.Y+s.Height
	}
	if view := w.bodyScroll(); view != nil && !inside(view) {
		return nil
	}
	for _, sv := range slots {
		if inside(sv.card) {
			return sv
		}
	}
	return nil
}

// bodyScroll is the scroll the steps are shown in, found in the wizard's
// content.
func (w *Wizard) bodyScroll() *container.Scroll {
	var found *container.Scroll
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil {
			return
		}
		switch o := o.(type) {
		case *container.Scroll:
			if o.Content == w.body {
				found = o
			}
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case *container.Split:
			walk(o.Leading)
			walk(o.Trailing)
		}
	}
	walk(w.content)
	return found
}
