package submit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/store"
)

const testToken = "tok-3b9f0c1d-secret"

// openStore opens a real drafts store in a temporary directory.
func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// exampleApp is the repository's example application with its five
// attachments replaced by random files of size bytes put into st.
func exampleApp(t testing.TB, st *store.Store, size int, seed uint64) (*filing.Application, map[string][]byte) {
	t.Helper()
	data, err := os.ReadFile("../../testdata/example-application.json")
	if err != nil {
		t.Fatal(err)
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	// Each generated filing is its own draft: the outbox keeps one pending
	// submission per draft.
	app.ID = fmt.Sprintf("draft-%d", seed)
	files := map[string][]byte{}
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	rng := rand.NewChaCha8(key)
	put := func(a **filing.Attachment) {
		b := make([]byte, size)
		_, _ = rng.Read(b)
		old := *a
		att, err := st.PutAttachment(bytes.NewReader(b), old.OriginalName, old.MediaType)
		if err != nil {
			t.Fatal(err)
		}
		// Keep the declared type: random bytes sniff as octet-stream.
		att.MediaType = old.MediaType
		*a = &att
		files[att.SHA256] = b
	}
	for i := range app.Documents {
		put(&app.Documents[i].Attachment)
	}
	put(&app.Photo.Attachment)
	return app, files
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// refBackend is the reference backend on a loopback port.
type refBackend struct {
	*backend.Server
	URL    string
	Dir    string
	Faults *backend.Faults
	Clock  *fakeClock
	close  func()
}

func startBackend(t testing.TB, mod func(*backend.Options)) *refBackend {
	t.Helper()
	rb := &refBackend{Dir: t.TempDir(), Faults: &backend.Faults{}, Clock: newFakeClock()}
	opt := backend.Options{Dir: rb.Dir, Token: testToken, Clock: rb.Clock.Now, Faults: rb.Faults}
	if mod != nil {
		mod(&opt)
	}
	s, err := backend.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	rb.Server, rb.URL, rb.close = s, hs.URL, hs.Close
	t.Cleanup(hs.Close)
	return rb
}

// serveAt starts the backend on a given loopback address (for "down, then up").
func serveAt(t testing.TB, addr string, opt backend.Options) *backend.Server {
	t.Helper()
	s, err := backend.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; i < 50; i++ { // the port was just released; bounded retries
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return s
}

// fastConfig is a client configuration with test timings.
func fastConfig(url, token string) Config {
	return Config{BaseURL: url, Token: filing.NewSecret(token), Timeout: 10 * time.Second,
		RetryWait: 10 * time.Millisecond, RetryMaxWait: 50 * time.Millisecond}
}

func newClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fastOptions are outbox options with test timings.
func fastOptions(c *Client) Options {
	return Options{Client: c, Now: testNow, BackoffBase: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
		PollInterval: 10 * time.Millisecond, Scans: scansPassed{}}
}

// scansPassed judges every file as checked with nothing to say. These
// tests are about sending, and their files are random bytes, which the
// image checks would refuse; the gate itself is tested with generated
// scans and photos and the real checks (gate_test.go, and the CLI's
// cmd_submit_test.go).
type scansPassed struct{}

func (scansPassed) Results(app *filing.Application, asOf time.Time) []filing.ScanResult {
	var out []filing.ScanResult
	for _, t := range filing.ScanTargets(app, filing.DefaultPack(), asOf) {
		out = append(out, filing.ScanResult{Field: t.Field, SHA256: t.Attachment.SHA256, State: filing.ScanChecked})
	}
	return out
}

// testNow keeps Validate's dated rules on the day the example is valid.
func testNow() time.Time { return time.Now() }

// runOutbox runs the worker until the test ends.
func runOutbox(t testing.TB, o *Outbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = o.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor polls cond for up to 10 s: a bound, not a timing claim.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func waitState(t testing.TB, o *Outbox, id string, want State) Submission {
	t.Helper()
	var s Submission
	waitFor(t, "state "+string(want), func() bool {
		var err error
		s, err = o.Get(id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return s.State == want
	})
	return s
}

// storedFile reads an attachment as the backend stored it.
func (rb *refBackend) storedFile(t testing.TB, id, sha string) []byte {
	t.Helper()
	b, err := os.ReadFile(rb.Dir + "/filings/" + id + "/files/" + sha)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
