// Package textcheck finds what should never reach a reader: English words
// left in a Chinese text, and placeholders left unfilled. Tests of the
// packages that write messages (imaging, filing, gui) share it.
package textcheck

import (
	"strings"
	"unicode"
)

// Allowed are the Latin words a Chinese text may hold: names of file
// formats and units, and abbreviations a Chinese reader reads as they are
// (ICP 备案, 身份证 ID, 阿里云 ECS). Anything else is an English word left
// untranslated.
var Allowed = map[string]bool{
	// File formats and the names the checks tell apart.
	"JPG": true, "JPEG": true, "PNG": true, "GIF": true, "HEIC": true, "AVIF": true, "WebP": true,
	"TIFF": true, "BMP": true, "PSD": true, "PDF": true, "SVG": true, "EXIF": true, "CSV": true, "JSON": true,
	"Office": true,
	// Names of standards and of products, as their owners write them in
	// Chinese (GB 11643, 阿里云“弹性 Web 托管”, “NAT 网关”, “边缘节点服务 ENS”).
	"GB": true, "Web": true, "NAT": true, "ENS": true,
	// The app's own name, key names, a date pattern, certificate words.
	"icpfiling": true, "Ctrl": true, "YYYY": true, "MM": true, "DD": true, "CA": true, "PEM": true,
	// Units.
	"MB": true, "KB": true, "B": true, "px": true, "dpi": true, "h": true, "ΔE": true,
	// Abbreviations used as they are in Chinese filing texts.
	"ICP": true, "ID": true, "ECS": true, "IP": true, "IPv": true, "DNS": true, "URL": true,
	"APP": true, "App": true, "SMS": true, "PIN": true, "UTF": true,
}

// LatinWords are the words of Latin letters in a Chinese text that are not
// in Allowed. A single capital letter (the check character "X", a letter
// named as such) and a code-like token are no words: a token with a dot,
// a slash, a colon, an "@" or a digit in it is an example or a value
// ("example.com", "http://", "image/png", "IPv6", "a888"), which reads the
// same in every language.
func LatinWords(zh string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(zh, func(r rune) bool { return !isTokenRune(r) }) {
		if strings.ContainsAny(tok, "./:@0123456789") {
			continue
		}
		for _, w := range strings.FieldsFunc(tok, func(r rune) bool { return !isLatin(r) }) {
			if Allowed[w] || len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z' {
				continue
			}
			out = append(out, w)
		}
	}
	return out
}

// isLatin says whether r is a letter of a Latin word (or the Δ of ΔE).
func isLatin(r rune) bool {
	return r < unicode.MaxLatin1 && unicode.IsLetter(r) || r == 'Δ'
}

// isTokenRune says whether r belongs to a run of Latin text: letters,
// digits and the punctuation of addresses and codes, not a space and not
// a CJK character or CJK punctuation.
func isTokenRune(r rune) bool {
	return isLatin(r) || r > ' ' && r < 0x7f
}

// Unfilled says whether s holds a placeholder no one filled: a Go template
// action ("{{.N}}") or a fmt verb that had no argument ("%!d(MISSING)").
func Unfilled(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "%!")
}
