package gui

import (
	_ "embed"
	"image/color"
	"math"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The bundled Simplified Chinese face: without it, a machine with no CJK
// font shows every Han character as U+FFFD, and one with Debian's Noto CJK
// collection gets Japanese glyph forms (see gui/fonts/README.md).
//
//go:embed fonts/NotoSansCJKsc-Regular-subset.otf
var chineseFont []byte

//go:embed fonts/OFL.txt
var fontLicence string

// ChineseFont is the bundled font as a Fyne resource.
var ChineseFont = fyne.NewStaticResource("NotoSansCJKsc-Regular-subset.otf", chineseFont)

// FontLicence is the SIL OFL text of the bundled font, for the About screen.
func FontLicence() string { return fontLicence }

// Theme is Fyne's default theme with the bundled Chinese font for text.
// Monospace and symbols stay with the default theme's fonts.
type Theme struct{}

var _ fyne.Theme = Theme{}

func (Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return theme.DefaultTheme().Font(s)
	}
	return ChineseFont
}

func (Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	c := theme.DefaultTheme().Color(n, v)
	if !textColours[n] {
		return c
	}
	// Fyne's own disabled, placeholder and status colours are too faint
	// for text (hint text in the dark theme was dark grey on black): each
	// is moved towards the variant's foreground until it reads at WCAG AA
	// on both backgrounds text sits on. The hue stays, so a warning is
	// still orange; a colour that already reads is left as it is.
	key := readableKey{n, v, color.NRGBAModel.Convert(c).(color.NRGBA)}
	if r, ok := readableCache.Load(key); ok {
		return r.(color.Color)
	}
	d := theme.DefaultTheme()
	bgs := []color.Color{d.Color(theme.ColorNameBackground, v), d.Color(theme.ColorNameInputBackground, v),
		d.Color(theme.ColorNameOverlayBackground, v), d.Color(theme.ColorNameMenuBackground, v)}
	r := readable(c, bgs, minTextContrast)
	readableCache.Store(key, r)
	return r
}

// readableKey is a text colour as asked for: the theme asks on every
// refresh of every label, so the blend is worked out once.
type readableKey struct {
	n fyne.ThemeColorName
	v fyne.ThemeVariant
	c color.NRGBA
}

var readableCache sync.Map

// minTextContrast is WCAG 2.1 AA for body text (1.4.3), with a little room
// for rounding to 8-bit channels.
const minTextContrast = 4.6

// textColours are the theme colours text is drawn in: labels by importance
// (low importance uses the disabled colour), entries' placeholders, links.
var textColours = map[fyne.ThemeColorName]bool{
	theme.ColorNameForeground: true, theme.ColorNameDisabled: true, theme.ColorNamePlaceHolder: true,
	theme.ColorNameError: true, theme.ColorNameWarning: true, theme.ColorNameSuccess: true,
	theme.ColorNamePrimary: true, theme.ColorNameHyperlink: true,
}

// readable is c, blended towards black on light backgrounds or white on
// dark ones in small steps, until its contrast with every bg is at least min.
func readable(c color.Color, bgs []color.Color, min float64) color.Color {
	r, g, b, a := c.RGBA()
	to := 0.0
	if luminance(bgs[0]) < 0.5 {
		to = 65535
	}
	out := c
	for step := 0; step <= 20; step++ {
		ok := true
		for _, bg := range bgs {
			ok = ok && contrast(out, bg) >= min
		}
		if ok {
			return out
		}
		t := float64(step+1) / 20
		mix := func(x uint32) uint8 { return uint8((float64(x)*(1-t) + to*t) / 257) }
		out = color.NRGBA{R: mix(r), G: mix(g), B: mix(b), A: uint8(a >> 8)}
	}
	return out
}

// luminance is WCAG's relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := color.NRGBAModel.Convert(c).RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 65535
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG's contrast ratio of two colours (1 to 21).
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func (Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (Theme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }
