package filing

import "testing"

func TestFieldValue(t *testing.T) {
	app := &Application{
		Subject:   Subject{Name: "张三", Owner: Person{Mobile: "13800138000"}},
		Websites:  []Website{{Domain: "a.cn", Owner: Person{Name: "李四"}}, {Domain: "b.cn"}},
		Documents: []Document{{Slot: "verification_form", Website: 1, Attachment: &Attachment{SHA256: "f1"}}},
		Photo:     Photo{Attachment: &Attachment{SHA256: "p1"}},
	}
	for _, tc := range []struct {
		path, want string
		ok         bool
	}{
		{"subject.name", `"张三"`, true},
		{"subject.owner.mobile", `"13800138000"`, true},
		{"websites[1].domain", `"b.cn"`, true},
		{"websites[0].owner.name", `"李四"`, true},
		{"websites[2].domain", "", false},
		{"documents.verification_form[1]", "f1", true},
		{"documents.verification_form[0]", "", true},
		{"photo", "p1", true},
		{"no.such.field", "", false},
		{"subject.no_such_key", "null", true},
		{"bad path!", "", false},
	} {
		got, ok := FieldValue(app, tc.path)
		if got != tc.want || ok != tc.ok {
			t.Errorf("FieldValue(%q) = %q, %v; want %q, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestConcerns(t *testing.T) {
	app := &Application{
		Subject:  Subject{Name: "某某公司", Owner: Person{Name: "张三"}},
		Websites: []Website{{Domain: "a.cn", Owner: Person{Name: "李四"}}, {}},
	}
	for _, tc := range []struct{ path, lang, want string }{
		{"subject.owner.mobile", "zh", "主体负责人 张三"},
		{"subject.owner.mobile", "en", "the subject owner 张三"},
		{"subject.name", "zh", "主办者 某某公司"},
		{"websites[0].owner.mobile", "zh", "网站 1（a.cn）的负责人 李四"},
		{"websites[0].owner.mobile", "en", "the owner of website 1 (a.cn) 李四"},
		{"websites[1].name", "zh", "网站 2"},
		{"documents.domain_certificate[0]", "en", "website 1 (a.cn)"},
		{"documents.subject_certificate", "zh", ""},
		{"websites[x", "zh", ""},
		{"filing_password", "zh", ""},
	} {
		if got := Concerns(app, tc.path, tc.lang); got != tc.want {
			t.Errorf("Concerns(%q, %s) = %q, want %q", tc.path, tc.lang, got, tc.want)
		}
	}
}
