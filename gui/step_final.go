package gui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

func (w *Wizard) photoStep() fyne.CanvasObject {
	fs := w.fields
	method, _ := w.ctl.Pack().PhotoMethodFor(w.ctl.App().Province, w.ctl.Day())
	guide := newParagraph(lang.L("A good photo: the website owner stands in the middle of the backdrop, upper body visible, the backdrop fills the whole frame, and the top is neither red nor blue (navy counts as blue). Good light, face sharp, head straight."))
	parts := []fyne.CanvasObject{guide}
	if method != nil && method.Method != "shanghai_app" {
		parts = append(parts, w.slotCard(lang.L("Website owner's verification photo"), "photo", -1, "photo"))
	}
	form := newForm(fs.check("backdrop.requested", "", lang.L("I need a backdrop mailed to me (mainland China addresses only)"),
		func(a *filing.Application) bool { return a.Backdrop.Requested },
		func(a *filing.Application, v bool) { a.Backdrop.Requested = v }, w.rebuild))
	if w.ctl.App().Backdrop.Requested {
		b := func(a *filing.Application) *filing.BackdropRequest { return &a.Backdrop }
		form.AppendItem(fs.text("backdrop.recipient", lang.L("Recipient"), "",
			func(a *filing.Application) string { return b(a).Recipient },
			func(a *filing.Application, v string) { b(a).Recipient = v }))
		form.AppendItem(fs.text("backdrop.phone", lang.L("Recipient's phone"), "",
			func(a *filing.Application) string { return b(a).Phone },
			func(a *filing.Application, v string) { b(a).Phone = v }))
		w.address(form, "backdrop.address", lang.L("Mailing address"), func(a *filing.Application) *filing.Address { return &b(a).Address })
	}
	parts = append(parts, section(lang.L("Backdrop by mail"), "", form))
	for _, f := range w.ctl.FieldFindings("photo") {
		if f.Severity == filing.Info {
			parts = append(parts, w.note(f))
		}
	}
	return container.NewVBox(parts...)
}

func (w *Wizard) smsStep() fyne.CanvasObject {
	a := w.ctl.App()
	parts := []fyne.CanvasObject{}
	for _, f := range w.ctl.FieldFindings("sms") {
		parts = append(parts, w.note(f))
	}
	var phones []string
	for i, s := range a.Websites {
		if s.Owner.Mobile != "" {
			phones = append(phones, lang.L("Website {{.N}}", map[string]any{"N": i + 1})+": "+maskPhone(s.Owner.Mobile))
		}
	}
	if len(phones) > 0 {
		parts = append(parts, section(lang.L("The code goes to"), lang.L("the website owner's contact 1, which must equal the number at the previous provider"),
			newParagraph(strings.Join(phones, "\n"))))
	}
	if a.SMS.SentAt != nil && !a.SMS.Verified {
		if v := w.ctl.Pack().SMSValidityOn(filing.DateOf(*a.SMS.SentAt)); v != nil {
			deadline := a.SMS.SentAt.Add(time.Duration(v.Hours) * time.Hour)
			l := newParagraph("")
			l.Importance = widget.WarningImportance
			countdown := func() {
				left := deadline.Sub(w.ctl.now()).Round(time.Minute)
				msg := lang.L("Enter the code before {{.Deadline}} ({{.Left}} left).", map[string]any{"Deadline": deadline.Local().Format("2006-01-02 15:04"), "Left": durationText(left)})
				if left <= 0 {
					msg = lang.L("The SMS code has expired: the order is returned and must be submitted again.")
				}
				l.SetText(msg)
			}
			countdown()
			w.every(time.Minute, countdown)
			parts = append(parts, l)
		}
	}
	return container.NewVBox(parts...)
}

// onUI is how a timer hands its work to the UI goroutine. Fyne's test
// driver runs fyne.Do in place, on the timer's goroutine, so a test that
// reads the window while a timer ticks puts its own lock around both.
var onUI = fyne.Do

// every runs f on the UI goroutine at each interval while the current step
// stays on screen; show stops it.
func (w *Wizard) every(d time.Duration, f func()) {
	stop := w.stepDone
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				onUI(f)
			}
		}
	}()
}

// maskPhone keeps the last four digits, enough to recognise one's own number.
func maskPhone(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 4 {
		return s
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

func (w *Wizard) timelineCard(tl []filing.StatusEvent) fyne.CanvasObject {
	var lines []string
	for _, e := range tl {
		line := e.At.Local().Format("2006-01-02 15:04") + "  " + e.Status.Label(w.lang)
		for _, r := range e.Reasons {
			line += "\n    " + r
		}
		lines = append(lines, line)
	}
	pack := w.ctl.Pack()
	var expect []string
	for _, stage := range []string{"initial", "bureau"} {
		if r := pack.ReviewFor(stage, w.ctl.Day()); r != nil {
			name := map[string]string{"initial": lang.L("Initial review"), "bureau": lang.L("Bureau review")}[stage]
			expect = append(expect, name+pickLang(w.lang, "：", ": ")+workingDays(r.MinDays, r.MaxDays))
		}
	}
	return section(lang.L("Status"), strings.Join(expect, " · "), newParagraph(strings.Join(lines, "\n")))
}

// workingDays is a span of working days with its plural and without a
// range of one: "1 working day", "3–20 working days".
func workingDays(lo, hi int) string {
	switch {
	case lo == hi && lo == 1:
		return lang.L("1 working day")
	case lo == hi:
		return lang.L("{{.N}} working days", map[string]any{"N": lo})
	}
	return lang.L("{{.Min}}–{{.Max}} working days", map[string]any{"Min": lo, "Max": hi})
}

// durationText is a time left in hours and minutes, in the user's
// language ("23 小时 5 分钟", "23 h 5 min").
func durationText(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if h == 0 {
		return lang.L("{{.M}} min", map[string]any{"M": m})
	}
	return lang.L("{{.H}} h {{.M}} min", map[string]any{"H": h, "M": m})
}

// note is a finding that explains a rule (Info) as a line with an info
// icon, and under it the rule's source and date.
func (w *Wizard) note(f filing.Finding) fyne.CanvasObject {
	text := newParagraph(f.Message(w.lang))
	body := container.NewVBox(text)
	if src := w.ctl.Pack().Cite(f, w.lang); src != "" {
		s := newParagraph(src)
		s.Importance = widget.LowImportance
		s.SizeName = theme.SizeNameCaptionText
		body.Add(s)
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.InfoIcon())), nil, body)
}

// section is a titled part of a step. Its title is set as a card's
// subtitle, smaller than the step's own title, so the step title stays
// the largest text on the page; a note goes under the title.
func section(title, note string, content fyne.CanvasObject) fyne.CanvasObject {
	if note != "" {
		n := newParagraph(note)
		n.Importance = widget.LowImportance
		content = container.NewVBox(n, content)
	}
	return widget.NewCard("", title, content)
}
