package gui

import (
	"bytes"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/domainlist"
)

// viewerCalls records what "Print" asked the system's viewer to open.
type viewerCalls struct {
	mu   sync.Mutex
	urls []*url.URL
}

func (v *viewerCalls) OpenURL(u *url.URL) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.urls = append(v.urls, u)
	return nil
}

func (v *viewerCalls) opened() []*url.URL {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]*url.URL(nil), v.urls...)
}

// pdfPages is the page count a PDF's page tree states.
func pdfPages(t *testing.T, data []byte) string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", data[:min(len(data), 16)])
	}
	m := regexp.MustCompile(`/Type /Pages /Kids \[[^\]]*\] /Count (\d+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("the PDF has no page tree")
	}
	return string(m[1])
}

// A Zhejiang filing wants its domains on a separate page stitched with the
// verification form: the upload step says why beside the form, writes the
// page as PDF and PNG into the folder chosen in our chooser, and Print
// opens the PDF with the system's viewer.
func TestDomainListPage(t *testing.T) {
	app := completeTestApp()
	app.Websites = append(app.Websites, app.Websites[0])
	app.Websites[1].Domain = "second-example.cn"
	need := domainlist.NeedFor(app, filing.DefaultPack(), filing.DateOf(testDay()))
	if !need.Wanted {
		t.Fatalf("the test filing wants no domain list: %s", need.EN)
	}
	rec := &viewerCalls{}
	was := systemViewer
	systemViewer = func() Viewer { return rec }
	t.Cleanup(func() { systemViewer = was })

	wz, w, _ := newTestWizard(t, app)
	wz.docs = storeDocuments{st: openTestStore(t), pack: filing.DefaultPack()}
	wz.show(filing.StepUpload)
	text := shownText(w.Canvas())
	why := strings.Index(text, need.Message(wz.lang)[:30])
	form := strings.Index(text, pickLang(wz.lang, "核验单", "verification form"))
	if why < 0 {
		t.Fatalf("the upload step does not say why a domain list is needed (%q)", need.Message(wz.lang))
	}
	if form < 0 {
		t.Fatal("no verification form slot")
	}
	if sv := slotNamed(t, wz, "verification_form"); sv.compose == nil {
		t.Error("the verification form takes no supporting document, so the signed list cannot be stitched in")
	}

	dir := t.TempDir()
	tapButton(t, wz.body, lang.L("Make the domain list page…"))
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no folder chooser opened")
	}
	findEntry(t, top).SetText(dir)
	tapButton(t, top.(*widget.PopUp).Content, lang.L("Choose"))
	if top.Visible() {
		t.Fatal("the chooser stayed open after a folder was chosen")
	}
	pdfPath, pngPath := domainListPaths(dir)
	waitUntil(t, func() bool { return strings.Contains(shownText(w.Canvas()), filepath.Base(pngPath)) })
	data, err := os.ReadFile(pdfPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := pdfPages(t, data); n != "1" {
		t.Errorf("the PDF has %s pages, want 1 for 2 domains", n)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(f)
	f.Close()
	if err != nil || cfg.Width != 2480 || cfg.Height != 3508 {
		t.Errorf("the PNG is %dx%d (%v), want A4 at 300 dpi", cfg.Width, cfg.Height, err)
	}
	// The same page the CLI writes: the domains are in it.
	want := filepath.Join(t.TempDir(), "cli.pdf")
	if _, err := domainlist.WriteFor(want, app, filing.DefaultPack(), filing.DateOf(testDay()), ChineseFont.Content()); err != nil {
		t.Fatal(err)
	}
	if wantData, _ := os.ReadFile(want); !bytes.Equal(wantData, data) {
		t.Error("the window's PDF differs from the domain list of the filing")
	}

	tapButton(t, wz.body, lang.L("Print"))
	waitUntil(t, func() bool { return len(rec.opened()) == 1 })
	u := rec.opened()[0]
	if u.Scheme != "file" || u.Path != filepath.ToSlash(pdfPath) {
		t.Errorf("Print opened %v, want file://%s", u, pdfPath)
	}
}

// A province that wants the domains on the form itself shows no domain
// list action.
func TestNoDomainListWhereTheFormTakesThem(t *testing.T) {
	pack := filing.DefaultPack()
	day := filing.DateOf(testDay())
	app := completeTestApp()
	app.Province = "51" // 四川: on the form (domain_list.on-form)
	if need := domainlist.NeedFor(app, pack, day); need.Wanted {
		t.Fatalf("Sichuan wants a separate list: %s", need.EN)
	}
	wz, _, _ := newTestWizard(t, app)
	wz.show(filing.StepUpload)
	if strings.Contains(shownText(wz.window.Canvas()), lang.L("Make the domain list page…")) {
		t.Error("Sichuan wants no separate list, but the action is shown")
	}
}
