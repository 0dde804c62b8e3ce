package submit

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

func TestBaseURLMustBeHTTPSExceptLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://filing.example.com", true},
		{"https://filing.example.com/", true},
		{"http://127.0.0.1:8787", true},
		{"http://127.9.9.9:80", true},
		{"http://[::1]:8787", true},
		{"http://localhost:8787", true},
		{"http://filing.example.com", false},
		{"http://192.168.1.10:8787", false},
		{"http://0.0.0.0:8787", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8787", false},
		{"https://user:pw@filing.example.com", false},
		{"", false},
	}
	for _, tc := range tests {
		_, err := NewClient(Config{BaseURL: tc.url})
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.url, err)
		}
		var ce *ConfigError
		if err != nil && (!errors.As(err, &ce) || ce.Message("zh") == "" || ce.Message("en") == "") {
			t.Errorf("%q: error %v is not a bilingual ConfigError", tc.url, err)
		}
	}
}

// TestRetriesOnlyOnNetworkErrors429And5xx counts what reaches a real server.
func TestRetriesOnlyOnNetworkErrors429And5xx(t *testing.T) {
	tests := []struct {
		status int
		want   int64 // requests for one call with Retries 2
	}{
		{400, 1}, {401, 1}, {403, 1}, {404, 1}, {409, 1}, {413, 1}, {422, 1}, {501, 1},
		{429, 3}, {500, 3}, {502, 3}, {503, 3}, {504, 3},
	}
	for _, tc := range tests {
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, `{"code":"x","zh":"错","en":"wrong"}`)
		}))
		cfg := fastConfig(srv.URL, testToken)
		cfg.Retries = 2
		_, err := newClient(t, cfg).Status(context.Background(), "f-1")
		srv.Close()
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != tc.status || he.Problem.Code != "x" || he.Problem.ZH != "错" {
			t.Errorf("%d: err %v", tc.status, err)
		}
		if hits.Load() != tc.want {
			t.Errorf("%d: %d requests, want %d", tc.status, hits.Load(), tc.want)
		}
	}
}

func TestNetworkErrorsAreRetriedThenReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepts atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			_ = c.Close() // a server that hangs up on every request
		}
	}()
	cfg := fastConfig("http://"+ln.Addr().String(), testToken)
	cfg.Retries = 2
	_, err = newClient(t, cfg).Status(context.Background(), "f-1")
	var ne *NetError
	if !errors.As(err, &ne) || ne.Permanent || !strings.Contains(ne.Message("zh"), "无法连接") {
		t.Fatalf("err %v", err)
	}
	// Go's transport may itself retry once on a fresh connection; resty adds two.
	if n := accepts.Load(); n < 3 || n > 6 {
		t.Fatalf("%d connections, want 3 (+ transport replays)", n)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"5", 5 * time.Second, true}, {"0", 0, true}, {"-3", 0, false}, {"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.v, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v, want %v %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCustomCAIsAddedToTheSystemRoots(t *testing.T) {
	s, err := backend.New(backend.Options{Dir: t.TempDir(), Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		s.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = stdlog.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	// Without the CA: refused, permanently, after one handshake.
	_, err = newClient(t, fastConfig(srv.URL, testToken)).Health(context.Background())
	var ne *NetError
	if !errors.As(err, &ne) || !ne.Permanent || !strings.Contains(ne.Message("en"), "CA") {
		t.Fatalf("without the CA: %v", err)
	}
	if hits.Load() != 0 {
		t.Fatal("a request got through an untrusted certificate")
	}

	cfg := fastConfig(srv.URL, testToken)
	cfg.CAPEM = caPEM
	c := newClient(t, cfg)
	if _, err := c.Health(context.Background()); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	// The system's roots are still there: the pool is the system pool plus one.
	tr, err := c.rc.Transport()
	if err != nil {
		t.Fatal(err)
	}
	sys, err := x509.SystemCertPool()
	if err != nil || len(sys.Subjects()) == 0 { //nolint:staticcheck // counting is all we need
		t.Skip("no system roots on this machine")
	}
	if got, want := len(tr.TLSClientConfig.RootCAs.Subjects()), len(sys.Subjects())+1; got != want { //nolint:staticcheck
		t.Fatalf("pool has %d roots, want the system's %d + 1", got, want-1)
	}
	if _, err := NewClient(Config{BaseURL: srv.URL, CAPEM: []byte("not a certificate")}); err == nil {
		t.Fatal("a CA file without a certificate was accepted")
	}
}

func TestProxySettingIsUsed(t *testing.T) {
	rb := startBackend(t, nil)
	var seen atomic.Int64
	target, _ := url.Parse(rb.URL)
	// A forward proxy on loopback: it receives absolute-form requests.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != target.Host {
			http.Error(w, "wrong host", http.StatusBadGateway)
			return
		}
		seen.Add(1)
		r.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	defer proxy.Close()
	cfg := fastConfig(rb.URL, testToken)
	cfg.Proxy = proxy.URL
	if _, _, err := newClient(t, cfg).Rules(context.Background()); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != 1 {
		t.Fatalf("the proxy saw %d requests", seen.Load())
	}
	if _, err := NewClient(Config{BaseURL: rb.URL, Proxy: "not a url"}); err == nil {
		t.Fatal("a malformed proxy was accepted")
	}
}

// TestDebugLogIsRedacted: the debug log of a submission that retried holds
// no token, no password, no ID number and no phone number.
func TestDebugLogIsRedacted(t *testing.T) {
	st := openStore(t, "")
	app, _ := exampleApp(t, st, 64<<10, 5)
	rb := startBackend(t, nil)
	rb.Faults.FailNext(1, http.StatusServiceUnavailable, "")
	var log bytes.Buffer
	cfg := fastConfig(rb.URL, testToken)
	cfg.Debug = true
	cfg.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, cfg)
	snap, _ := Snapshot(app)
	u, _ := NewUpload(NewIdempotencyKey(), snap, app.FilingPassword, filing.NewSecret("console-pw-77"), st)
	if _, err := c.Submit(context.Background(), u, nil); err != nil {
		t.Fatal(err)
	}
	out := log.String()
	if !strings.Contains(out, "Authorization") || !strings.Contains(out, "[REDACTED]") || strings.Count(out, "~~~ REQUEST ~~~") != 2 {
		t.Fatalf("the debug log lacks the request or the retry:\n%s", out)
	}
	for _, secret := range []string{testToken, app.FilingPassword.Reveal(), "console-pw-77",
		app.Subject.Owner.IDNumber, app.Websites[0].Owner.IDNumber, app.Subject.Owner.Mobile, app.Websites[0].Owner.Mobile} {
		if strings.Contains(out, secret) {
			t.Errorf("the debug log contains %q", secret[:3]+"…")
		}
	}
	if len(out) > 64<<10 {
		t.Errorf("the debug log is %d bytes: bodies are being dumped", len(out))
	}
}

func TestAFileChangedAfterQueueingIsNotSentOrRetried(t *testing.T) {
	st := openStore(t, "")
	app, _ := exampleApp(t, st, 4<<10, 6)
	rb := startBackend(t, nil)
	snap, _ := Snapshot(app)
	u, err := NewUpload(NewIdempotencyKey(), snap, app.FilingPassword, filing.Secret{}, st)
	if err != nil {
		t.Fatal(err)
	}
	path := u.Files[1].Path
	_ = os.Chmod(path, 0o600)
	if err := os.Truncate(path, 10); err != nil {
		t.Fatal(err)
	}
	_, err = newClient(t, fastConfig(rb.URL, testToken)).Submit(context.Background(), u, nil)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Field != "documents[1].attachment" {
		t.Fatalf("err %v", err)
	}
	if rb.Stats().Requests.Load() != 0 {
		t.Fatal("a request went out with a damaged file")
	}
}

func TestRulesAndHealth(t *testing.T) {
	rb := startBackend(t, nil)
	c := newClient(t, fastConfig(rb.URL, testToken))
	h, err := c.Health(context.Background())
	if err != nil || h.Status != "ok" || h.PackSHA256 != filing.DefaultPack().Checksum() {
		t.Fatalf("health %+v, %v", h, err)
	}
	p, raw, err := c.Rules(context.Background())
	if err != nil || !bytes.Equal(raw, filing.DefaultPackBytes()) || p.Revision != filing.DefaultPack().Revision {
		t.Fatalf("rules: %v", err)
	}
	_, _, err = newClient(t, fastConfig(rb.URL, "nope")).Rules(context.Background())
	var he *HTTPError
	if !errors.As(err, &he) || !he.Auth() || he.Problem.Code != api.CodeUnauthorized || !strings.Contains(he.Message("zh"), "令牌") {
		t.Fatalf("wrong token: %v", err)
	}
}
