package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// Options are what main wires into the window.
type Options struct {
	Pack *filing.Pack
}

// WindowTitle is the main window's title. It contains "icpfiling" in every
// language, which is what scripts look for.
func WindowTitle() string { return lang.L("ICP Access Filing Assistant · icpfiling") }

// NewMainWindow builds the main window. For now it shows the steps of an
// access filing and the rule pack in use; the wizard grows from here.
func NewMainWindow(a fyne.App, opts Options) fyne.Window {
	w := a.NewWindow(WindowTitle())
	w.SetContent(shellContent(opts.Pack, Language()))
	w.Resize(fyne.NewSize(880, 600))
	w.SetMaster()
	return w
}

func shellContent(pack *filing.Pack, lng string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(lang.L("ICP Access Filing Assistant"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	intro := widget.NewLabel(lang.L("Prepare an Alibaba Cloud ICP access filing offline: every field, document scan and verification photo is checked on this computer before anything is sent."))
	intro.Wrapping = fyne.TextWrapBreak

	steps := container.NewVBox()
	for _, s := range filing.AllSteps() {
		steps.Add(widget.NewLabel(fmt.Sprintf("%d  %s", int(s), s.Name(lng))))
	}
	card := widget.NewCard(lang.L("The steps of an access filing"), "", steps)

	footer := widget.NewLabel(lang.L("Rule pack revision {{.Revision}}, published {{.Date}}",
		map[string]any{"Revision": pack.Revision, "Date": pack.Published.String()}))
	footer.Importance = widget.LowImportance

	return container.NewBorder(container.NewVBox(title, intro), footer, nil, nil, container.NewVScroll(card))
}
