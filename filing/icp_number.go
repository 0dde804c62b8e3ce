package filing

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ICPNumber is an ICP filing number (ICP备案号): a subject number such as
// 浙ICP备2021003158号, optionally followed by a website sequence "-1".
type ICPNumber struct {
	Abbr       string // province abbreviation, e.g. "浙"
	Serial     string // 6–10 digits
	Site       int    // the -n website suffix, 0 when absent
	Normalised string // e.g. "浙ICP备2021003158号-1" — no spaces, full-width digits/hyphen folded to ASCII, missing 号 added
}

const icpMarker = "ICP备"

// ParseICPNumber checks and normalises a filing number as copied from a
// website footer, where spacing, full-width characters and a dropped 号 are
// common. isAbbr reports whether a one-character string is a province
// abbreviation; the set comes from the rule pack so that it can be corrected
// without a code change. A nil isAbbr accepts any single Han character.
func ParseICPNumber(s string, isAbbr func(string) bool) (ICPNumber, error) {
	n := icpFold(s)
	if n == "" {
		return ICPNumber{}, parseFail("icp.empty",
			"请填写ICP备案号。",
			"Enter the ICP filing number.")
	}
	if looksLikeICPLicence(n) {
		return ICPNumber{}, parseFail("icp.licence",
			"这是ICP经营许可证编号，不是备案号；请填写形如“浙ICP备2021003158号”的ICP备案号（可在工信部备案系统查询）。",
			"This is an ICP operating licence number, not a filing number; enter the ICP filing number, which looks like 浙ICP备2021003158号 and can be looked up in the MIIT filing system.")
	}
	if strings.Contains(n, "公网安备") {
		return ICPNumber{}, parseFail("icp.format",
			"这是公安联网备案号，不是ICP备案号；请填写形如“浙ICP备2021003158号”的ICP备案号。",
			"This is a public security network filing number (公网安备), not an ICP filing number; enter the ICP filing number, which looks like 浙ICP备2021003158号.")
	}
	at := strings.Index(n, icpMarker)
	if at < 0 {
		return ICPNumber{}, icpFormatError()
	}
	abbr := n[:at]
	r, size := utf8.DecodeRuneInString(abbr)
	okAbbr := size > 0 && size == len(abbr) && r != utf8.RuneError
	if okAbbr {
		if isAbbr != nil {
			okAbbr = isAbbr(abbr)
		} else {
			okAbbr = unicode.Is(unicode.Han, r)
		}
	}
	if !okAbbr {
		return ICPNumber{}, parseFail("icp.province",
			"备案号应以一个省份简称开头，例如“浙”“京”“粤”；注意四川是“蜀”（不是“川”），甘肃是“陇”（不是“甘”）。",
			"A filing number starts with a one-character province abbreviation such as 浙, 京 or 粤; note that Sichuan is 蜀 (not 川) and Gansu is 陇 (not 甘).")
	}

	rest := n[at+len(icpMarker):]
	digits := leadingDigits(rest)
	if digits < 6 || digits > 10 {
		return ICPNumber{}, icpFormatError()
	}
	serial := rest[:digits]
	rest = strings.TrimPrefix(rest[digits:], "号")

	site, app := 0, false
	if rest != "" {
		if rest[0] != '-' {
			return ICPNumber{}, icpFormatError()
		}
		rest = rest[1:]
		digits = leadingDigits(rest)
		// Four digits is far beyond any real subject's site count; the limit
		// keeps Atoi clear of overflow. A leading zero has no canonical form.
		if digits < 1 || digits > 4 || rest[0] == '0' {
			return ICPNumber{}, icpFormatError()
		}
		site, _ = strconv.Atoi(rest[:digits])
		rest = rest[digits:]
		if rest == "A" {
			app, rest = true, ""
		}
		if rest != "" {
			return ICPNumber{}, icpFormatError()
		}
	}

	var b strings.Builder
	b.Grow(len(abbr) + len(icpMarker) + len(serial) + len("号") + 7)
	b.WriteString(abbr)
	b.WriteString(icpMarker)
	b.WriteString(serial)
	b.WriteString("号")
	if site > 0 {
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(site))
		if app {
			b.WriteByte('A')
		}
	}
	return ICPNumber{Abbr: abbr, Serial: serial, Site: site, Normalised: b.String()}, nil
}

// Subject returns the subject (主体) number, which is what MIIT asks for when
// recovering the filing password.
func (n ICPNumber) Subject() string {
	if n.Normalised == "" {
		return ""
	}
	return n.Abbr + icpMarker + n.Serial + "号"
}

func icpFormatError() *ParseError {
	return parseFail("icp.format",
		"备案号格式不正确：应为省份简称、“ICP备”、6至10位数字和“号”，网站备案号后面再加“-序号”，例如“浙ICP备2021003158号-1”。",
		"The filing number is not in the expected form: a province abbreviation, ICP备, 6 to 10 digits and 号, followed for a website by a hyphen and its sequence number, e.g. 浙ICP备2021003158号-1.")
}

// icpFold removes white space, folds full-width characters and dashes, and
// upper-cases ASCII letters so that "icp", a pasted "－2a" and the
// traditional 備/號 all compare equal to the canonical form.
func icpFold(s string) string {
	n := upperASCII(squeeze(s))
	if strings.ContainsAny(n, "備號") {
		n = strings.NewReplacer("備", "备", "號", "号").Replace(n)
	}
	return n
}

// looksLikeICPLicence recognises ICP 经营许可证 numbers such as 京ICP证030173号
// and 粤B2-20090059, which site footers show next to (or instead of) the
// filing number and which people therefore paste by mistake.
func looksLikeICPLicence(n string) bool {
	if strings.Contains(n, "ICP证") {
		return true
	}
	if r, size := utf8.DecodeRuneInString(n); r >= utf8.RuneSelf {
		n = n[size:]
	}
	if len(n) < 4 || (n[0] != 'A' && n[0] != 'B') || (n[1] != '1' && n[1] != '2') {
		return false
	}
	n = strings.TrimPrefix(n[2:], "-")
	return leadingDigits(n) >= 4
}

func leadingDigits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
