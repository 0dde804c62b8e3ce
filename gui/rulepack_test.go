package gui

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/packs"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
	"github.com/icpfiling/icpfiling/internal/testpack"
)

// managerPacks is main's adapter in small: the real manager asking a
// real client of the reference backend (nil src: no backend configured).
type managerPacks struct {
	*packs.Manager
	src packs.Source
	// checks counts the calls of Check.
	checks *int
}

func (m managerPacks) CanCheck() bool { return m.src != nil }
func (m managerPacks) Check(ctx context.Context) (filing.PackDiff, bool, error) {
	if m.checks != nil {
		*m.checks++
	}
	return m.Manager.Check(ctx, m.src)
}

// packDrafts lists the store's drafts with what the pack in use changed
// for each, as main's drafts adapter does.
type packDrafts struct {
	storeDrafts
	m *packs.Manager
}

func (d packDrafts) List(string) ([]DraftSummary, error) {
	infos, err := d.st.ListDrafts()
	if err != nil {
		return nil, err
	}
	var rows []DraftSummary
	for _, in := range infos {
		row := DraftSummary{ID: in.ID, Subject: in.SubjectName, Status: in.Status, Edited: in.Edited}
		if app, _, err := d.st.LoadDraft(in.ID); err == nil {
			found, updated, known := d.m.NewProblems(app, testDay())
			row.RulesUpdated, row.NewProblems = updated, len(found)
			if !known {
				row.NewProblems = -1
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// rulePackWorld is a window on a real store whose manager trusts a key
// made here, and the reference backend serving a newer pack it signed.
type rulePackWorld struct {
	ui      *UI
	win     fyne.Window
	st      *store.Store
	m       *packs.Manager
	key     filing.SigningKey
	draftID string
	checked chan struct{}
}

func newRulePackWorld(t *testing.T) *rulePackWorld {
	t.Helper()
	a := test.NewTempApp(t)
	if err := LoadTranslations(""); err != nil {
		t.Fatal(err)
	}
	a.Settings().SetTheme(Theme{})
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	m, err := packs.New(st)
	if err != nil {
		t.Fatal(err)
	}
	key, err := filing.GenerateSigningKey("Example Agency")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Trust(filing.MarshalPublicKey(key.Public())); err != nil {
		t.Fatal(err)
	}
	// The example filing's site name has 8 Han characters: the newer
	// pack's 20 make one new problem.
	app := completeTestApp()
	filing.MarkChecked(app, m.Current())
	info, err := st.NewDraft(app)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), NoAuth: true,
		Pack: testpack.Signed(t, key, filing.DefaultPack().Revision+1, testpack.MinHan(20))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client, err := submit.NewClient(submit.Config{BaseURL: hs.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ui := NewUI(a, Services{Pack: m.Current(), Drafts: packDrafts{storeDrafts{st: st}, m}, Settings: noSettings{},
		Now: testDay, RulePacks: managerPacks{Manager: m, src: client}})
	ui.Window().Resize(fyne.NewSize(1100, 760))
	wd := &rulePackWorld{ui: ui, win: ui.Window(), st: st, m: m, key: key, draftID: info.ID, checked: make(chan struct{}, 4)}
	ui.rules.afterCheck = func() { wd.checked <- struct{}{} }
	return wd
}

// wait returns once a check's result is on screen; it fails, not passes,
// when none comes.
func (wd *rulePackWorld) wait(t *testing.T) {
	t.Helper()
	select {
	case <-wd.checked:
	case <-time.After(time.Minute):
		t.Fatal("no check result was shown")
	}
}

func closeOverlays(w fyne.Window) {
	for w.Canvas().Overlays().Top() != nil {
		w.Canvas().Overlays().Top().Hide()
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

// At start the window asks the backend, applies the newer signed pack and
// says so on the drafts list, with the changes behind "Details"; Settings
// shows the new revision and its signer; the draft checked under the
// older pack says what the update did to it, until it is saved under the
// new one.
func TestRulePackUpdateAtStart(t *testing.T) {
	wd := newRulePackWorld(t)
	ui, w := wd.ui, wd.win
	base := filing.DefaultPack().Revision
	if strings.Contains(shownText(w.Canvas()), "规则已更新") {
		t.Fatal("the drafts list says rules updated before any update")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ui.WatchRulePacks(ctx, time.Hour)
	wd.wait(t)

	if got := wd.m.Current().Revision; got != base+1 {
		t.Fatalf("pack in use: revision %d, want %d", got, base+1)
	}
	if ui.pack.Revision != base+1 {
		t.Errorf("the window still uses revision %d", ui.pack.Revision)
	}
	shown := shownText(w.Canvas())
	want := lang.L("The rule pack was updated to revision {{.Revision}}: 1 rule changed.", map[string]any{"Revision": base + 1})
	if !ui.rules.banner.Visible() || !strings.Contains(shown, want) {
		t.Errorf("no update notice %q on the drafts list:\n%s", want, shown)
	}
	if !strings.Contains(shown, "规则已更新：1 处新问题") {
		t.Errorf("the draft's row does not say what the update did:\n%s", shown)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the update opened a dialog")
	}
	test.Tap(findButton(t, w.Content(), lang.L("Details")))
	if !strings.Contains(shownText(w.Canvas()), "已更改  name.min_han") {
		t.Errorf("Details do not list the changed rule:\n%s", shownText(w.Canvas()))
	}
	closeOverlays(w)

	ui.showSettings()
	shown = shownText(w.Canvas())
	signer := wd.key.Public().Label()
	if !strings.Contains(shown, "第 "+strconv.Itoa(base+1)+" 版") || !strings.Contains(shown, signer) {
		t.Errorf("Settings does not show revision %d signed by %s:\n%s", base+1, signer, shown)
	}
	closeOverlays(w)

	// The wizard on the draft says it too; an edit saves it under the new
	// pack, and the line goes.
	app, err := ui.drafts.Load(wd.draftID)
	if err != nil {
		t.Fatal(err)
	}
	ui.openWizard(app)
	if !ui.wizard.rulesNote.Visible() || ui.wizard.rulesNote.Text != "规则已更新：1 处新问题" {
		t.Errorf("the wizard's note: %q (shown %v)", ui.wizard.rulesNote.Text, ui.wizard.rulesNote.Visible())
	}
	if ui.wizard.ctl.Pack().Revision != base+1 {
		t.Errorf("the wizard checks under revision %d", ui.wizard.ctl.Pack().Revision)
	}
	ui.wizard.ctl.Edit(func(a *filing.Application) { a.Subject.Remark = "x" })
	if ui.wizard.rulesNote.Visible() {
		t.Error("the note stays after the draft was saved under the new pack")
	}
	saved, _, err := wd.st.LoadDraft(wd.draftID)
	if err != nil || saved.CheckedUnder != base+1 {
		t.Errorf("saved draft checked under %d (%v), want %d", saved.CheckedUnder, err, base+1)
	}
}

// Load from file with an older pack, signed by the trusted key: refused
// with the reason in Settings, and the pack in use stays.
func TestRulePackLoadOlderFileRefused(t *testing.T) {
	wd := newRulePackWorld(t)
	ui, w := wd.ui, wd.win
	base := filing.DefaultPack().Revision
	// First the newer pack, from the backend, through Check now.
	ui.showSettings()
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), lang.L("Check now")))
	wd.wait(t)
	if wd.m.Current().Revision != base+1 {
		t.Fatalf("Check now: pack in use revision %d", wd.m.Current().Revision)
	}
	if !strings.Contains(shownText(w.Canvas()), "已更改  name.min_han") {
		t.Errorf("Check now does not list the changes:\n%s", shownText(w.Canvas()))
	}

	older := filepath.Join(t.TempDir(), "older.json")
	if err := os.WriteFile(older, testpack.Signed(t, wd.key, base, testpack.MinHan(5)), 0o644); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), lang.L("Load from file…")))
	path := findObject(t, w.Canvas().Overlays().Top(), func(e *widget.Entry) bool { return e.PlaceHolder == lang.L("Or type the file's path") })
	if path == nil {
		t.Fatal("Load from file opened no file chooser")
	}
	path.SetText(older)
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), lang.L("Choose")))

	if got := wd.m.Current().Revision; got != base+1 || ui.pack.Revision != base+1 {
		t.Fatalf("after an older pack: in use %d, window %d, want %d", got, ui.pack.Revision, base+1)
	}
	sec := ui.rules.section
	if sec == nil {
		t.Fatal("Settings closed")
	}
	reason := lang.L("The rule pack was not updated: {{.Reason}}", map[string]any{"Reason": ""})
	if !strings.Contains(sec.status.Text, reason) || len(sec.status.Text) <= len(reason)+len(older) {
		t.Errorf("the refusal does not say why: %q", sec.status.Text)
	}
	if !strings.Contains(sec.info.Text, "第 "+strconv.Itoa(base+1)+" 版") {
		t.Errorf("Settings shows another pack in use: %q", sec.info.Text)
	}
}

// No backend configured: the watch asks nothing.
func TestRulePackNoBackendNoCheck(t *testing.T) {
	wd := newRulePackWorld(t)
	n := 0
	wd.ui.RulePacks = managerPacks{Manager: wd.m, checks: &n}
	wd.ui.rules.checkQuietly(context.Background())
	if n != 0 {
		t.Errorf("Check called %d times without a backend", n)
	}
	if wd.ui.rules.banner.Visible() || wd.ui.rules.last != "" {
		t.Error("something was said without a check")
	}
}

func TestRulesNoteWording(t *testing.T) {
	if err := LoadTranslations(""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		updated, known bool
		n              int
		want           string
	}{
		{false, true, 0, ""},
		{true, true, 0, ""},
		{true, true, 1, "规则已更新：1 处新问题"},
		{true, true, 2, "规则已更新：2 处新问题"},
		{true, false, 0, "规则已更新"},
	} {
		if got := rulesNote(c.updated, c.known, c.n); got != c.want {
			t.Errorf("rulesNote(%v, %v, %d) = %q, want %q", c.updated, c.known, c.n, got, c.want)
		}
	}
}
