package gui

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/packs"
)

// RulePacks is what the window needs of the data directory's rule packs:
// filing/packs.Manager asking the backend configured in Settings (main
// adapts it). Every method may be called from any goroutine; the manager
// decides what is accepted, the window only shows it.
type RulePacks interface {
	// Current is the pack in use; Info describes it.
	Current() *filing.Pack
	Info() packs.Info
	// CanCheck says whether a backend is configured to ask.
	CanCheck() bool
	// Check asks the configured backend for a newer pack and applies it
	// (packs.Manager.Check): changed is false when there was none.
	Check(ctx context.Context) (diff filing.PackDiff, changed bool, err error)
	// Apply accepts the contents of a pack file (packs.Manager.Apply).
	Apply(data []byte) (filing.PackDiff, error)
	Publishers() []filing.PublicKey
	Trusted() ([]filing.PublicKey, error)
	Trust(pub []byte) (filing.PublicKey, error)
	Untrust(fingerprint string) error
	// NewProblems is what the pack in use changed for a filing checked
	// under an older one (packs.Manager.NewProblems).
	NewProblems(app *filing.Application, asOf time.Time) (found []filing.Finding, updated, known bool)
}

// RulePackCheckInterval is how often the window asks the backend for a
// newer pack while it runs.
const RulePackCheckInterval = 24 * time.Hour

// rulePacks is the window's side of rule-pack updates: the notice on the
// drafts list and the wizard, the pack every screen uses, and what the
// last check said, which Settings shows.
type rulePacks struct {
	ui *UI
	// banner tells of an update until dismissed; the drafts list and the
	// wizard each put it at their top (never both on screen at once).
	banner     *fyne.Container
	bannerText *Paragraph
	notice     filing.PackDiff
	// ctx ends when the app quits: a check under way stops with it.
	ctx context.Context
	// last is what the last check or load said, for Settings; "" before any.
	last string
	// section is the rule-pack part of the open Settings, nil when closed.
	section *rulePackSection
	// afterCheck, when set, is called on the UI goroutine once a check's
	// result is shown: tests wait on it instead of on time.
	afterCheck func()
}

func newRulePacks(ui *UI) *rulePacks {
	r := &rulePacks{ui: ui, ctx: context.Background()}
	r.bannerText = newParagraph("")
	r.bannerText.Importance = widget.SuccessImportance
	details := widget.NewButtonWithIcon(lang.L("Details"), theme.InfoIcon(), r.showNotice)
	dismiss := widget.NewButtonWithIcon(lang.L("Close"), theme.CancelIcon(), r.dismiss)
	r.banner = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(details, dismiss), r.bannerText),
		widget.NewSeparator())
	r.banner.Hide()
	return r
}

// WatchRulePacks asks the backend configured in Settings for a newer rule
// pack now and then every interval until ctx ends (main ends it when the
// app quits). Without a backend nothing is asked. An accepted pack is used
// from then on and told by a notice; a refused one is only said in
// Settings (and logged by main's adapter): never a popup at start.
// Call it on the UI goroutine.
func (ui *UI) WatchRulePacks(ctx context.Context, every time.Duration) {
	if ui.RulePacks == nil {
		return
	}
	ui.rules.ctx = ctx
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			ui.rules.checkQuietly(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// checkQuietly is one check of the watch; it runs off the UI goroutine.
func (r *rulePacks) checkQuietly(ctx context.Context) {
	rp := r.ui.RulePacks
	if !rp.CanCheck() {
		return
	}
	diff, changed, err := rp.Check(ctx)
	if ctx.Err() != nil {
		return // quitting: nothing to tell
	}
	at := r.ui.Now()
	fyne.Do(func() { r.checked(diff, changed, err, r.checkHeading(at)) })
}

func (r *rulePacks) checkHeading(at time.Time) string {
	return lang.L("Last check {{.Time}}:", map[string]any{"Time": at.Local().Format("2006-01-02 15:04")})
}

// checked shows a check's or a load's result: an update replaces the pack
// everywhere and raises the notice; every result is kept for Settings.
func (r *rulePacks) checked(diff filing.PackDiff, changed bool, err error, heading string) {
	r.last = heading + "\n" + r.resultText(diff, changed, err)
	if changed {
		r.usePack(r.ui.RulePacks.Current())
		r.notice = diff
		r.bannerText.SetText(r.noticeText(diff))
		r.banner.Show()
	}
	if r.section != nil {
		r.section.refresh()
	}
	if r.afterCheck != nil {
		r.afterCheck()
	}
}

// packErrorText is why a pack or key was refused, and, for a pack signed
// by a key not trusted here, where to trust it.
func packErrorText(err error, lng string) string {
	text := errorText(err, lng)
	var pe *filing.PackError
	if errors.As(err, &pe) && pe.Untrusted != "" {
		text += "\n" + lang.L("To accept packs from this publisher, add their public key (.pub file) under Trusted keys….")
	}
	return text
}

func (r *rulePacks) resultText(diff filing.PackDiff, changed bool, err error) string {
	switch {
	case err != nil:
		return lang.L("The rule pack was not updated: {{.Reason}}", map[string]any{"Reason": packErrorText(err, r.ui.lang)})
	case !changed:
		return lang.L("The rule pack is up to date (revision {{.Revision}}).", map[string]any{"Revision": diff.ToRevision})
	}
	return r.noticeText(diff) + "\n" + strings.Join(diff.Lines(r.ui.lang), "\n")
}

// noticeText is the banner's line: the new revision and how many rules changed.
func (r *rulePacks) noticeText(d filing.PackDiff) string {
	n := len(d.Added) + len(d.Ended) + len(d.Removed) + len(d.Changed)
	if n == 1 {
		return lang.L("The rule pack was updated to revision {{.Revision}}: 1 rule changed.", map[string]any{"Revision": d.ToRevision})
	}
	return lang.L("The rule pack was updated to revision {{.Revision}}: {{.Count}} rules changed.", map[string]any{"Revision": d.ToRevision, "Count": n})
}

// showNotice lists the update's changes, rule by rule.
func (r *rulePacks) showNotice() {
	text := newParagraph(strings.Join(r.notice.Lines(r.ui.lang), "\n"))
	content := container.NewBorder(newParagraph(r.noticeText(r.notice)), nil, nil, nil, container.NewVScroll(text))
	d := dialog.NewCustom(lang.L("Rule pack"), lang.L("Close"), content, r.ui.win)
	d.Resize(dialogSize(r.ui.win, fyne.NewSize(560, 360)))
	d.Show()
}

func (r *rulePacks) dismiss() { r.banner.Hide() }

// usePack makes p the pack of every screen: the wizard checks the open
// filing under it at once (its typing is not disturbed: the fields stay),
// the drafts list reads its rows again.
func (r *rulePacks) usePack(p *filing.Pack) {
	ui := r.ui
	if p == nil || (ui.pack != nil && p.Checksum() == ui.pack.Checksum()) {
		return
	}
	ui.pack = p
	switch {
	case ui.wizard != nil:
		ui.wizard.ctl.SetPack(p)
		r.noteProblems(ui.wizard)
	case ui.home != nil:
		ui.home.reload()
	}
}

// attach puts the notice and the filing's "rules updated" line on a wizard.
func (r *rulePacks) attach(w *Wizard) {
	w.notices.Objects = []fyne.CanvasObject{r.banner, w.rulesNote}
	w.notices.Refresh()
	r.noteProblems(w)
	// Saved under the pack in use (Controller.Edit marks it), the filing
	// has nothing left to be told.
	w.ctl.OnChange(func() {
		if w.rulesNote.Visible() && !filing.RulesUpdated(w.ctl.App(), w.ctl.Pack()) {
			w.rulesNote.Hide()
		}
	})
}

// noteProblems says on the wizard what the pack in use changed for its filing.
func (r *rulePacks) noteProblems(w *Wizard) {
	text := ""
	if rp := r.ui.RulePacks; rp != nil {
		found, updated, known := rp.NewProblems(w.ctl.App(), r.ui.Now())
		text = rulesNote(updated, known, len(found))
	}
	w.rulesNote.SetText(text)
	if text == "" {
		w.rulesNote.Hide()
	} else {
		w.rulesNote.Show()
	}
}

// rulesNote is the "规则已更新：2 处新问题" of a filing checked under an
// older pack, "" when the newer pack changed none of its findings; just
// "规则已更新" when the older pack is not kept to compare.
func rulesNote(updated, known bool, newProblems int) string {
	switch {
	case !updated:
		return ""
	case !known:
		return lang.L("Rules updated")
	case newProblems == 0:
		return ""
	case newProblems == 1:
		return lang.L("Rules updated: 1 new problem")
	}
	return lang.L("Rules updated: {{.Count}} new problems", map[string]any{"Count": newProblems})
}

// rulePackSection is the "Rule pack" part of Settings: the pack in use,
// Check now, Load from file and the trusted keys. What it does takes
// effect at once, not with Settings' Save.
type rulePackSection struct {
	r        *rulePacks
	info     *Paragraph
	status   *Paragraph
	progress *widget.ProgressBarInfinite
	check    *widget.Button
	load     *widget.Button
	content  fyne.CanvasObject
}

// newRulePackSection builds the section; nil without rule packs.
func (r *rulePacks) newSection() *rulePackSection {
	if r.ui.RulePacks == nil {
		return nil
	}
	s := &rulePackSection{r: r, info: newParagraph(""), status: newParagraph("")}
	s.status.Importance = widget.LowImportance
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	s.check = widget.NewButtonWithIcon(lang.L("Check now"), theme.ViewRefreshIcon(), s.checkNow)
	s.load = widget.NewButtonWithIcon(lang.L("Load from file…"), theme.FolderOpenIcon(), s.loadFile)
	keys := widget.NewButtonWithIcon(lang.L("Trusted keys…"), theme.AccountIcon(), s.showKeys)
	// Two rows of buttons: three side by side do not fit beside the
	// form's labels in an 800 px window.
	s.content = container.NewVBox(s.info, s.status, s.progress,
		container.NewGridWithColumns(2, s.check, s.load), container.NewGridWithColumns(2, keys))
	r.section = s
	s.refresh()
	return s
}

func (s *rulePackSection) refresh() {
	in := s.r.ui.RulePacks.Info()
	date := in.Published.String()
	if in.BuiltIn {
		s.info.SetText(lang.L("Revision {{.Revision}}, published {{.Date}}, built into this version", map[string]any{"Revision": in.Revision, "Date": date}))
	} else {
		s.info.SetText(lang.L("Revision {{.Revision}}, published {{.Date}}, signed by {{.Signer}}", map[string]any{"Revision": in.Revision, "Date": date, "Signer": in.Signer.Label()}))
	}
	s.status.SetText(s.r.last)
	if s.r.last == "" {
		s.status.Hide()
	} else {
		s.status.Show()
	}
}

func (s *rulePackSection) busy(on bool) {
	if on {
		s.check.Disable()
		s.load.Disable()
		s.progress.Show()
		s.progress.Start()
		return
	}
	s.check.Enable()
	s.load.Enable()
	s.progress.Stop()
	s.progress.Hide()
}

// checkNow asks the backend at once, showing progress, then the result.
func (s *rulePackSection) checkNow() {
	r := s.r
	rp, ctx := r.ui.RulePacks, r.ctx
	s.busy(true)
	go func() {
		if !rp.CanCheck() {
			fyne.Do(func() {
				s.busy(false)
				r.last = lang.L("No backend is configured: enter its address above and save, or load a pack from a file.")
				s.refresh()
				if r.afterCheck != nil {
					r.afterCheck()
				}
			})
			return
		}
		diff, changed, err := rp.Check(ctx)
		at := r.ui.Now()
		fyne.Do(func() {
			s.busy(false)
			r.checked(diff, changed, err, r.checkHeading(at))
		})
	}()
}

// loadFile applies a pack file chosen by the user.
func (s *rulePackSection) loadFile() {
	r := s.r
	c := showFileChooser(r.ui.win, lang.L("Choose a rule pack file"), func(path string) {
		data, err := os.ReadFile(path)
		var diff filing.PackDiff
		if err == nil {
			diff, err = r.ui.RulePacks.Apply(data)
		}
		changed := err == nil && diff.FromRevision != diff.ToRevision
		r.checked(diff, changed, err, lang.L("Loaded from {{.File}}:", map[string]any{"File": path}))
	})
	c.showAll.SetChecked(true) // a pack is no image
}

// keysChanged follows a trusted key added or removed: a pack signed by a
// removed key is no longer used, and the window says which one is.
func (s *rulePackSection) keysChanged() {
	r := s.r
	cur := r.ui.RulePacks.Current()
	if r.ui.pack == nil || cur.Checksum() != r.ui.pack.Checksum() {
		r.usePack(cur)
		r.last = lang.L("The rule pack in use is now revision {{.Revision}}.", map[string]any{"Revision": cur.Revision})
	}
	s.refresh()
}

// showKeys lists the keys a pack may be signed by: the publishers built
// into this version, and the ones the user added, which can be removed.
func (s *rulePackSection) showKeys() {
	rp, win := s.r.ui.RulePacks, s.r.ui.win
	list := container.NewVBox()
	msg := newParagraph("")
	var fill func()
	row := func(label, note string, remove func()) fyne.CanvasObject {
		text := newParagraph(label)
		var right fyne.CanvasObject
		if remove != nil {
			right = widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), remove)
		} else {
			l := widget.NewLabel(note)
			l.Importance = widget.LowImportance
			right = l
		}
		return container.NewBorder(nil, nil, nil, right, text)
	}
	fill = func() {
		list.Objects = nil
		for _, k := range rp.Publishers() {
			list.Add(row(k.Label(), lang.L("built in"), nil))
		}
		user, err := rp.Trusted()
		if err != nil {
			msg.SetText(packErrorText(err, s.r.ui.lang))
		}
		for _, k := range user {
			k := k
			list.Add(row(k.Label(), "", func() {
				showConfirm(lang.L("Remove"), lang.L("Remove the key {{.Key}}? Packs it signed are no longer used.", map[string]any{"Key": k.Label()}), func(ok bool) {
					if !ok {
						return
					}
					if err := rp.Untrust(k.Fingerprint()); err != nil {
						msg.SetText(packErrorText(err, s.r.ui.lang))
						return
					}
					msg.SetText(lang.L("Removed the key {{.Key}}.", map[string]any{"Key": k.Label()}))
					s.keysChanged()
					fill()
				}, win)
			}))
		}
		list.Refresh()
	}
	fill()
	add := widget.NewButtonWithIcon(lang.L("Add a trusted public key…"), theme.ContentAddIcon(), func() {
		c := showFileChooser(win, lang.L("Choose a public key file (.pub)"), func(path string) {
			data, err := os.ReadFile(path)
			var k filing.PublicKey
			if err == nil {
				k, err = rp.Trust(data)
			}
			if err != nil {
				msg.SetText(packErrorText(err, s.r.ui.lang))
				return
			}
			msg.SetText(lang.L("Trusted the key {{.Key}}.", map[string]any{"Key": k.Label()}))
			s.keysChanged()
			fill()
		})
		c.showAll.SetChecked(true)
	})
	content := container.NewBorder(nil, container.NewVBox(msg, container.NewHBox(add)), nil, nil, container.NewVScroll(list))
	d := dialog.NewCustom(lang.L("Trusted keys"), lang.L("Close"), content, win)
	d.Resize(dialogSize(win, fyne.NewSize(640, 420)))
	d.Show()
}
