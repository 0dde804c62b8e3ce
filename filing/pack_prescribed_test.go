package filing

import (
	"sort"
	"strings"
	"testing"
)

// Every name form a province prescribes is accepted as it stands: neither
// the national word lists (主页 banned for personal sites, 博客 a
// pre-approval warning) nor the province's own lists flag it. One case per
// prescribed suffix in the pack, so a new format is covered by adding it.
func TestPrescribedNameFormatsWinOverWordLists(t *testing.T) {
	pack := DefaultPack()
	if len(pack.NameFormats) == 0 {
		t.Fatal("the pack prescribes no name format")
	}
	for _, nf := range pack.NameFormats {
		for _, prov := range nf.Provinces {
			for _, suffix := range nf.Suffixes {
				t.Run(nf.ID+"/"+prov+suffix, func(t *testing.T) {
					a := completeApp()
					personal(a, prov, "330106198503152417")
					a.Websites[0].Name = a.Websites[0].Owner.Name + suffix
					for _, f := range Validate(a, pack, today) {
						if f.Field == "websites[0].name" {
							t.Errorf("%q: %s %s: %s", a.Websites[0].Name, f.Severity, f.Rule, f.EN)
						}
					}
				})
			}
		}
	}
}

// The exemption is for the prescribed form only: the same words elsewhere
// in a Jiangsu personal name are still caught, as is a banned word in the
// owner's part of a prescribed name.
func TestPrescribedFormatExemptsOnlyTheForm(t *testing.T) {
	for _, tc := range []struct {
		name, site string
		want       []string
	}{
		{"主页 outside the form", "张三的读书主页", []string{"name.personal", "name.jiangsu-personal"}},
		{"博客 outside the form", "张三读书博客", []string{"name.personal-preapproval", "name.jiangsu-personal"}},
		{"the form itself", "张三的个人博客", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := completeApp()
			personal(a, "32", "330106198503152417")
			a.Websites[0].Name = tc.site
			var got []string
			for _, f := range Validate(a, DefaultPack(), today) {
				if f.Field == "websites[0].name" {
					got = append(got, f.Rule)
				}
			}
			sort.Strings(got)
			sort.Strings(tc.want)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%q: rules %v, want %v", tc.site, got, tc.want)
			}
		})
	}
	// Outside the province that prescribes it the form has no privilege.
	a := completeApp()
	personal(a, "33", "330106198503152417")
	a.Websites[0].Name = "张三的个人主页"
	hit := false
	for _, f := range Validate(a, DefaultPack(), today) {
		hit = hit || f.Rule == "name.personal" && f.Field == "websites[0].name"
	}
	if !hit {
		t.Error("in Zhejiang 主页 in a personal site name is no longer refused")
	}
}
