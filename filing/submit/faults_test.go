package submit

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
)

// The faults of issue 5, each against the reference backend over loopback.

func TestFault503TwiceThenAcceptSendsEveryByteAgain(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
	}{
		{"no Retry-After", ""},
		// Honoured, and clamped to RetryMaxWait (50 ms) instead of a minute.
		{"Retry-After 60", "60"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, "")
			app, files := exampleApp(t, st, 256<<10, uint64(i))
			rb := startBackend(t, nil)
			rb.Faults.FailNext(2, http.StatusServiceUnavailable, tc.retryAfter)
			c := newClient(t, fastConfig(rb.URL, testToken))
			snap, _ := Snapshot(app)
			u, err := NewUpload(NewIdempotencyKey(), snap, app.FilingPassword, app.Product.ConsolePassword, st)
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			finals := map[int]int64{}
			f, err := c.Submit(context.Background(), u, func(p Progress) {
				mu.Lock()
				finals[p.Attempt] = p.Sent
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			stats := rb.Stats()
			if got := stats.Submissions.Load(); got != 3 {
				t.Fatalf("backend saw %d submissions, want 3", got)
			}
			if stats.Stored.Load() != 1 {
				t.Fatalf("stored %d", stats.Stored.Load())
			}
			// Every attempt carried the whole body, not an empty re-read.
			if len(finals) != 3 || finals[1] != finals[2] || finals[2] != finals[3] || finals[1] < u.Size() {
				t.Fatalf("bytes sent per attempt: %v (files %d)", finals, u.Size())
			}
			if got := stats.BodyBytes.Load(); got != 3*finals[1] {
				t.Fatalf("backend read %d body bytes, want 3 × %d", got, finals[1])
			}
			for sha, want := range files {
				if !bytes.Equal(rb.storedFile(t, f.ID, sha), want) {
					t.Fatalf("stored %s differs from the original", sha[:12])
				}
			}
			t.Logf("503 twice, then accepted: %d submissions, %d stored, %d bytes sent on each attempt",
				stats.Submissions.Load(), stats.Stored.Load(), finals[1])
		})
	}
}

func TestFaultLongRetryAfterEndsTheCallWithTheWait(t *testing.T) {
	st := openStore(t, "")
	app, _ := exampleApp(t, st, 1<<10, 9)
	rb := startBackend(t, nil)
	rb.Faults.FailNext(5, http.StatusServiceUnavailable, "600")
	c := newClient(t, fastConfig(rb.URL, testToken))
	snap, _ := Snapshot(app)
	u, _ := NewUpload(NewIdempotencyKey(), snap, app.FilingPassword, filing.Secret{}, st)
	_, err := c.Submit(context.Background(), u, nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.RetryAfter != 600*time.Second || !he.Transient() {
		t.Fatalf("err %v", err)
	}
	if n := rb.Stats().Submissions.Load(); n != 1 {
		t.Fatalf("%d requests; a wait over the cap must end the call", n)
	}
	t.Logf("503 with Retry-After 600: %d request, the call ends with the wait (%s)", rb.Stats().Submissions.Load(), he.RetryAfter)
}

func TestFaultConnectionDroppedAfterStoreYieldsOneFiling(t *testing.T) {
	st := openStore(t, "")
	app, files := exampleApp(t, st, 128<<10, 3)
	rb := startBackend(t, nil)
	rb.Faults.DropAfterStore(1)
	c := newClient(t, fastConfig(rb.URL, testToken))
	snap, _ := Snapshot(app)
	u, _ := NewUpload(NewIdempotencyKey(), snap, app.FilingPassword, filing.Secret{}, st)
	f, err := c.Submit(context.Background(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := rb.Stats()
	if s.Submissions.Load() != 2 || s.Stored.Load() != 1 || s.Replayed.Load() != 1 {
		t.Fatalf("submissions %d stored %d replayed %d", s.Submissions.Load(), s.Stored.Load(), s.Replayed.Load())
	}
	if f.IdempotencyKey != u.Key {
		t.Fatalf("receipt for key %q", f.IdempotencyKey)
	}
	for sha, want := range files {
		if !bytes.Equal(rb.storedFile(t, f.ID, sha), want) {
			t.Fatal("stored file differs")
		}
	}
	t.Logf("connection dropped after the backend stored: %d submissions, %d stored, %d replayed",
		s.Submissions.Load(), s.Stored.Load(), s.Replayed.Load())
}

func TestFaultBackendDownThenUpGoesThroughUnattended(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens: connection refused

	st := openStore(t, "")
	app, files := exampleApp(t, st, 64<<10, 4)
	o := NewOutbox(st, fastOptions(newClient(t, fastConfig("http://"+addr, testToken))))
	sub, err := o.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	runOutbox(t, o)
	waitFor(t, "two failed rounds", func() bool {
		s, _ := o.Get(sub.ID)
		return s.Attempts >= 2 && s.State == Queued && s.Error != nil && s.Error.Code == "unreachable"
	})

	dir := t.TempDir()
	srv := serveAt(t, addr, backend.Options{Dir: dir, Token: testToken})
	got := waitState(t, o, sub.ID, Accepted)
	if got.RemoteID == "" || srv.Stats().Stored.Load() != 1 || got.Error != nil {
		t.Fatalf("accepted %+v, stored %d", got, srv.Stats().Stored.Load())
	}
	t.Logf("backend down, then up: accepted after %d failed rounds, %d stored", got.Attempts-1, srv.Stats().Stored.Load())
	_ = files
}

func TestFaultWrongTokenOneMessageNoRetryStorm(t *testing.T) {
	st := openStore(t, "")
	rb := startBackend(t, nil)
	o := NewOutbox(st, fastOptions(newClient(t, fastConfig(rb.URL, "wrong-token"))))
	var ids []string
	for i := range 3 {
		app, _ := exampleApp(t, st, 8<<10, uint64(20+i))
		s, err := o.Submit(app)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	runOutbox(t, o)
	waitFor(t, "the hold", func() bool { return o.Hold() != nil })
	// Many backoff periods (10–50 ms) pass; nothing more may be sent.
	time.Sleep(300 * time.Millisecond)
	if n := rb.Stats().Requests.Load(); n != 1 {
		t.Fatalf("the backend saw %d requests; a refused token must stop at the first", n)
	}
	held := 0
	for _, id := range ids {
		s, _ := o.Get(id)
		switch s.State {
		case Held:
			held++
			if !strings.Contains(s.Error.ZH, "令牌") || !strings.Contains(s.Error.EN, "token") {
				t.Errorf("message %q / %q does not say what to fix", s.Error.ZH, s.Error.EN)
			}
		case Queued:
		default:
			t.Errorf("%s is %s", id, s.State)
		}
	}
	if held != 1 {
		t.Fatalf("%d submissions carry the message, want exactly one", held)
	}
	if h := o.Hold(); h.Code != "unauthorized" {
		t.Fatalf("hold %+v", h)
	}
	// Fixing the token releases the queue, the held one included after Retry.
	o.SetClient(newClient(t, fastConfig(rb.URL, testToken)))
	for _, id := range ids {
		if s, _ := o.Get(id); s.State == Held {
			if err := o.Retry(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, id := range ids {
		waitState(t, o, id, Accepted)
	}
	t.Logf("wrong token: 1 request refused, %d of %d held with the message, %d stored once the token was fixed",
		held, len(ids), rb.Stats().Stored.Load())
}

func TestFault422FieldErrorsBecomeFindings(t *testing.T) {
	st := openStore(t, "")
	// The backend's day is ten years on: the ID card and the domain that are
	// fine today have expired there, so it refuses what passed here.
	rb := startBackend(t, nil)
	rb.Clock.Advance(10 * 365 * 24 * time.Hour)
	app, _ := exampleApp(t, st, 4<<10, 30)
	o := NewOutbox(st, fastOptions(newClient(t, fastConfig(rb.URL, testToken))))
	sub, err := o.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	runOutbox(t, o)
	got := waitState(t, o, sub.ID, Refused)
	if got.Error == nil || got.Error.Code != "validation_failed" {
		t.Fatalf("error %+v", got.Error)
	}
	want := map[string]filing.Step{
		"websites[0].domain_expires":   filing.StepAccessInfo,
		"subject.owner.id_valid_until": filing.StepAccessInfo,
	}
	for field, step := range want {
		fs := filing.ForField(got.Findings, field)
		if len(fs) == 0 {
			t.Errorf("no finding on %s; findings: %+v", field, got.Findings)
			continue
		}
		if fs[0].Severity != filing.Block || fs[0].Step != step || fs[0].ZH == "" || fs[0].EN == "" || fs[0].Source != "backend" {
			t.Errorf("finding %+v", fs[0])
		}
	}
	if rb.Stats().Submissions.Load() != 1 || rb.Stats().Stored.Load() != 0 {
		t.Fatal("a 422 must be neither retried nor stored")
	}
	t.Logf("422: %d submission, %d stored, %d findings", rb.Stats().Submissions.Load(), rb.Stats().Stored.Load(), len(got.Findings))
	// A refused filing becomes an editable revision too.
	draft, err := o.NewRevision(sub.ID)
	if err != nil || draft == "" {
		t.Fatalf("revision %q, %v", draft, err)
	}
}

func TestFaultSlowBackendProgressMovesAndCancelWorks(t *testing.T) {
	st := openStore(t, "")
	app, _ := exampleApp(t, st, 2<<20, 40)
	rb := startBackend(t, nil)
	// ~1.6 MB/s: the 10 MB upload would take seconds; the test cancels early.
	rb.Faults.SlowReads(16<<10, 10*time.Millisecond)
	var mu sync.Mutex
	var seen []int64
	var o *Outbox
	opt := fastOptions(newClient(t, fastConfig(rb.URL, testToken)))
	var subID string
	opt.OnProgress = func(id string, p Progress) {
		mu.Lock()
		seen = append(seen, p.Sent)
		mu.Unlock()
	}
	o = NewOutbox(st, opt)
	sub, err := o.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	subID = sub.ID
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = o.Run(ctx); close(done) }()
	defer func() { stop(); <-done }()

	waitFor(t, "1 MiB of progress", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) > 2 && seen[len(seen)-1] >= 1<<20
	})
	if err := o.Cancel(subID); err != nil {
		t.Fatal(err)
	}
	got := waitState(t, o, subID, Cancelled)
	// The backend stops being slow, so it reads what the kernel buffered,
	// meets the cut and gives up on the filing.
	rb.Faults.SlowReads(0, 0)
	waitFor(t, "the backend to give up", func() bool { return rb.Stats().Active.Load() == 0 })
	// The upload goroutine has stopped: the worker's slot is free again.
	waitFor(t, "the upload to stop", func() bool {
		o.mu.Lock()
		defer o.mu.Unlock()
		return len(o.inflight) == 0
	})
	mu.Lock()
	last := seen[len(seen)-1]
	increasing := true
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			increasing = false
		}
	}
	mu.Unlock()
	if !increasing || last >= u64(app) {
		t.Fatalf("progress %d of %d, increasing %v", last, u64(app), increasing)
	}
	if rb.Stats().Stored.Load() != 0 || got.RemoteID != "" {
		t.Fatal("a cancelled upload was stored")
	}
	t.Logf("slow backend, cancelled: %d of %d bytes sent, %d stored", last, u64(app), rb.Stats().Stored.Load())
	if err := o.Cancel(subID); err == nil {
		t.Fatal("cancelling twice is not an error")
	}
}

// u64 is the size of app's files.
func u64(app *filing.Application) int64 {
	var n int64
	for _, d := range app.Documents {
		n += d.Attachment.Size
	}
	return n + app.Photo.Attachment.Size
}
