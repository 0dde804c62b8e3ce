package batch

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/submit"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// pictures are generated scans and photos that pass their checks ("id",
// "licence", "photo"), and "photo-red", the photo in a red top, which
// fails photo.clothing; made once per test binary.
var pictures = sync.OnceValue(func() map[string][]byte {
	red := testgen.StandardPhoto()
	red.Top = testgen.Top{Color: testgen.Red}
	out := map[string][]byte{}
	for k, img := range map[string]image.Image{
		"id":        testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 1600, H: 1200, Seed: 5}),
		"licence":   testgen.Document(testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 1240, Seed: 5}),
		"photo":     testgen.Photo(testgen.StandardPhoto()),
		"photo-red": testgen.Photo(red),
	} {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
			panic(err)
		}
		out[k] = b.Bytes()
	}
	return out
})

// writePictures writes filing key's scans and photo into dir as import
// finds them, each a picture that passes, the photo the one named.
func writePictures(t *testing.T, dir, key, photo string) {
	t.Helper()
	for name, pic := range map[string]string{"subject_certificate": "licence", "subject_owner_id": "id",
		"website_owner_id": "id", "verification_form_1": "licence", "photo": photo} {
		if err := os.WriteFile(filepath.Join(dir, key+"_"+name+".jpg"), pictures()[pic], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBulkSubmit sends an imported batch through the outbox, gated by the
// checks of its scans, to the reference backend over loopback: complete
// filings go, the one without scans and the one whose photo fails are
// reported blocked with their reasons; once fixed, "retry the failed ones"
// sends only them, and nothing is submitted twice.
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
		BackoffMax: 50 * time.Millisecond, PollInterval: time.Hour, Scans: &scans.Checker{Files: st, Pack: filing.DefaultPack()}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = ob.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	dir := t.TempDir()
	writePictures(t, dir, "A", "photo")
	writePictures(t, dir, "B", "photo")
	writePictures(t, dir, "D", "photo-red")
	res, err := ImportRows(st, sheet(exampleRow("A"), otherSubject("B"), with(otherSubject("C"), "subject_name", "第三公司",
		"certificate_number", "91330100MA2B3C4D5N", "owner_mobile", "13300133000", "site_owner_mobile", "13200132000"),
		with(otherSubject("D"), "subject_name", "第四公司", "certificate_number", "91330108MA28A8U77P",
			"owner_mobile", "13100131000", "site_owner_mobile", "13000130000", "domain", "d.example.net")),
		ImportOptions{ScanDir: dir})
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
	if d := rows[3]; d.State != StateBlocked || d.Blocking != 1 || d.SubmissionID != "" || len(d.Findings) != 1 || d.Findings[0].Rule != "photo.clothing" {
		t.Fatalf("row D (red top): %+v", d)
	}
	waitAccepted(t, st, ob, b, 2)
	if n := srv.Stats().Stored.Load(); n != 2 {
		t.Fatalf("the backend stored %d filings, want only A's and B's", n)
	}
	first := map[string]string{}
	for _, r := range rows[:2] {
		first[r.DraftID] = r.SubmissionID
	}

	// Saved, the blocked rows keep their reasons.
	if saved, _ := Statuses(st, ob, b); len(saved[3].Findings) != 1 || saved[3].Findings[0].Rule != "photo.clothing" {
		t.Fatalf("row D as kept: %+v", saved[3])
	}
	// Fix C and D: give them the scans and photo of A (the same files, so
	// the same hashes).
	a, _, _ := st.LoadDraft(b.Filings[0].DraftID)
	for _, i := range []int{2, 3} {
		c, _, _ := st.LoadDraft(b.Filings[i].DraftID)
		c.Documents, c.Photo = a.Documents, a.Photo
		if _, err := st.SaveDraft(c); err != nil {
			t.Fatal(err)
		}
	}
	rows, err = SubmitAll(st, ob, b, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[2:] {
		if r.SubmissionID == "" || r.Failed() {
			t.Fatalf("retried row %s: %+v", r.Key, r)
		}
	}
	waitAccepted(t, st, ob, b, 4)
	final, _ := Statuses(st, ob, b)
	for _, r := range final[:2] {
		if r.SubmissionID != first[r.DraftID] {
			t.Errorf("row %s was submitted again", r.Key)
		}
	}
	list, _ := ob.List()
	if len(list) != 4 {
		t.Errorf("%d submissions, want 4", len(list))
	}
	sum := Summarise(final)
	if sum.Total != 4 || sum.ByState[string(submit.Accepted)] != 4 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
	if n := srv.Stats().Stored.Load(); n != 4 {
		t.Errorf("the backend stored %d filings, want 4", n)
	}
	// Submitting again sends nothing.
	again, _ := SubmitAll(st, ob, b, false)
	if l, _ := ob.List(); len(l) != 4 || again[0].SubmissionID != first[again[0].DraftID] {
		t.Errorf("a second SubmitAll sent %d", len(l)-4)
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
