package gui

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// fieldEntry is an Entry that reports when the user leaves it, which is
// when its findings are first shown (not on every keystroke).
type fieldEntry struct {
	widget.Entry
	onLeave func()
}

func newFieldEntry() *fieldEntry {
	e := &fieldEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrapOff
	return e
}

func (e *fieldEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// fieldView is one field on a step: its findings label, the widget the
// user types or picks in, and whether the user has left it (or pressed
// Next), after which its findings show.
type fieldView struct {
	path string
	hint *widget.Label
	// info marks a line of notes (no warning, nothing blocking) with an
	// icon rather than a letter.
	info *widget.Icon
	// full is the findings' whole text with each rule's source, which a
	// tap on the line shows.
	full string
	// target is the input widget, which focus moves to from a finding.
	target  fyne.CanvasObject
	touched bool
}

// fields tracks the field views of the step on screen.
type fields struct {
	ctl     *Controller
	lang    string
	views   []*fieldView
	showAll bool
}

// add registers a field; the caller sets its target and places v.area().
func (fs *fields) add(path string) *fieldView {
	h := widget.NewLabel("")
	// One line, cut with an ellipsis: a message never makes its field taller
	// (the full text is on the step footer and a tap away).
	h.Wrapping = fyne.TextWrapOff
	h.Truncation = fyne.TextTruncateEllipsis
	h.SizeName = theme.SizeNameCaptionText
	h.Hide()
	info := widget.NewIcon(theme.InfoIcon())
	info.Hide()
	v := &fieldView{path: path, hint: h, info: info}
	fs.views = append(fs.views, v)
	return v
}

// area is the findings line under a field: its height is reserved whether a
// message shows or not, so nothing below moves when one appears or goes.
func (v *fieldView) area() fyne.CanvasObject {
	line := container.NewBorder(nil, nil, v.info, nil, v.hint)
	return container.New(oneLine{}, line, newHintTap(v))
}

// oneLine lays its objects over each other at the height of one line of
// the findings label, shown or hidden.
type oneLine struct{}

func (oneLine) MinSize([]fyne.CanvasObject) fyne.Size {
	// The height of one line of caption text in a label, in the current theme.
	h := fyne.MeasureText("Ag", theme.Size(theme.SizeNameCaptionText), fyne.TextStyle{}).Height
	return fyne.NewSize(0, h+2*theme.Size(theme.SizeNameInnerPadding))
}

func (oneLine) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// hintTap shows a findings label's full text in a pop-up when it is tapped,
// since the line itself may be cut short.
type hintTap struct {
	widget.BaseWidget
	hint *widget.Label
	view *fieldView
}

func newHintTap(v *fieldView) *hintTap {
	t := &hintTap{hint: v.hint, view: v}
	t.ExtendBaseWidget(t)
	return t
}

func (t *hintTap) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

func (t *hintTap) Tapped(e *fyne.PointEvent) {
	if !t.hint.Visible() || t.hint.Text == "" {
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(t)
	if c == nil {
		return
	}
	text := t.hint.Text
	if t.view.full != "" {
		text = t.view.full
	}
	full := newParagraph(text)
	full.Importance = t.hint.Importance
	pop := widget.NewPopUp(full, c)
	width := fyne.Min(c.Size().Width*0.6, 560)
	pop.Resize(fyne.NewSize(width, full.MinSize().Height))
	pop.ShowAtPosition(e.AbsolutePosition)
}

// focus moves the keyboard focus to the field of a path, when its widget
// can take focus, and says whether the field is on the step on screen.
func (fs *fields) focus(path string, c fyne.Canvas) bool {
	for _, v := range fs.views {
		if v.path != path || v.target == nil {
			continue
		}
		v.touched = true
		fs.refresh()
		if f, ok := v.target.(fyne.Focusable); ok && v.target.Visible() {
			c.Focus(f)
		}
		return true
	}
	return false
}

// refresh shows each touched field's findings, the most severe first, on
// one line.
func (fs *fields) refresh() {
	for _, v := range fs.views {
		if !v.touched && !fs.showAll {
			continue
		}
		found := fs.ctl.FieldFindings(v.path)
		if len(found) == 0 {
			v.hint.Hide()
			v.info.Hide()
			continue
		}
		lines := make([]string, len(found))
		var full []string
		for i, f := range found {
			lines[i] = severityMark(f.Severity) + f.Message(fs.lang)
			full = append(full, lines[i])
			if src := fs.ctl.Pack().Cite(f, fs.lang); src != "" {
				full = append(full, "    "+src)
			}
		}
		v.full = strings.Join(full, "\n")
		v.hint.SetText(strings.Join(lines, "  "))
		v.hint.Importance = importanceOf(found[0].Severity)
		for _, f := range found {
			if f.Severity < found[0].Severity {
				v.hint.Importance = importanceOf(f.Severity)
			}
		}
		if found[0].Severity == filing.Info && v.hint.Importance == importanceOf(filing.Info) {
			v.info.Show()
		} else {
			v.info.Hide()
		}
		v.hint.Show()
		v.hint.Refresh()
	}
}

func severityMark(s filing.Severity) string {
	switch s {
	case filing.Block:
		return "✖ "
	case filing.Warn:
		return "⚠ "
	}
	// A note has no letter: the field's line shows an info icon instead.
	return ""
}

func importanceOf(s filing.Severity) widget.Importance {
	switch s {
	case filing.Block:
		return widget.DangerImportance
	case filing.Warn:
		return widget.WarningImportance
	}
	return widget.LowImportance
}

func (fs *fields) leave(v *fieldView) {
	v.touched = true
	fs.refresh()
}

// item wraps a widget and its findings line as a form item; the widget is
// the field's focus target.
func item(label string, w fyne.CanvasObject, v *fieldView) *widget.FormItem {
	v.target = w
	return widget.NewFormItem(label, container.NewVBox(w, v.area()))
}

// text is a one-line text field bound to the application.
func (fs *fields) text(path, label, placeholder string, get func(*filing.Application) string, set func(*filing.Application, string)) *widget.FormItem {
	v := fs.add(path)
	e := newFieldEntry()
	e.SetPlaceHolder(placeholder)
	e.SetText(get(fs.ctl.App()))
	e.OnChanged = func(s string) { fs.ctl.Edit(func(a *filing.Application) { set(a, s) }) }
	e.onLeave = func() { fs.leave(v) }
	return item(label, e, v)
}

// secret is a password field bound to a filing.Secret.
func (fs *fields) secret(path, label string, get func(*filing.Application) filing.Secret, set func(*filing.Application, filing.Secret)) *widget.FormItem {
	v := fs.add(path)
	e := newFieldEntry()
	e.Password = true
	e.SetText(get(fs.ctl.App()).Reveal())
	e.OnChanged = func(s string) { fs.ctl.Edit(func(a *filing.Application) { set(a, filing.NewSecret(s)) }) }
	e.onLeave = func() { fs.leave(v) }
	return item(label, e, v)
}

// number is an integer field.
func (fs *fields) number(path, label string, get func(*filing.Application) int, set func(*filing.Application, int)) *widget.FormItem {
	v := fs.add(path)
	e := newFieldEntry()
	if n := get(fs.ctl.App()); n != 0 {
		e.SetText(strconv.Itoa(n))
	}
	e.OnChanged = func(s string) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil && strings.TrimSpace(s) != "" {
			return
		}
		fs.ctl.Edit(func(a *filing.Application) { set(a, n) })
	}
	e.onLeave = func() { fs.leave(v) }
	return item(label, e, v)
}

// yuan is an amount of money, in yuan, with up to two decimals.
func (fs *fields) yuan(path, label string, get func(*filing.Application) float64, set func(*filing.Application, float64)) *widget.FormItem {
	v := fs.add(path)
	e := newFieldEntry()
	e.SetPlaceHolder("99")
	if n := get(fs.ctl.App()); n != 0 {
		e.SetText(strconv.FormatFloat(n, 'f', -1, 64))
	}
	e.OnChanged = func(s string) {
		s = strings.TrimSpace(s)
		n, err := strconv.ParseFloat(s, 64)
		if err != nil && s != "" {
			return
		}
		fs.ctl.Edit(func(a *filing.Application) { set(a, n) })
	}
	e.onLeave = func() { fs.leave(v) }
	return item(label, e, v)
}

// option is one choice of a select: a code the domain stores and the text shown.
type option struct{ code, text string }

// choice is a drop-down bound to a coded field.
func (fs *fields) choice(path, label string, opts []option, get func(*filing.Application) string, set func(*filing.Application, string), after func()) *widget.FormItem {
	v := fs.add(path)
	texts := make([]string, len(opts))
	for i, o := range opts {
		texts[i] = o.text
	}
	s := widget.NewSelect(texts, nil)
	s.PlaceHolder = lang.L("(Select one)")
	cur := get(fs.ctl.App())
	for _, o := range opts {
		if o.code == cur {
			s.SetSelected(o.text)
		}
	}
	s.OnChanged = func(t string) {
		for _, o := range opts {
			if o.text == t {
				fs.ctl.Edit(func(a *filing.Application) { set(a, o.code) })
			}
		}
		fs.leave(v)
		if after != nil {
			after()
		}
	}
	return item(label, s, v)
}

// check is a check box bound to a boolean field.
func (fs *fields) check(path, label, text string, get func(*filing.Application) bool, set func(*filing.Application, bool), after func()) *widget.FormItem {
	v := fs.add(path)
	c := widget.NewCheck(text, nil)
	c.SetChecked(get(fs.ctl.App()))
	c.OnChanged = func(b bool) {
		fs.ctl.Edit(func(a *filing.Application) { set(a, b) })
		fs.leave(v)
		if after != nil {
			after()
		}
	}
	// A long text wraps beside the box (fit.go): the form fits 800 px.
	obj, box := fitCheck(c)
	it := item(label, obj, v)
	v.target = box
	return it
}

func newForm(items ...*widget.FormItem) *widget.Form {
	f := widget.NewForm(items...)
	// A form without OnSubmit has no buttons; the wizard has its own Back/Next.
	f.SubmitText, f.CancelText = lang.L("Submit"), lang.L("Cancel")
	return f
}

// siteLanguages are the 网站语言 choices (several may be chosen), named in
// the user's language: the bundled fonts have no Hangul, so "한국어" would
// show as replacement boxes (TestGlyphsCovered).
func siteLanguages() []option {
	return []option{{"zh-Hans", lang.L("Simplified Chinese")}, {"zh-Hant", lang.L("Traditional Chinese")},
		{"en", lang.L("English")}, {"ja", lang.L("Japanese")}, {"ko", lang.L("Korean")}, {"other", lang.L("Other language")}}
}

// languages is a group of check boxes bound to a list of language codes.
func (fs *fields) languages(path, label string, get func(*filing.Application) []string, set func(*filing.Application, []string)) *widget.FormItem {
	v := fs.add(path)
	langs := siteLanguages()
	texts := make([]string, len(langs))
	for i, o := range langs {
		texts[i] = o.text
	}
	g := widget.NewCheckGroup(texts, nil)
	// In a row only while the row is short: six languages side by side
	// would make the form wider than an 800 px screen.
	row := float32(0)
	for _, t := range texts {
		row += widget.NewCheck(t, nil).MinSize().Width + theme.Padding()
	}
	g.Horizontal = row <= fitRowWidth
	var selected []string
	for _, code := range get(fs.ctl.App()) {
		for _, o := range langs {
			if o.code == code {
				selected = append(selected, o.text)
			}
		}
	}
	g.SetSelected(selected)
	g.OnChanged = func(chosen []string) {
		var codes []string
		for _, o := range langs {
			for _, c := range chosen {
				if c == o.text {
					codes = append(codes, o.code)
				}
			}
		}
		fs.ctl.Edit(func(a *filing.Application) { set(a, codes) })
		fs.leave(v)
	}
	return item(label, g, v)
}

// place is a pick from a list of place names (the administrative
// divisions) whose last option, for a place the list lacks, reveals an
// entry beside the list. With no list at all (no province yet, or one the
// list does not cover) only the entry shows. reload refills the names after
// the place above changed; a name the new list lacks is then cleared.
func (fs *fields) place(path, label string, names func(*filing.Application) []string,
	get func(*filing.Application) string, set func(*filing.Application, string), after func()) (fi *widget.FormItem, reload func()) {
	v := fs.add(path)
	other := lang.L("Other (type it)")
	sel := widget.NewSelect(nil, nil)
	sel.PlaceHolder = lang.L("(Select one)")
	entry := newFieldEntry()
	entry.SetPlaceHolder(lang.L("a place the list lacks"))
	entry.onLeave = func() { fs.leave(v) }
	loading := false
	load := func(clearUnknown bool) {
		loading = true
		defer func() { loading = false }()
		app := fs.ctl.App()
		list := names(app)
		cur := get(app)
		known := slices.Contains(list, cur)
		if clearUnknown && len(list) > 0 && cur != "" && !known {
			fs.ctl.Edit(func(a *filing.Application) { set(a, "") })
			cur = ""
		}
		sel.Options = append(slices.Clip(list), other)
		entry.SetText(cur)
		switch {
		case len(list) == 0:
			sel.Hide()
			entry.Show()
		case known:
			sel.Show()
			sel.SetSelected(cur)
			entry.Hide()
		case cur != "":
			sel.Show()
			sel.SetSelected(other)
			entry.Show()
		default:
			sel.Show()
			sel.ClearSelected()
			entry.Hide()
		}
		// Focus goes where the user would type: the entry while it shows.
		v.target = sel
		if entry.Visible() {
			v.target = entry
		}
		sel.Refresh()
	}
	load(false)
	sel.OnChanged = func(t string) {
		if loading {
			return
		}
		if t == other {
			entry.Show()
			v.target = entry
			fs.ctl.Edit(func(a *filing.Application) { set(a, entry.Text) })
			if c := fyne.CurrentApp().Driver().CanvasForObject(entry); c != nil {
				c.Focus(entry)
			}
		} else {
			entry.Hide()
			v.target = sel
			fs.ctl.Edit(func(a *filing.Application) { set(a, t) })
			fs.leave(v)
		}
		if after != nil {
			after()
		}
	}
	entry.OnChanged = func(s string) {
		if loading {
			return
		}
		fs.ctl.Edit(func(a *filing.Application) { set(a, s) })
		if after != nil {
			after()
		}
	}
	// Side by side, so revealing the entry does not move what is below.
	row := container.NewGridWithColumns(2, sel, entry)
	return widget.NewFormItem(label, container.NewVBox(row, v.area())), func() { load(true) }
}
