package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The window must be usable on an 800×600 screen: no widget may ask for
// more width than that leaves beside the step list. Toolbars give their
// extra buttons to a "More" menu; long check-box texts wrap.

// barAction is one command of a toolbar.
type barAction struct {
	label   string
	icon    fyne.Resource
	run     func()
	primary bool // drawn with high importance
	// button, when set, is the button drawn for the action (a caller that
	// enables, disables or hides it keeps it); otherwise one is made.
	button *widget.Button
}

// overflowBar is a toolbar that shows as many of its actions as buttons as
// the width allows, in order, and offers the rest in a "More" menu: every
// action stays reachable however narrow the window is.
type overflowBar struct {
	widget.BaseWidget
	actions []barAction
	buttons []*widget.Button
	more    *widget.Button
	row     *fyne.Container
}

func newOverflowBar(actions ...barAction) *overflowBar {
	b := &overflowBar{actions: actions}
	for _, a := range actions {
		btn := a.button
		if btn == nil {
			btn = widget.NewButtonWithIcon(a.label, a.icon, a.run)
			if a.primary {
				btn.Importance = widget.HighImportance
			}
		}
		b.buttons = append(b.buttons, btn)
	}
	b.more = widget.NewButtonWithIcon(lang.L("More"), theme.MoreHorizontalIcon(), b.showMore)
	objs := make([]fyne.CanvasObject, 0, len(b.buttons)+1)
	for _, btn := range b.buttons {
		objs = append(objs, btn)
	}
	objs = append(objs, b.more)
	b.row = container.New(&overflowLayout{bar: b}, objs...)
	b.ExtendBaseWidget(b)
	return b
}

func (b *overflowBar) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(b.row)
}

// overflowed are the actions not shown as buttons at the bar's width:
// the More menu's items.
func (b *overflowBar) overflowed() []barAction {
	l := b.row.Layout.(*overflowLayout)
	return b.actions[l.fits:]
}

func (b *overflowBar) moreMenu() *fyne.Menu {
	l := b.row.Layout.(*overflowLayout)
	var items []*fyne.MenuItem
	for i := l.fits; i < len(b.actions); i++ {
		btn := b.buttons[i]
		it := fyne.NewMenuItem(b.actions[i].label, btn.OnTapped)
		it.Icon = b.actions[i].icon
		it.Disabled = btn.Disabled()
		items = append(items, it)
	}
	return fyne.NewMenu("", items...)
}

func (b *overflowBar) showMore() {
	c := fyne.CurrentApp().Driver().CanvasForObject(b.more)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtRelativePosition(b.moreMenu(), c, fyne.NewPos(0, b.more.Size().Height), b.more)
}

// overflowLayout lays out the buttons left to right; those that do not fit
// beside the More button are hidden and offered in its menu instead.
type overflowLayout struct {
	bar  *overflowBar
	fits int // how many of the actions, from the first, are shown as buttons
}

func (o *overflowLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	b := o.bar
	gap := theme.Padding()
	total := -gap
	for _, btn := range b.buttons {
		total += btn.MinSize().Width + gap
	}
	room := size.Width
	if total > room {
		room -= b.more.MinSize().Width + gap
	}
	x := float32(0)
	o.fits = 0
	for i, btn := range b.buttons {
		w := btn.MinSize().Width
		if o.fits < i || x+w > room {
			btn.Hide()
			continue
		}
		btn.Show()
		btn.Move(fyne.NewPos(x, 0))
		btn.Resize(fyne.NewSize(w, size.Height))
		x += w + gap
		o.fits++
	}
	if o.fits < len(b.buttons) {
		b.more.Show()
		b.more.Move(fyne.NewPos(x, 0))
		b.more.Resize(fyne.NewSize(b.more.MinSize().Width, size.Height))
	} else {
		b.more.Hide()
	}
}

// MinSize is the first action and the More button: the rest can always go
// into the menu.
func (o *overflowLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	b := o.bar
	size := b.more.MinSize()
	if len(b.buttons) > 0 {
		first := b.buttons[0].MinSize()
		size = fyne.NewSize(size.Width+theme.Padding()+first.Width, max(size.Height, first.Height))
	}
	return size
}

// tapLabel is a wrapping label that toggles its check box when tapped, so
// a long check-box text can wrap and still be clicked like the box's own.
type tapLabel struct {
	Paragraph
	check *widget.Check
}

func (t *tapLabel) Tapped(*fyne.PointEvent) {
	if !t.check.Disabled() {
		t.check.SetChecked(!t.check.Checked)
	}
}

// fitRowWidth is the widest a row of one form field may be: with the
// form's label column and the step list it fits an 800 px window. A check
// box wider than that wraps its text; a group of them stacks.
const fitRowWidth = 340

// fitCheck returns the object to lay out for a check box: the check itself
// when its text is short, else the box with its text in a wrapping label
// beside it. The check keeps its Text either way.
// The second result is the box a person ticks: the field's focus target.
func fitCheck(c *widget.Check) (fyne.CanvasObject, *widget.Check) {
	if c.MinSize().Width <= fitRowWidth {
		return c, c
	}
	label := &tapLabel{check: c}
	label.Text = c.Text
	label.ExtendBaseWidget(label)
	box := widget.NewCheck("", c.OnChanged)
	box.Checked = c.Checked
	// The visible box stands for c: keep both in step.
	c.Hidden = true
	onChanged := c.OnChanged
	c.OnChanged = func(on bool) {
		if box.Checked != on {
			box.SetChecked(on)
		}
		if onChanged != nil {
			onChanged(on)
		}
	}
	box.OnChanged = func(on bool) {
		if c.Checked != on {
			c.SetChecked(on)
		}
	}
	label.check = box
	return container.NewBorder(nil, nil, container.NewVBox(box), nil, container.NewStack(c, label)), box
}

// dialogSize is want, cut to the window it opens over (less a margin), so
// a dialog never hangs off a small window.
func dialogSize(win fyne.Window, want fyne.Size) fyne.Size {
	if win == nil || win.Canvas() == nil {
		return want
	}
	have := win.Canvas().Size()
	if have.Width <= 0 || have.Height <= 0 {
		return want
	}
	return fyne.NewSize(min(want.Width, have.Width*0.95), min(want.Height, have.Height*0.95))
}
