package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Paragraph is text that wraps to its width with the line breaks of
// wrapText (no "。" at the start of a line, English between words), drawn
// by a Fyne Label — or a Hyperlink when OnTapped is set — given the text
// already broken into lines. Text is always the text as set, without the
// breaks.
type Paragraph struct {
	widget.BaseWidget
	Text       string
	Importance widget.Importance
	TextStyle  fyne.TextStyle
	Alignment  fyne.TextAlign
	SizeName   fyne.ThemeSizeName // "" is the body text size
	// OnTapped makes the paragraph a link (a finding that leads to its field).
	OnTapped func()

	label *widget.Label
	link  *widget.Hyperlink
	width float32
}

func newParagraph(text string) *Paragraph {
	p := &Paragraph{Text: text}
	p.ExtendBaseWidget(p)
	return p
}

// SetText shows text, broken anew for the current width.
func (p *Paragraph) SetText(text string) {
	p.Text = text
	p.Refresh()
}

func (p *Paragraph) CreateRenderer() fyne.WidgetRenderer {
	p.ExtendBaseWidget(p)
	var inner fyne.CanvasObject
	if p.OnTapped != nil {
		p.link = widget.NewHyperlink("", nil)
		p.link.OnTapped = p.OnTapped
		// The Fyne wrap only acts if a measure disagrees with ours: a line
		// is then cut again rather than overflowing.
		p.link.Wrapping = fyne.TextWrapWord
		inner = p.link
	} else {
		p.label = widget.NewLabel("")
		p.label.Wrapping = fyne.TextWrapWord
		inner = p.label
	}
	p.sync()
	return &paragraphRenderer{p: p, inner: inner}
}

// sync gives the drawing widget the text broken for the paragraph's width.
func (p *Paragraph) sync() {
	th := p.Theme()
	size := p.textSize(th)
	// The Label draws its text inside an inner padding on either side and
	// measures it as here, so a line that fits here fits there.
	avail := p.width - 2*th.Size(theme.SizeNameInnerPadding)
	style := p.TextStyle
	text := wrapText(p.Text, avail, func(s string) float32 { return fyne.MeasureText(s, size, style).Width })
	if p.link != nil {
		p.link.Text, p.link.TextStyle, p.link.Alignment, p.link.SizeName = text, p.TextStyle, p.Alignment, p.SizeName
		p.link.OnTapped = p.OnTapped
		p.link.Refresh()
		return
	}
	l := p.label
	l.Text, l.TextStyle, l.Alignment, l.Importance, l.SizeName = text, p.TextStyle, p.Alignment, p.Importance, p.SizeName
	l.Refresh()
}

type paragraphRenderer struct {
	p     *Paragraph
	inner fyne.CanvasObject
}

func (r *paragraphRenderer) Layout(size fyne.Size) {
	if size.Width != r.p.width {
		r.p.width = size.Width
		r.p.sync()
	}
	r.inner.Resize(size)
}

func (r *paragraphRenderer) MinSize() fyne.Size           { return r.inner.MinSize() }
func (r *paragraphRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.inner} }
func (r *paragraphRenderer) Refresh()                     { r.p.sync() }
func (r *paragraphRenderer) Destroy()                     {}

// MinSizeUnwrapped is the width the text takes on one line (its widest
// line) with the label's padding: what a dialog sizes itself by.
func (p *Paragraph) MinSizeUnwrapped() float32 {
	th := p.Theme()
	widest := float32(0)
	for _, line := range strings.Split(p.Text, "\n") {
		widest = max(widest, fyne.MeasureText(line, p.textSize(th), p.TextStyle).Width)
	}
	return widest + 2*th.Size(theme.SizeNameInnerPadding)
}

func (p *Paragraph) textSize(th fyne.Theme) float32 {
	if p.SizeName == "" {
		return th.Size(theme.SizeNameText)
	}
	return th.Size(p.SizeName)
}
