package gui

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/icpfiling/icpfiling/filing"
)

// smallScreen is the smallest screen the app must be usable on.
var smallScreen = fyne.NewSize(800, 600)

func fits(s fyne.Size) bool {
	return s.Width <= smallScreen.Width && s.Height <= smallScreen.Height
}

// inEnglishToo runs the test again in a child process with an English
// locale: Fyne's language is chosen once per process.
func inEnglishToo(t *testing.T, name string) {
	t.Helper()
	if os.Getenv(langChildEnv) != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$", "-test.count=1", "-test.v")
	cmd.Env = []string{langChildEnv + "=-", "LANG=en_US.UTF-8", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in English: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "language en") {
		t.Fatalf("the English run did not run in English:\n%s", out)
	}
}

// Every screen fits an 800×600 window in both languages: the drafts list,
// Settings and every step of the wizard, for a complete filing and an
// empty one. A wider minimum makes the window grow past a small screen.
func TestWindowFitsSmallScreen(t *testing.T) {
	apps := []struct {
		name string
		make func() *filing.Application
	}{
		{"complete", completeTestApp},
		{"empty", func() *filing.Application { return &filing.Application{SchemaVersion: filing.SchemaVersion} }},
	}
	for _, c := range apps {
		wz, _, _ := newTestWizard(t, c.make())
		t.Logf("language %s", Language())
		for _, s := range filing.AllSteps() {
			wz.show(s)
			if m := wz.Content().MinSize(); !fits(m) {
				t.Errorf("%s, %s filing, step %d: minimum size %v is larger than %v", Language(), c.name, s, m, smallScreen)
			}
		}
	}
	ui, w := newTestUI(t, nil)
	if m := w.Content().MinSize(); !fits(m) {
		t.Errorf("%s, drafts list: minimum size %v is larger than %v", Language(), m, smallScreen)
	}
	ui.showSettings()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Settings did not open")
	}
	if m := top.MinSize(); !fits(m) {
		t.Errorf("%s, Settings: minimum size %v is larger than %v", Language(), m, smallScreen)
	}
	inEnglishToo(t, "TestWindowFitsSmallScreen")
}

// At 800 px every command of the drafts list's toolbar is a button on the
// window or an item of its More menu; on a wide window all are buttons.
func TestToolbarActionsReachableWhenNarrow(t *testing.T) {
	ui, w := newTestUI(t, nil)
	t.Logf("language %s", Language())
	bar := ui.home.bar
	for _, c := range []struct {
		width    float32
		wantMore bool
	}{{smallScreen.Width, false}, {480, true}, {1600, false}} {
		w.Resize(fyne.NewSize(c.width, smallScreen.Height))
		reachable := map[string]bool{}
		for i, b := range bar.buttons {
			if !b.Visible() {
				continue
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
			if pos.X+b.Size().Width > c.width {
				t.Errorf("width %v: %q is drawn off the window, at x %v", c.width, b.Text, pos.X)
				continue
			}
			reachable[bar.actions[i].label] = true
		}
		if c.wantMore && !bar.more.Visible() || c.width >= 1600 && bar.more.Visible() {
			t.Errorf("width %v: More button shown %v, want %v", c.width, bar.more.Visible(), c.wantMore)
		}
		if bar.more.Visible() {
			before := len(w.Canvas().Overlays().List())
			test.Tap(bar.more)
			if len(w.Canvas().Overlays().List()) != before+1 {
				t.Fatalf("width %v: More opened no menu", c.width)
			}
			w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
			// The menu it opened holds these items.
			for _, it := range bar.moreMenu().Items {
				if it.Action != nil && !it.Disabled {
					reachable[it.Label] = true
				}
			}
		}
		for _, a := range bar.actions {
			if !reachable[a.label] {
				t.Errorf("width %v: %q is neither a button nor a menu item", c.width, a.label)
			}
		}
	}
	inEnglishToo(t, "TestToolbarActionsReachableWhenNarrow")
}

// The window never opens larger than the screen it opens on.
func TestInitialWindowSizeFitsScreen(t *testing.T) {
	for _, c := range []struct {
		screen fyne.Size
		known  bool
	}{
		{fyne.NewSize(800, 600), true},
		{fyne.NewSize(1024, 768), true},
		{fyne.NewSize(2560, 1440), true},
		{fyne.Size{}, false},
	} {
		got := initialWindowSize(c.screen, c.known)
		if c.known && (got.Width > c.screen.Width || got.Height > c.screen.Height) {
			t.Errorf("screen %v: window %v is larger", c.screen, got)
		}
		if got.Width > defaultWindowSize.Width || got.Height > defaultWindowSize.Height || got.Width < smallScreen.Width*0.9 && c.known && c.screen.Width >= smallScreen.Width {
			t.Errorf("screen %v (known %v): window %v", c.screen, c.known, got)
		}
	}
}
