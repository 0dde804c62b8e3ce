package gui

import (
	_ "embed"
	"image/color"

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
	return theme.DefaultTheme().Color(n, v)
}

func (Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (Theme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }
