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
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), Token: "right-token"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetPassphrase(filing.Secret{}, filing.NewSecret("a passphrase")); err != nil {
		t.Fatal(err)
	}
	sub := newSubmitAdapter(st, filing.DefaultPack())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sub.Run(ctx)
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
	for i := range app.Documents {
		att, err := st.PutAttachment(strings.NewReader(strings.Repeat("scan", 1000+i)), app.Documents[i].Attachment.OriginalName, "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		app.Documents[i].Attachment = &att
	}
	photo, err := st.PutAttachment(strings.NewReader(strings.Repeat("photo", 500)), "photo.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	app.Photo.Attachment = &photo

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
