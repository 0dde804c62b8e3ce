package gui

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"slices"
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

// Stitched material on the upload slots (issue 18; icp-rules.md 1.1.8): a
// supporting document with no slot of its own goes into one image with
// its main certificate. The pack says which slots take what
// (Pack.StitchingFor); the slot keeps the parts (Attachment.Parts) and
// fills itself with their composite, which is checked like any scan.

// Composer stitches kept files into one. main's documents adapter
// implements it beside Documents; a Documents that does not leaves the
// slots without "Add a supporting document".
type Composer interface {
	// Compose stitches parts, in their order, into the image of the slot
	// s is, under the pack's upload limit for it, keeps the result in the
	// attachment store and returns it with Parts set to parts, and the
	// composition: each part's place in it and its own check (the JPEG
	// itself left out).
	Compose(parts []filing.Attachment, s Scan) (filing.Attachment, *imaging.Composition, error)
}

// composer is the window's Composer, nil when there is none.
func (w *Wizard) composer() Composer {
	c, _ := w.docs.(Composer)
	return c
}

// composeView is the part of a slot's card for stitched material.
type composeView struct {
	// rules say what may be added, in the pack's words.
	rules *Paragraph
	add   *widget.Button
	// back puts the main certificate alone in the slot again.
	back  *widget.Button
	parts *fyne.Container
	// comp is the layout of the slot's file (compOf, its hash); nil while
	// it is not known yet.
	comp   *imaging.Composition
	compOf string
	// failedOf is the file whose layout could not be made: it is not
	// asked again.
	failedOf string
	// outlines are the parts' outlines drawn on the preview, in the
	// preview's pixels.
	outlines []image.Rectangle
	// rows are the parts' rows, in order.
	rows []*partRow
}

// partRow is one part of a stitched file on its slot.
type partRow struct {
	name           *Paragraph
	problems       *Paragraph
	up, down, drop *widget.Button
}

// stitchRules are the pack's rules that let supporting documents go into
// slot's image for this filing; none for the photo.
func (w *Wizard) stitchRules(slot string) []*filing.StitchRule {
	if slot == "photo" {
		return nil
	}
	a := w.ctl.App()
	return w.ctl.Pack().StitchingFor(slot, a.Province, w.personal(), a.Subject.Type, w.ctl.Day())
}

// composeArea is the slot's "Add a supporting document" with the parts of
// its file, or nil when the pack stitches nothing into this slot or the
// window cannot compose.
func (w *Wizard) composeArea(sv *slotView, title string) fyne.CanvasObject {
	rules := w.stitchRules(sv.slot)
	if len(rules) == 0 || w.composer() == nil {
		return nil
	}
	var said []string
	for _, r := range rules {
		said = append(said, pickLang(w.lang, r.ZH, r.EN)+pickLang(w.lang, "。", "."))
	}
	cv := &composeView{rules: newParagraph(strings.Join(said, "\n")), parts: container.NewVBox()}
	cv.rules.Importance = widget.LowImportance
	cv.add = widget.NewButtonWithIcon(lang.L("Add a supporting document…"), theme.ContentAddIcon(), func() {
		showFileChooser(w.window, lang.L("Choose a supporting document for: {{.Slot}}", map[string]any{"Slot": title}), func(path string) {
			w.addPart(sv, path)
		})
	})
	cv.back = widget.NewButtonWithIcon(lang.L("Back to the parts"), theme.ContentUndoIcon(), func() { w.backToParts(sv) })
	sv.compose = cv
	return container.NewVBox(cv.rules, container.NewHBox(cv.add, cv.back), cv.parts)
}

// partsOf are the parts of a slot's file: its recorded parts, the file
// alone when it is not stitched, none for an empty slot.
func partsOf(att *filing.Attachment) []filing.Attachment {
	switch {
	case att == nil:
		return nil
	case len(att.Parts) > 0:
		return slices.Clone(att.Parts)
	}
	return []filing.Attachment{*att}
}

// addPart keeps a supporting document and stitches it after the slot's
// parts. In an empty slot the file is the main certificate: it fills the
// slot as it is.
func (w *Wizard) addPart(sv *slotView, path string) {
	parts := partsOf(attachmentOf(w.ctl.App(), sv.slot, sv.website))
	if len(parts) == 0 {
		w.keepAndCheck(sv, path)
		return
	}
	if len(parts) >= filing.MaxAttachmentParts {
		w.slotError(sv, lang.L("At most {{.N}} parts go into one image.", map[string]any{"N": filing.MaxAttachmentParts}))
		return
	}
	rememberFolder(path)
	w.startBusy(sv)
	go func() {
		att, err := w.docs.Keep(path)
		fyne.Do(func() {
			w.stopBusy(sv)
			if err != nil {
				w.slotError(sv, lang.L("Could not keep the file: {{.Err}}", map[string]any{"Err": errorText(err, w.lang)}))
				return
			}
			w.restitch(sv, append(parts, att), lang.L("Document added to the image."))
		})
	}()
}

// movePart moves part i of the slot's file by delta places.
func (w *Wizard) movePart(sv *slotView, i, delta int) {
	parts := partsOf(attachmentOf(w.ctl.App(), sv.slot, sv.website))
	j := i + delta
	if i < 0 || j < 0 || i >= len(parts) || j >= len(parts) {
		return
	}
	parts[i], parts[j] = parts[j], parts[i]
	w.restitch(sv, parts, lang.L("Parts reordered."))
}

// removePart takes part i out of the slot's file.
func (w *Wizard) removePart(sv *slotView, i int) {
	parts := partsOf(attachmentOf(w.ctl.App(), sv.slot, sv.website))
	if i < 0 || i >= len(parts) || len(parts) < 2 {
		return
	}
	w.restitch(sv, slices.Delete(parts, i, i+1), lang.L("Part removed from the image."))
}

// backToParts puts the first part, the main certificate, alone in the
// slot; Undo brings the stitched image back.
func (w *Wizard) backToParts(sv *slotView) {
	parts := partsOf(attachmentOf(w.ctl.App(), sv.slot, sv.website))
	if len(parts) < 2 {
		return
	}
	w.restitch(sv, parts[:1], lang.L("Back to the parts: the slot holds the first part alone."))
}

// restitch fills the slot with parts: one part as it is, more stitched
// off the UI goroutine. The file it had comes back with Undo; every part
// stays in the store.
func (w *Wizard) restitch(sv *slotView, parts []filing.Attachment, done string) {
	var old *filing.Attachment
	if a := attachmentOf(w.ctl.App(), sv.slot, sv.website); a != nil {
		cp := *a
		old = &cp
	}
	undo := func() {
		w.ctl.Edit(func(a *filing.Application) { setAttachment(a, sv.slot, sv.website, old) })
		w.rebuild()
	}
	if len(parts) == 1 {
		alone := parts[0]
		alone.Parts = nil
		w.ctl.Edit(func(a *filing.Application) { setAttachment(a, sv.slot, sv.website, &alone) })
		w.checkInBackground(sv, alone)
		w.offerUndo(done, undo)
		return
	}
	c := w.composer()
	if c == nil {
		return
	}
	w.startBusy(sv)
	sv.status.SetText(lang.L("Stitching…"))
	scan := w.scanOf(sv)
	go func() {
		att, comp, err := c.Compose(parts, scan)
		fyne.Do(func() {
			if err != nil {
				w.stopBusy(sv)
				w.slotError(sv, w.composeErrorText(err))
				return
			}
			// The slot stays busy into the composite's check: its report
			// is the earlier file's until then.
			sv.report = nil
			sv.compose.comp, sv.compose.compOf = comp, att.SHA256
			w.ctl.Edit(func(a *filing.Application) { setAttachment(a, sv.slot, sv.website, &att) })
			w.checkInBackground(sv, att)
			w.offerUndo(done, undo)
		})
	}()
}

// composeErrorText is why parts could not be stitched.
func (w *Wizard) composeErrorText(err error) string {
	if errors.Is(err, imaging.ErrComposeTooLarge) {
		return lang.L("The parts do not fit under the size limit together: stitch fewer parts.")
	}
	return lang.L("Could not stitch the parts: {{.Err}}", map[string]any{"Err": errorText(err, w.lang)})
}

// describe finds the layout of a stitched file kept before (a draft
// opened again): its parts are composed again, off the UI goroutine, and
// the slot shown again with their outlines.
func (w *Wizard) describe(sv *slotView, att filing.Attachment) {
	c, cv := w.composer(), sv.compose
	scan := w.scanOf(sv)
	cv.failedOf = att.SHA256 // asked once, whatever the answer
	go func() {
		_, comp, err := c.Compose(att.Parts, scan)
		fyne.Do(func() {
			now := attachmentOf(w.ctl.App(), sv.slot, sv.website)
			if now == nil || now.SHA256 != att.SHA256 {
				return // changed meanwhile
			}
			if err != nil {
				w.slotError(sv, w.composeErrorText(err))
				return
			}
			// The same parts under the same rules lay out the same, up to
			// scale: the outlines are drawn in proportion.
			cv.comp, cv.compOf = comp, att.SHA256
			if !sv.busy.Visible() {
				w.showSlot(sv, sv.report)
			}
		})
	}()
}

// showComposition shows the parts of the slot's file, each with its own
// check, and outlines them on the preview. Called by showSlot.
func (w *Wizard) showComposition(sv *slotView, att *filing.Attachment, rep *imaging.Report) {
	cv := sv.compose
	if cv == nil {
		return
	}
	stitched := att != nil && len(att.Parts) > 0
	cv.back.Hidden = !stitched
	cv.back.Refresh()
	if att == nil || len(partsOf(att)) >= filing.MaxAttachmentParts {
		cv.add.Disable()
	} else {
		cv.add.Enable()
	}
	cv.parts.Objects, cv.rows, cv.outlines = nil, nil, nil
	defer cv.parts.Refresh()
	// A stitched image is tall: its preview gets the height for its
	// parts to be told apart.
	if stitched {
		sv.preview.SetMinSize(fyne.NewSize(previewSize.Width, 2*previewSize.Height))
	} else {
		sv.preview.SetMinSize(previewSize)
	}
	if !stitched {
		return
	}
	if cv.comp == nil || cv.compOf != att.SHA256 {
		if cv.failedOf != att.SHA256 {
			w.describe(sv, *att)
		}
		cv.parts.Add(widget.NewLabel(lang.L("Stitched from {{.N}} parts.", map[string]any{"N": len(att.Parts)})))
		return
	}
	comp := cv.comp
	for i, p := range att.Parts {
		row := w.partRow(sv, i, len(att.Parts), p, comp)
		cv.rows = append(cv.rows, row)
	}
	if rep != nil && rep.Preview != nil {
		img, rects := outlineParts(rep.Preview, comp)
		cv.outlines = rects
		sv.preview.Image = img
		sv.preview.Refresh()
	}
}

// partColours tell the parts' outlines apart; each part's row shows its
// colour.
var partColours = []color.NRGBA{
	{0xE5, 0x39, 0x35, 0xFF}, {0x1E, 0x88, 0xE5, 0xFF}, {0x43, 0xA0, 0x47, 0xFF},
	{0xFB, 0x8C, 0x00, 0xFF}, {0x8E, 0x24, 0xAA, 0xFF}, {0x00, 0xAC, 0xC1, 0xFF},
}

// partRow is part i's line: its colour, number, name and verdict, what
// stitching did to it, and the buttons that move and remove it.
func (w *Wizard) partRow(sv *slotView, i, n int, p filing.Attachment, comp *imaging.Composition) *partRow {
	cv := sv.compose
	text := lang.L("Part {{.N}}: {{.Name}}", map[string]any{"N": i + 1, "Name": p.OriginalName})
	var problems []string
	if i < len(comp.Parts) {
		if r := comp.Parts[i].Report; r != nil {
			text += " · " + verdictLabel(r.Verdict)
		}
		for _, c := range comp.PartProblems(i) {
			problems = append(problems, verdictMark(c.Verdict)+c.Message(w.lang))
		}
	}
	row := &partRow{name: newParagraph(text), problems: newParagraph(strings.Join(problems, "\n"))}
	row.problems.Importance = widget.WarningImportance
	row.up = widget.NewButtonWithIcon(lang.L("Up"), theme.MoveUpIcon(), func() { w.movePart(sv, i, -1) })
	row.down = widget.NewButtonWithIcon(lang.L("Down"), theme.MoveDownIcon(), func() { w.movePart(sv, i, +1) })
	row.drop = widget.NewButtonWithIcon(lang.L("Take out"), theme.DeleteIcon(), func() { w.removePart(sv, i) })
	if i == 0 {
		row.up.Disable()
	}
	if i == n-1 {
		row.down.Disable()
	}
	swatch := canvas.NewRectangle(color.Transparent)
	swatch.StrokeColor = partColours[i%len(partColours)]
	swatch.StrokeWidth = 3
	swatch.SetMinSize(fyne.NewSize(18, 18))
	line := container.NewBorder(nil, nil, container.NewCenter(swatch), container.NewHBox(row.up, row.down, row.drop), row.name)
	cv.parts.Add(line)
	if len(problems) > 0 {
		cv.parts.Add(row.problems)
	}
	return row
}

// outlineParts is a copy of the preview with each part's place outlined
// in its colour, and those places in the preview's pixels. The places are
// the composition's, taken in proportion to the preview's size.
func outlineParts(preview image.Image, comp *imaging.Composition) (image.Image, []image.Rectangle) {
	b := preview.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, preview, b.Min, draw.Src)
	if comp.Width <= 0 || comp.Height <= 0 {
		return out, nil
	}
	sx := float64(b.Dx()) / float64(comp.Width)
	sy := float64(b.Dy()) / float64(comp.Height)
	th := max(2, b.Dx()/150)
	var rects []image.Rectangle
	for i, p := range comp.Parts {
		r := image.Rect(int(float64(p.Rect.Min.X)*sx), int(float64(p.Rect.Min.Y)*sy),
			int(float64(p.Rect.Max.X)*sx+0.5), int(float64(p.Rect.Max.Y)*sy+0.5)).Intersect(out.Rect)
		rects = append(rects, r)
		c := image.NewUniform(partColours[i%len(partColours)])
		for _, edge := range []image.Rectangle{
			image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+th), image.Rect(r.Min.X, r.Max.Y-th, r.Max.X, r.Max.Y),
			image.Rect(r.Min.X, r.Min.Y, r.Min.X+th, r.Max.Y), image.Rect(r.Max.X-th, r.Min.Y, r.Max.X, r.Max.Y),
		} {
			draw.Draw(out, edge.Intersect(r), c, image.Point{}, draw.Src)
		}
	}
	return out, rects
}
