package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
)

// The window's Submit goes through the outbox to the reference backend over
// loopback: settings are kept, progress moves, the backend's timeline
// comes back, and a wrong token gives one clear message.
func TestSubmitAdapterAgainstReferenceBackend(t *testing.T) {
	_, hs, st, sub := startSubmitAdapter(t, backend.Options{Token: "right-token"})
	if err := st.SetPassphrase(filing.Secret{}, filing.NewSecret("a passphrase")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if sub.Configured() {
		t.Fatal("configured before any settings")
	}
	if err := sub.SetBackend(gui.BackendSettings{URL: hs.URL, Token: filing.NewSecret("wrong-token")}); err != nil {
		t.Fatal(err)
	}
	if got, err := sub.Backend(); err != nil || got.URL != hs.URL || got.Token.Reveal() != "wrong-token" {
		t.Fatalf("settings not kept: %+v %v", got, err)
	}

	app := mustDecode(t, example)
	fillPictures(t, st, app, nil)

	wait, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	first, err := sub.Submit(wait, app, func(int64, int64) {})
	if err == nil || !strings.Contains(message(err, "en"), "token") {
		t.Fatalf("wrong token: %v", err)
	}
	// Pressing Submit again while the first is held makes no second filing.
	again, _ := sub.Submit(wait, app, func(int64, int64) {})
	if first.ID == "" || again.ID != first.ID {
		t.Errorf("a second press made a second submission: %q then %q", first.ID, again.ID)
	}

	if err := sub.SetBackend(gui.BackendSettings{URL: hs.URL, Token: filing.NewSecret("right-token")}); err != nil {
		t.Fatal(err)
	}
	var lastDone, lastTotal int64
	res, err := sub.Submit(wait, app, func(done, total int64) { lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatalf("submit: %s", message(err, "en"))
	}
	if res.ID != first.ID {
		t.Errorf("after fixing the token the held submission %q should go out, got %q", first.ID, res.ID)
	}
	if res.ID == "" || len(res.Timeline) == 0 || res.Timeline[0].Status == "" {
		t.Errorf("no receipt or timeline: %+v", res)
	}
	if lastTotal == 0 || lastDone != lastTotal {
		t.Errorf("progress ended at %d of %d", lastDone, lastTotal)
	}
	latest, ok := sub.Latest(app.ID)
	if !ok || latest.Pending || len(latest.Timeline) == 0 || latest.State == "" {
		t.Errorf("the window's status of the draft: %+v %v", latest, ok)
	}
}

// The journey's gate and its second chance, through the window's adapter,
// the real store, the real checks and the reference backend: a red top is
// refused before anything is sent (the backend holds nothing); with the
// photo replaced the filing is accepted with a receipt; when the review
// rejects it, the same draft can be sent again, under a new idempotency
// key, and the first submission stays in the draft's history.
func TestJourneyGateThenResubmitSameDraft(t *testing.T) {
	srv, hs, st, sub := startSubmitAdapter(t, backend.Options{Token: "tok", Speed: 1e7,
		Decide: backend.RejectAtBureau("核验单未签字")})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sub.SetBackend(gui.BackendSettings{URL: hs.URL, Token: filing.NewSecret("tok")}); err != nil && !strings.Contains(err.Error(), "token") {
		t.Fatal(err)
	}
	app := mustDecode(t, example)
	fillPictures(t, st, app, map[string]string{"photo": "photo-red"})
	if _, err := st.SaveDraft(app); err != nil {
		t.Fatal(err)
	}

	_, err := sub.Submit(ctx, app, func(int64, int64) {})
	if err == nil || !strings.Contains(message(err, "zh"), "未提交") {
		t.Fatalf("a red top was not refused at the gate: %v", err)
	}
	if n := srv.Stats().Stored.Load(); n != 0 {
		t.Fatalf("the backend received %d filings refused at the gate", n)
	}

	fillPictures(t, st, app, nil)
	first, err := sub.Submit(ctx, app, func(int64, int64) {})
	if err != nil {
		t.Fatalf("a passing filing: %s", message(err, "en"))
	}
	latest, ok := sub.Latest(app.ID)
	if !ok || !latest.Received || latest.RemoteID == "" || latest.ReceivedAt.IsZero() || latest.Returned {
		t.Fatalf("no receipt after acceptance: %+v", latest)
	}

	// The review (a day and three, at x1e7) rejects it; Refresh asks now.
	deadline := time.Now().Add(20 * time.Second)
	for !latest.Returned {
		if time.Now().After(deadline) {
			t.Fatalf("the review never ended: %+v", latest)
		}
		time.Sleep(50 * time.Millisecond)
		if latest, err = sub.Refresh(ctx, app.ID); err != nil {
			t.Fatal(err)
		}
	}
	second, err := sub.Submit(ctx, app, func(int64, int64) {})
	if err != nil {
		t.Fatalf("sending the returned filing again: %s", message(err, "en"))
	}
	if second.ID == "" || second.ID == first.ID {
		t.Fatalf("the resubmission reused the first key: %q then %q", first.ID, second.ID)
	}
	hist := sub.History(app.ID)
	if len(hist) != 2 || !hist[1].Returned || hist[0].RemoteID == hist[1].RemoteID {
		t.Fatalf("the draft's history: %+v", hist)
	}
	if n := srv.Stats().Stored.Load(); n != 2 {
		t.Fatalf("the backend holds %d filings, want the first and the resubmission", n)
	}
}

// startSubmitAdapter is the reference backend (opt, with a data directory
// of its own) over loopback, and the window's submit adapter over a new
// store with its worker running until the test ends.
func startSubmitAdapter(t *testing.T, opt backend.Options) (*backend.Server, *httptest.Server, *store.Store, *submitAdapter) {
	t.Helper()
	opt.Dir = t.TempDir()
	srv, err := backend.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	sub := newSubmitAdapter(st, fixedPack(nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sub.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	return srv, hs, st, sub
}
