package filing

import (
	"strings"
	"testing"

	"golang.org/x/net/idna"
)

type domainCase struct {
	name    string
	in      string
	code    string
	unicode string
	ascii   string
}

func domainCases() []domainCase {
	long63 := strings.Repeat("a", 63)
	var b strings.Builder
	for i := range 20 {
		b.WriteRune(rune(0x4E00 + 331*i))
	}
	longIDN := b.String()
	name253 := strings.Repeat("a", 61) + "." + long63 + "." + long63 + "." + long63 // 61+63×3+3 = 253
	return []domainCase{
		{name: "plain", in: "hichina.com", unicode: "hichina.com", ascii: "hichina.com"},
		{name: "upper case and spaces", in: "  Example.COM  ", unicode: "example.com", ascii: "example.com"},
		{name: "trailing dot", in: "example.com.", unicode: "example.com", ascii: "example.com"},
		{name: "subdomain", in: "www.example.com.cn", unicode: "www.example.com.cn", ascii: "www.example.com.cn"},
		{name: "digits and hyphen", in: "12306.cn", unicode: "12306.cn", ascii: "12306.cn"},
		{name: "hyphen inside", in: "my-site.net", unicode: "my-site.net", ascii: "my-site.net"},
		{name: "ideographic full stop", in: "example。com", unicode: "example.com", ascii: "example.com"},
		{name: "full-width letters and dot", in: "ｅｘａｍｐｌｅ．ｃｏｍ", unicode: "example.com", ascii: "example.com"},
		{name: "halfwidth ideographic stop", in: "example｡com", unicode: "example.com", ascii: "example.com"},
		// IDNs that MIIT's system lists (icp-rules.md §3.7.10).
		{name: "IDN 小度.中国", in: "小度.中国", unicode: "小度.中国", ascii: "xn--yet23d.xn--fiqs8s"},
		{name: "IDN 网址之家.cn", in: "网址之家.cn", unicode: "网址之家.cn", ascii: "xn--9iq21t6wdw30c.cn"},
		{name: "IDN with Chinese stop", in: "小度。中国", unicode: "小度.中国", ascii: "xn--yet23d.xn--fiqs8s"},
		{name: "punycode input", in: "xn--yet23d.xn--fiqs8s", unicode: "小度.中国", ascii: "xn--yet23d.xn--fiqs8s"},
		{name: "upper-case punycode", in: "XN--9IQ21T6WDW30C.CN", unicode: "网址之家.cn", ascii: "xn--9iq21t6wdw30c.cn"},
		{name: "63-character label", in: long63 + ".com", unicode: long63 + ".com", ascii: long63 + ".com"},
		{name: "253 characters", in: name253, unicode: name253, ascii: name253},

		{name: "empty", in: "", code: "domain.empty"},
		{name: "blank", in: " \u3000 ", code: "domain.empty"},
		{name: "https URL", in: "https://www.example.com/", code: "domain.scheme"},
		{name: "http upper case", in: "HTTP://example.com", code: "domain.scheme"},
		{name: "other scheme", in: "ftp://example.com", code: "domain.scheme"},
		{name: "http without slashes", in: "http:example.com", code: "domain.scheme"},
		{name: "path", in: "hichina.com/index.html", code: "domain.path"},
		{name: "trailing slash", in: "hichina.com/", code: "domain.path"},
		{name: "query", in: "example.com?a=1", code: "domain.path"},
		{name: "fragment", in: "example.com#top", code: "domain.path"},
		{name: "full-width slash", in: "example.com／a", code: "domain.path"},
		{name: "port", in: "example.com:8080", code: "domain.port"},
		{name: "IPv4", in: "192.0.2.10", code: "domain.ip"},
		{name: "IPv4 with port", in: "192.0.2.10:80", code: "domain.ip"},
		{name: "IPv6", in: "2001:db8::1", code: "domain.ip"},
		{name: "bracketed IPv6 with port", in: "[2001:db8::1]:443", code: "domain.ip"},
		{name: "IPv4 missing an octet", in: "192.168.1", code: "domain.ip"},
		{name: "IPv4 trailing dot", in: "192.0.2.10.", code: "domain.ip"},
		{name: "wildcard", in: "*.example.com", code: "domain.wildcard"},
		{name: "inner space", in: "example .com", code: "domain.spaces"},
		{name: "ideographic space inside", in: "example\u3000com.cn", code: "domain.spaces"},
		{name: "single label", in: "localhost", code: "domain.single-label"},
		{name: "single label with dot", in: "hichina.", code: "domain.single-label"},
		{name: "leading hyphen", in: "-example.com", code: "domain.idna"},
		{name: "trailing hyphen in label", in: "example-.com", code: "domain.idna"},
		{name: "hyphens in positions 3 and 4", in: "ab--cd.com", code: "domain.idna"},
		{name: "underscore", in: "my_site.com", code: "domain.idna"},
		{name: "double dot", in: "example..com", code: "domain.idna"},
		{name: "leading dot", in: ".example.com", code: "domain.idna"},
		{name: "punycode that does not decode", in: "xn--abc.com", code: "domain.idna"},
		{name: "punycode of plain ASCII", in: "xn--example-.com", code: "domain.idna"},
		// Found by fuzzing: Lookup decodes an empty xn-- label to nothing,
		// which once yielded the "domain" "0.".
		{name: "empty punycode label", in: "0.Xn--", code: "domain.idna"},
		{name: "punycode TLD that does not decode", in: "example.xn--zz", code: "domain.idna"},
		{name: "emoji", in: "☺.com", code: "domain.idna"},
		{name: "symbol inside a Chinese label", in: "小度★.中国", code: "domain.idna"},
		{name: "numeric TLD", in: "example.123", code: "domain.idna"},
		{name: "at sign", in: "user@example.com", code: "domain.idna"},
		{name: "colon without port", in: "example.com:http", code: "domain.idna"},
		{name: "64-character label", in: long63 + "a.com", code: "domain.length"},
		{name: "254 characters", in: "a" + name253, code: "domain.length"},
		// 20 scattered CJK characters are 60 bytes of UTF-8 but more than 63
		// characters of punycode, which is the form the limit applies to.
		{name: "long IDN label", in: longIDN + ".cn", code: "domain.length"},
	}
}

func TestParseDomain(t *testing.T) {
	for _, tc := range domainCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDomain(tc.in)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			want := DomainName{Unicode: tc.unicode, ASCII: tc.ascii, IDN: tc.unicode != tc.ascii}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func FuzzParseDomain(f *testing.F) {
	for _, tc := range domainCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDomain(s)
		if err != nil {
			checkParseErrorShape(t, err, "domain.")
			return
		}
		if len(d.ASCII) > 253 || !strings.Contains(d.ASCII, ".") || d.IDN != (strings.HasPrefix(d.ASCII, "xn--") || strings.Contains(d.ASCII, ".xn--")) {
			t.Fatalf("malformed result %+v", d)
		}
		for i := 0; i < len(d.ASCII); i++ {
			if c := d.ASCII[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
				t.Fatalf("ASCII form %q has %q", d.ASCII, c)
			}
		}
		// The plain-LDH shortcut must agree with full IDNA processing.
		a, err := idna.Lookup.ToASCII(d.Unicode)
		if err != nil || a != d.ASCII {
			t.Fatalf("IDNA Lookup of %q gave %q, %v; want %q", d.Unicode, a, err, d.ASCII)
		}
		if u, perr := idnaRoundTrip(a); perr != nil || u != d.Unicode {
			t.Fatalf("IDNA round trip of %q gave %q, %v; want %q", a, u, perr, d.Unicode)
		}
		for _, form := range []string{d.Unicode, d.ASCII} {
			again, err := ParseDomain(form)
			if err != nil || again != d {
				t.Fatalf("re-parsing %q gave %+v, %v; want %+v", form, again, err, d)
			}
		}
	})
}
