package submit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/store"
)

// copyOf is app as another copy of the same filing: imported again from
// a bundle as a new draft, or given as a file that is no draft.
func copyOf(app *filing.Application, draftID string) *filing.Application {
	cp := *app
	cp.ID = draftID
	return &cp
}

// TestSubmitOncePerFiling: once the backend accepted a filing, Submit of
// the same draft, of a copy under another draft id or of a file without
// one is refused with the receipt, and the backend still holds one;
// Resend is a new submission by intent.
func TestSubmitOncePerFiling(t *testing.T) {
	st := openStore(t, "")
	rb := startBackend(t, nil)
	o := NewOutbox(st, fastOptions(newClient(t, fastConfig(rb.URL, testToken))))
	runOutbox(t, o)
	app, _ := exampleApp(t, st, 2<<10, 301)
	first, err := o.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	accepted := waitState(t, o, first.ID, Accepted)

	for _, tc := range []struct {
		name string
		app  *filing.Application
	}{
		{"the same draft", app},
		{"a copy under another draft id (a bundle imported again)", copyOf(app, "draft-reimported")},
		{"a file that is no draft", copyOf(app, "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := o.Submit(tc.app)
			var as *AlreadySubmittedError
			if !errors.As(err, &as) || as.Submission.ID != first.ID || got.ID != first.ID {
				t.Fatalf("Submit again: %+v, %v; want AlreadySubmittedError for %s", got, err, first.ID)
			}
			if as.Submission.RemoteID != accepted.RemoteID || as.Submission.ReceivedAt.IsZero() {
				t.Fatalf("no receipt: %+v", as.Submission)
			}
			for _, lang := range []string{"zh", "en"} {
				if m := as.Message(lang); !strings.Contains(m, accepted.RemoteID) {
					t.Errorf("%s message %q does not show the backend id", lang, m)
				}
			}
			if d, ok := o.Delivered(tc.app); !ok || d.ID != first.ID {
				t.Fatalf("Delivered: %+v %v", d, ok)
			}
		})
	}
	if all, _ := o.List(); len(all) != 1 || rb.Stats().Stored.Load() != 1 {
		t.Fatalf("%d records, %d stored; want 1 and 1", len(all), rb.Stats().Stored.Load())
	}

	again, err := o.Resend(app)
	if err != nil || again.ID == first.ID {
		t.Fatalf("Resend: %+v, %v", again, err)
	}
	waitState(t, o, again.ID, Accepted)
	if n := rb.Stats().Stored.Load(); n != 2 {
		t.Fatalf("stored %d after a deliberate resend, want 2", n)
	}
	t.Logf("submitted again after acceptance: 1 stored; after a deliberate resend: %d stored", rb.Stats().Stored.Load())
}

// TestRerunAfterInterruptionReusesTheKey: the backend stored the filing
// but the app was killed before it recorded the answer (the record is left
// Sending; the answer never arrived). Re-running, for the same draft or for
// the same content under a new draft id, makes no new key: the record is
// reused, the backend replays, and it holds exactly one filing.
func TestRerunAfterInterruptionReusesTheKey(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rerun func(app *filing.Application) *filing.Application
	}{
		{"the same draft", func(app *filing.Application) *filing.Application { return app }},
		{"the bundle imported again as a new draft", func(app *filing.Application) *filing.Application { return copyOf(app, "draft-again") }},
		{"the same file", func(app *filing.Application) *filing.Application { return copyOf(app, "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			rb := startBackend(t, nil)
			rb.Faults.DropAfterStore(1)
			cfg := fastConfig(rb.URL, testToken)
			cfg.Retries = -1 // the answer is lost once, and not retried in this run
			o := NewOutbox(st, fastOptions(newClient(t, cfg)))
			app, _ := exampleApp(t, st, 2<<10, 401)
			if tc.name == "the same file" {
				app.ID = ""
			}
			sub, err := o.Submit(app)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { _ = o.Run(ctx); close(done) }()
			waitFor(t, "the first round", func() bool { s, _ := o.Get(sub.ID); return s.Attempts >= 1 && s.State == Queued })
			cancel()
			<-done
			if rb.Stats().Stored.Load() != 1 {
				t.Fatalf("stored %d in the first round", rb.Stats().Stored.Load())
			}
			// The kill: the record is left as it was while on the wire.
			if err := o.update(sub.ID, func(s *Submission) { s.State = Sending }); err != nil {
				t.Fatal(err)
			}
			_ = st.Close()

			st, err = store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			o = NewOutbox(st, fastOptions(newClient(t, fastConfig(rb.URL, testToken))))
			again, err := o.Submit(tc.rerun(app))
			if err != nil || again.ID != sub.ID {
				t.Fatalf("re-run: %+v, %v; want the record %s reused", again, err, sub.ID)
			}
			runOutbox(t, o)
			got := waitState(t, o, sub.ID, Accepted)
			if all, _ := o.List(); len(all) != 1 {
				t.Fatalf("%d records after the re-run, want 1", len(all))
			}
			if rb.Stats().Stored.Load() != 1 || rb.Stats().Replayed.Load() != 1 || got.RemoteID == "" {
				t.Fatalf("stored %d, replayed %d; want 1 and 1", rb.Stats().Stored.Load(), rb.Stats().Replayed.Load())
			}
			// And once more after the acceptance: refused with the receipt.
			var as *AlreadySubmittedError
			if _, err := o.Submit(tc.rerun(app)); !errors.As(err, &as) || as.Submission.RemoteID != got.RemoteID {
				t.Fatalf("after acceptance: %v", err)
			}
			t.Logf("killed before the answer was recorded, re-run: %d stored, %d replayed", rb.Stats().Stored.Load(), rb.Stats().Replayed.Load())
		})
	}
}

// TestHangingFilingDoesNotHoldOthers: the backend never answers the first
// filing it gets; the others are attempted beside it (the lone probe gives
// way after ProbeWait, and the hanging upload holds one slot of two) and
// all of them are stored while it still hangs.
func TestHangingFilingDoesNotHoldOthers(t *testing.T) {
	st := openStore(t, "")
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var posts atomic.Int64
	var hungKey atomic.Value
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 1 {
			hungKey.Store(r.Header.Get("Idempotency-Key"))
			<-release // no answer until the test ends
			return
		}
		srv.ServeHTTP(w, r)
	}))
	var once sync.Once
	stop := func() { once.Do(func() { close(release) }) }
	t.Cleanup(hs.Close)
	t.Cleanup(stop)

	opt := fastOptions(newClient(t, fastConfig(hs.URL, testToken)))
	opt.ProbeWait = 20 * time.Millisecond
	o := NewOutbox(st, opt)
	var ids []string
	for i := range 5 {
		app, _ := exampleApp(t, st, 2<<10, uint64(500+i))
		s, err := o.Submit(app)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	runOutbox(t, o)
	waitFor(t, "four filings stored beside the hanging one", func() bool { return srv.Stats().Stored.Load() == 4 })
	hung, _ := hungKey.Load().(string)
	for _, id := range ids {
		s, _ := o.Get(id)
		switch {
		case id == hung && s.State != Sending:
			t.Errorf("the hanging filing is %s, want sending", s.State)
		case id != hung:
			waitState(t, o, id, Accepted)
		}
	}
	t.Logf("one filing hanging: %d of the other %d stored meanwhile", srv.Stats().Stored.Load(), len(ids)-1)
	stop()
}
