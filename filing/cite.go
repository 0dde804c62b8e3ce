package filing

import (
	"strconv"
	"strings"
)

// Cite is where a finding's rule comes from, as a person reads it under the
// finding: the source's title and date and the place in it, and, where the
// rule replaced an older one, since when it applies ("来源：…（2019-09-20）").
// Empty when the pack does not know the source.
func (p *Pack) Cite(f Finding, lang string) string {
	key, ref := f.Source, ""
	if i := strings.Index(key, " ("); i >= 0 {
		key = key[:i]
	}
	r, isRule := p.rules[f.Rule]
	if isRule {
		key, ref = r.Source, r.Ref
	}
	src, ok := p.Sources[key]
	if !ok {
		return ""
	}
	zh := "来源：" + src.Title
	en := "Source: " + src.Title
	if src.Date != "" {
		zh += "（" + src.Date + "）"
		en += " (" + src.Date + ")"
	}
	if ref != "" {
		zh += "，" + ref
		en += ", " + ref
	}
	if isRule {
		if old := p.Replaced(r); old != nil {
			zh += "；自 " + r.From.String() + " 起适用，取代此前依据" + p.Sources[old.Source].Title + "（" + p.Sources[old.Source].Date + "）的规定"
			en += "; in force since " + r.From.String() + ", replacing the rule taken from " + p.Sources[old.Source].Title + " (" + p.Sources[old.Source].Date + ")"
		}
	}
	if lang == "en" {
		return en
	}
	return zh
}

// Replaced is the rule r took over from: one of the same family (the id's
// part before the first dot, e.g. "sms") that ended the day r began, or
// nil. A text then says since when r applies, so that a reader who knows
// the older rule (the seed's 2018 page, say) can tell why they differ.
func (p *Pack) Replaced(r *Rule) *Rule {
	family := func(id string) string {
		if i := strings.IndexByte(id, '.'); i >= 0 {
			return id[:i]
		}
		return id
	}
	var best *Rule
	for _, o := range p.rules {
		if o != r && o.Until != 0 && o.Until == r.From && family(o.ID) == family(r.ID) {
			if best == nil || o.ID < best.ID { // the same answer every run
				best = o
			}
		}
	}
	return best
}

// smsValiditySince says since when an SMS code's time limit applies and
// what it was before, where it replaced an older limit: "（自 2019-01-01
// 起；此前为 48 小时）". Empty when it replaced none.
func smsValiditySince(p *Pack, v *SMSValidity) (zh, en string) {
	for i := range p.SMSValidity {
		if o := &p.SMSValidity[i]; o.Until != 0 && o.Until == v.From {
			h := strconv.Itoa(o.Hours)
			return "（自 " + v.From.String() + " 起；此前为 " + h + " 小时）", " (since " + v.From.String() + "; " + h + " hours before)"
		}
	}
	return "", ""
}

// formatName is a media type as a reader names the format ("image/jpeg" →
// "JPG"), in both languages.
func formatName(media string) string {
	switch media {
	case "image/jpeg":
		return "JPG"
	case "image/png":
		return "PNG"
	case "image/gif":
		return "GIF"
	case "image/webp":
		return "WebP"
	}
	if _, sub, ok := strings.Cut(media, "/"); ok && sub != "" {
		return strings.ToUpper(sub)
	}
	return media
}

// formatNames are media types as format names, "JPG/PNG/GIF".
func formatNames(media []string) string {
	names := make([]string, len(media))
	for i, m := range media {
		names[i] = formatName(m)
	}
	return strings.Join(names, "/")
}

// countOf is n with its noun in English, singular for one: "1 month",
// "3 months".
func countOf(n int, one, other string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + other
}
