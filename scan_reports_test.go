package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/batch"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// A batch check keeps every scan's report in the store and reads it back
// the next time instead of decoding the scan again; only the same content,
// kind, options and build find it, and reports of files no longer in the
// store are pruned.
func TestBatchCheckKeepsScanReports(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pack := filing.DefaultPack()
	now := time.Now()
	day := filing.DateOf(now)

	var jpg bytes.Buffer
	card := testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 1600, H: 1200, Seed: 5})
	if err := jpeg.Encode(&jpg, card, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	att, err := st.PutAttachment(bytes.NewReader(jpg.Bytes()), "id.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	app := mustDecode(t, example)
	app.Documents = []filing.Document{{Slot: "website_owner_id", Attachment: &att}}
	app.Photo.Attachment = nil
	jobs := batchImageJobs(st, pack, day)(0, app)
	if len(jobs) != 1 {
		t.Fatalf("%d image jobs, want 1", len(jobs))
	}

	reports := &scanReports{st: st, build: "test-build"}
	check := func() []filing.Finding {
		t.Helper()
		res, err := batch.Check(context.Background(), []*filing.Application{app},
			batch.CheckOptions{Pack: pack, AsOf: now, Images: batchImageJobs(st, pack, day), Reports: reports})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Findings
	}
	first := check()
	kept := keptReports(t, st)
	if len(kept) != 1 {
		t.Fatalf("%d reports kept after the first check, want 1", len(kept))
	}
	fresh, err := imaging.CheckFile(jobs[0].Path, jobs[0].Kind, jobs[0].Options)
	if err != nil {
		t.Fatal(err)
	}
	back, ok := reports.Report(jobs[0])
	if !ok {
		t.Fatal("the kept report is not found for the same job")
	}
	for i := range fresh.Checks {
		fresh.Checks[i].Mask = nil // pixels are never kept
	}
	fresh.Preview = nil
	if !reflect.DeepEqual(back, fresh) {
		t.Errorf("the kept report differs from a fresh check:\nkept  %+v\nfresh %+v", back, fresh)
	}

	// The second check reads the kept report: mark it, and the mark shows.
	var k string
	var marked keptReport
	for k, marked = range kept {
	}
	marked.Report.Checks = append(marked.Report.Checks, imaging.Check{ID: "test.kept", Verdict: imaging.Fail, ZH: "标记", EN: "mark"})
	b, _ := json.Marshal(marked)
	if err := st.PutCached(scanReportsNS, k, b); err != nil {
		t.Fatal(err)
	}
	second := check()
	if hasRule(first, "test.kept") || !hasRule(second, "test.kept") {
		t.Error("the second check did not read the kept report back")
	}

	// Anything that changes the answer misses: the kind, the options, the
	// build; a program that cannot read itself keeps nothing.
	other := jobs[0]
	other.Kind = imaging.KindIDBack
	opts := jobs[0]
	opts.Options.Limits.MaxBytes = 1 << 20
	for name, miss := range map[string]struct {
		c   *scanReports
		job imaging.Job
	}{
		"another kind":  {reports, other},
		"other limits":  {reports, opts},
		"another build": {&scanReports{st: st, build: "other-build"}, jobs[0]},
		"no build":      {&scanReports{st: st}, jobs[0]},
	} {
		if _, ok := miss.c.Report(miss.job); ok {
			t.Errorf("%s: a kept report was found", name)
		}
	}
	(&scanReports{st: st}).Keep(jobs[0], fresh)
	if n, _ := st.CachedKeys(scanReportsNS); len(n) != 1 {
		t.Errorf("with no build, a report was kept: %d records", len(n))
	}

	// A file that could not be decoded is not kept: the cause may pass.
	broken := *fresh
	broken.Checks = append(append([]imaging.Check(nil), fresh.Checks...), imaging.Check{ID: "file.decode", Verdict: imaging.Fail})
	other2 := jobs[0]
	other2.Options.Limits.MaxBytes = 2 << 20
	reports.Keep(other2, &broken)
	if _, ok := reports.Report(other2); ok {
		t.Error("a report of a file that could not be decoded was kept")
	}

	// Another build's reports go at the next prune; with no build nothing
	// drops nothing; the file leaving the store takes its report along.
	(&scanReports{st: st, build: "older-build"}).Keep(jobs[0], fresh)
	(&scanReports{st: st}).prune()
	if n, _ := st.CachedKeys(scanReportsNS); len(n) != 2 {
		t.Fatalf("prune with no build: %d reports left, want 2", len(n))
	}
	reports.prune()
	if n, _ := st.CachedKeys(scanReportsNS); len(n) != 1 {
		t.Fatalf("prune: %d reports left, want only this build's", len(n))
	}
	if _, ok := reports.Report(jobs[0]); !ok {
		t.Fatal("prune dropped this build's report of a file still kept")
	}
	if err := os.Remove(st.AttachmentPath(att.SHA256)); err != nil {
		t.Fatal(err)
	}
	reports.prune()
	if n, _ := st.CachedKeys(scanReportsNS); len(n) != 0 {
		t.Errorf("%d reports left of a file no longer in the store", len(n))
	}
}

func hasRule(fs []filing.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// BenchmarkBatchRecheck re-checks the scans of 8 filings (one 12 MP ID
// card each) with and without their kept reports, in the same run: what an
// agency waits for when it checks a batch again after fixing a few rows.
func BenchmarkBatchRecheck(b *testing.B) {
	st, err := store.Open(store.Options{Dir: b.TempDir(), SnapshotInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	pack := filing.DefaultPack()
	now := time.Now()
	card := testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 4000, H: 3000, Angle: -4, Seed: 12})
	var apps []*filing.Application
	for i := range 8 {
		var jpg bytes.Buffer
		if err := jpeg.Encode(&jpg, card, &jpeg.Options{Quality: 84 + i}); err != nil {
			b.Fatal(err)
		}
		att, err := st.PutAttachment(&jpg, "id.jpg", "image/jpeg")
		if err != nil {
			b.Fatal(err)
		}
		app := &filing.Application{Documents: []filing.Document{{Slot: "website_owner_id", Attachment: &att}}}
		apps = append(apps, app)
	}
	run := func(b *testing.B, reports batch.ReportCache) {
		res, err := batch.Check(context.Background(), apps, batch.CheckOptions{Pack: pack, AsOf: now,
			Images: batchImageJobs(st, pack, filing.DateOf(now)), Reports: reports})
		if err != nil || len(res) != len(apps) {
			b.Fatal(err)
		}
	}
	// A fresh scanReports per check, as the batch commands make one: each
	// check hashes every file once.
	run(b, &scanReports{st: st, build: "bench"}) // every report kept once
	b.Run("decoded-again", func(b *testing.B) {
		for b.Loop() {
			run(b, nil)
		}
	})
	b.Run("kept-reports", func(b *testing.B) {
		for b.Loop() {
			run(b, &scanReports{st: st, build: "bench"})
		}
	})
}

// keptReports reads every kept report of st's cache, by key.
func keptReports(t testing.TB, st *store.Store) map[string]keptReport {
	t.Helper()
	keys, err := st.CachedKeys(scanReportsNS)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]keptReport{}
	for _, k := range keys {
		b, err := st.GetCached(scanReportsNS, k)
		if err != nil {
			t.Fatal(err)
		}
		var r keptReport
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		out[k] = r
	}
	return out
}
