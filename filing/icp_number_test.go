package filing

import (
	"strings"
	"testing"
)

// icpTestAbbr stands in for the rule pack's abbreviation set: the 31
// mainland abbreviations of icp-rules.md §3.2 (蜀 and 陇, not 川 and 甘).
func icpTestAbbr(s string) bool {
	const abbrs = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝蜀黔滇藏陕陇青宁新"
	return len(s) == len("京") && strings.Contains(abbrs, s)
}

type icpCase struct {
	name    string
	in      string
	code    string
	abbr    string
	serial  string
	site    int
	norm    string
	subject string
}

func icpCases() []icpCase {
	return []icpCase{
		// Real footers (icp-rules.md §3.1).
		{name: "8-digit serial", in: "京ICP备16020626号", abbr: "京", serial: "16020626", norm: "京ICP备16020626号", subject: "京ICP备16020626号"},
		{name: "10-digit serial with site", in: "陇ICP备2021003158号-1", abbr: "陇", serial: "2021003158", site: 1, norm: "陇ICP备2021003158号-1", subject: "陇ICP备2021003158号"},
		{name: "space after 备", in: "蜀ICP备 12005138号-1", abbr: "蜀", serial: "12005138", site: 1, norm: "蜀ICP备12005138号-1", subject: "蜀ICP备12005138号"},
		{name: "zero-padded old serial", in: "藏ICP备05000064号", abbr: "藏", serial: "05000064", norm: "藏ICP备05000064号", subject: "藏ICP备05000064号"},
		{name: "Guizhou", in: "黔ICP备2026001073号-1", abbr: "黔", serial: "2026001073", site: 1, norm: "黔ICP备2026001073号-1", subject: "黔ICP备2026001073号"},
		{name: "Qinghai with space", in: "青ICP备 20230001号", abbr: "青", serial: "20230001", norm: "青ICP备20230001号", subject: "青ICP备20230001号"},
		{name: "two-digit site", in: "浙ICP备11010001号-11", abbr: "浙", serial: "11010001", site: 11, norm: "浙ICP备11010001号-11", subject: "浙ICP备11010001号"},
		{name: "missing 号", in: "沪ICP备2021003158", abbr: "沪", serial: "2021003158", norm: "沪ICP备2021003158号", subject: "沪ICP备2021003158号"},
		{name: "missing 号 before site", in: "沪ICP备2021003158-2", abbr: "沪", serial: "2021003158", site: 2, norm: "沪ICP备2021003158号-2", subject: "沪ICP备2021003158号"},
		{name: "lower-case icp", in: "粤icp备2021003158号", abbr: "粤", serial: "2021003158", norm: "粤ICP备2021003158号", subject: "粤ICP备2021003158号"},
		{name: "full-width everything", in: "浙ＩＣＰ备２０２１００３１５８号－３", abbr: "浙", serial: "2021003158", site: 3, norm: "浙ICP备2021003158号-3", subject: "浙ICP备2021003158号"},
		{name: "em dash and ideographic spaces", in: "\u3000浙 ICP 备 2021003158 号 — 1\u3000", abbr: "浙", serial: "2021003158", site: 1, norm: "浙ICP备2021003158号-1", subject: "浙ICP备2021003158号"},
		{name: "en dash", in: "浙ICP备2021003158号–1", abbr: "浙", serial: "2021003158", site: 1, norm: "浙ICP备2021003158号-1", subject: "浙ICP备2021003158号"},
		{name: "app filing", in: "京ICP备2021003158号-2A", abbr: "京", serial: "2021003158", site: 2, norm: "京ICP备2021003158号-2A", subject: "京ICP备2021003158号"},
		{name: "app filing lower-case a", in: "京ICP备2021003158号-2a", abbr: "京", serial: "2021003158", site: 2, norm: "京ICP备2021003158号-2A", subject: "京ICP备2021003158号"},
		{name: "traditional characters", in: "京ICP備16020626號", abbr: "京", serial: "16020626", norm: "京ICP备16020626号", subject: "京ICP备16020626号"},
		{name: "6-digit serial", in: "京ICP备050001号", abbr: "京", serial: "050001", norm: "京ICP备050001号", subject: "京ICP备050001号"},

		{name: "empty", in: "", code: "icp.empty"},
		{name: "blank", in: " \u3000", code: "icp.empty"},
		{name: "licence ICP证", in: "京ICP证030173号", code: "icp.licence"},
		{name: "licence B2 with province", in: "粤B2-20090059", code: "icp.licence"},
		{name: "licence B2 bare", in: "B2-20090059", code: "icp.licence"},
		{name: "licence lower-case", in: "粤b2-20090059", code: "icp.licence"},
		{name: "川 for Sichuan", in: "川ICP备12005138号-1", code: "icp.province"},
		{name: "甘 for Gansu", in: "甘ICP备2021003158号-1", code: "icp.province"},
		{name: "no abbreviation", in: "ICP备2021003158号", code: "icp.province"},
		{name: "full province name", in: "浙江ICP备2021003158号", code: "icp.province"},
		{name: "Latin letter", in: "ZICP备2021003158号", code: "icp.province"},
		{name: "5-digit serial", in: "京ICP备16020号", code: "icp.format"},
		{name: "11-digit serial", in: "京ICP备20210031581号", code: "icp.format"},
		{name: "no serial", in: "京ICP备号", code: "icp.format"},
		{name: "site 0", in: "京ICP备16020626号-0", code: "icp.format"},
		{name: "site with leading zero", in: "京ICP备16020626号-01", code: "icp.format"},
		{name: "hyphen without site", in: "京ICP备16020626号-", code: "icp.format"},
		{name: "site too large", in: "京ICP备16020626号-12345", code: "icp.format"},
		{name: "trailing text", in: "京ICP备16020626号-1B", code: "icp.format"},
		{name: "A without site", in: "京ICP备16020626号A", code: "icp.format"},
		{name: "missing 备", in: "京ICP16020626号", code: "icp.format"},
		{name: "public security number", in: "京公网安备11010802020088号", code: "icp.format"},
		{name: "random text", in: "hello world", code: "icp.format"},
	}
}

func TestParseICPNumber(t *testing.T) {
	for _, tc := range icpCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseICPNumber(tc.in, icpTestAbbr)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			want := ICPNumber{Abbr: tc.abbr, Serial: tc.serial, Site: tc.site, Normalised: tc.norm}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if s := got.Subject(); s != tc.subject {
				t.Errorf("Subject = %q, want %q", s, tc.subject)
			}
		})
	}
	if s := (ICPNumber{}).Subject(); s != "" {
		t.Errorf("zero Subject = %q, want empty", s)
	}
}

func TestParseICPNumberNilAbbr(t *testing.T) {
	// Without a rule pack any single Han character passes, so a pack that
	// adds an abbreviation needs no code change; Latin letters still fail.
	if _, err := ParseICPNumber("川ICP备12005138号", nil); err != nil {
		t.Errorf("nil isAbbr rejected a Han abbreviation: %v", err)
	}
	_, err := ParseICPNumber("ZICP备12005138号", nil)
	wantParseError(t, err, "icp.province", "")
}

func FuzzParseICPNumber(f *testing.F) {
	for _, tc := range icpCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseICPNumber(s, icpTestAbbr)
		if err != nil {
			checkParseErrorShape(t, err, "icp.")
			return
		}
		if !icpTestAbbr(n.Abbr) || len(n.Serial) < 6 || len(n.Serial) > 10 || n.Site < 0 {
			t.Fatalf("malformed result %+v", n)
		}
		if !strings.HasPrefix(n.Normalised, n.Subject()) || strings.ContainsFunc(n.Normalised, func(r rune) bool { return r == ' ' || r >= 0xFF00 }) {
			t.Fatalf("Normalised %q is not canonical (subject %q)", n.Normalised, n.Subject())
		}
		again, err := ParseICPNumber(n.Normalised, icpTestAbbr)
		if err != nil || again != n {
			t.Fatalf("re-parsing %q gave %+v, %v; want %+v", n.Normalised, again, err, n)
		}
		subj, err := ParseICPNumber(n.Subject(), icpTestAbbr)
		if err != nil || subj.Site != 0 || subj.Abbr != n.Abbr || subj.Serial != n.Serial || subj.Normalised != n.Subject() {
			t.Fatalf("subject %q parsed as %+v, %v", n.Subject(), subj, err)
		}
	})
}
