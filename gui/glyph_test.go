package gui

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	gotext "github.com/go-text/typesetting/font"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
)

// TestGlyphsCovered walks every rune the window can show from fixed text
// (the translation files, the rule pack, the option texts and marks of the
// UI) and checks that a bundled font draws it: the Chinese face, then
// Fyne's Latin text face and its emoji face, the fallbacks Fyne itself
// tries before the system's fonts (which a user may lack). "한국어" failed
// this: the bundled faces have no Hangul.
func TestGlyphsCovered(t *testing.T) {
	test.NewTempApp(t)
	var faces []*gotext.Face
	for _, r := range []fyne.Resource{ChineseFont, theme.DefaultTextFont(), theme.DefaultEmojiFont()} {
		f, err := gotext.ParseTTF(bytes.NewReader(r.Content()))
		if err != nil {
			t.Fatalf("%s: %v", r.Name(), err)
		}
		faces = append(faces, f)
	}
	drawn := func(r rune) bool {
		if unicode.IsControl(r) || r == '\u200b' || r == '\ufe0f' {
			return true // not drawn
		}
		for _, f := range faces {
			if _, ok := f.NominalGlyph(r); ok {
				return true
			}
		}
		return false
	}
	texts := map[string][]string{}
	for _, name := range []string{"en.json", "zh_Hans.json"} {
		var m map[string]string
		data, err := os.ReadFile(filepath.Join("translations", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			texts[name] = append(texts[name], k, v)
		}
	}
	texts["pack.json"] = []string{string(filing.DefaultPackBytes())}
	for _, o := range siteLanguages() {
		texts["site languages"] = append(texts["site languages"], o.text)
	}
	for _, v := range []imaging.Verdict{imaging.Pass, imaging.Warn, imaging.Doubtful, imaging.Fail} {
		texts["marks"] = append(texts["marks"], verdictMark(v), verdictLabel(v))
	}
	for _, s := range []filing.Severity{filing.Block, filing.Warn, filing.Info} {
		texts["marks"] = append(texts["marks"], severityMark(s), s.Label("zh"), s.Label("en"))
	}
	texts["marks"] = append(texts["marks"], "⏳ ", "• ", " · ", "…", "–", "“”", "（）：；，。")
	for _, lng := range []string{"zh", "en"} {
		for s := filing.Step(0); s <= filing.StepSubmit; s++ {
			texts["step names"] = append(texts["step names"], s.Name(lng))
		}
	}
	missing := map[rune]string{}
	n := 0
	for where, list := range texts {
		for _, s := range list {
			for _, r := range s {
				n++
				if !drawn(r) {
					missing[r] = where + ": " + s
				}
			}
		}
	}
	for r, where := range missing {
		t.Errorf("%q (U+%04X) has no glyph in the bundled fonts; it is in %.80s", r, r, where)
	}
	if n < 10000 {
		t.Errorf("only %d runes walked: the texts were not all found", n)
	}
	// The test can fail: Hangul is not drawn.
	if drawn('한') {
		t.Error("the bundled fonts draw Hangul now: the language names may go back to their own scripts")
	}
}
