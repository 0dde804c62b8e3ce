package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/divisions"
)

// address adds the fields of an address to a form: the city and county
// are picked from the administrative divisions of the province above them.
func (w *Wizard) address(form *widget.Form, path, label string, pick func(a *filing.Application) *filing.Address) {
	w.mirroredAddress(form, path, label, pick, nil)
}

// mirroredAddress is address whose every edit is also copied to mirror,
// when mirror is not nil (the mailing address while it is the domicile).
func (w *Wizard) mirroredAddress(form *widget.Form, path, label string, pick, mirror func(a *filing.Application) *filing.Address) {
	fs := w.fields
	setter := func(set func(a *filing.Address, v string)) func(a *filing.Application, v string) {
		return func(a *filing.Application, v string) {
			set(pick(a), v)
			if mirror != nil {
				*mirror(a) = *pick(a)
			}
		}
	}
	// The county list follows the city, which follows the province.
	var reloadDistrict func()
	city, reloadCity := fs.place(path+".city", label+" · "+lang.L("city"),
		func(a *filing.Application) []string { return divisionNames(divisions.Cities(pick(a).Province)) },
		func(a *filing.Application) string { return pick(a).City },
		setter(func(a *filing.Address, v string) { a.City = v }), func() { reloadDistrict() })
	district, reloadDistrict := fs.place(path+".district", label+" · "+lang.L("district"),
		func(a *filing.Application) []string {
			return divisionNames(divisions.Counties(pick(a).Province, pick(a).City))
		},
		func(a *filing.Application) string { return pick(a).District },
		setter(func(a *filing.Address, v string) { a.District = v }), nil)
	form.AppendItem(fs.choice(path+".province", label+" · "+lang.L("province"), w.provinceOptions(),
		func(a *filing.Application) string { return pick(a).Province },
		setter(func(a *filing.Address, v string) { a.Province = v }), func() { reloadCity(); reloadDistrict() }))
	form.AppendItem(city)
	form.AppendItem(district)
	form.AppendItem(fs.text(path+".detail", label+" · "+lang.L("street and house number"), lang.L("down to the house number"),
		func(a *filing.Application) string { return pick(a).Detail },
		setter(func(a *filing.Address, v string) { a.Detail = v })))
	form.AppendItem(fs.check(path+".most_detailed", "", lang.L("There is no house number (此地址已是最详细地址)"),
		func(a *filing.Application) bool { return pick(a).MostDetailed },
		func(a *filing.Application, v bool) {
			pick(a).MostDetailed = v
			if mirror != nil {
				*mirror(a) = *pick(a)
			}
		}, nil))
}

func divisionNames(ds []divisions.Division) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

// person adds the fields of a 负责人 to a form.
func (w *Wizard) person(form *widget.Form, path string, website bool, pick func(a *filing.Application) *filing.Person) {
	fs := w.fields
	form.AppendItem(fs.text(path+".name", lang.L("Name"), "",
		func(a *filing.Application) string { return pick(a).Name },
		func(a *filing.Application, v string) { pick(a).Name = v }))
	form.AppendItem(fs.choice(path+".id_type", lang.L("ID type"), w.certificateOptions(true),
		func(a *filing.Application) string { return pick(a).IDType },
		func(a *filing.Application, v string) { pick(a).IDType = v }, nil))
	form.AppendItem(fs.text(path+".id_number", lang.L("ID number"), "",
		func(a *filing.Application) string { return pick(a).IDNumber },
		func(a *filing.Application, v string) { pick(a).IDNumber = v }))
	form.AppendItem(fs.text(path+".id_valid_until", lang.L("ID valid until"), lang.L("YYYY-MM-DD, or 长期"),
		func(a *filing.Application) string { return pick(a).IDValidUntil },
		func(a *filing.Application, v string) { pick(a).IDValidUntil = v }))
	form.AppendItem(fs.text(path+".mobile", lang.L("Mobile (contact 1)"), "13800138000",
		func(a *filing.Application) string { return pick(a).Mobile },
		func(a *filing.Application, v string) { pick(a).Mobile = v }))
	form.AppendItem(fs.text(path+".phone2", lang.L("Contact 2 (mobile or 086-area-number)"), "086-0571-88158388",
		func(a *filing.Application) string { return pick(a).Phone2 },
		func(a *filing.Application, v string) { pick(a).Phone2 = v }))
	if website {
		form.AppendItem(fs.text(path+".emergency", lang.L("Emergency phone"), "",
			func(a *filing.Application) string { return pick(a).Emergency },
			func(a *filing.Application, v string) { pick(a).Emergency = v }))
	}
	form.AppendItem(fs.text(path+".email", lang.L("E-mail"), "name@example.com",
		func(a *filing.Application) string { return pick(a).Email },
		func(a *filing.Application, v string) { pick(a).Email = v }))
	if !w.personal() {
		form.AppendItem(fs.check(path+".legal_representative", "", lang.L("This person is the legal representative"),
			func(a *filing.Application) bool { return pick(a).LegalRepresentative },
			func(a *filing.Application, v bool) { pick(a).LegalRepresentative = v }, nil))
	}
}

func (w *Wizard) personal() bool {
	st, ok := w.ctl.Pack().SubjectType(w.ctl.App().Subject.Type)
	return ok && st.Personal
}

// identityLabels are the labels of the subject's certificate type, number
// and name: a person's own words in a personal filing (the form and the
// review page say the same).
func identityLabels(personal bool) (certType, certNumber, name string) {
	if personal {
		return lang.L("ID type"), lang.L("ID number"), lang.L("Name")
	}
	return lang.L("Certificate type"), lang.L("Certificate number"), lang.L("Subject name")
}

// subjectIdentity adds the certificate type, number and name of the
// subject, labelled for a person in a personal filing.
func (w *Wizard) subjectIdentity(form *widget.Form, personal bool, namePlaceholder string) {
	fs := w.fields
	certType, certNumber, name := identityLabels(personal)
	if personal {
		namePlaceholder = lang.L("your name as on your ID")
	}
	form.AppendItem(fs.choice("subject.certificate_type", certType, w.certificateOptions(false),
		func(a *filing.Application) string { return a.Subject.CertificateType },
		func(a *filing.Application, v string) { a.Subject.CertificateType = v }, nil))
	form.AppendItem(fs.text("subject.certificate_number", certNumber, "",
		func(a *filing.Application) string { return a.Subject.CertificateNumber },
		func(a *filing.Application, v string) { a.Subject.CertificateNumber = v }))
	form.AppendItem(fs.text("subject.name", name, namePlaceholder,
		func(a *filing.Application) string { return a.Subject.Name },
		func(a *filing.Application, v string) { a.Subject.Name = v }))
}

// prefillPersonalOwner fills an empty 主体负责人 of a personal filing from
// the subject given in step 1: the filer is the owner.
func (w *Wizard) prefillPersonalOwner() {
	o := w.ctl.App().Subject.Owner
	if !w.personal() || o.Name != "" || o.IDType != "" || o.IDNumber != "" {
		return
	}
	w.ctl.Edit(func(a *filing.Application) {
		a.Subject.Owner.Name = a.Subject.Name
		a.Subject.Owner.IDType = a.Subject.CertificateType
		a.Subject.Owner.IDNumber = a.Subject.CertificateNumber
	})
}

func (w *Wizard) accessInfoStep() fyne.CanvasObject {
	fs := w.fields
	w.ensureWebsite()
	w.prefillPersonalOwner()
	personal := w.personal()
	subject := newForm()
	if w.ctl.App().Kind == filing.ContinueAccess {
		// A continue-access filing has no type step: the identity is asked here.
		subject.AppendItem(fs.choice("subject.type", lang.L("Subject type (主办单位性质)"), w.subjectTypeOptions(),
			func(a *filing.Application) string { return a.Subject.Type },
			func(a *filing.Application, v string) { a.Subject.Type = v }, w.rebuild))
		w.subjectIdentity(subject, personal, "")
	}
	sub := func(a *filing.Application) *filing.Subject { return &a.Subject }
	domicile := func(a *filing.Application) *filing.Address { return &sub(a).Domicile }
	mailing := func(a *filing.Application) *filing.Address { return &sub(a).MailingAddress }
	// While the mailing address is the domicile, it is not asked: every edit
	// of the domicile is copied to it.
	same := w.ctl.App().Subject.Domicile == w.ctl.App().Subject.MailingAddress && w.ctl.App().Subject.Domicile.Province != ""
	domicileLabel := lang.L("Certificate domicile")
	if personal {
		domicileLabel = lang.L("Address on your ID (证件住所)")
	}
	if same {
		w.mirroredAddress(subject, "subject.domicile", domicileLabel, domicile, mailing)
	} else {
		w.address(subject, "subject.domicile", domicileLabel, domicile)
	}
	sameCheck := widget.NewCheck(lang.L("The mailing address is the same as the certificate domicile (通讯地址同证件住所)"), nil)
	sameCheck.SetChecked(same)
	sameCheck.OnChanged = func(on bool) {
		w.ctl.Edit(func(a *filing.Application) {
			if on {
				a.Subject.MailingAddress = a.Subject.Domicile
			} else {
				// Unticked: the mailing address is asked for afresh, in the same province.
				a.Subject.MailingAddress = filing.Address{Province: a.Subject.Domicile.Province}
			}
		})
		w.rebuild()
	}
	sameObj, _ := fitCheck(sameCheck)
	subject.AppendItem(widget.NewFormItem("", sameObj))
	if !same {
		w.address(subject, "subject.mailing_address", lang.L("Mailing address"), mailing)
	}
	if !personal {
		subject.AppendItem(fs.text("subject.investor", lang.L("Investor or supervising body"), "",
			func(a *filing.Application) string { return sub(a).Investor },
			func(a *filing.Application, v string) { sub(a).Investor = v }))
	}
	subject.AppendItem(fs.check("subject.residence_permit", "", lang.L("I hold a residence permit of the filing province (personal filers from another province)"),
		func(a *filing.Application) bool { return sub(a).ResidencePermit },
		func(a *filing.Application, v bool) { sub(a).ResidencePermit = v }, nil))
	owner := newForm()
	w.person(owner, "subject.owner", false, func(a *filing.Application) *filing.Person { return &sub(a).Owner })

	subjectTitle, ownerNote := lang.L("Subject"), ""
	if personal {
		subjectTitle = lang.L("You, the individual filer")
		ownerNote = lang.L("For a personal filing this is you: filled in from step 1.")
	}
	sections := []fyne.CanvasObject{
		section(subjectTitle, "", subject),
		section(lang.L("Subject owner (主体负责人)"), ownerNote, owner),
	}
	for i := range w.ctl.App().Websites {
		sections = append(sections, w.websiteCard(i))
	}
	add := widget.NewButtonWithIcon(lang.L("Add a website"), theme.ContentAddIcon(), func() {
		w.ctl.Edit(func(a *filing.Application) {
			a.Websites = append(a.Websites, filing.Website{Languages: []string{"zh-Hans"}})
		})
		w.rebuild()
	})
	sections = append(sections, add)
	return container.NewVBox(sections...)
}

func (w *Wizard) websiteCard(i int) fyne.CanvasObject {
	fs := w.fields
	site := func(a *filing.Application) *filing.Website { return &a.Websites[i] }
	form := newForm(
		fs.text(websitePath(i, "domain_expires"), lang.L("Domain expires on"), "YYYY-MM-DD",
			func(a *filing.Application) string { return site(a).DomainExpires },
			func(a *filing.Application, v string) { site(a).DomainExpires = v }),
		fs.text(websitePath(i, "name"), lang.L("Website name"), lang.L("at least 3 Chinese characters, describing the site"),
			func(a *filing.Application) string { return site(a).Name },
			func(a *filing.Application, v string) { site(a).Name = v }),
		fs.text(websitePath(i, "icp_number"), lang.L("Existing ICP number"), "浙ICP备2021003158号-1",
			func(a *filing.Application) string { return site(a).ICPNumber },
			func(a *filing.Application, v string) { site(a).ICPNumber = v }),
		fs.choice(websitePath(i, "service_content"), lang.L("Service content"), w.contentOptions(),
			func(a *filing.Application) string { return site(a).ServiceContent },
			func(a *filing.Application, v string) { site(a).ServiceContent = v }, nil),
		fs.languages(websitePath(i, "languages"), lang.L("Website languages"),
			func(a *filing.Application) []string { return site(a).Languages },
			func(a *filing.Application, v []string) { site(a).Languages = v }),
		fs.text(websitePath(i, "remark"), lang.L("Remark"), "",
			func(a *filing.Application) string { return site(a).Remark },
			func(a *filing.Application, v string) { site(a).Remark = v }),
	)
	owner := newForm()
	w.person(owner, websitePath(i, "owner"), true, func(a *filing.Application) *filing.Person { return &site(a).Owner })
	same := widget.NewButtonWithIcon(lang.L("Same person as the subject owner"), theme.ContentCopyIcon(), func() {
		w.ctl.Edit(func(a *filing.Application) {
			emergency := a.Websites[i].Owner.Emergency
			a.Websites[i].Owner = a.Subject.Owner
			a.Websites[i].Owner.Emergency = emergency
		})
		w.rebuild()
	})
	parts := []fyne.CanvasObject{form, widget.NewLabelWithStyle(lang.L("Website owner (网站负责人)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), same, owner}
	if len(w.ctl.App().Websites) > 1 {
		parts = append(parts, widget.NewButtonWithIcon(lang.L("Remove this website"), theme.DeleteIcon(), func() { w.removeWebsite(i) }))
	}
	domain := w.ctl.App().Websites[i].Domain
	title := lang.L("Website {{.N}}", map[string]any{"N": i + 1})
	if domain != "" {
		title += " · " + domain
	}
	return section(title, "", container.NewVBox(parts...))
}

// removeWebsite deletes a website and offers to put it back: the cheapest
// undo there is, for the edit that loses the most typing.
func (w *Wizard) removeWebsite(i int) {
	removed := w.ctl.App().Websites[i]
	w.ctl.Edit(func(a *filing.Application) { a.Websites = append(a.Websites[:i:i], a.Websites[i+1:]...) })
	w.rebuild()
	w.offerUndo(lang.L("Website removed."), func() {
		w.ctl.Edit(func(a *filing.Application) {
			a.Websites = append(a.Websites[:i:i], append([]filing.Website{removed}, a.Websites[i:]...)...)
		})
		w.rebuild()
	})
}

// offerUndo shows a message with an Undo button in the summary line.
func (w *Wizard) offerUndo(msg string, undo func()) {
	w.undo = undo
	w.summary.SetText(msg + " " + lang.L("Press Ctrl+Z or Undo to restore it."))
	w.undoBtn.Show()
}
