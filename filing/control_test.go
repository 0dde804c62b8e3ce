package filing

import (
	"strings"
	"testing"
)

// TestControlCharactersRefused: a name or an address carrying a C0/C1
// control character or a bidi override is refused (text.control_characters,
// blocking, the field named, the character in Measured); ordinary Chinese
// and English text, full-width digits and a middle dot are not.
func TestControlCharactersRefused(t *testing.T) {
	cases := []struct {
		name, field string
		set         func(a *Application)
		measured    string
	}{
		{"escape in the subject name", "subject.name", func(a *Application) { a.Subject.Name = "杭州\x1b]0;pwned\x07示例科技有限公司" }, "U+001B"},
		{"clear screen in the domicile", "subject.domicile.detail", func(a *Application) { a.Subject.Domicile.Detail = "文三路\x1b[2J 90 号" }, "U+001B"},
		{"C1 CSI in the mailing city", "subject.mailing_address.city", func(a *Application) { a.Subject.MailingAddress.City = "杭州\u009b市" }, "U+009B"},
		{"right-to-left override in a site name", "websites[0].name", func(a *Application) { a.Websites[0].Name = "示例\u202e站网" }, "U+202E"},
		{"isolate in the owner's name", "subject.owner.name", func(a *Application) { a.Subject.Owner.Name = "张\u2066三" }, "U+2066"},
		{"left-to-right mark in a site owner's name", "websites[0].owner.name", func(a *Application) { a.Websites[0].Owner.Name = "李四\u200e" }, "U+200E"},
		{"a line break in the investor", "subject.investor", func(a *Application) { a.Subject.Investor = "张三\n李四" }, "U+000A"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := completeApp()
			tc.set(a)
			var got []Finding
			for _, f := range Validate(a, DefaultPack(), today) {
				if f.Rule == ControlRule {
					got = append(got, f)
				}
			}
			if len(got) != 1 || got[0].Field != tc.field || got[0].Severity != Block || got[0].Measured != tc.measured {
				t.Fatalf("findings %+v, want one blocking on %s measuring %s", got, tc.field, tc.measured)
			}
			if !strings.Contains(got[0].ZH, "控制字符") || !strings.Contains(got[0].EN, "control character") {
				t.Fatalf("message %q / %q", got[0].ZH, got[0].EN)
			}
			if again := ControlCharacters(a); len(again) != 1 || again[0].Field != tc.field {
				t.Fatalf("ControlCharacters %+v", again)
			}
		})
	}
	a := completeApp()
	a.Subject.Name = "Example·科技（杭州）有限公司"
	a.Subject.Domicile.Detail = "文三路９０号 1 幢"
	if got := ControlCharacters(a); len(got) != 0 {
		t.Fatalf("ordinary text refused: %+v", got)
	}
}
