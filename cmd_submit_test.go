package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/bundle"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBackendCmd runs "icpfiling backend" on a free loopback port.
func startBackendCmd(t *testing.T, extra ...string) (url, tokenFile string) {
	t.Helper()
	return startBackendCmdIn(t, t.TempDir(), extra...)
}

// startBackendCmdIn is startBackendCmd keeping its filings in dir, for a
// test to see what reached it (backendFilings).
func startBackendCmdIn(t *testing.T, dir string, extra ...string) (url, tokenFile string) {
	t.Helper()
	tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("cli-test-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan int, 1)
	var out, errb syncBuffer
	args := append([]string{"--addr", "127.0.0.1:0", "--data", dir, "--token-file", tokenFile}, extra...)
	go func() { done <- runBackend(ctx, args, &out, &errb, func(a net.Addr) { addrc <- a }) }()
	select {
	case a := <-addrc:
		url = "http://" + a.String()
	case code := <-done:
		t.Fatalf("backend exited %d: %s", code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("backend did not start")
	}
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("backend exited %d", code)
		}
		if strings.Contains(errb.String(), "cli-test-token") {
			t.Error("the backend logged the token")
		}
	})
	return url, tokenFile
}

// backendFilings counts the filings the reference backend in dir stored.
func backendFilings(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "filings"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// testPictures are generated pictures for the checks, made once per test
// binary (≈ 1 s): "id" (an ID card), "licence" (a licence scanned flat,
// also used as the verification form) and "photo" (a backdrop photo) pass
// every check; "photo-red" is that photo in a red top (photo.clothing
// fails); "form-small" is a licence photographed too small for a
// verification form (document.resolution warns).
var testPictures = sync.OnceValue(func() map[string][]byte {
	red := testgen.StandardPhoto()
	red.Top = testgen.Top{Color: testgen.Red}
	imgs := map[string]image.Image{
		"id":         testgen.PassingScan("id_front", 5),
		"licence":    testgen.PassingScan("business_licence", 5),
		"photo":      testgen.Photo(testgen.StandardPhoto()),
		"photo-red":  testgen.Photo(red),
		"form-small": testgen.Document(testgen.DocSpec{Shape: testgen.A4Licence, W: 1200, H: 1600, Seed: 5}),
	}
	out := map[string][]byte{}
	for k, img := range imgs {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
			panic(err)
		}
		out[k] = b.Bytes()
	}
	return out
})

// slotPictures are the pictures a filing's slots get by default.
var slotPictures = map[string]string{"subject_certificate": "licence", "subject_owner_id": "id", "website_owner_id": "id",
	"verification_form": "licence", "photo": "photo"}

// prepareApp puts passing pictures of every scan and the photo into the
// store in dataDir and returns the example application pointing at them.
func prepareApp(t *testing.T, dataDir string, pass string) *filing.Application {
	t.Helper()
	return prepareAppWith(t, dataDir, pass, nil)
}

// putPicture keeps testPictures()[name] in st as the attachment of a slot.
func putPicture(t *testing.T, st *store.Store, name, slot string) *filing.Attachment {
	t.Helper()
	att, err := st.PutAttachment(bytes.NewReader(testPictures()[name]), slot+".jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	att.MediaType = "image/jpeg"
	return &att
}

// prepareAppWith is prepareApp with other pictures in some slots
// (slot → a name of testPictures).
func prepareAppWith(t *testing.T, dataDir string, pass string, picks map[string]string) *filing.Application {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dataDir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if pass != "" {
		if err := st.SetPassphrase(filing.Secret{}, filing.NewSecret(pass)); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(example)
	app, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	fillPictures(t, st, app, picks)
	return app
}

// fillPictures keeps a picture for every file of app in st: each slot's
// passing picture, or the one picks names for it (slot → a name of
// testPictures; "photo" is the photo's slot).
func fillPictures(t *testing.T, st *store.Store, app *filing.Application, picks map[string]string) {
	t.Helper()
	pick := func(slot string) string {
		if p, ok := picks[slot]; ok {
			return p
		}
		return slotPictures[slot]
	}
	for i := range app.Documents {
		app.Documents[i].Attachment = putPicture(t, st, pick(app.Documents[i].Slot), app.Documents[i].Slot)
	}
	app.Photo.Attachment = putPicture(t, st, pick("photo"), "photo")
}

// writeAppFile writes app as an input file, with its password in clear as
// a person would type it.
func writeAppFile(t *testing.T, app *filing.Application, password string) string {
	t.Helper()
	js, _ := json.Marshal(app)
	js = bytes.Replace(js, []byte(`"filing_password":"******"`), []byte(`"filing_password":"`+password+`"`), 1)
	p := filepath.Join(t.TempDir(), "app.json")
	if err := os.WriteFile(p, js, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSubmitAndStatusCommands(t *testing.T) {
	reason := "网站名称与主体关联性不足，请修改后重新提交。"
	url, tokenFile := startBackendCmd(t, "--speed", "1e7", "--reject", reason)
	dataDir := t.TempDir()
	app := prepareApp(t, dataDir, "")
	file := writeAppFile(t, app, "example-password")

	code, stdout, stderr := runCLI("submit", file, "--backend", url, "--token-file", tokenFile, "--data", dataDir)
	if code != 0 {
		t.Fatalf("submit exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "审核中") || !strings.Contains(stdout, "后台编号 f-") {
		t.Fatalf("stdout: %s", stdout)
	}
	if !strings.Contains(stderr, "100%") {
		t.Errorf("no progress on stderr: %s", stderr)
	}
	id := strings.Fields(stdout)[0]

	// The simulated review runs 4 days in ~35 ms; poll the command a bounded number of times.
	var out string
	for range 100 {
		code, out, stderr = runCLI("status", id, "--backend", url, "--token-file", tokenFile, "--data", dataDir)
		if code != 0 {
			t.Fatalf("status exited %d: %s", code, stderr)
		}
		if strings.Contains(out, "管局驳回") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"已驳回", "初审中", "管局审核中", "管局驳回", "驳回原因： " + reason, "已生成可修改的新版本草稿"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	// The backend's id works too, and English.
	remote := strings.Fields(out)[3]
	code, out, _ = runCLI("status", remote, "--lang", "en", "--backend", url, "--token-file", tokenFile, "--data", dataDir)
	if code != 0 || !strings.Contains(out, "Rejected by the bureau") || !strings.Contains(out, "reason: "+reason) {
		t.Fatalf("status by backend id: %d\n%s", code, out)
	}
}

func TestSubmitCommandFromDraftAndBundle(t *testing.T) {
	url, tokenFile := startBackendCmd(t)
	passFile := filepath.Join(t.TempDir(), "pass")
	_ = os.WriteFile(passFile, []byte("store-pass-1\n"), 0o600)

	// A draft on this machine (the store keeps its password under the passphrase).
	dataDir := t.TempDir()
	app := prepareApp(t, dataDir, "store-pass-1")
	st, err := store.Open(store.Options{Dir: dataDir, Passphrase: filing.NewSecret("store-pass-1"), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	app.ID = ""
	info, err := st.NewDraft(app)
	if err != nil {
		t.Fatal(err)
	}
	bundlePath := filepath.Join(t.TempDir(), "batch"+bundle.Ext)
	if _, err := bundle.ExportFile(bundlePath, st, bundle.ExportOptions{SecretsPassphrase: filing.NewSecret("bundle-pass")}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	code, stdout, stderr := runCLI("submit", "--draft", info.ID, "--backend", url, "--token-file", tokenFile, "--data", dataDir, "--passphrase-file", passFile)
	if code != 0 || !strings.Contains(stdout, "审核中") {
		t.Fatalf("--draft: %d\n%s\n%s", code, stdout, stderr)
	}

	// The bundle, carried to another machine.
	other := t.TempDir()
	prepareApp(t, other, "store-pass-2")
	otherPass := filepath.Join(t.TempDir(), "pass2")
	_ = os.WriteFile(otherPass, []byte("store-pass-2"), 0o600)
	bundlePass := filepath.Join(t.TempDir(), "bpass")
	_ = os.WriteFile(bundlePass, []byte("bundle-pass"), 0o600)
	code, stdout, stderr = runCLI("submit", bundlePath, "--backend", url, "--token-file", tokenFile, "--data", other,
		"--passphrase-file", otherPass, "--bundle-passphrase-file", bundlePass, "--lang", "en")
	if code != 0 || !strings.Contains(stdout, "Under review") {
		t.Fatalf(".icpf: %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestSubmitAndBackendCommandErrors(t *testing.T) {
	url, tokenFile := startBackendCmd(t)
	wrongToken := filepath.Join(t.TempDir(), "wrong")
	_ = os.WriteFile(wrongToken, []byte("nope"), 0o600)
	dataDir := t.TempDir()
	app := prepareApp(t, dataDir, "")
	good := writeAppFile(t, app, "example-password")
	app.Websites[0].Owner.Mobile = "123"
	blocked := writeAppFile(t, app, "example-password")

	tests := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"backend refuses a public address", []string{"backend", "--addr", "0.0.0.0:0", "--data", t.TempDir()}, 2, "--public"},
		{"backend needs --data", []string{"backend"}, 2, "--data"},
		{"submit without a backend", []string{"submit", good, "--data", dataDir}, 2, "--backend"},
		{"plain http to another machine", []string{"submit", good, "--backend", "http://filing.example.com", "--data", dataDir}, 2, "HTTPS"},
		{"a blocking finding", []string{"submit", blocked, "--backend", url, "--token-file", tokenFile, "--data", dataDir}, 1, "websites[0].owner.mobile"},
		{"a wrong token", []string{"submit", good, "--backend", url, "--token-file", wrongToken, "--data", dataDir}, 1, "令牌"},
		{"file and --draft together", []string{"submit", good, "--draft", "x", "--backend", url, "--data", dataDir}, 2, "usage"},
		{"status of nothing", []string{"status", "icpf-00000000000000000000000000000000", "--data", dataDir}, 2, "icpf-0000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(tc.args...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.output) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "cli-test-token") || strings.Contains(stdout+stderr, "example-password") {
				t.Fatal("a secret reached the output")
			}
		})
	}
}

// refusalJSON is what `submit --json` prints when the gate refuses.
type refusalJSON struct {
	Submitted bool `json:"submitted"`
	Blocking  int  `json:"blocking"`
	ToConfirm int  `json:"to_confirm"`
	Checking  int  `json:"checking"`
	Refused   []struct {
		DraftID  string           `json:"draft_id"`
		Findings []filing.Finding `json:"findings"`
	} `json:"refused"`
}

func (r refusalJSON) rules() []string {
	var out []string
	for _, rf := range r.Refused {
		for _, f := range rf.Findings {
			out = append(out, f.Rule+"@"+f.Field)
		}
	}
	return out
}

// newDraft keeps app as a new draft in the store in dataDir (opened with
// pass, so that its password is kept) and returns its id.
func newDraft(t *testing.T, dataDir, pass string, app *filing.Application) string {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dataDir, Passphrase: filing.NewSecret(pass), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	app.ID = ""
	info, err := st.NewDraft(app)
	if err != nil {
		t.Fatal(err)
	}
	return info.ID
}

// editDraft loads a draft, applies fn with the open store and saves it.
func editDraft(t *testing.T, dataDir, pass, id string, fn func(*store.Store, *filing.Application)) *filing.Application {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dataDir, Passphrase: filing.NewSecret(pass), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	app, _, err := st.LoadDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	if fn != nil {
		fn(st, app)
		if _, err := st.SaveDraft(app); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

// TestSubmitGateRefusesFailingPhoto: a draft whose backdrop photo shows a
// red top is refused by `submit --draft` (exit 1, the rule named in text
// and in --json, --accept-warnings does not wave a failure through) and
// nothing reaches the reference backend; with the photo retaken in a grey
// top the same draft is accepted.
func TestSubmitGateRefusesFailingPhoto(t *testing.T) {
	backendDir := t.TempDir()
	url, tokenFile := startBackendCmdIn(t, backendDir)
	passFile := filepath.Join(t.TempDir(), "pass")
	_ = os.WriteFile(passFile, []byte("store-pass\n"), 0o600)
	dataDir := t.TempDir()
	id := newDraft(t, dataDir, "store-pass", prepareAppWith(t, dataDir, "store-pass", map[string]string{"photo": "photo-red"}))
	args := []string{"submit", "--draft", id, "--backend", url, "--token-file", tokenFile, "--data", dataDir, "--passphrase-file", passFile}

	code, stdout, stderr := runCLI(args...)
	if code != exitBlocked || !strings.Contains(stderr, "[阻断] photo.clothing · photo: ") || !strings.Contains(stderr, "未提交：1 处阻断问题须先修改") {
		t.Fatalf("a red top: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(append(args, "--lang", "en", "--accept-warnings")...)
	if code != exitBlocked || !strings.Contains(stderr, "[blocking] photo.clothing · photo: ") || !strings.Contains(stderr, "red") {
		t.Fatalf("a red top with --accept-warnings, in English: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(append(args, "--json")...)
	var got refusalJSON
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != exitBlocked {
		t.Fatalf("--json: exit %d, %v\nstdout: %s\nstderr: %s", code, err, stdout, stderr)
	}
	if got.Submitted || got.Blocking != 1 || got.ToConfirm != 0 || got.Checking != 0 || len(got.Refused) != 1 ||
		got.Refused[0].DraftID != id || strings.Join(got.rules(), " ") != "photo.clothing@photo" {
		t.Fatalf("--json: %+v", got)
	}
	if n := backendFilings(t, backendDir); n != 0 {
		t.Fatalf("the backend holds %d filings after a refusal", n)
	}

	editDraft(t, dataDir, "store-pass", id, func(st *store.Store, app *filing.Application) {
		app.Photo.Attachment = putPicture(t, st, "photo", "photo")
	})
	code, stdout, stderr = runCLI(args...)
	if code != exitClean || !strings.Contains(stdout, "审核中") {
		t.Fatalf("the retaken photo: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if n := backendFilings(t, backendDir); n != 1 {
		t.Fatalf("the backend holds %d filings, want 1", n)
	}
}

// TestSubmitAcceptWarnings: a verification form photographed too small
// warns (document.resolution); the filing is refused until the warning is
// acknowledged, --accept-warnings acknowledges it in the draft, and the
// draft keeps the acknowledgement for that file's content.
func TestSubmitAcceptWarnings(t *testing.T) {
	backendDir := t.TempDir()
	url, tokenFile := startBackendCmdIn(t, backendDir)
	passFile := filepath.Join(t.TempDir(), "pass")
	_ = os.WriteFile(passFile, []byte("store-pass\n"), 0o600)
	dataDir := t.TempDir()
	id := newDraft(t, dataDir, "store-pass", prepareAppWith(t, dataDir, "store-pass", map[string]string{"verification_form": "form-small"}))
	args := []string{"submit", "--draft", id, "--backend", url, "--token-file", tokenFile, "--data", dataDir, "--passphrase-file", passFile}

	code, stdout, stderr := runCLI(append(args, "--json")...)
	var got refusalJSON
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != exitBlocked {
		t.Fatalf("a warned form: exit %d, %v\nstdout: %s\nstderr: %s", code, err, stdout, stderr)
	}
	if got.Blocking != 0 || got.ToConfirm != 1 || strings.Join(got.rules(), " ") != "document.resolution@documents.verification_form[0]" {
		t.Fatalf("--json: %+v", got)
	}
	if !strings.Contains(stderr, "[待确认] document.resolution · documents.verification_form[0]") || !strings.Contains(stderr, "--accept-warnings") {
		t.Fatalf("stderr: %s", stderr)
	}
	if n := backendFilings(t, backendDir); n != 0 {
		t.Fatalf("the backend holds %d filings after a refusal", n)
	}
	if app := editDraft(t, dataDir, "store-pass", id, nil); len(app.Acknowledgements) != 0 {
		t.Fatalf("acknowledged without --accept-warnings: %+v", app.Acknowledgements)
	}

	code, stdout, stderr = runCLI(append(args, "--accept-warnings")...)
	if code != exitClean || !strings.Contains(stdout, "审核中") {
		t.Fatalf("--accept-warnings: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if n := backendFilings(t, backendDir); n != 1 {
		t.Fatalf("the backend holds %d filings, want 1", n)
	}
	app := editDraft(t, dataDir, "store-pass", id, nil)
	var form string
	for _, d := range app.Documents {
		if d.Slot == "verification_form" {
			form = d.Attachment.SHA256
		}
	}
	if len(app.Acknowledgements) != 1 || app.Acknowledgements[0].Rule != "document.resolution" ||
		app.Acknowledgements[0].SHA256 != form || app.Acknowledgements[0].At.IsZero() {
		t.Fatalf("the draft keeps %+v", app.Acknowledgements)
	}
}

// TestSubmitFileCompletesHeldSubmission: a filing queued from a file on a
// machine without a store passphrase loses its password at the restart,
// and the outbox holds it for the password. `submit FILE.json` with the
// password in the file completes that submission, under its key: the
// backend gets one filing and the outbox keeps one record.
func TestSubmitFileCompletesHeldSubmission(t *testing.T) {
	backendDir := t.TempDir()
	url, tokenFile := startBackendCmdIn(t, backendDir)
	dataDir := t.TempDir()
	app := prepareApp(t, dataDir, "")
	app.ID = "" // an input file, not a draft: found again by its content
	file := writeAppFile(t, app, "example-password")
	data, _ := os.ReadFile(file)

	// Queued while no backend was set; the process ends.
	st, err := store.Open(store.Options{Dir: dataDir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	queued, err := submit.NewOutbox(st, submit.Options{Scans: scanChecker(st, fixedPack(nil))}).Submit(fromFile)
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	// The next start has a backend but no password: held.
	st, err = store.Open(store.Options{Dir: dataDir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	client, err := submit.NewClient(submit.Config{BaseURL: url, Token: filing.NewSecret("cli-test-token"), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	o := submit.NewOutbox(st, submit.Options{Client: client, Scans: scanChecker(st, fixedPack(nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = o.Run(ctx); close(done) }()
	held := waitSettled(ctx, o, queued.ID)
	cancel()
	<-done
	_ = st.Close()
	if held.State != submit.Held || held.Error == nil || held.Error.Code != "secrets_needed" {
		t.Fatalf("after the restart: %+v", held)
	}

	code, stdout, stderr := runCLI("submit", file, "--backend", url, "--token-file", tokenFile, "--data", dataDir, "--json")
	var subs []submit.Submission
	if err := json.Unmarshal([]byte(stdout), &subs); err != nil || code != exitClean || len(subs) != 1 {
		t.Fatalf("submit FILE.json: exit %d, %v\nstdout: %s\nstderr: %s", code, err, stdout, stderr)
	}
	if subs[0].ID != queued.ID || subs[0].State != submit.Accepted {
		t.Fatalf("submitted %s (%s), want the held %s accepted", subs[0].ID, subs[0].State, queued.ID)
	}
	if n := backendFilings(t, backendDir); n != 1 {
		t.Fatalf("the backend holds %d filings, want 1", n)
	}
	st, err = store.Open(store.Options{Dir: dataDir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if all, _ := submit.NewOutbox(st, submit.Options{}).List(); len(all) != 1 {
		t.Fatalf("the outbox keeps %d submissions, want 1", len(all))
	}
}
