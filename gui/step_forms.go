package gui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// stepContent builds the fields of one step.
func (w *Wizard) stepContent(s filing.Step) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(fmt.Sprintf("%d  %s", int(s), s.Name(w.lang)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// The largest text on the page: sections under it are card subtitles
	// (sub-heading size).
	title.SizeName = theme.SizeNameHeadingText
	var body fyne.CanvasObject
	switch s {
	case filing.StepPrepare:
		body = w.prepareStep()
	case filing.StepVerifyType:
		body = w.verifyTypeStep()
	case filing.StepProduct:
		body = w.productStep()
	case filing.StepFilingPassword:
		body = w.passwordStep()
	case filing.StepAccessInfo:
		body = w.accessInfoStep()
	case filing.StepUpload:
		body = w.uploadStep()
	case filing.StepPhoto:
		body = w.photoStep()
	case filing.StepSMS:
		body = w.smsStep()
	case filing.StepSubmit:
		body = w.submitStep()
	}
	note := newParagraph(w.ctl.Flow().Steps[s].Note(w.lang))
	note.Importance = widget.LowImportance
	if note.Text == "" {
		note.Hide()
	}
	return container.NewVBox(title, note, body)
}

// The option lists come from the rule pack, in the user's language.

// options shows the pack's coded values in the user's language.
func (w *Wizard) options(names []filing.Named) []option {
	out := make([]option, len(names))
	for i, n := range names {
		out[i] = option{n.Code, n.Name(w.lang)}
	}
	return out
}

func (w *Wizard) provinceOptions() []option {
	opts := w.options(w.ctl.Pack().ProvinceNames())
	for i := range opts {
		// The abbreviation is what the user sees in the ICP number.
		if p, ok := w.ctl.Pack().Province(opts[i].code); ok {
			opts[i].text += "（" + p.Abbr + "）"
		}
	}
	return opts
}

func (w *Wizard) subjectTypeOptions() []option { return w.options(w.ctl.Pack().SubjectTypeNames()) }

func (w *Wizard) contentOptions() []option { return w.options(w.ctl.Pack().ServiceContentNames()) }

// certificateOptions lists the certificate types the chosen subject type
// may use (or every one of the kind before a type is chosen).
func (w *Wizard) certificateOptions(personOnly bool) []option {
	all := w.options(w.ctl.Pack().CertificateNames(personOnly))
	st, ok := w.ctl.Pack().SubjectType(w.ctl.App().Subject.Type)
	if !ok || personOnly {
		return all
	}
	var out []option
	for _, code := range st.Certificates {
		for _, o := range all {
			if o.code == code {
				out = append(out, o)
			}
		}
	}
	return out
}

// productOptions lists the products of the chosen product type.
func (w *Wizard) productOptions() []option {
	var out []option
	for _, n := range w.ctl.Pack().ProductNames() {
		if p, ok := w.ctl.Pack().ProductRule(n.Code); ok {
			if t := w.ctl.App().Product.Type; t == "" || p.Type == t {
				out = append(out, option{n.Code, n.Name(w.lang)})
			}
		}
	}
	return out
}

func pickLang(lng, zh, en string) string {
	if lng == "en" {
		return en
	}
	return zh
}

func (w *Wizard) prepareStep() fyne.CanvasObject {
	fs := w.fields
	notes := newParagraph(lang.L("Access only adds Alibaba Cloud as a provider: the filing stays valid at the previous provider, and nothing can be changed during access. Every subject and website detail you enter must equal the original filing exactly; change it at the previous provider first if it is out of date. Keep your phone on during the review: the reviewers call."))
	form := newForm(
		fs.choice("province", lang.L("Filing province"), w.provinceOptions(),
			func(a *filing.Application) string { return a.Province },
			func(a *filing.Application, v string) { a.Province = v }, w.rebuild),
		fs.choice("kind", lang.L("Access kind"), []option{
			{string(filing.NewAccess), lang.L("New access (the subject has never filed through Alibaba Cloud)")},
			{string(filing.ContinueAccess), lang.L("Continue access (the subject already has a filing at Alibaba Cloud)")},
		}, func(a *filing.Application) string { return string(a.Kind) },
			func(a *filing.Application, v string) { a.Kind = filing.AccessKind(v) }, w.rebuild),
	)
	if w.ctl.App().Kind == filing.ContinueAccess {
		form.AppendItem(fs.check("other_order_in_progress", "", lang.L("Another order of this subject is still in progress"),
			func(a *filing.Application) bool { return a.OtherOrderInProgress },
			func(a *filing.Application, v bool) { a.OtherOrderInProgress = v }, nil))
	}
	form.AppendItem(fs.check("preparation_read", "", lang.L("I have read the notes above"),
		func(a *filing.Application) bool { return a.PreparationRead },
		func(a *filing.Application, v bool) { a.PreparationRead = v }, nil))

	products := []string{}
	for _, p := range w.ctl.Pack().Products {
		if !p.ActiveOn(w.ctl.Day()) {
			continue
		}
		products = append(products, "• "+pickLang(w.lang, p.ZH, p.EN)+" — "+productConditions(p))
	}
	docs := []string{}
	for _, d := range filing.RequiredDocuments(w.ctl.App(), w.ctl.Pack(), w.ctl.Day()) {
		line := "• " + pickLang(w.lang, d.ZH, d.EN)
		if d.Website >= 0 {
			line += " " + lang.L("(website {{.N}})", map[string]any{"N": d.Website + 1})
		}
		docs = append(docs, line)
	}
	return container.NewVBox(notes, form,
		section(lang.L("Eligible products"), "", newParagraph(strings.Join(products, "\n"))),
		section(lang.L("Documents to have ready"), lang.L("for this province and subject type"), newParagraph(strings.Join(docs, "\n"))))
}

// productConditions says everything a product must meet to be filed for:
// the months bought and any other condition of the pack's rule.
func productConditions(p filing.ProductRule) string {
	bought := lang.L("bought for {{.Months}} months or more", map[string]any{"Months": p.MinMonths})
	if p.MinMonths == 1 {
		bought = lang.L("bought for 1 month or more")
	}
	conds := []string{bought}
	if p.PublicBandwidth {
		conds = append(conds, lang.L("with public bandwidth"))
	}
	if p.MinAmountYuan > 0 {
		conds = append(conds, lang.L("an order of at least {{.Yuan}} yuan", map[string]any{"Yuan": strconv.FormatFloat(p.MinAmountYuan, 'f', -1, 64)}))
	}
	return strings.Join(conds, lang.L(", and "))
}

func (w *Wizard) verifyTypeStep() fyne.CanvasObject {
	fs := w.fields
	intro := newParagraph(lang.L("Enter the domain and the subject exactly as in the original filing: the filing system detects the access kind from them."))
	form := newForm(
		fs.choice("subject.type", lang.L("Subject type (主办单位性质)"), w.subjectTypeOptions(),
			func(a *filing.Application) string { return a.Subject.Type },
			func(a *filing.Application, v string) { a.Subject.Type = v }, w.rebuild),
	)
	w.subjectIdentity(form, w.personal(), lang.L("the full name on the certificate"))
	w.ensureWebsite()
	for i := range w.ctl.App().Websites {
		form.AppendItem(fs.text(websitePath(i, "domain"), lang.L("Domain of website {{.N}}", map[string]any{"N": i + 1}), "example.com",
			func(a *filing.Application) string { return a.Websites[i].Domain },
			func(a *filing.Application, v string) { a.Websites[i].Domain = v }))
	}
	return container.NewVBox(intro, form)
}

// ensureWebsite gives the application its first website, which every step
// after the first needs.
func (w *Wizard) ensureWebsite() {
	if len(w.ctl.App().Websites) == 0 {
		w.ctl.Edit(func(a *filing.Application) {
			a.Websites = append(a.Websites, filing.Website{Languages: []string{"zh-Hans"}})
		})
	}
}

func websitePath(i int, name string) string { return fmt.Sprintf("websites[%d].%s", i, name) }

func (w *Wizard) productStep() fyne.CanvasObject {
	fs := w.fields
	p := func(a *filing.Application) *filing.Product { return &a.Product }
	form := newForm(
		fs.choice("product.type", lang.L("Product type"), []option{
			{"aliyun", lang.L("Alibaba Cloud (verified with a service number)")},
			{"wanwang", lang.L("Wanwang host / virtual host (verified with the console user and password)")},
		}, func(a *filing.Application) string { return p(a).Type },
			func(a *filing.Application, v string) { p(a).Type = v }, w.rebuild),
		fs.choice("product.product", lang.L("Product"), w.productOptions(),
			func(a *filing.Application) string { return p(a).Product },
			func(a *filing.Application, v string) { p(a).Product = v }, w.rebuild),
		fs.number("product.months", lang.L("Months bought (renewals count)"),
			func(a *filing.Application) int { return p(a).Months },
			func(a *filing.Application, v int) { p(a).Months = v }),
		fs.check("product.mainland_region", "", lang.L("The server is in a mainland China region"),
			func(a *filing.Application) bool { return p(a).MainlandRegion },
			func(a *filing.Application, v bool) { p(a).MainlandRegion = v }, nil),
	)
	rule, chosen := w.ctl.Pack().ProductRule(w.ctl.App().Product.Product)
	if chosen {
		// What this product must meet, next to the answers that show it.
		form.Items[1].HintText = productConditions(*rule)
		if rule.MinAmountYuan > 0 {
			form.AppendItem(fs.yuan("product.amount_yuan", lang.L("Order amount (yuan)"),
				func(a *filing.Application) float64 { return p(a).AmountYuan },
				func(a *filing.Application, v float64) { p(a).AmountYuan = v }))
		}
	}
	switch w.ctl.App().Product.Type {
	case "aliyun":
		form.AppendItem(fs.check("product.public_bandwidth", "", lang.L("Public bandwidth bought (ECS)"),
			func(a *filing.Application) bool { return p(a).PublicBandwidth },
			func(a *filing.Application, v bool) { p(a).PublicBandwidth = v }, nil))
		form.AppendItem(fs.text("product.service_number", lang.L("Service number (备案服务号)"), "32a43232-a888-88e8-b9ec-00888be8xxxx",
			func(a *filing.Application) string { return p(a).ServiceNumber },
			func(a *filing.Application, v string) { p(a).ServiceNumber = v }))
	case "wanwang":
		form.AppendItem(fs.text("product.console_user", lang.L("Host console user name"), "",
			func(a *filing.Application) string { return p(a).ConsoleUser },
			func(a *filing.Application, v string) { p(a).ConsoleUser = v }))
		form.AppendItem(fs.secret("product.console_password", lang.L("Host console password"),
			func(a *filing.Application) filing.Secret { return p(a).ConsolePassword },
			func(a *filing.Application, v filing.Secret) { p(a).ConsolePassword = v }))
	}
	return form
}

func (w *Wizard) passwordStep() fyne.CanvasObject {
	fs := w.fields
	intro := newParagraph(lang.L("MIIT issued a filing password for the ICP number. If you have forgotten it, recover it on the bureau's or MIIT's website with the subject's ICP number (without the -n suffix)."))
	form := newForm(fs.secret("filing_password", lang.L("MIIT filing password"),
		func(a *filing.Application) filing.Secret { return a.FilingPassword },
		func(a *filing.Application, v filing.Secret) { a.FilingPassword = v }))
	kept := newParagraph(lang.L("The password is never written in plain text: it is kept encrypted when a store passphrase is set in Settings, and otherwise asked for again when the draft is reopened."))
	kept.Importance = widget.LowImportance
	return container.NewVBox(intro, form, kept)
}
