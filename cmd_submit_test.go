package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
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
	tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("cli-test-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan int, 1)
	var out, errb syncBuffer
	args := append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--token-file", tokenFile}, extra...)
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

// prepareApp puts five small scans into the store in dataDir and returns the example
// application pointing at them.
func prepareApp(t *testing.T, dataDir string, pass string) *filing.Application {
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
	rng := rand.New(rand.NewPCG(1, 2))
	put := func(a **filing.Attachment) {
		b := make([]byte, 20<<10)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		att, err := st.PutAttachment(bytes.NewReader(b), (*a).OriginalName, (*a).MediaType)
		if err != nil {
			t.Fatal(err)
		}
		att.MediaType = (*a).MediaType
		*a = &att
	}
	for i := range app.Documents {
		put(&app.Documents[i].Attachment)
	}
	put(&app.Photo.Attachment)
	return app
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
