package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/bundle"
	"github.com/icpfiling/icpfiling/filing/store"
)

// TestSubmitOnceCLI: a draft the backend accepted is not sent again by
// `submit --draft`, nor as a file or a bundle with the same content: each
// says so with the receipt (backend id, received time) and exits 0, and
// the backend still holds one filing. `--resend` makes a second one.
func TestSubmitOnceCLI(t *testing.T) {
	backendDir := t.TempDir()
	url, tokenFile := startBackendCmdIn(t, backendDir)
	passFile := filepath.Join(t.TempDir(), "pass")
	_ = os.WriteFile(passFile, []byte("store-pass\n"), 0o600)
	dataDir := t.TempDir()
	app := prepareApp(t, dataDir, "store-pass")
	id := newDraft(t, dataDir, "store-pass", app)
	common := []string{"--backend", url, "--token-file", tokenFile, "--data-dir", dataDir, "--passphrase-file", passFile}

	code, stdout, stderr := runCLI(append([]string{"submit", "--draft", id}, common...)...)
	if code != exitClean || !strings.Contains(stdout, "审核中") {
		t.Fatalf("first submit: exit %d\n%s%s", code, stdout, stderr)
	}
	remote := stdout[strings.Index(stdout, "f-"):]
	remote = strings.Fields(remote)[0]

	// The same filing as a file (no draft id) and as a bundle.
	fileApp := *app
	fileApp.ID = ""
	file := writeAppFile(t, &fileApp, "example-password")
	st, err := store.Open(store.Options{Dir: dataDir, Passphrase: filing.NewSecret("store-pass"), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	bundlePath := filepath.Join(t.TempDir(), "one"+bundle.Ext)
	if _, err := bundle.ExportFile(bundlePath, st, bundle.ExportOptions{IDs: []string{id}}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	for _, tc := range []struct {
		name, lang string
		args       []string
	}{
		{"the draft again", "zh", []string{"submit", "--draft", id}},
		{"the draft again, in English", "en", []string{"submit", "--draft", id}},
		{"the same content as a file", "zh", []string{"submit", file}},
		{"the same content as a bundle", "zh", []string{"submit", bundlePath}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(append(append(tc.args, "--lang", tc.lang), common...)...)
			said := pick(tc.lang, "已提交过", "already submitted")
			if code != exitClean || !strings.Contains(stdout, said) || !strings.Contains(stdout, remote) || !strings.Contains(stdout, "--resend") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, time.Now().Format("2006-01-02")) {
				t.Errorf("no received time: %s", stdout)
			}
			if n := backendFilings(t, backendDir); n != 1 {
				t.Fatalf("the backend holds %d filings, want 1", n)
			}
		})
	}

	code, stdout, stderr = runCLI(append([]string{"submit", "--draft", id, "--resend"}, common...)...)
	if code != exitClean || !strings.Contains(stdout, "审核中") || strings.Contains(stdout, remote) {
		t.Fatalf("--resend: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := backendFilings(t, backendDir); n != 2 {
		t.Fatalf("the backend holds %d filings after --resend, want 2", n)
	}
}

// TestSubmitInterruptedThenRerun: the backend stores the filing but its
// answer never comes; the run is interrupted (as Ctrl-C would), exits 3
// (queued, not confirmed), and the re-run sends it again under the same
// key: the backend replays, holds one filing, and the re-run exits 0.
func TestSubmitInterruptedThenRerun(t *testing.T) {
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), Token: "tok-interrupt"})
	if err != nil {
		t.Fatal(err)
	}
	var posts atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 1 {
			// Stored, then the answer is lost: the client waits until it gives up.
			srv.ServeHTTP(httptest.NewRecorder(), r)
			<-r.Context().Done()
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	tokenFile := filepath.Join(t.TempDir(), "tok")
	_ = os.WriteFile(tokenFile, []byte("tok-interrupt\n"), 0o600)
	dataDir := t.TempDir()
	passFile := filepath.Join(t.TempDir(), "pass")
	_ = os.WriteFile(passFile, []byte("store-pass\n"), 0o600)
	id := newDraft(t, dataDir, "store-pass", prepareApp(t, dataDir, "store-pass"))
	args := []string{"submit", "--draft", id, "--backend", hs.URL, "--token-file", tokenFile, "--data-dir", dataDir, "--passphrase-file", passFile}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb syncBuffer
	go func() { done <- runSubmit(ctx, args[1:], terminalWriter{&out}, terminalWriter{&errb}) }()
	for srv.Stats().Stored.Load() == 0 {
		select {
		case code := <-done:
			t.Fatalf("submit ended (%d) before the backend stored anything: %s%s", code, out.String(), errb.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != exitQueued {
		t.Fatalf("interrupted run: exit %d, want %d\n%s%s", code, exitQueued, out.String(), errb.String())
	}

	code, stdout, stderr := runCLI(args...)
	if code != exitClean || !strings.Contains(stdout, "审核中") {
		t.Fatalf("re-run: exit %d\n%s%s", code, stdout, stderr)
	}
	if srv.Stats().Stored.Load() != 1 || srv.Stats().Replayed.Load() != 1 {
		t.Fatalf("stored %d, replayed %d; want 1 and 1", srv.Stats().Stored.Load(), srv.Stats().Replayed.Load())
	}
	code, stdout, _ = runCLI(args...)
	if code != exitClean || !strings.Contains(stdout, "已提交过") || srv.Stats().Stored.Load() != 1 {
		t.Fatalf("after acceptance: exit %d, stored %d\n%s", code, srv.Stats().Stored.Load(), stdout)
	}
}

// batchOfThree imports filings A, C and D, each with passing scans, and
// returns the flags to reach their data directory.
func batchOfThree(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	data, pass, scans := filepath.Join(dir, "data"), filepath.Join(dir, "pass"), filepath.Join(dir, "scans")
	_ = os.WriteFile(pass, []byte("agency-passphrase\n"), 0o600)
	_ = os.Mkdir(scans, 0o755)
	for _, k := range []string{"A", "C", "D"} {
		writeBatchScans(t, scans, k)
	}
	sheet := batchCSV(t,
		map[string]string{"key": "A", "filing_password": "pw-a"},
		map[string]string{"key": "C", "subject_name": "宁波另一科技有限公司", "certificate_number": "91330200MA2AXY1232",
			"owner_mobile": "13600136000", "site_owner_mobile": "13500135000", "site_owner_emergency": "", "domain": "c.example.net", "filing_password": "pw-c"},
		map[string]string{"key": "D", "domain": "d.example.org", "site_name": "示例科技第二网站", "filing_password": "pw-d"},
	)
	common := []string{"--data-dir", data, "--passphrase-file", pass, "--lang", "en"}
	if code, out, errs := runCLI(append([]string{"batch", "import", sheet, "--scans", scans}, common...)...); code != exitClean {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	return common
}

// TestBatchSubmitSendsBesideAHangingFiling: the backend holds one
// filing's answer until the others are stored. They are attempted beside
// it (bounded concurrency), so all three are accepted and the command
// exits 0; sent one at a time, the hanging one would block the rest until
// --wait ran out.
func TestBatchSubmitSendsBesideAHangingFiling(t *testing.T) {
	common := batchOfThree(t)
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), Token: "tok-batch"})
	if err != nil {
		t.Fatal(err)
	}
	var posts atomic.Int64
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 2 {
			for srv.Stats().Stored.Load() < 2 { // the other two
				select {
				case <-release:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	t.Cleanup(func() { close(release) })
	tokenFile := filepath.Join(t.TempDir(), "tok")
	_ = os.WriteFile(tokenFile, []byte("tok-batch"), 0o600)
	code, out, errs := runCLI(append([]string{"batch", "submit", "--backend", hs.URL, "--token-file", tokenFile, "--wait", "30s"}, common...)...)
	if code != exitClean || srv.Stats().Stored.Load() != 3 || !strings.Contains(out, "Under review 3") {
		t.Fatalf("exit %d, stored %d\n%s%s", code, srv.Stats().Stored.Load(), out, errs)
	}
}

// TestBatchSubmitWaitRunsOutExitsQueued: when --wait runs out before the
// backend answered, batch submit says the filings are queued and exits 3,
// not 0.
func TestBatchSubmitWaitRunsOutExitsQueued(t *testing.T) {
	common := batchOfThree(t)
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read, so that a client going away ends the request, but never
		// answer; the reader does not hold the handler when the test ends.
		go func() { _, _ = io.Copy(io.Discard, r.Body) }()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() {
		close(release)
		hs.CloseClientConnections()
		hs.Close()
	})
	tokenFile := filepath.Join(t.TempDir(), "tok")
	_ = os.WriteFile(tokenFile, []byte("tok"), 0o600)
	code, out, errs := runCLI(append([]string{"batch", "submit", "--backend", hs.URL, "--token-file", tokenFile, "--wait", "300ms"}, common...)...)
	if code != exitQueued || !strings.Contains(out, "Queued") {
		t.Fatalf("exit %d (want %d)\n%s%s", code, exitQueued, out, errs)
	}
}
