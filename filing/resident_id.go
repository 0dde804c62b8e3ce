package filing

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ResidentID is a mainland resident identity card number (GB 11643-1999).
type ResidentID struct {
	Normalised   string    // 18 chars, trailing x upper-cased, spaces removed
	ProvinceCode string    // first 2 digits, e.g. "11"
	Birth        time.Time // UTC midnight
	Male         bool      // 17th digit odd
}

// ParseResidentID checks an 18-character resident ID number: shape, province
// code, date of birth and GB 11643 check character. It does not check that the
// birth date lies in the past, because that needs a clock; callers compare
// AgeOn against the filing date instead.
func ParseResidentID(s string) (ResidentID, error) {
	n := squeeze(s)
	if n == "" {
		return ResidentID{}, parseFail("id.empty",
			"请填写身份证号码。",
			"Enter the resident ID number.")
	}
	count := utf8.RuneCountInString(n)
	if count == 15 && allASCIIDigits(n) {
		return ResidentID{}, parseFail("id.old15",
			"这是15位的旧身份证号码，已停止使用；请填写第二代居民身份证上的18位号码。",
			"This is an old 15-digit ID number, which is no longer accepted; enter the 18-digit number from the second-generation resident ID card.")
	}
	if count != 18 {
		return ResidentID{}, parseFail("id.length",
			"身份证号码应为18位，请核对是否多输或漏输了数字。",
			"A resident ID number has 18 characters; check for missing or extra digits.")
	}
	// count == 18 runes; any multi-byte rune makes the byte length differ and
	// is not a digit anyway.
	if len(n) != 18 || !allASCIIDigits(n[:17]) {
		return ResidentID{}, idCharsError()
	}
	last := n[17]
	if last == 'x' {
		n = n[:17] + "X"
		last = 'X'
	}
	if last != 'X' && (last < '0' || last > '9') {
		return ResidentID{}, idCharsError()
	}

	if !knownProvinceCode(n[:2]) {
		return ResidentID{}, parseFail("id.province",
			"身份证号码前两位不是有效的省级行政区划代码，请核对号码开头的数字。",
			"The first two digits of the ID number are not a valid province code; check the start of the number.")
	}

	year := atoiASCII(n[6:10])
	month := atoiASCII(n[10:12])
	day := atoiASCII(n[12:14])
	if year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) {
		return ResidentID{}, parseFail("id.birth",
			"身份证号码第7至14位不是有效的出生日期，请核对号码中的出生年月日。",
			"Digits 7 to 14 of the ID number are not a valid date of birth; check the birth date within the number.")
	}

	// Weights are 2^(17-i) mod 11; the table is the one printed in the
	// standard, kept literal so it can be checked against it by eye.
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(n[i]-'0') * w
	}
	if "10X98765432"[sum%11] != last {
		return ResidentID{}, parseFail("id.checksum",
			"身份证号码校验位不正确，请逐位核对证件上的号码。",
			"The check character of the ID number is wrong; compare the number with the card digit by digit.")
	}

	return ResidentID{
		Normalised:   n,
		ProvinceCode: n[:2],
		Birth:        time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC),
		Male:         (n[16]-'0')%2 == 1,
	}, nil
}

func idCharsError() *ParseError {
	return parseFail("id.chars",
		"身份证号码由17位数字和1位校验码组成，校验码是数字或字母X，请删除其他字符。",
		"A resident ID number is 17 digits followed by a digit or the letter X; remove any other characters.")
}

// AgeOn returns the completed years on the calendar date of d (taken in d's
// own location, since that is the date the caller means). Someone born on
// 29 February turns a year older on 1 March in common years. A negative
// result means the birth date is after d.
func (id ResidentID) AgeOn(d time.Time) int {
	by, bm, bd := id.Birth.Date()
	y, m, dd := d.Date()
	age := y - by
	if m < bm || (m == bm && dd < bd) {
		age--
	}
	return age
}

// Last6 returns the last six characters, which SMS verification asks for.
func (id ResidentID) Last6() string {
	if len(id.Normalised) < 6 {
		return ""
	}
	return id.Normalised[len(id.Normalised)-6:]
}

// knownProvinceCode reports whether a two-digit prefix is a province-level
// code of GB/T 2260, with Taiwan (71), Hong Kong (81) and Macau (82)
// accepted, and 83, with which residence permits of Taiwan residents start
// (those of Hong Kong and Macau residents start with 81 and 82).
func knownProvinceCode(p string) bool {
	if len(p) != 2 {
		return false
	}
	tens, units := p[0]-'0', p[1]-'0'
	switch tens {
	case 1:
		return units >= 1 && units <= 5
	case 2:
		return units >= 1 && units <= 3
	case 3:
		return units >= 1 && units <= 7
	case 4:
		return units >= 1 && units <= 6
	case 5:
		return units <= 4
	case 6:
		return units >= 1 && units <= 5
	case 7:
		return units == 1
	case 8:
		return units >= 1 && units <= 3
	}
	return false
}

func daysInMonth(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// The helpers below are shared by the parsers in this package.

func parseFail(code, zh, en string) *ParseError {
	return &ParseError{Code: code, ZH: zh, EN: en}
}

// squeeze removes all white space and folds full-width forms and dash
// look-alikes to ASCII: people paste numbers from Word documents and type
// them with a Chinese IME in full-width mode, and neither should matter.
func squeeze(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == ' ' || (c >= '\t' && c <= '\r') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(foldWidth(r))
	}
	return b.String()
}

// foldWidth maps full-width ASCII (U+FF01–U+FF5E) and the dashes that
// word processors substitute for a hyphen onto their ASCII forms.
func foldWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0xFE58, r == 0xFE63:
		return '-'
	}
	return r
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// atoiASCII converts a short string already known to be ASCII digits.
func atoiASCII(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// upperASCII upper-cases ASCII letters only; strings.ToUpper would also turn
// look-alikes such as U+0131 and U+017F into I and S and so accept them.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
