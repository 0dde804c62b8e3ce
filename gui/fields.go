package gui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
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

// fieldView is one field on a step: its findings label, and whether the
// user has left it (or pressed Next), after which its findings show.
type fieldView struct {
	path    string
	hint    *widget.Label
	touched bool
}

// fields tracks the field views of the step on screen.
type fields struct {
	ctl     *Controller
	lang    string
	views   []*fieldView
	showAll bool
}

func (fs *fields) add(path string) *fieldView {
	h := widget.NewLabel("")
	h.Wrapping = fyne.TextWrapBreak
	h.Hide()
	v := &fieldView{path: path, hint: h}
	fs.views = append(fs.views, v)
	return v
}

// refresh shows each touched field's findings, the most severe first.
func (fs *fields) refresh() {
	for _, v := range fs.views {
		if !v.touched && !fs.showAll {
			continue
		}
		found := fs.ctl.FieldFindings(v.path)
		if len(found) == 0 {
			v.hint.Hide()
			continue
		}
		lines := make([]string, len(found))
		for i, f := range found {
			lines[i] = severityMark(f.Severity) + f.Message(fs.lang)
		}
		v.hint.SetText(strings.Join(lines, "\n"))
		v.hint.Importance = importanceOf(found[0].Severity)
		for _, f := range found {
			if f.Severity < found[0].Severity {
				v.hint.Importance = importanceOf(f.Severity)
			}
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
	return "ℹ "
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

// item wraps a widget and its findings label as a form item.
func item(label string, w fyne.CanvasObject, v *fieldView) *widget.FormItem {
	return widget.NewFormItem(label, container.NewVBox(w, v.hint))
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
	return item(label, c, v)
}

func newForm(items ...*widget.FormItem) *widget.Form {
	f := widget.NewForm(items...)
	// A form without OnSubmit has no buttons; the wizard has its own Back/Next.
	f.SubmitText, f.CancelText = lang.L("Submit"), lang.L("Cancel")
	return f
}

// siteLanguages are the 网站语言 choices (several may be chosen).
var siteLanguages = []option{{"zh-Hans", "中文简体"}, {"zh-Hant", "中文繁體"}, {"en", "English"}, {"ja", "日本語"}, {"ko", "한국어"}, {"other", "其他 / Other"}}

// languages is a group of check boxes bound to a list of language codes.
func (fs *fields) languages(path, label string, get func(*filing.Application) []string, set func(*filing.Application, []string)) *widget.FormItem {
	v := fs.add(path)
	texts := make([]string, len(siteLanguages))
	for i, o := range siteLanguages {
		texts[i] = o.text
	}
	g := widget.NewCheckGroup(texts, nil)
	g.Horizontal = true
	var selected []string
	for _, code := range get(fs.ctl.App()) {
		for _, o := range siteLanguages {
			if o.code == code {
				selected = append(selected, o.text)
			}
		}
	}
	g.SetSelected(selected)
	g.OnChanged = func(chosen []string) {
		var codes []string
		for _, o := range siteLanguages {
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
