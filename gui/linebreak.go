package gui

import (
	"strings"
	"unicode"
)

// Where a line of text may break, by the rules a Chinese and an English
// typesetter each expect: English between words only; Chinese between any
// two characters except before closing punctuation ("。" never starts a
// line) or after opening punctuation ("（" never ends one) — the 禁则 of
// W3C "Requirements for Chinese Text Layout" (clreq) §3.1.7 and of
// JIS X 4051 for the same marks. Fyne 2.7 offers only "at spaces" (no
// use for Chinese, which has none) and "anywhere".

// noLineStart are the marks a line must not start with.
const noLineStart = "。．，、：；？！）］｝〕〉》」』】〗〙〛’”»›…‥—～·・%％‰℃°" +
	".,:;?!)]}" + "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶー々〻"

// noLineEnd are the marks a line must not end with.
const noLineEnd = "（［｛〔〈《「『【〖〘〚‘“«‹([{￥＄$#＃"

func isNoLineStart(r rune) bool { return strings.ContainsRune(noLineStart, r) }
func isNoLineEnd(r rune) bool   { return strings.ContainsRune(noLineEnd, r) }

// isIdeographic is a rune written without spaces around it, so that a line
// may break beside it: Han, kana, Hangul syllables and the CJK and
// full-width punctuation.
func isIdeographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || // CJK symbols and punctuation
		(r >= 0xff00 && r <= 0xffef) || // full-width forms
		r == '…' || r == '—' || r == '“' || r == '”' || r == '‘' || r == '’' || r == '·'
}

// isJoiner is a Latin mark that belongs to the word beside it.
func isJoiner(r rune) bool { return strings.ContainsRune("-/_.@~+=&|\\", r) }

// isUnit is a short run of letters after a number that reads as its unit
// ("4 MB", "24 h", "300 dpi"): the number and its unit stay on one line.
func isUnit(rs []rune) bool {
	n := 0
	for n < len(rs) && n <= 3 && (unicode.IsLetter(rs[n]) && rs[n] < 0x2e80) {
		n++
	}
	return n > 0 && n <= 3 && (n == len(rs) || !unicode.IsLetter(rs[n]))
}

// lineBreak is one place a line may end: the line holds the runes before
// end; the next line starts at next (after the spaces, which no line
// starts or ends with).
type lineBreak struct{ end, next int }

// breakOpportunities lists where a line of text without newlines may
// break, in order.
func breakOpportunities(rs []rune) []lineBreak {
	var out []lineBreak
	for i := 1; i < len(rs); i++ {
		prev, r := rs[i-1], rs[i]
		if unicode.IsSpace(r) {
			j := i
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
			if j < len(rs) && !isNoLineStart(rs[j]) && !isNoLineEnd(prev) &&
				!(unicode.IsDigit(prev) && isUnit(rs[j:])) {
				out = append(out, lineBreak{i, j})
			}
			i = j
			continue
		}
		if unicode.IsSpace(prev) {
			continue
		}
		// A mark such as "-" or "/" binds to its neighbours ("-序号",
		// "a/b"): the line breaks beside ideographs only where no such
		// mark touches them.
		if (isIdeographic(prev) || isIdeographic(r)) && !isNoLineStart(r) && !isNoLineEnd(prev) &&
			!isJoiner(prev) && !isJoiner(r) {
			out = append(out, lineBreak{i, i})
		}
	}
	return out
}

// wrapText breaks text into lines no wider than width, measured by
// measure, at the opportunities above; a word wider than the whole line
// (a long path, a URL) breaks where it must. Newlines in text are kept.
func wrapText(text string, width float32, measure func(string) float32) string {
	if width <= 0 || text == "" {
		return text
	}
	var b strings.Builder
	for i, hard := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		wrapLine(&b, []rune(hard), width, measure)
	}
	return b.String()
}

func wrapLine(b *strings.Builder, rs []rune, width float32, measure func(string) float32) {
	breaks := breakOpportunities(rs)
	start, k := 0, 0
	for {
		if measure(string(rs[start:])) <= width {
			b.WriteString(string(rs[start:]))
			return
		}
		// fit is the largest end such that rs[start:fit] fits.
		lo, hi := start+1, len(rs)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if measure(string(rs[start:mid])) <= width {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		fit := lo
		for k < len(breaks) && breaks[k].end <= start {
			k++
		}
		brk := lineBreak{-1, -1}
		for j := k; j < len(breaks) && breaks[j].end <= fit; j++ {
			brk = breaks[j]
		}
		if brk.end < 0 {
			// No allowed break fits: break inside the word, but keep a
			// closing mark with the character before it when that can be.
			end := fit
			for end > start+1 && end < len(rs) && isNoLineStart(rs[end]) {
				end--
			}
			next := end
			for next < len(rs) && unicode.IsSpace(rs[next]) {
				next++
			}
			brk = lineBreak{end, next}
		}
		b.WriteString(strings.TrimRightFunc(string(rs[start:brk.end]), unicode.IsSpace))
		b.WriteByte('\n')
		start = brk.next
		if start >= len(rs) {
			return
		}
	}
}
