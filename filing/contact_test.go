package filing

import (
	"strings"
	"testing"
)

type stringParseCase struct {
	name string
	in   string
	code string
	want string
}

func mobileCases() []stringParseCase {
	return []stringParseCase{
		{name: "plain", in: "13800138000", want: "13800138000"},
		{name: "spaces 3-4-4", in: "138 0013 8000", want: "13800138000"},
		{name: "hyphens", in: "138-0013-8000", want: "13800138000"},
		{name: "+86", in: "+86 138 0013 8000", want: "13800138000"},
		{name: "+86 hyphen", in: "+86-13800138000", want: "13800138000"},
		{name: "0086", in: "0086 13800138000", want: "13800138000"},
		{name: "86 prefix", in: "8613800138000", want: "13800138000"},
		{name: "full width", in: "１３８００１３８０００", want: "13800138000"},
		{name: "19x range", in: "19912345678", want: "19912345678"},
		{name: "virtual operator 170", in: "17012345678", want: "17012345678"},

		{name: "empty", in: "", code: "mobile.empty"},
		{name: "blank", in: "   ", code: "mobile.empty"},
		{name: "10 digits", in: "1380013800", code: "mobile.format"},
		{name: "12 digits", in: "138001380001", code: "mobile.format"},
		{name: "second digit 2", in: "12800138000", code: "mobile.format"},
		{name: "starts with 2", in: "23800138000", code: "mobile.format"},
		{name: "landline", in: "053506700763", code: "mobile.format"},
		{name: "foreign prefix", in: "+1 415 555 0100", code: "mobile.format"},
		{name: "Hong Kong", in: "+852 9123 4567", code: "mobile.format"},
		{name: "letters", in: "1380013800O", code: "mobile.format"},
		{name: "plus in the middle", in: "138+00138000", code: "mobile.format"},
		{name: "just a plus", in: "+", code: "mobile.format"},
		{name: "very long", in: strings.Repeat("1", 40), code: "mobile.format"},
	}
}

func TestParseMobile(t *testing.T) {
	for _, tc := range mobileCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMobile(tc.in)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func FuzzParseMobile(f *testing.F) {
	for _, tc := range mobileCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMobile(s)
		if err != nil {
			checkParseErrorShape(t, err, "mobile.")
			return
		}
		if len(m) != 11 || !allASCIIDigits(m) || m[0] != '1' || m[1] < '3' {
			t.Fatalf("result %q is not a mainland mobile number", m)
		}
		for _, form := range []string{m, "+86" + m, "0086-" + m} {
			again, err := ParseMobile(form)
			if err != nil || again != m {
				t.Fatalf("re-parsing %q gave %q, %v; want %q", form, again, err, m)
			}
		}
	})
}

type landlineCase struct {
	name string
	in   string
	code string
	want Landline
}

func landlineCases() []landlineCase {
	yantai := Landline{Area: "0535", Number: "6700763"}
	beijing := Landline{Area: "010", Number: "82350000"}
	return []landlineCase{
		// The example in Alibaba Cloud's help page.
		{name: "documented example", in: "086-0535-6700763", want: yantai},
		{name: "spaces", in: "086 0535 6700763", want: yantai},
		{name: "no separators", in: "08605356700763", want: yantai},
		{name: "area and number together", in: "086-05356700763", want: yantai},
		{name: "full width", in: "０８６－０５３５－６７００７６３", want: yantai},
		{name: "Beijing 3-digit area", in: "086-010-82350000", want: beijing},
		{name: "Beijing run together", in: "08601082350000", want: beijing},
		{name: "Shanghai 021", in: "086-021-62345678", want: Landline{Area: "021", Number: "62345678"}},
		{name: "extension with hyphen", in: "086-0535-6700763-123", want: Landline{Area: "0535", Number: "6700763", Ext: "123"}},
		{name: "extension with 转", in: "086-0535-6700763转8001", want: Landline{Area: "0535", Number: "6700763", Ext: "8001"}},
		{name: "extension with spaced 转", in: "086-010-82350000 转 12", want: Landline{Area: "010", Number: "82350000", Ext: "12"}},

		{name: "empty", in: "", code: "landline.empty"},
		{name: "blank", in: "\u3000", code: "landline.empty"},
		{name: "no country prefix", in: "0532-88886666", code: "landline.country"},
		{name: "+86", in: "+86-0532-88886666", code: "landline.country"},
		{name: "86", in: "86-0532-88886666", code: "landline.country"},
		{name: "0086", in: "0086-0532-88886666", code: "landline.country"},
		{name: "country glued to area", in: "0860532-88886666", code: "landline.country"},
		{name: "only separators", in: "- -", code: "landline.country"},
		{name: "area without leading 0", in: "086-532-88886666", code: "landline.area"},
		{name: "Beijing with 4 digits", in: "086-0100-88886666", code: "landline.area"},
		{name: "02x with 4 digits", in: "086-0210-88886666", code: "landline.area"},
		{name: "other area with 3 digits", in: "086-053-88886666", code: "landline.area"},
		{name: "area 00", in: "086-0032-88886666", code: "landline.area"},
		{name: "area 011", in: "086-011-88886666", code: "landline.area"},
		{name: "area with letter", in: "086-05a2-88886666", code: "landline.area"},
		{name: "nothing after 086", in: "086", code: "landline.area"},
		{name: "number 6 digits", in: "086-0532-888866", code: "landline.number"},
		{name: "number 9 digits", in: "086-0532-888866661", code: "landline.number"},
		{name: "number starting 0", in: "086-0532-08886666", code: "landline.number"},
		{name: "number starting 1", in: "086-0532-18886666", code: "landline.number"},
		{name: "mobile after area", in: "086-0532-13800138000", code: "landline.number"},
		{name: "number split in two", in: "086-010-8888-6666", code: "landline.number"},
		{name: "extension too long", in: "086-0532-88886666-1234567", code: "landline.number"},
		{name: "empty 转 extension", in: "086-0532-88886666转", code: "landline.number"},
		{name: "two extensions", in: "086-0532-88886666-12转34", code: "landline.number"},
		{name: "too many groups", in: "086-0532-8888-66-66", code: "landline.number"},
	}
}

func TestParseLandline(t *testing.T) {
	for _, tc := range landlineCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLandline(tc.in)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestLandlineString(t *testing.T) {
	cases := []struct {
		l    Landline
		want string
	}{
		{Landline{Area: "0535", Number: "6700763"}, "086-0535-6700763"},
		{Landline{Area: "010", Number: "82350000", Ext: "12"}, "086-010-82350000-12"},
	}
	for _, tc := range cases {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func FuzzParseLandline(f *testing.F) {
	for _, tc := range landlineCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLandline(s)
		if err != nil {
			checkParseErrorShape(t, err, "landline.")
			return
		}
		if !validAreaCode(l.Area) || len(l.Number) < 7 || len(l.Number) > 8 || len(l.Ext) > 6 {
			t.Fatalf("malformed result %+v", l)
		}
		again, err := ParseLandline(l.String())
		if err != nil || again != l {
			t.Fatalf("re-parsing %q gave %+v, %v; want %+v", l.String(), again, err, l)
		}
	})
}

func emailCases() []stringParseCase {
	return []stringParseCase{
		{name: "plain", in: "name@example.com", want: "name@example.com"},
		{name: "trimmed", in: "  name@example.com\t", want: "name@example.com"},
		{name: "domain lower-cased, local kept", in: "Zhang.San@Example.COM", want: "Zhang.San@example.com"},
		{name: "plus and digits", in: "user+icp2024@mail.example.com.cn", want: "user+icp2024@mail.example.com.cn"},
		{name: "qq mailbox", in: "10001@qq.com", want: "10001@qq.com"},
		{name: "full-width at and stop", in: "name＠example。com", want: "name@example.com"},
		{name: "IDN domain", in: "info@小度.中国", want: "info@小度.中国"},
		{name: "punycode domain", in: "info@xn--yet23d.xn--fiqs8s", want: "info@小度.中国"},
		{name: "64-character local part", in: strings.Repeat("a", 64) + "@example.com", want: strings.Repeat("a", 64) + "@example.com"},

		{name: "empty", in: "", code: "email.empty"},
		{name: "blank", in: " \u3000", code: "email.empty"},
		{name: "no at", in: "name.example.com", code: "email.format"},
		{name: "two ats", in: "name@host@example.com", code: "email.format"},
		{name: "display name", in: "张三 <name@example.com>", code: "email.format"},
		{name: "angle brackets", in: "<name@example.com>", code: "email.format"},
		{name: "quoted local part", in: `"john doe"@example.com`, code: "email.format"},
		{name: "space inside", in: "name @example.com", code: "email.format"},
		{name: "empty local part", in: "@example.com", code: "email.format"},
		{name: "65-character local part", in: strings.Repeat("a", 65) + "@example.com", code: "email.format"},
		{name: "leading dot", in: ".name@example.com", code: "email.format"},
		{name: "double dot", in: "na..me@example.com", code: "email.format"},
		{name: "Chinese local part", in: "张三@example.com", code: "email.format"},
		{name: "domain without dot", in: "name@localhost", code: "email.format"},
		{name: "domain trailing dot", in: "name@example.com.", code: "email.format"},
		{name: "domain bad label", in: "name@-example.com", code: "email.format"},
		{name: "domain empty label", in: "name@example..com", code: "email.format"},
		{name: "IP literal", in: "name@[192.0.2.1]", code: "email.format"},
		{name: "comma typo", in: "name@example,com", code: "email.format"},
	}
}

func TestParseEmail(t *testing.T) {
	for _, tc := range emailCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEmail(tc.in)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, tc := range emailCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEmail(s)
		if err != nil {
			checkParseErrorShape(t, err, "email.")
			return
		}
		local, domain, ok := strings.Cut(e, "@")
		if !ok || strings.Contains(domain, "@") || !validEmailLocal(local) || !strings.Contains(domain, ".") {
			t.Fatalf("result %q is not local@domain", e)
		}
		again, err := ParseEmail(e)
		if err != nil || again != e {
			t.Fatalf("re-parsing %q gave %q, %v", e, again, err)
		}
	})
}

// BenchmarkParsers parses one value of each kind, about what a single
// application asks Validate to check; the budget for all of Validate is 50 µs.
func BenchmarkParsers(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResidentID("11010519491231002X"); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseCreditCode("9144030071526726XG"); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseOrgCode("71526726-X"); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseICPNumber("浙ICP备2021003158号-1", icpTestAbbr); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseMobile("+86 138 0013 8000"); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseLandline("086-0535-6700763"); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseEmail("name@example.com"); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseDomain("小度.中国"); err != nil {
			b.Fatal(err)
		}
	}
}
