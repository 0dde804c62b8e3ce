package batch

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/submit"
)

// TestBulkSubmit sends an imported batch through the outbox to the
// reference backend over loopback: complete filings go, the one without
// scans is reported blocked; once fixed, "retry the failed ones" sends
// only it, and nothing is submitted twice.
func TestBulkSubmit(t *testing.T) {
	const token = "tok-batch-test"
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client, err := submit.NewClient(submit.Config{BaseURL: hs.URL, Token: filing.NewSecret(token), Timeout: 10 * time.Second,
		RetryWait: 10 * time.Millisecond, RetryMaxWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	// The passwords from the sheet are kept only under a store passphrase.
	if err := st.SetPassphrase(filing.Secret{}, filing.NewSecret("agency-passphrase")); err != nil {
		t.Fatal(err)
	}
	ob := submit.NewOutbox(st, submit.Options{Client: client, BackoffBase: 10 * time.Millisecond,
		BackoffMax: 50 * time.Millisecond, PollInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = ob.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	scans := t.TempDir()
	writeScans(t, scans, "A", 1)
	writeScans(t, scans, "B", 2)
	res, err := ImportRows(st, sheet(exampleRow("A"), otherSubject("B"), with(otherSubject("C"), "subject_name", "第三公司",
		"certificate_number", "91330100MA2B3C4D5N", "owner_mobile", "13300133000", "site_owner_mobile", "13200132000")),
		ImportOptions{ScanDir: scans})
	if err != nil || len(res.Errors) != 0 || res.SecretsNotKept != 0 {
		t.Fatalf("import: %+v %v", res, err)
	}
	b := res.Batch

	rows, err := SubmitAll(st, ob, b, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows[:2] {
		if r.SubmissionID == "" || r.Failed() {
			app, _, _ := st.LoadDraft(r.DraftID)
			t.Fatalf("row %d: %+v; findings %v", i, r, filing.Validate(app, filing.DefaultPack(), time.Now()))
		}
	}
	if rows[2].State != StateBlocked || rows[2].Blocking == 0 || rows[2].Message("en") == "" {
		t.Fatalf("row C: %+v", rows[2])
	}
	waitAccepted(t, st, ob, b, 2)
	first := map[string]string{}
	for _, r := range rows[:2] {
		first[r.DraftID] = r.SubmissionID
	}

	// Fix C: give it the scans of A (the same files, so the same hashes).
	a, _, _ := st.LoadDraft(b.Filings[0].DraftID)
	c, _, _ := st.LoadDraft(b.Filings[2].DraftID)
	c.Documents, c.Photo = a.Documents, a.Photo
	if _, err := st.SaveDraft(c); err != nil {
		t.Fatal(err)
	}
	rows, err = SubmitAll(st, ob, b, true)
	if err != nil {
		t.Fatal(err)
	}
	if rows[2].SubmissionID == "" || rows[2].Failed() {
		t.Fatalf("retried row C: %+v", rows[2])
	}
	waitAccepted(t, st, ob, b, 3)
	final, _ := Statuses(st, ob, b)
	for _, r := range final[:2] {
		if r.SubmissionID != first[r.DraftID] {
			t.Errorf("row %s was submitted again", r.Key)
		}
	}
	list, _ := ob.List()
	if len(list) != 3 {
		t.Errorf("%d submissions, want 3", len(list))
	}
	sum := Summarise(final)
	if sum.Total != 3 || sum.ByState[string(submit.Accepted)] != 3 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
	// Submitting again sends nothing.
	again, _ := SubmitAll(st, ob, b, false)
	if l, _ := ob.List(); len(l) != 3 || again[0].SubmissionID != first[again[0].DraftID] {
		t.Errorf("a second SubmitAll sent %d", len(l)-3)
	}
}

func waitAccepted(t *testing.T, st RecordStore, ob Outbox, b *Batch, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second) // a bound, not a timing claim
	for {
		rows, err := Statuses(st, ob, b)
		if err != nil {
			t.Fatal(err)
		}
		if Summarise(rows).ByState[string(submit.Accepted)] == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d accepted: %+v", n, rows)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
