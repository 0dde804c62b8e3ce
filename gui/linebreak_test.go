package gui

import (
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// cells measures text as a terminal would: a Chinese character or
// full-width mark is two cells, anything else one.
func cells(s string) float32 {
	n := 0
	for _, r := range s {
		if isIdeographic(r) && r != '…' && r != '—' && r != '“' && r != '”' && r != '‘' && r != '’' && r != '·' {
			n += 2
		} else {
			n++
		}
	}
	return float32(n)
}

func TestWrapText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		text  string
		width float32
		want  string
	}{
		{"fits", "照片合格。", 20, "照片合格。"},
		{"chinese breaks by character", "请上传证件的扫描件", 8, "请上传证\n件的扫描\n件"},
		// "件。" would leave "。" alone at the start of the next line: the
		// character before it goes down with it.
		{"full stop never starts a line", "请上传扫描件。然后", 12, "请上传扫描\n件。然后"},
		{"comma never starts a line", "一二三四，五六", 8, "一二三\n四，五六"},
		{"opening bracket never ends a line", "一二三（四五）", 8, "一二三\n（四五）"},
		{"closing quote stays", "他说“好的”。", 10, "他说“好\n的”。"},
		{"english at spaces", "at least one month during the review", 14, "at least one\nmonth during\nthe review"},
		{"no line starts with a space", "one  two three", 5, "one\ntwo\nthree"},
		{"a number keeps its unit", "limit 4 MB now", 7, "limit\n4 MB\nnow"},
		{"a percent keeps its number", "实测 红色 90 %，蓝色", 12, "实测 红色\n90 %，蓝色"},
		{"a long word breaks where it must", "C:/a/very/long/path", 8, "C:/a/ver\ny/long/p\nath"},
		{"mixed text breaks beside Chinese", "上传JPEG或PNG文件", 10, "上传JPEG或\nPNG文件"},
		{"a hyphen binds to the word after it", "用主体备案号（不带 -序号）找回", 20, "用主体备案号（不带\n-序号）找回"},
		{"newlines are kept", "第一行\n第二行很长很长", 8, "第一行\n第二行很\n长很长"},
		{"no width, no breaks", "请上传证件的扫描件", 0, "请上传证件的扫描件"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrapText(tc.text, tc.width, cells)
			if got != tc.want {
				t.Errorf("wrapText(%q, %v) =\n%q\nwant\n%q", tc.text, tc.width, got, tc.want)
			}
			for _, line := range strings.Split(got, "\n") {
				if tc.width > 0 && cells(line) > tc.width && !strings.Contains(tc.name, "long word") {
					t.Errorf("line %q is wider than %v", line, tc.width)
				}
			}
		})
	}
}

// Over every translation, at widths from narrow to wide, no wrapped
// line starts with closing punctuation or a space, none ends with opening
// punctuation, and no text is lost or added but the breaks.
func TestWrapTranslationsKeepsTheRules(t *testing.T) {
	for _, file := range []string{"zh_Hans.json", "en.json"} {
		for key, text := range loadTranslations(t, file) {
			text = placeholderRE.ReplaceAllString(text, "12")
			for _, width := range []float32{9, 16, 27, 40, 63} {
				got := wrapText(text, width, cells)
				lines := strings.Split(got, "\n")
				for i, line := range lines {
					if i > 0 && !strings.Contains(text, "\n"+line) {
						if r := []rune(line); len(r) > 0 && (isNoLineStart(r[0]) || unicode.IsSpace(r[0])) && len(r) > 1 {
							t.Errorf("%s %q at %v: line %d starts with %q: %q", file, key, width, i, r[0], got)
						}
					}
					if i < len(lines)-1 && !strings.Contains(text, line+"\n") {
						if r := []rune(line); len(r) > 1 && isNoLineEnd(r[len(r)-1]) {
							t.Errorf("%s %q at %v: line %d ends with %q: %q", file, key, width, i, r[len(r)-1], got)
						}
					}
				}
				squash := func(s string) string {
					return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), "")
				}
				if squash(got) != squash(text) {
					t.Fatalf("%s %q at %v: text changed:\n%q\n%q", file, key, width, text, got)
				}
			}
		}
	}
}

// In a window, the paragraph's lines are the wrapped text, each as wide
// as the label can draw, and a narrower window breaks them anew.
func TestParagraphBreaksForItsWidth(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(Theme{})
	text := "工信部备案密码只用于本次提交，不会保存在本机；如忘记密码，请登录工信部备案系统找回。"
	p := newParagraph(text)
	w := test.NewTempWindow(t, p)
	size := theme.TextSize()
	pad := theme.InnerPadding()
	for _, width := range []float32{420, 260, 180} {
		w.Resize(fyne.NewSize(width, 400))
		p.Resize(fyne.NewSize(width, p.MinSize().Height))
		shown := p.label.Text
		if p.Text != text {
			t.Fatalf("Text changed to %q", p.Text)
		}
		lines := strings.Split(shown, "\n")
		if width < 400 && len(lines) < 2 {
			t.Errorf("at %v px the text is one line: %q", width, shown)
		}
		for i, l := range lines {
			if fyne.MeasureText(l, size, fyne.TextStyle{}).Width > width-2*pad {
				t.Errorf("at %v px line %q is wider than the label", width, l)
			}
			if i > 0 && isNoLineStart([]rune(l)[0]) {
				t.Errorf("at %v px line %q starts with closing punctuation", width, l)
			}
		}
		if h := p.MinSize().Height; h < float32(len(lines))*size {
			t.Errorf("at %v px the paragraph is %v high for %d lines", width, h, len(lines))
		}
	}
}

// A text dialog opens as wide as its message when the window allows, so
// a short message reads on one line, and a long one wraps by the rules.
func TestMessageDialogWidth(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(Theme{})
	w := test.NewTempWindow(t, newParagraph(""))
	w.Resize(fyne.NewSize(800, 600))
	for _, tc := range []struct {
		message string
		lines   int
	}{
		{"新的界面语言将在下次启动时生效。", 1},
		{strings.Repeat("这条说明很长，需要换行。", 8), 0},
	} {
		showMessage("界面语言", tc.message, w)
		var p *Paragraph
		for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
			if x, ok := o.(*Paragraph); ok {
				p = x
			}
		}
		if p == nil {
			t.Fatal("the dialog shows no paragraph")
		}
		lines := strings.Split(p.label.Text, "\n")
		if tc.lines > 0 && len(lines) != tc.lines {
			t.Errorf("%q shows as %d lines: %q", tc.message, len(lines), p.label.Text)
		}
		if tc.lines == 0 && (len(lines) < 2 || p.Size().Width > 600) {
			t.Errorf("a long message is %v wide in %d lines", p.Size().Width, len(lines))
		}
		for i, l := range lines {
			if i > 0 && isNoLineStart([]rune(l)[0]) {
				t.Errorf("line %q starts with closing punctuation", l)
			}
		}
		w.Canvas().Overlays().Top().Hide()
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}
