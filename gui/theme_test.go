package gui

import (
	"bytes"
	"github.com/icpfiling/icpfiling/internal/testconfig"
	"image"
	"image/color"
	"math"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	gotext "github.com/go-text/typesetting/font"
)

func TestMain(m *testing.M) {
	// Fyne reads the locale from the environment; pin it so the tests see
	// the Chinese strings whatever the machine's locale is.
	// A child of TestChosenLanguageWinsOverTheSystem keeps the locale it
	// was given.
	if os.Getenv(langChildEnv) == "" {
		for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANGUAGE"} {
			_ = os.Unsetenv(k)
		}
		_ = os.Setenv("LANG", "zh_CN.UTF-8")
	}
	cleanup := testconfig.Isolate()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// The bundled face must hold every hanzi a person's name can use in the
// BMP, not just GB2312: 喆 and 堃 are common in names and absent there.
func TestBundledFontCoversNameCharacters(t *testing.T) {
	face, err := gotext.ParseTTF(bytes.NewReader(chineseFont))
	if err != nil {
		t.Fatalf("the bundled font does not load (a collection?): %v", err)
	}
	if fam := face.Describe().Family; fam != "Noto Sans CJK SC" {
		t.Errorf("family %q, want the Simplified Chinese face", fam)
	}
	ranges := []struct {
		name     string
		from, to rune
	}{
		{"CJK Unified Ideographs (Unicode 10)", 0x4E00, 0x9FEF},
		{"CJK Extension A (Unicode 3.0)", 0x3400, 0x4DB5},
		{"ASCII", 0x20, 0x7E},
	}
	for _, r := range ranges {
		missing := 0
		for c := r.from; c <= r.to; c++ {
			if _, ok := face.NominalGlyph(c); !ok {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%s: %d characters missing", r.name, missing)
		}
	}
	for _, c := range "喆堃龘䶮，。：；！？（）、《》“”·—０１２ＡＢ" {
		if _, ok := face.NominalGlyph(c); !ok {
			t.Errorf("%q (U+%04X) missing", c, c)
		}
	}
}

func TestThemeFonts(t *testing.T) {
	th := Theme{}
	for _, s := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Bold: true, Italic: true}} {
		if th.Font(s) != ChineseFont {
			t.Errorf("style %+v does not use the bundled font", s)
		}
	}
	if th.Font(fyne.TextStyle{Monospace: true}) != theme.DefaultTheme().Font(fyne.TextStyle{Monospace: true}) {
		t.Error("monospace should stay with the default theme")
	}
	test.AssertAllColorNamesDefined(t, th, "icpfiling")
	if FontLicence() == "" || !bytes.Contains([]byte(FontLicence()), []byte("SIL OPEN FONT LICENSE Version 1.1")) {
		t.Error("the OFL text is not bundled")
	}
}

// Rendering a name with the theme draws real glyphs: the image of "喆堃"
// differs from that of two replacement characters, which is what a
// machine without a CJK font shows.
func TestThemeDrawsChineseGlyphs(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(Theme{})
	render := func(s string) image.Image {
		w := test.NewTempWindow(t, widget.NewLabel(s))
		w.Resize(fyne.NewSize(120, 50))
		return w.Canvas().Capture()
	}
	names, tofu := render("喆堃"), render("\uFFFD\uFFFD")
	if sameImage(names, tofu) {
		t.Fatal("喆堃 renders like U+FFFD: the bundled font is not used")
	}
	if sameImage(names, render("")) {
		t.Fatal("喆堃 renders as nothing")
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// Every colour text is drawn in reads at WCAG AA (4.5:1) on every
// background text sits on, in the light and the dark theme: labels of each
// importance (low importance is drawn in the disabled colour), entries'
// placeholders, links and the primary colour.
func TestThemeTextContrast(t *testing.T) {
	test.NewTempApp(t)
	th := Theme{}
	texts := []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled, theme.ColorNamePlaceHolder,
		theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess, theme.ColorNamePrimary, theme.ColorNameHyperlink}
	bgs := []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground,
		theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, fg := range texts {
			for _, bg := range bgs {
				if c := contrast(th.Color(fg, v), th.Color(bg, v)); c < 4.5 {
					t.Errorf("variant %d: %s on %s has contrast %.2f, want ≥ 4.5", v, fg, bg, c)
				}
			}
		}
	}
	// The measure itself: black on white is 21, a colour on itself 1.
	if c := contrast(color.Black, color.White); math.Abs(c-21) > 0.01 {
		t.Errorf("black on white: %.2f", c)
	}
	// A warning stays orange, not grey: the red channel still leads.
	r, g, b, _ := th.Color(theme.ColorNameWarning, theme.VariantLight).RGBA()
	if !(r > g && g > b) {
		t.Errorf("the light warning colour lost its hue: %d %d %d", r>>8, g>>8, b>>8)
	}
}
