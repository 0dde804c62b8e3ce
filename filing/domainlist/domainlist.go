// Package domainlist makes the domain list page (域名清单) a province
// wants beside the verification form when a filing's domains do not fit
// it (icp-rules 1.4.5, 1.4.6): an A4 page, as PDF with the bundled font
// embedded (its text can be copied and searched) or as a 300 dpi PNG, with
// the subject's name, the domains, the date and a marked place for the
// unit's seal or the person's signature. Pure: no GUI; it writes files only
// in WriteFile.
package domainlist

import (
	"strings"

	"github.com/icpfiling/icpfiling/filing"
)

// Need says whether a filing wants a separate domain list page, and why.
type Need struct {
	// Wanted: the province puts domains that do not fit the form on a
	// separate page, and the filing has domains.
	Wanted bool
	// Rule is the pack's rule for the province (nil when it has none).
	Rule *filing.DomainListRule
	// Registrar: each domain is written with its registrar's short name.
	Registrar bool
	ZH, EN    string
}

// Message picks the reason for "zh" or "en".
func (n Need) Message(lang string) string {
	if lang == "en" {
		return n.EN
	}
	return n.ZH
}

// NeedFor tells the window (and the CLI) whether this filing's province
// wants the domains on a separate page and why, citing the pack's rule.
func NeedFor(app *filing.Application, pack *filing.Pack, day filing.Date) Need {
	personal := isPersonal(app, pack)
	r := pack.DomainListFor(app.Province, personal, day)
	if r == nil {
		return Need{ZH: "规则包未说明该省份域名清单的要求，无需另附域名清单。",
			EN: "The rule pack says nothing about a domain list for this province; no separate list is needed."}
	}
	// The reason in words; the rule and its source are Rule's, which each
	// place cites its own way (the CLI by id, the window by source and date).
	n := Need{Rule: r, Registrar: r.Registrar}
	switch {
	case r.Place != filing.DomainListSeparatePage:
		n.ZH = "该省份不要求另附域名清单：" + r.ZH
		n.EN = "This province wants no separate domain list. " + r.EN
	case len(Domains(app)) == 0:
		n.ZH = "该备案还没有填写域名，无法生成域名清单。"
		n.EN = "The filing has no domains yet, so there is no list to make."
	default:
		n.Wanted = true
		n.ZH = r.ZH
		n.EN = r.EN
	}
	return n
}

func isPersonal(app *filing.Application, pack *filing.Pack) bool {
	st, ok := pack.SubjectType(app.Subject.Type)
	return ok && st.Personal
}

// Domains are the filing's domains in the order of its websites, without
// blanks.
func Domains(app *filing.Application) []string {
	var out []string
	for _, w := range app.Websites {
		if d := strings.TrimSpace(w.Domain); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Entry is one line of the list.
type Entry struct {
	Domain string
	// Registrar is the registrar's short Chinese name; empty leaves a
	// blank to fill in by hand (the application does not record it).
	Registrar string
}

// Page is what the page shows.
type Page struct {
	Subject string
	// Personal pages are signed, unit pages sealed.
	Personal bool
	Entries  []Entry
	// Registrar adds the registrar column (Beijing).
	Registrar bool
	Date      filing.Date
}

// PageFor builds the page of a filing as of a day. The application keeps
// no registrar, so where the province asks for one the column is left
// blank, to be filled in by hand before sealing or signing.
func PageFor(app *filing.Application, pack *filing.Pack, day filing.Date) Page {
	pg := Page{
		Subject:   strings.TrimSpace(app.Subject.Name),
		Personal:  isPersonal(app, pack),
		Registrar: NeedFor(app, pack, day).Registrar,
		Date:      day,
	}
	for _, d := range Domains(app) {
		pg.Entries = append(pg.Entries, Entry{Domain: d})
	}
	return pg
}
