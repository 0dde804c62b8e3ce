package filing

// DocumentNeed is one document the filing must upload.
type DocumentNeed struct {
	Slot string
	// Website is the website index for per-website documents, -1 otherwise.
	Website int
	// Rule is the document rule; Because, for a conditional document, is
	// the rule that made it necessary (e.g. the province's legal-representative rule).
	Rule    string
	Because string
	ZH, EN  string
}

// RequiredDocuments lists the documents this province, subject type and
// set of websites need on a day. The upload step shows one slot per need.
func RequiredDocuments(app *Application, pack *Pack, day Date) []DocumentNeed {
	personal := isPersonal(app, pack)
	var needs []DocumentNeed
	for i := range pack.Documents {
		d := &pack.Documents[i]
		if !d.ActiveOn(day) || !d.Covers(app.Province, personal) || !subjectTypeIn(app.Subject.Type, d.SubjectTypes) {
			continue
		}
		trigger := ""
		switch d.When {
		case "domain_certificate":
			r := pack.DomainCertFor(app.Province, personal, len(app.Websites), day)
			if r == nil {
				continue
			}
			trigger = r.ID
		case "authorisation":
			r := authorisationNeeded(app, pack, day)
			if r == nil {
				continue
			}
			trigger = r.ID
		case "residence_permit":
			r := residencePermitNeeded(app, pack, day)
			if r == nil {
				continue
			}
			trigger = r.ID
		}
		if d.PerWebsite {
			for w := range app.Websites {
				needs = append(needs, DocumentNeed{Slot: d.Slot, Website: w, Rule: d.ID, Because: trigger, ZH: d.ZH, EN: d.EN})
			}
			continue
		}
		needs = append(needs, DocumentNeed{Slot: d.Slot, Website: -1, Rule: d.ID, Because: trigger, ZH: d.ZH, EN: d.EN})
	}
	return needs
}

func subjectTypeIn(t string, types []string) bool {
	if len(types) == 0 {
		return true
	}
	for _, s := range types {
		if s == t {
			return true
		}
	}
	return false
}

func isPersonal(app *Application, pack *Pack) bool {
	st, ok := pack.SubjectType(app.Subject.Type)
	return ok && st.Personal
}

// authorisationNeeded is the legal-representative rule that lets a unit's
// owner who is not the legal representative file with a 授权书, when it
// applies to this application.
func authorisationNeeded(app *Application, pack *Pack, day Date) *LegalRepRule {
	if isPersonal(app, pack) {
		return nil
	}
	r := pack.LegalRepFor(app.Province, day)
	if r == nil || !r.Authorisation {
		return nil
	}
	if !app.Subject.Owner.LegalRepresentative {
		return r
	}
	if r.WebsiteOwnerToo {
		for _, w := range app.Websites {
			if !w.Owner.LegalRepresentative {
				return r
			}
		}
	}
	return nil
}

// residencePermitNeeded is the rule that asks a personal filer from another
// province for a residence permit, when it applies.
func residencePermitNeeded(app *Application, pack *Pack, day Date) *NonLocalRule {
	if !isPersonal(app, pack) {
		return nil
	}
	home, ok := personIDProvince(&app.Subject.Owner, pack)
	if !ok || home == app.Province {
		return nil
	}
	r := pack.NonLocalFor(app.Province, day)
	if r == nil || r.Policy != "residence_permit" {
		return nil
	}
	return r
}

// personIDProvince is the province that issued a person's resident ID.
func personIDProvince(p *Person, pack *Pack) (string, bool) {
	ct, ok := pack.CertificateType(p.IDType)
	if !ok || ct.Number != "resident_id" {
		return "", false
	}
	id, err := ParseResidentID(p.IDNumber)
	if err != nil {
		return "", false
	}
	return id.ProvinceCode, true
}
