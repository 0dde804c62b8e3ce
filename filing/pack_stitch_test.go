package filing

import "testing"

// The stitching and domain-list rules join the pack's query table, so
// TestPackQueries asserts them and TestEveryRuleIsExercised counts them.
func init() {
	packQueryCases = append(packQueryCases, []struct {
		name string
		ask  func(p *Pack) string
		want string
	}{
		{"a person's supporting material goes with the ID", func(p *Pack) string {
			return stitchID(p.StitchingFor("subject_owner_id", "33", true, "personal", DateOf(today)), "other")
		}, "stitch.personal-material"},
		{"a unit's supporting material goes with the unit certificate", func(p *Pack) string {
			return stitchID(p.StitchingFor("subject_certificate", "33", false, "enterprise", DateOf(today)), "other")
		}, "stitch.unit-material"},
		{"the 授权书 goes with the website owner's ID", func(p *Pack) string {
			if r := p.StitchSlotFor("authorisation_letter", "11", false, "enterprise", DateOf(today)); r != nil && r.Slot == "website_owner_id" {
				return r.ID
			}
			return ""
		}, "stitch.authorisation-website-owner"},
		{"no unit material is stitched into a person's ID", func(p *Pack) string {
			return stitchID(p.StitchingFor("subject_certificate", "33", true, "personal", DateOf(today)), "other")
		}, ""},
		{"the domain list goes with the form in Zhejiang", func(p *Pack) string {
			if r := p.StitchSlotFor("domain_list", "33", true, "personal", DateOf(today)); r != nil && r.Slot == "verification_form" {
				return r.ID
			}
			return ""
		}, "stitch.domain-list"},
		{"no domain list to stitch in Sichuan", func(p *Pack) string {
			if r := p.StitchSlotFor("domain_list", "51", false, "enterprise", DateOf(today)); r != nil {
				return r.ID
			}
			return ""
		}, ""},
		{"separate domain list in Zhejiang", func(p *Pack) string { return domainListID(p, "33", false) }, "domain_list.separate-page"},
		{"Beijing: registrar names and a separate list", func(p *Pack) string { return domainListID(p, "11", true) }, "domain_list.beijing"},
		{"Chongqing: all domains on the form", func(p *Pack) string { return domainListID(p, "50", true) }, "domain_list.on-form"},
		{"Gansu: all domains in the domain field", func(p *Pack) string { return domainListID(p, "62", false) }, "domain_list.domain-field"},
	}...)
}

func stitchID(rules []*StitchRule, adds string) string {
	for _, r := range rules {
		for _, a := range r.Adds {
			if a == adds {
				return r.ID
			}
		}
	}
	return ""
}

func domainListID(p *Pack, province string, personal bool) string {
	if r := p.DomainListFor(province, personal, DateOf(today)); r != nil {
		return r.ID
	}
	return ""
}

// Where each province wants the domains that do not fit the form
// (icp-rules 1.4.5, 1.4.6), for units and persons alike.
func TestDomainListPerProvince(t *testing.T) {
	pack := DefaultPack()
	onForm := map[string]bool{"15": true, "23": true, "65": true, "46": true, "51": true, "50": true}
	inField := map[string]bool{"36": true, "62": true, "43": true}
	for _, prov := range pack.Provinces {
		want, registrar := DomainListSeparatePage, prov.Code == "11"
		switch {
		case onForm[prov.Code]:
			want = DomainListOnForm
		case inField[prov.Code]:
			want = DomainListDomainField
		}
		for _, personal := range []bool{true, false} {
			r := pack.DomainListFor(prov.Code, personal, DateOf(today))
			if r == nil {
				t.Errorf("%s (personal %v): no domain list rule", prov.ZH, personal)
				continue
			}
			if r.Place != want || r.Registrar != registrar {
				t.Errorf("%s (personal %v): %s place %q registrar %v, want %q %v", prov.ZH, personal, r.ID, r.Place, r.Registrar, want, registrar)
			}
			// The page is stitched with the form exactly where it is wanted.
			stitched := pack.StitchSlotFor("domain_list", prov.Code, personal, "", DateOf(today)) != nil
			if stitched != (want == DomainListSeparatePage) {
				t.Errorf("%s (personal %v): domain list stitched %v, separate page %v", prov.ZH, personal, stitched, want == DomainListSeparatePage)
			}
		}
	}
}

func TestPackRefusesBadStitchAndDomainListRules(t *testing.T) {
	for name, mutate := range map[string]func(m map[string]any){
		"unknown place": func(m map[string]any) {
			m["domain_list"].([]any)[0].(map[string]any)["place"] = "margin"
		},
		"stitch without adds": func(m map[string]any) {
			m["stitching"].([]any)[0].(map[string]any)["adds"] = []any{}
		},
		"unknown slot": func(m map[string]any) {
			m["stitching"].([]any)[2].(map[string]any)["adds"] = []any{"authorization_letter"}
		},
		"unknown province": func(m map[string]any) {
			m["stitching"].([]any)[0].(map[string]any)["provinces"] = []any{"99"}
		},
	} {
		if _, err := ParsePack(mutatePack(t, mutate)); err == nil {
			t.Errorf("%s: the pack was accepted", name)
		}
	}
}
