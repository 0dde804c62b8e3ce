package filing

import (
	"strings"
	"testing"
)

// Every province asks for exactly one verification form per website, and
// its wording follows the subject: a seal for units, none for a person.
func TestVerificationFormFollowsSubjectType(t *testing.T) {
	pack := DefaultPack()
	for _, p := range pack.Provinces {
		for _, personalFiling := range []bool{false, true} {
			a := completeApp()
			if personalFiling {
				personal(a, p.Code, "330106198503152417")
			} else {
				inProvince(a, p.Code)
			}
			var forms []DocumentNeed
			for _, d := range RequiredDocuments(a, pack, DateOf(today)) {
				if d.Slot == "verification_form" {
					forms = append(forms, d)
				}
			}
			if len(forms) != 1 {
				t.Errorf("%s personal=%v: %d verification forms", p.Code, personalFiling, len(forms))
				continue
			}
			if sealed := strings.Contains(forms[0].ZH, "公章"); sealed == personalFiling {
				t.Errorf("%s personal=%v: %q", p.Code, personalFiling, forms[0].ZH)
			}
		}
	}
}
