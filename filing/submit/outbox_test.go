package submit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/backend/api"
	"github.com/icpfiling/icpfiling/filing/store"
)

func TestSubmitCommitsTheKeyBeforeAnythingIsSent(t *testing.T) {
	tests := []struct {
		name       string
		passphrase bool
		// wantAsked: after a restart the passwords must be typed again,
		// because a store without a passphrase cannot keep them.
		wantAsked bool
	}{
		{"store without passphrase", false, true},
		{"store with passphrase", true, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			pass := filing.NewSecret("correct horse battery")
			if tc.passphrase {
				if err := st.SetPassphrase(filing.Secret{}, pass); err != nil {
					t.Fatal(err)
				}
			}
			app, _ := exampleApp(t, st, 2<<10, uint64(50+i))
			// No backend configured: nothing can be sent, the record must exist anyway.
			o := NewOutbox(st, fastOptions(nil))
			sub, err := o.Submit(app)
			if err != nil {
				t.Fatal(err)
			}
			if !api.ValidKey(sub.ID) || sub.State != Queued {
				t.Fatalf("submission %+v", sub)
			}
			raw, err := st.GetRecord("outbox", sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !app.FilingPassword.IsSet() || bytes.Contains(raw, []byte(app.FilingPassword.Reveal())) {
				t.Fatal("the record holds the filing password in clear")
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}

			// A restart: a new process opens the store and runs the worker.
			opts := store.Options{Dir: dir, SnapshotInterval: -1}
			if tc.passphrase {
				opts.Passphrase = pass
			}
			st2, err := store.Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st2.Close() })
			rb := startBackend(t, nil)
			o2 := NewOutbox(st2, fastOptions(newClient(t, fastConfig(rb.URL, testToken))))
			runOutbox(t, o2)
			if tc.wantAsked {
				got := waitState(t, o2, sub.ID, Held)
				if got.Error.Code != "secrets_needed" || got.Error.Field != "filing_password" {
					t.Fatalf("held for %+v", got.Error)
				}
				if rb.Stats().Requests.Load() != 0 {
					t.Fatal("sent without the password")
				}
				if err := o2.ProvideSecrets(sub.ID, app.FilingPassword, filing.Secret{}); err != nil {
					t.Fatal(err)
				}
			}
			got := waitState(t, o2, sub.ID, Accepted)
			f, err := newClient(t, fastConfig(rb.URL, testToken)).Status(context.Background(), got.RemoteID)
			if err != nil || f.IdempotencyKey != sub.ID {
				t.Fatalf("backend has key %q (%v), the outbox made %q", f.IdempotencyKey, err, sub.ID)
			}
			// Accepted: the outbox keeps no password any more.
			if _, err := st2.GetSecret(secretName(sub.ID, "filing_password")); !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrLocked) {
				t.Fatalf("secret still stored: %v", err)
			}
		})
	}
}

func TestSubmitRefusesWhatCannotGo(t *testing.T) {
	st := openStore(t, "")
	o := NewOutbox(st, fastOptions(nil))

	blocked, _ := exampleApp(t, st, 1<<10, 60)
	blocked.Websites[0].Owner.Mobile = "123"
	var be *BlockedError
	if _, err := o.Submit(blocked); !errors.As(err, &be) || filing.Blocking(be.Findings) == 0 || be.Message("zh") == "" {
		t.Fatalf("blocked filing: %v", err)
	}

	changed, _ := exampleApp(t, st, 1<<10, 61)
	path := st.AttachmentPath(changed.Photo.Attachment.SHA256)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not the photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	var fe *FileError
	if _, err := o.Submit(changed); !errors.As(err, &fe) || fe.Field != "photo.attachment" {
		t.Fatalf("changed attachment: %v", err)
	}
	if all, _ := o.List(); len(all) != 0 {
		t.Fatalf("%d records left by refused submits", len(all))
	}
}

func TestReviewIsFollowedAndRejectionBecomesANewRevision(t *testing.T) {
	reasons := []string{"网站名称“示例科技官方网站”与主体名称关联性不足，请修改。", "核验单须由网站负责人本人签字（不能代签）。"}
	tests := []struct {
		name   string
		decide func(*filing.Application) backend.Decision
		want   State
		chain  []filing.Status
	}{
		{"approved", nil, Approved,
			[]filing.Status{filing.StatusSubmitted, filing.StatusInitialReview, filing.StatusBureauReview, filing.StatusApproved}},
		{"rejected by the bureau", backend.RejectAtBureau(reasons...), Rejected,
			[]filing.Status{filing.StatusSubmitted, filing.StatusInitialReview, filing.StatusBureauReview, filing.StatusBureauRejected}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, "")
			app, _ := exampleApp(t, st, 2<<10, uint64(70+i))
			app.ID = ""
			info, err := st.NewDraft(app)
			if err != nil {
				t.Fatal(err)
			}
			rb := startBackend(t, func(o *backend.Options) { o.Decide = tc.decide })
			o := NewOutbox(st, fastOptions(newClient(t, fastConfig(rb.URL, testToken))))
			sub, err := o.Submit(app)
			if err != nil {
				t.Fatal(err)
			}
			if sub.DraftID != info.ID {
				t.Fatalf("draft id %q", sub.DraftID)
			}
			runOutbox(t, o)
			got := waitState(t, o, sub.ID, Accepted)
			if got.Status != filing.StatusInitialReview {
				t.Fatalf("status %s", got.Status)
			}
			rb.Clock.Advance(5 * 24 * time.Hour) // past 初审 and 管局审核
			got = waitState(t, o, sub.ID, tc.want)
			var chain []filing.Status
			for _, e := range got.Timeline {
				chain = append(chain, e.Status)
			}
			if fmt.Sprint(chain) != fmt.Sprint(tc.chain) {
				t.Fatalf("timeline %v, want %v", chain, tc.chain)
			}
			if tc.want != Rejected {
				if got.Reasons() != nil {
					t.Fatal("reasons without a rejection")
				}
				return
			}
			if fmt.Sprint(got.Reasons()) != fmt.Sprint(reasons) {
				t.Fatalf("reasons %q, want verbatim %q", got.Reasons(), reasons)
			}
			// The worker made the editable revision by itself.
			waitFor(t, "the new revision", func() bool { s, _ := o.Get(sub.ID); return s.NewRevision != "" })
			s, _ := o.Get(sub.ID)
			rev, _, err := st.LoadDraft(s.NewRevision)
			if err != nil {
				t.Fatal(err)
			}
			if rev.ID == info.ID || rev.ID != s.NewRevision {
				t.Fatalf("revision id %q, original %q", rev.ID, info.ID)
			}
			last := rev.Timeline[len(rev.Timeline)-1]
			if last.Status != filing.StatusBureauRejected || fmt.Sprint(last.Reasons) != fmt.Sprint(reasons) {
				t.Fatalf("revision timeline ends with %+v", last)
			}
			if rev.Subject.Name != app.Subject.Name || len(rev.Documents) != len(app.Documents) {
				t.Fatal("the revision lost the filing's content")
			}
			if again, err := o.NewRevision(sub.ID); err != nil || again != s.NewRevision {
				t.Fatalf("second NewRevision %q, %v", again, err)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	st := openStore(t, "")
	o := NewOutbox(st, fastOptions(nil))
	app, _ := exampleApp(t, st, 1<<10, 80)
	sub, err := o.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Cancel(sub.ID); err != nil {
		t.Fatal(err)
	}
	if s, _ := o.Get(sub.ID); s.State != Cancelled {
		t.Fatalf("state %s", s.State)
	}
	// A cancelled submission is never sent, even once a backend appears.
	rb := startBackend(t, nil)
	o.SetClient(newClient(t, fastConfig(rb.URL, testToken)))
	app2, _ := exampleApp(t, st, 1<<10, 81)
	sub2, err := o.Submit(app2)
	if err != nil {
		t.Fatal(err)
	}
	runOutbox(t, o)
	waitState(t, o, sub2.ID, Accepted)
	if rb.Stats().Requests.Load() != 1 {
		t.Fatalf("%d requests; the cancelled one went out", rb.Stats().Requests.Load())
	}
	if err := o.Cancel(sub2.ID); !errors.Is(err, ErrNotPending) {
		t.Fatalf("cancelling an accepted submission: %v", err)
	}
}

// TestRestartMidSendResendsUnderTheSameKey: the process died after the
// backend stored the filing but before the receipt was saved.
func TestRestartMidSendResendsUnderTheSameKey(t *testing.T) {
	st := openStore(t, "")
	rb := startBackend(t, nil)
	c := newClient(t, fastConfig(rb.URL, testToken))
	o := NewOutbox(st, fastOptions(nil))
	app, _ := exampleApp(t, st, 8<<10, 90)
	sub, err := o.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	u, err := NewUpload(sub.ID, sub.Application, app.FilingPassword, filing.Secret{}, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(context.Background(), u, nil); err != nil {
		t.Fatal(err)
	}
	sub.State, sub.Attempts = Sending, 1
	b, _ := json.Marshal(sub)
	if err := st.PutRecord("outbox", sub.ID, b); err != nil {
		t.Fatal(err)
	}
	o2 := NewOutbox(st, fastOptions(c))
	o2.keepSecrets(sub.ID, app.FilingPassword, filing.Secret{})
	runOutbox(t, o2)
	waitState(t, o2, sub.ID, Accepted)
	if s := rb.Stats(); s.Stored.Load() != 1 || s.Replayed.Load() != 1 {
		t.Fatalf("stored %d, replayed %d", s.Stored.Load(), s.Replayed.Load())
	}
}

func TestBatchGoesThroughThePool(t *testing.T) {
	st := openStore(t, "")
	rb := startBackend(t, nil)
	opt := fastOptions(newClient(t, fastConfig(rb.URL, testToken)))
	opt.Concurrency = 3
	o := NewOutbox(st, opt)
	var ids []string
	for i := range 8 {
		app, _ := exampleApp(t, st, 16<<10, uint64(100+i))
		s, err := o.Submit(app)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	runOutbox(t, o)
	for _, id := range ids {
		waitState(t, o, id, Accepted)
	}
	if rb.Stats().Stored.Load() != 8 || rb.Stats().Submissions.Load() != 8 {
		t.Fatalf("stored %d of 8 in %d requests", rb.Stats().Stored.Load(), rb.Stats().Submissions.Load())
	}
}

func TestSubmitAndWait(t *testing.T) {
	st := openStore(t, "")
	rb := startBackend(t, nil)

	o := NewOutbox(st, fastOptions(nil))
	app, _ := exampleApp(t, st, 1<<10, 110)
	if _, err := o.SubmitAndWait(context.Background(), app, nil); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("unconfigured: %v", err)
	}

	o.SetClient(newClient(t, fastConfig(rb.URL, testToken)))
	runOutbox(t, o)
	var last Progress
	s, err := o.SubmitAndWait(context.Background(), app, func(p Progress) { last = p })
	if err != nil || s.State != Accepted || s.RemoteID == "" {
		t.Fatalf("%+v, %v", s, err)
	}
	if last.Total == 0 || last.Sent != last.Total {
		t.Fatalf("last progress %+v", last)
	}

	// A refused token: the first says so (held by its own 401, or queued
	// behind the 401 a status poll met first); the next does not wait forever.
	o.SetClient(newClient(t, fastConfig(rb.URL, "wrong")))
	app3, _ := exampleApp(t, st, 1<<10, 112)
	s, err = o.SubmitAndWait(context.Background(), app3, nil)
	if l, ok := err.(interface{ Message(string) string }); !ok || !strings.Contains(l.Message("zh"), "令牌") || (s.State != Held && s.State != Queued) {
		t.Fatalf("wrong token: %s, %v", s.State, err)
	}
	app4, _ := exampleApp(t, st, 1<<10, 113)
	s, err = o.SubmitAndWait(context.Background(), app4, nil)
	var held *QueuedError
	if !errors.As(err, &held) || !held.Held || s.State != Queued || !strings.Contains(held.Message("zh"), "令牌") {
		t.Fatalf("behind the hold: %+v, %v", s, err)
	}

	// Down: the first round fails, the filing stays queued.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	o.SetClient(newClient(t, fastConfig(dead, testToken)))
	app2, _ := exampleApp(t, st, 1<<10, 111)
	s, err = o.SubmitAndWait(context.Background(), app2, nil)
	var qe *QueuedError
	if !errors.As(err, &qe) || s.State != Queued || qe.Message("zh") == "" {
		t.Fatalf("down: %+v, %v", s, err)
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	st := openStore(t, "")
	if s, err := LoadSettings(st); err != nil || s.Configured() {
		t.Fatalf("fresh store: %+v %v", s, err)
	}
	in := Settings{URL: "https://filing.example.com", Token: filing.NewSecret("tok"), Proxy: "http://127.0.0.1:3128"}
	// No passphrase: everything but the token is kept.
	if err := SaveSettings(st, in); !errors.Is(err, ErrTokenNotKept) {
		t.Fatalf("save: %v", err)
	}
	got, err := LoadSettings(st)
	if err != nil || got.URL != in.URL || got.Proxy != in.Proxy || got.Token.IsSet() {
		t.Fatalf("load: %+v %v", got, err)
	}
	if err := st.SetPassphrase(filing.Secret{}, filing.NewSecret("pp-123456")); err != nil {
		t.Fatal(err)
	}
	if err := SaveSettings(st, in); err != nil {
		t.Fatal(err)
	}
	if got, _ := LoadSettings(st); got.Token.Reveal() != "tok" {
		t.Fatal("the token was not kept")
	}
	raw, _ := st.GetRecord("settings", "backend")
	if bytes.Contains(raw, []byte("tok")) {
		t.Fatal("the token is in the settings record")
	}
	for _, bad := range []Settings{{URL: "http://filing.example.com"}, {URL: "https://x.example", CAFile: "/nonexistent.pem"}, {URL: "https://x.example", Proxy: "::"}} {
		if err := SaveSettings(st, bad); err == nil {
			t.Errorf("%+v was saved", bad)
		}
	}
}

// TestAFailingFilingGoesToTheBack: the order the worker tries queued
// filings puts one that just failed behind those not tried yet, so one bad
// filing cannot hold up a batch.
func TestAFailingFilingGoesToTheBack(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	o := NewOutbox(openStore(t, ""), fastOptions(nil))
	o.index = map[string]entry{
		"old-failing": {ID: "old-failing", State: Queued, CreatedAt: t0, NextAttemptAt: t0.Add(time.Minute)},
		"new":         {ID: "new", State: Queued, CreatedAt: t0.Add(2 * time.Second)},
		"newer":       {ID: "newer", State: Queued, CreatedAt: t0.Add(3 * time.Second)},
		"done":        {ID: "done", State: Approved, CreatedAt: t0.Add(-time.Hour)},
		"polled":      {ID: "polled", State: Accepted, CreatedAt: t0.Add(time.Second)},
	}
	es, err := o.entries()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.ID)
	}
	if want := "[polled new newer old-failing]"; fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}

// Submit pressed again on a draft whose submission is still waiting makes
// no second filing: the same content reuses the record, changed content
// replaces it.
func TestSubmitTwiceKeepsOnePendingSubmission(t *testing.T) {
	st := openStore(t, "")
	o := NewOutbox(st, fastOptions(nil)) // no backend: everything waits
	app, _ := exampleApp(t, st, 1<<10, 7)
	first, err := o.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	again, err := o.Submit(app)
	if err != nil || again.ID != first.ID {
		t.Fatalf("same content: %v, ids %s / %s", err, first.ID, again.ID)
	}
	app.Websites[0].Remark = "changed after the first press"
	changed, err := o.Submit(app)
	if err != nil || changed.ID == first.ID {
		t.Fatalf("changed content: %v, ids %s / %s", err, first.ID, changed.ID)
	}
	if s, _ := o.Get(first.ID); s.State != Cancelled {
		t.Errorf("the replaced submission is %s, want cancelled", s.State)
	}
	subs, _ := o.List()
	pending := 0
	for _, s := range subs {
		if s.State.Pending() {
			pending++
		}
	}
	if pending != 1 {
		t.Errorf("%d pending submissions for one draft", pending)
	}
}
