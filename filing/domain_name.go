package filing

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// DomainName is a domain as entered for a website, in both of the forms the
// filing system and DNS use.
type DomainName struct {
	Unicode string // lower-case Unicode form, e.g. "小度.中国"
	ASCII   string // punycode form, e.g. "xn--...."
	IDN     bool
}

// ParseDomain checks a bare domain name. People paste whole URLs, hosts
// with ports and IP addresses into this field, so each of those gets its own
// code and message instead of a generic "invalid domain".
func ParseDomain(s string) (DomainName, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DomainName{}, parseFail("domain.empty",
			"请填写网站域名。",
			"Enter the website's domain name.")
	}
	s = strings.Map(foldDomainRune, s)

	if strings.Contains(s, "://") || hasHTTPPrefix(s) {
		return DomainName{}, parseFail("domain.scheme",
			"请只填写域名本身，例如example.com，不要包含“http://”或“https://”。",
			"Enter the bare domain, such as example.com, without http:// or https://.")
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return DomainName{}, parseFail("domain.spaces",
			"域名中不能有空格，请删除空格。",
			"A domain name cannot contain spaces; remove them.")
	}
	if strings.ContainsAny(s, "/?#\\") {
		return DomainName{}, parseFail("domain.path",
			"请只填写域名，不要包含“/”及其后的路径或参数，例如填写example.com而不是example.com/index.html。",
			"Enter only the domain, without a slash and the path or query after it: example.com, not example.com/index.html.")
	}
	if isIPLiteral(s) {
		return DomainName{}, domainIPError()
	}
	if host, port, ok := strings.Cut(s, ":"); ok {
		if isIPLiteral(host) {
			return DomainName{}, domainIPError()
		}
		if allASCIIDigits(port) {
			return DomainName{}, parseFail("domain.port",
				"请只填写域名，删除后面的端口号（如“:8080”）。",
				"Enter the domain without a port number; remove the colon and the digits after it, such as :8080.")
		}
	}
	if strings.Contains(s, "*") {
		return DomainName{}, parseFail("domain.wildcard",
			"不能填写通配符域名（含“*”），请填写具体的域名，例如example.com。",
			"Wildcard domains containing * cannot be filed; enter a specific domain such as example.com.")
	}

	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if perr := checkDomainLabels(s); perr != nil {
		return DomainName{}, perr
	}

	ascii, uni, perr := domainForms(s)
	if perr != nil {
		return DomainName{}, perr
	}
	return DomainName{
		Unicode: uni,
		ASCII:   ascii,
		IDN:     uni != ascii,
	}, nil
}

// checkDomainLabels checks the label structure of a lower-cased name.
func checkDomainLabels(s string) *ParseError {
	if !strings.Contains(s, ".") {
		return parseFail("domain.single-label",
			"域名不完整，应包含后缀，例如example.com或example.cn。",
			"The domain is incomplete; it needs a suffix, as in example.com or example.cn.")
	}
	allNumeric, tld := true, ""
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return parseFail("domain.idna",
				"域名中有空的部分（开头是点或有连续的点），请检查点号的位置。",
				"The domain has an empty part (it starts with a dot or has two dots in a row); check where the dots are.")
		}
		allNumeric = allNumeric && allASCIIDigits(label)
		tld = label
	}
	if allNumeric {
		// 192.168.1 and similar are addresses with a typo, not names.
		return domainIPError()
	}
	if allASCIIDigits(tld) {
		return parseFail("domain.idna",
			"域名的最后一部分应是顶级域名，例如.com或.cn，不能全是数字。",
			"The last part of the domain must be a top-level domain such as .com or .cn, not a number.")
	}
	return nil
}

// domainForms converts a lower-cased name with no empty labels to its ASCII
// and Unicode forms.
func domainForms(s string) (ascii, uni string, perr *ParseError) {
	// Nearly every name is plain letters, digits and hyphens, for which both
	// forms are the input itself; skipping the IDNA machinery for those makes
	// the check about five times cheaper.
	plain := plainLDHName(s)
	ascii = s
	if !plain {
		a, err := idna.Lookup.ToASCII(s)
		if err != nil {
			return "", "", domainIDNAError()
		}
		// Mapping can change the label structure: "xn--" decodes to an
		// empty label and U+2488 (⒈) maps to "1.".
		if perr := checkDomainLabels(a); perr != nil {
			return "", "", perr
		}
		ascii = a
	}
	if len(ascii) > 253 {
		return "", "", domainLengthError()
	}
	for label := range strings.SplitSeq(ascii, ".") {
		if len(label) > 63 {
			return "", "", domainLengthError()
		}
	}
	if plain {
		return ascii, ascii, nil
	}
	uni, perr = idnaRoundTrip(ascii)
	return ascii, uni, perr
}

// idnaRoundTrip decodes an ASCII name and checks that it encodes back to
// itself. Lookup maps leniently; insisting that the result also survives
// the stricter Registration profile in both directions rejects xn-- labels
// that do not decode and names that would not round-trip.
func idnaRoundTrip(ascii string) (string, *ParseError) {
	uni, err := idna.Registration.ToUnicode(ascii)
	if err != nil {
		return "", domainIDNAError()
	}
	back, err := idna.Registration.ToASCII(uni)
	if err != nil || back != ascii {
		return "", domainIDNAError()
	}
	// UTS 46 still lets through symbols such as ☺ that IDNA2008 (RFC 5892)
	// disallows and no Chinese registry accepts, so non-ASCII characters are
	// held to RFC 5892's letters, marks and digits.
	for _, r := range uni {
		if r >= utf8.RuneSelf && !unicode.In(r, unicode.L, unicode.M, unicode.Nd) {
			return "", domainIDNAError()
		}
	}
	return uni, nil
}

// plainLDHName reports whether every label is lower-case letters, digits
// and inner hyphens, without the "--" in positions 3–4 that marks xn--
// labels (and that IDNA reserves), so that IDNA processing would return the
// name unchanged.
func plainLDHName(s string) bool {
	for label := range strings.SplitSeq(s, ".") {
		n := len(label)
		if n == 0 || label[0] == '-' || label[n-1] == '-' || (n >= 4 && label[2] == '-' && label[3] == '-') {
			return false
		}
		for i := 0; i < n; i++ {
			if c := label[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// foldDomainRune maps the full-width forms a Chinese IME produces, including
// the ideographic full stop, to ASCII, so 例子。中国 reads as 例子.中国.
func foldDomainRune(r rune) rune {
	if r == '。' || r == '｡' {
		return '.'
	}
	return foldWidth(r)
}

func hasHTTPPrefix(s string) bool {
	for _, p := range [...]string{"http:", "https:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

// isIPLiteral recognises IPv4, IPv6 and bracketed IPv6 addresses.
func isIPLiteral(s string) bool {
	if strings.HasPrefix(s, "[") {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

func domainIPError() *ParseError {
	return parseFail("domain.ip",
		"这是IP地址，不是域名；只能通过IP地址访问的网站不能备案，请填写网站的域名。",
		"This is an IP address, not a domain name; websites reachable only by IP address cannot be filed, so enter the site's domain name.")
}

func domainIDNAError() *ParseError {
	return parseFail("domain.idna",
		"域名中含有不允许的字符或格式：只能使用字母、数字、连字符和中文等合法字符，连字符不能在开头或结尾；请核对拼写。",
		"The domain contains characters or a form that domain names do not allow: use letters, digits, hyphens and valid Chinese characters, with no hyphen at the start or end of a part; check the spelling.")
}

func domainLengthError() *ParseError {
	return parseFail("domain.length",
		"域名过长：整个域名（转换为ASCII形式后）不能超过253个字符，每一段不能超过63个字符。",
		"The domain is too long: the whole name may have at most 253 characters and each part between dots at most 63, counted in its ASCII (punycode) form.")
}
