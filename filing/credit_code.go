package filing

import (
	"strings"
	"unicode/utf8"
)

// CreditCode is a unified social credit code (统一社会信用代码, GB 32100-2015).
type CreditCode struct {
	Normalised string // upper-case, 18 chars
	Category   string // first two chars, e.g. "91"
	Division   string // chars 3-8
	OrgCode    string // chars 9-17
	ChecksumOK bool   // GB 32100 check char matches
}

// usccAlphabet lists the GB 32100 characters in value order; I, O, S, V and Z
// are left out because they are easily confused with digits.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// ParseCreditCode checks the shape of a unified social credit code. A wrong
// check character is reported through ChecksumOK rather than as an error,
// because some genuine codes from the early Fujian/Xiamen pilot fail it and
// the filing system accepts them.
func ParseCreditCode(s string) (CreditCode, error) {
	n := upperASCII(squeeze(s))
	if n == "" {
		return CreditCode{}, parseFail("uscc.empty",
			"请填写统一社会信用代码。",
			"Enter the unified social credit code.")
	}
	if count := utf8.RuneCountInString(n); count != 18 {
		if count == 15 && allASCIIDigits(n) {
			return CreditCode{}, parseFail("uscc.length",
				"这是15位的旧工商注册号，请填写新版营业执照上的18位统一社会信用代码。",
				"This is an old 15-digit business registration number; enter the 18-character unified social credit code from the current business licence.")
		}
		return CreditCode{}, parseFail("uscc.length",
			"统一社会信用代码应为18位，请对照营业执照或登记证书核对。",
			"A unified social credit code has 18 characters; check it against the business licence or registration certificate.")
	}
	// Multi-byte runes are never in the alphabet, so the byte loop below
	// rejects them as well.
	if len(n) != 18 {
		return CreditCode{}, usccCharsError()
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(usccAlphabet, n[i])
		if v < 0 {
			return CreditCode{}, usccCharsError()
		}
		if i < 17 {
			sum += v * weights[i]
		}
	}
	check := 31 - sum%31
	if check == 31 {
		check = 0
	}
	return CreditCode{
		Normalised: n,
		Category:   n[:2],
		Division:   n[2:8],
		OrgCode:    n[8:17],
		ChecksumOK: usccAlphabet[check] == n[17],
	}, nil
}

func usccCharsError() *ParseError {
	return parseFail("uscc.chars",
		"统一社会信用代码只含数字和大写字母，且不使用字母I、O、S、V、Z；请检查是否把数字0、1、2、5误写成了字母。",
		"A unified social credit code contains only digits and capital letters other than I, O, S, V and Z; check for a letter typed instead of a similar digit such as 0, 1, 2 or 5.")
}

// OrgCodeValid reports whether characters 9–17, which carry the unit's old
// organisation code, pass the GB 11714 check; a failure points at a typo in
// that part even when the GB 32100 check is unusable.
func (c CreditCode) OrgCodeValid() bool {
	return len(c.OrgCode) == 9 && orgCodeShapeOK(c.OrgCode) && orgCodeCheck(c.OrgCode[:8]) == c.OrgCode[8]
}

// OrgCode is a pre-2015 organisation code (组织机构代码, GB 11714).
type OrgCode struct {
	Normalised string // 9 chars, no hyphen
}

// ParseOrgCode checks an organisation code, written either as nine
// characters or in the certificate's "XXXXXXXX-X" form.
func ParseOrgCode(s string) (OrgCode, error) {
	n := upperASCII(squeeze(s))
	if n == "" {
		return OrgCode{}, parseFail("orgcode.empty",
			"请填写组织机构代码。",
			"Enter the organisation code.")
	}
	// The certificate prints a hyphen before the check character; that is
	// the only place one is allowed.
	if len(n) == 10 && n[8] == '-' {
		n = n[:8] + n[9:]
	}
	if strings.Contains(n, "-") {
		return OrgCode{}, orgCodeCharsError()
	}
	if utf8.RuneCountInString(n) != 9 {
		return OrgCode{}, parseFail("orgcode.length",
			"组织机构代码应为9位（证书上写作“XXXXXXXX-X”），请核对位数。",
			"An organisation code has 9 characters (printed as XXXXXXXX-X on the certificate); check for missing or extra characters.")
	}
	if len(n) != 9 || !orgCodeShapeOK(n) {
		return OrgCode{}, orgCodeCharsError()
	}
	if orgCodeCheck(n[:8]) != n[8] {
		return OrgCode{}, parseFail("orgcode.checksum",
			"组织机构代码校验位不正确，请逐位核对证书上的代码。",
			"The check character of the organisation code is wrong; compare the code with the certificate character by character.")
	}
	return OrgCode{Normalised: n}, nil
}

func orgCodeCharsError() *ParseError {
	return parseFail("orgcode.chars",
		"组织机构代码前8位是数字或大写字母，最后一位是数字或字母X，连字符只能写在最后一位之前；请删除其他字符。",
		"An organisation code is 8 digits or capital letters followed by a digit or X, with a hyphen allowed only before the last character; remove any other characters.")
}

func orgCodeShapeOK(n string) bool {
	for i := 0; i < 8; i++ {
		c := n[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	c := n[8]
	return c == 'X' || (c >= '0' && c <= '9')
}

// orgCodeCheck computes the GB 11714 check character of eight characters
// already known to be digits or capital letters.
func orgCodeCheck(body string) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * w
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}
