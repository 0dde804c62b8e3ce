package filing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseMobile returns the 11 digits of a mainland mobile number. Spaces,
// hyphens and a +86, 0086 or 86 country prefix are accepted because that is
// how numbers are commonly written and pasted.
func ParseMobile(s string) (string, error) {
	n := squeeze(s)
	if n == "" {
		return "", parseFail("mobile.empty",
			"请填写手机号码。",
			"Enter a mobile phone number.")
	}
	plus := n[0] == '+'
	if plus {
		n = n[1:]
	}
	var buf [24]byte
	d := buf[:0]
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= '0' && c <= '9':
			if len(d) == len(buf) {
				return "", mobileFormatError()
			}
			d = append(d, c)
		case c == '-':
		default:
			return "", mobileFormatError()
		}
	}
	switch {
	case plus && len(d) > 2 && (d[0] != '8' || d[1] != '6'):
		return "", parseFail("mobile.format",
			"请填写中国大陆（+86）的手机号码，不要填写其他国家或地区的号码。",
			"Enter a mainland China (+86) mobile number rather than one from another country or region.")
	case plus && len(d) >= 2:
		d = d[2:]
	case len(d) == 15 && string(d[:4]) == "0086":
		d = d[4:]
	case len(d) == 13 && d[0] == '8' && d[1] == '6':
		d = d[2:]
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return "", mobileFormatError()
	}
	return string(d), nil
}

func mobileFormatError() *ParseError {
	return parseFail("mobile.format",
		"手机号码应为11位中国大陆号码，以1开头、第二位是3至9，请核对位数。",
		"A mobile number has 11 digits, starting with 1 followed by a digit from 3 to 9; check the number of digits.")
}

// Landline is a fixed-line phone number in the filing system's
// 086-区号-号码 layout.
type Landline struct {
	Area   string // e.g. "0535"
	Number string // 7–8 digits
	Ext    string
}

// String returns the form the filing system expects, with "-ext" appended
// when there is an extension.
func (l Landline) String() string {
	s := "086-" + l.Area + "-" + l.Number
	if l.Ext != "" {
		s += "-" + l.Ext
	}
	return s
}

// ParseLandline checks a landline written as 086-区号-号码, with hyphens,
// spaces or no separators at all (the area code's own digits say how long
// it is), and an optional extension after "-" or "转".
func ParseLandline(s string) (Landline, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Landline{}, parseFail("landline.empty",
			"请填写固定电话号码。",
			"Enter a landline phone number.")
	}
	main, ext, hasExt := strings.Cut(s, "转")
	parts := landlineFields(main)
	if hasExt {
		extParts := landlineFields(ext)
		if len(extParts) != 1 {
			return Landline{}, landlineExtError()
		}
		ext = extParts[0]
	}

	if len(parts) == 0 || !strings.HasPrefix(parts[0], "086") || (parts[0] != "086" && len(parts) > 1) {
		return Landline{}, parseFail("landline.country",
			"固定电话请按“086-区号-号码”的格式填写，例如086-0535-6700763。",
			"Write the landline as 086, the area code and the number, separated by hyphens, for example 086-0535-6700763.")
	}
	var l Landline
	switch len(parts) {
	case 1, 2:
		// Area and number run together: split where the area code ends.
		rest := parts[0][3:]
		if len(parts) == 2 {
			rest = parts[1]
		}
		if !allASCIIDigits(rest) {
			return Landline{}, landlineAreaError()
		}
		cut := 4
		if len(rest) > 1 && (rest[1] == '1' || rest[1] == '2') {
			cut = 3
		}
		if len(rest) < cut {
			return Landline{}, landlineAreaError()
		}
		l.Area, l.Number = rest[:cut], rest[cut:]
	case 3:
		l.Area, l.Number = parts[1], parts[2]
	case 4:
		if hasExt {
			return Landline{}, landlineExtError()
		}
		l.Area, l.Number, ext, hasExt = parts[1], parts[2], parts[3], true
	default:
		return Landline{}, landlineNumberError()
	}

	if !validAreaCode(l.Area) {
		return Landline{}, landlineAreaError()
	}
	if len(l.Number) < 7 || len(l.Number) > 8 || !allASCIIDigits(l.Number) || l.Number[0] < '2' {
		return Landline{}, landlineNumberError()
	}
	if hasExt {
		if len(ext) < 1 || len(ext) > 6 || !allASCIIDigits(ext) {
			return Landline{}, landlineExtError()
		}
		l.Ext = ext
	}
	return l, nil
}

// landlineFields folds full-width forms and splits on hyphens and white
// space, which people use interchangeably between the groups.
func landlineFields(s string) []string {
	return strings.FieldsFunc(squeezeKeepSpace(s), func(r rune) bool {
		return r == '-' || unicode.IsSpace(r)
	})
}

// validAreaCode applies the mainland numbering plan: 010 and the 02x codes
// of the largest cities have three digits, every other code four.
func validAreaCode(a string) bool {
	if !allASCIIDigits(a) || a[0] != '0' || len(a) < 3 {
		return false
	}
	switch a[1] {
	case '0':
		return false // 00 starts an international call
	case '1':
		return a == "010"
	case '2':
		return len(a) == 3
	}
	return len(a) == 4
}

func landlineAreaError() *ParseError {
	return parseFail("landline.area",
		"区号不正确：区号以0开头，北京010和以02开头的区号为3位，其他地区为4位，例如0535。",
		"The area code is not valid: it starts with 0 and has 3 digits for Beijing (010) and codes beginning 02, and 4 digits elsewhere, for example 0535.")
}

func landlineNumberError() *ParseError {
	return parseFail("landline.number",
		"电话号码（区号之后的部分）应为7至8位数字，且不以0或1开头。",
		"The local number after the area code must have 7 or 8 digits and must not start with 0 or 1.")
}

func landlineExtError() *ParseError {
	return parseFail("landline.number",
		"分机号应为1至6位数字，写在号码之后，用“-”或“转”隔开，例如086-0535-6700763转123。",
		"An extension must be 1 to 6 digits after the number, separated by a hyphen or 转, for example 086-0535-6700763转123.")
}

// squeezeKeepSpace is squeeze without the white-space removal, for inputs
// where spaces separate groups.
func squeezeKeepSpace(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
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
		b.WriteRune(foldWidth(r))
	}
	return b.String()
}

// ParseEmail checks a plain address (local@domain) and returns it trimmed,
// with the domain lower-cased. Display names, quoted local parts and
// comments are refused: the filing system stores the bare address only.
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", parseFail("email.empty",
			"请填写电子邮箱地址。",
			"Enter an e-mail address.")
	}
	// A full-width ＠ or 。 typed with a Chinese IME is still what was meant.
	s = strings.Map(func(r rune) rune {
		if r == '。' || r == '｡' {
			return '.'
		}
		return foldWidth(r)
	}, s)
	if strings.ContainsAny(s, "<>\"()") {
		return "", parseFail("email.format",
			"请只填写邮箱地址本身（如name@example.com），不要包含姓名、引号或尖括号。",
			"Enter only the address itself, such as name@example.com, without a name, quotation marks or angle brackets.")
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "", parseFail("email.format",
			"邮箱地址中不能有空格，请删除空格。",
			"An e-mail address cannot contain spaces; remove them.")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", parseFail("email.format",
			"邮箱地址应包含且只包含一个“@”，形如name@example.com。",
			"An e-mail address contains exactly one @, as in name@example.com.")
	}
	if !validEmailLocal(local) {
		return "", parseFail("email.format",
			"邮箱地址“@”前的用户名不正确：应为1至64个英文字母、数字或常用符号，不能以点开头或结尾，也不能有连续的点。",
			"The part before the @ is not valid: it must be 1 to 64 letters, digits or common symbols, and must not start or end with a dot or contain two dots in a row.")
	}
	if !strings.ContainsAny(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", emailDomainError()
	}
	d, err := ParseDomain(domain)
	if err != nil {
		return "", emailDomainError()
	}
	return local + "@" + d.Unicode, nil
}

func emailDomainError() *ParseError {
	return parseFail("email.format",
		"邮箱地址“@”后的域名不正确，应形如example.com，请核对拼写。",
		"The part after the @ is not a valid domain name such as example.com; check the spelling.")
}

// validEmailLocal accepts an RFC 5322 dot-atom of ASCII characters.
func validEmailLocal(l string) bool {
	if len(l) < 1 || len(l) > 64 || l[0] == '.' || l[len(l)-1] == '.' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.':
			if l[i-1] == '.' {
				return false
			}
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
