package gui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
)

// The review page (核对信息) is step 8: everything that will be sent,
// grouped as the filing system's steps are, each file with its verdict,
// every finding naming whom it concerns, the acknowledgements the gate
// asks for, and the one Submit button.

// submitStep is step 8.
func (w *Wizard) submitStep() fyne.CanvasObject {
	r := w.ctl.Readiness()
	parts := []fyne.CanvasObject{newParagraph(lang.L("Check everything below before sending: this is what the backend receives. Each section's Edit takes you to its step."))}
	for _, s := range filing.AllSteps()[:filing.StepSubmit] {
		if card := w.reviewCard(s, r); card != nil {
			parts = append(parts, card)
		}
	}
	if card := w.acknowledgeCard(r); card != nil {
		parts = append(parts, card)
	}
	parts = append(parts, w.submitPanel(r))
	if card := w.outboxCard(); card != nil {
		parts = append(parts, card)
	}
	if tl := w.ctl.App().Timeline; len(tl) > 0 {
		parts = append(parts, w.timelineCard(tl))
	}
	return container.NewVBox(parts...)
}

// row is one "label: value" pair of a review card.
type row struct{ label, value string }

// reviewRows are the values of step s that will be sent.
func (w *Wizard) reviewRows(s filing.Step) []row {
	a := w.ctl.App()
	pk := w.ctl.Pack()
	given := func(set bool) string {
		if set {
			return lang.L("entered (not shown)")
		}
		return lang.L("not entered")
	}
	yes := func(b bool) string {
		if b {
			return lang.L("yes")
		}
		return lang.L("no")
	}
	var rows []row
	switch s {
	case filing.StepPrepare:
		kind := lang.L("New access (the subject has never filed through Alibaba Cloud)")
		if a.Kind == filing.ContinueAccess {
			kind = lang.L("Continue access (the subject already has a filing at Alibaba Cloud)")
		}
		rows = append(rows, row{lang.L("Filing province"), nameOf(w.provinceOptions(), a.Province)},
			row{lang.L("Access kind"), kind})
	case filing.StepVerifyType:
		certType, certNumber, name := identityLabels(w.personal())
		rows = append(rows, row{lang.L("Subject type (主办单位性质)"), nameOf(w.subjectTypeOptions(), a.Subject.Type)},
			row{certType, nameOf(w.options(pk.CertificateNames(false)), a.Subject.CertificateType)},
			row{certNumber, a.Subject.CertificateNumber},
			row{name, a.Subject.Name})
		for i, site := range a.Websites {
			rows = append(rows, row{lang.L("Domain of website {{.N}}", map[string]any{"N": i + 1}), site.Domain})
		}
	case filing.StepProduct:
		p := a.Product
		rows = append(rows, row{lang.L("Product"), nameOf(w.options(pk.ProductNames()), p.Product)},
			row{lang.L("Months bought (renewals count)"), fmt.Sprint(p.Months)},
			row{lang.L("The server is in a mainland China region"), yes(p.MainlandRegion)})
		switch p.Type {
		case "aliyun":
			rows = append(rows, row{lang.L("Service number (备案服务号)"), p.ServiceNumber},
				row{lang.L("Public bandwidth bought (ECS)"), yes(p.PublicBandwidth)})
		case "wanwang":
			rows = append(rows, row{lang.L("Host console user name"), p.ConsoleUser},
				row{lang.L("Host console password"), given(p.ConsolePassword.IsSet())})
		}
	case filing.StepFilingPassword:
		rows = append(rows, row{lang.L("MIIT filing password"), given(a.FilingPassword.IsSet())})
	case filing.StepAccessInfo:
		rows = append(rows, row{lang.L("Certificate domicile"), w.addressText(a.Subject.Domicile)},
			row{lang.L("Mailing address"), w.addressText(a.Subject.MailingAddress)},
			row{lang.L("Subject owner (主体负责人)"), w.personText(a.Subject.Owner)})
		for i, site := range a.Websites {
			n := map[string]any{"N": i + 1}
			rows = append(rows, row{lang.L("Website {{.N}}", n), strings.Join(nonEmpty(site.Name, site.Domain, site.ICPNumber,
				nameOf(w.contentOptions(), site.ServiceContent)), " · ")},
				row{lang.L("Website owner (网站负责人)"), w.personText(site.Owner)})
		}
	case filing.StepSMS:
		var phones []string
		for _, site := range a.Websites {
			if site.Owner.Mobile != "" {
				phones = append(phones, maskPhone(site.Owner.Mobile))
			}
		}
		if len(phones) > 0 {
			rows = append(rows, row{lang.L("The code goes to"), strings.Join(phones, ", ")})
		}
	case filing.StepPhoto:
		if a.Backdrop.Requested {
			rows = append(rows, row{lang.L("Backdrop by mail"), a.Backdrop.Recipient + " · " + w.addressText(a.Backdrop.Address)})
		}
	}
	return rows
}

// nameOf is the text of code among opts, or the code itself.
func nameOf(opts []option, code string) string {
	for _, o := range opts {
		if o.code == code {
			return o.text
		}
	}
	return code
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

func (w *Wizard) addressText(ad filing.Address) string {
	return strings.Join(nonEmpty(nameOf(w.provinceOptions(), ad.Province), ad.City, ad.District, ad.Detail), " ")
}

func (w *Wizard) personText(p filing.Person) string {
	return strings.Join(nonEmpty(p.Name, p.IDNumber, p.Mobile, p.Email), " · ")
}

// reviewCard is step s on the review page: its values, its files with
// their verdicts, its findings and an Edit link. Steps that do not apply
// say so in one line.
func (w *Wizard) reviewCard(s filing.Step, r filing.Readiness) fyne.CanvasObject {
	st := r.Flow.Steps[s]
	title := fmt.Sprintf("%d  %s", int(s), s.Name(w.lang))
	if !st.Applies {
		l := newParagraph(title + " — " + st.Note(w.lang))
		l.TextStyle.Bold = true
		l.Importance = widget.LowImportance
		return l
	}
	var body []fyne.CanvasObject
	if rows := w.reviewRows(s); len(rows) > 0 {
		grid := container.New(layout.NewFormLayout())
		for _, rw := range rows {
			k := widget.NewLabel(rw.label)
			k.TextStyle.Bold = true
			v := newParagraph(rw.value)
			if strings.TrimSpace(rw.value) == "" {
				v.SetText("—")
			}
			grid.Add(k)
			grid.Add(v)
		}
		body = append(body, grid)
	}
	if thumbs := w.reviewFiles(s); thumbs != nil {
		body = append(body, thumbs)
	}
	for _, f := range footerLines(st) {
		body = append(body, w.findingParagraph(f))
	}
	status, imp := w.stepHeadline(st)
	head := newParagraph(status)
	head.Importance = imp
	edit := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() { w.show(s) })
	// A bold line, not a card: a card's title would be larger than the
	// step's own title above it.
	name := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewBorder(nil, nil, nil, container.NewVBox(edit), container.NewVBox(name, head))
	return container.NewVBox(append([]fyne.CanvasObject{widget.NewSeparator(), top}, body...)...)
}

// reviewFiles shows the files of step s (documents on step 5, the photo
// on step 6) as thumbnails with their verdicts, filled in as the (kept)
// reports come.
func (w *Wizard) reviewFiles(s filing.Step) fyne.CanvasObject {
	var targets []filing.ScanTarget
	for _, t := range filing.ScanTargets(w.ctl.App(), w.ctl.Pack(), w.ctl.now()) {
		if filing.StepOf(t.Field, w.ctl.App().Kind) == s {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	views := map[string]*thumbView{}
	var boxes []fyne.CanvasObject
	for _, t := range targets {
		v := newThumbView(pickLang(w.lang, t.ZH, t.EN), t.Attachment.OriginalName)
		views[t.Field] = v
		boxes = append(boxes, v.box)
	}
	// Each cell as tall as a thumbnail with its three lines needs.
	grid := container.NewGridWrap(fyne.NewSize(200, boxes[0].MinSize().Height), boxes...)
	stop := w.stepDone
	w.checkTargetsOf(targets, func(t filing.ScanTarget, rep *imaging.Report, err error, changed bool) {
		select {
		case <-stop:
			return
		default:
		}
		if changed {
			// The verdicts decide what the page asks: draw it again.
			w.rebuild()
			return
		}
		if v := views[t.Field]; v != nil {
			v.show(rep, err)
		}
	})
	return grid
}

// thumbView is one file on the review page.
type thumbView struct {
	box     *fyne.Container
	img     *canvas.Image
	verdict *widget.Label
}

func newThumbView(title, name string) *thumbView {
	v := &thumbView{img: canvas.NewImageFromImage(nil), verdict: widget.NewLabel(lang.L("Checking…"))}
	v.img.FillMode = canvas.ImageFillContain
	v.img.SetMinSize(fyne.NewSize(190, 120))
	t := widget.NewLabel(title)
	t.Truncation = fyne.TextTruncateEllipsis
	t.TextStyle.Bold = true
	n := widget.NewLabel(name)
	n.Truncation = fyne.TextTruncateEllipsis
	n.Importance = widget.LowImportance
	v.box = container.NewVBox(t, v.img, n, v.verdict)
	return v
}

func (v *thumbView) show(rep *imaging.Report, err error) {
	if err != nil || rep == nil {
		v.verdict.SetText("✖ " + lang.L("cannot be checked"))
		v.verdict.Importance = widget.DangerImportance
		v.verdict.Refresh()
		return
	}
	v.img.Image = rep.Preview
	v.img.Refresh()
	v.verdict.SetText(verdictLabel(rep.Verdict))
	v.verdict.Importance = map[imaging.Verdict]widget.Importance{imaging.Pass: widget.SuccessImportance,
		imaging.Warn: widget.WarningImportance, imaging.Doubtful: widget.WarningImportance, imaging.Fail: widget.DangerImportance}[rep.Verdict]
	v.verdict.Refresh()
}

// acknowledgeCard lists every warning of a file that the gate wants the
// applicant to see before sending, one tick each. A tick is kept with the
// filing, for that file's content only.
func (w *Wizard) acknowledgeCard(r filing.Readiness) fyne.CanvasObject {
	a := w.ctl.App()
	var warn []filing.Finding
	for _, f := range r.Findings {
		if f.Severity == filing.Warn && f.File != "" {
			warn = append(warn, f)
		}
	}
	if len(warn) == 0 {
		return nil
	}
	box := container.NewVBox(newParagraph(lang.L("The checks could not confirm these files. Replace a file, or tick its line to send it as it is: the reviewers may still return it.")))
	for _, f := range warn {
		// A short tick with the finding beside it, wrapped: a check box's
		// own text does not wrap and would widen the window.
		c := widget.NewCheck(lang.L("Send anyway"), nil)
		c.SetChecked(a.Acknowledged(f))
		c.OnChanged = func(on bool) { w.ctl.Acknowledge(f, on); w.rebuild() }
		box.Add(container.NewBorder(nil, nil, c, nil, newParagraph(w.findingLine(f))))
	}
	return section(lang.L("Warnings to confirm"), "", box)
}
