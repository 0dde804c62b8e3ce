package main

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// The upload step keeps, checks and fixes scans through this adapter, on
// a real store with the real rule pack.
func TestDocumentsAdapterKeepsChecksAndFixes(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := newDocumentsAdapter(st, fixedPack(nil))

	card := testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 2000, H: 1500, Seed: 3})
	dir := t.TempDir()
	var jpg, pngBytes bytes.Buffer
	if err := jpeg.Encode(&jpg, card, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pngBytes, card); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	att, err := d.Keep(write("身份证正面.jpg", jpg.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := d.Check(att, gui.Scan{Slot: "website_owner_id"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != imaging.Pass || rep.Preview == nil || rep.Kind != imaging.KindIDFront {
		t.Errorf("a clear ID card photo: verdict %v, preview %v, kind %v; checks %+v", rep.Verdict, rep.Preview != nil, rep.Kind, rep.Checks)
	}

	// A PNG where the pack wants JPEG: the fix is a new attachment, the
	// original stays as it was.
	orig, err := d.Keep(write("licence.png", pngBytes.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	fixed, frep, err := d.Fix(orig, gui.Scan{Slot: "website_owner_id"})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.SHA256 == orig.SHA256 || !strings.HasSuffix(fixed.OriginalName, "-fixed.jpg") || frep == nil || frep.MediaType != "image/jpeg" {
		t.Errorf("fix of a PNG: %+v, report %+v", fixed, frep)
	}
	if frep != nil && (frep.Path != st.AttachmentPath(fixed.SHA256) || frep.Preview == nil) {
		t.Errorf("the fixed file's report points at %s (preview %v), want the kept copy", frep.Path, frep.Preview != nil)
	}
	if err := st.VerifyAttachment(orig); err != nil {
		t.Errorf("the original changed: %v", err)
	}

	// A scan altered on disk is reported, never checked in its place.
	if err := os.WriteFile(st.AttachmentPath(att.SHA256), pngBytes.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Check(att, gui.Scan{Slot: "website_owner_id"}); err == nil {
		t.Error("an altered scan was checked")
	}
}

// Opening the upload step checks every scan at once; the adapter lets one
// check per core run and the rest wait, so memory stays bounded.
func TestDocumentsAdapterChecksOneFilePerCore(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := newDocumentsAdapter(st, fixedPack(nil))
	if cap(d.checking) != runtime.GOMAXPROCS(0) {
		t.Fatalf("%d checks at a time, want one per core (%d)", cap(d.checking), runtime.GOMAXPROCS(0))
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 1200, H: 900, Seed: 4}), nil); err != nil {
		t.Fatal(err)
	}
	att, err := st.PutAttachment(bytes.NewReader(jpg.Bytes()), "id.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	// Every place taken: a further check waits until one is given back.
	var give []func()
	for range cap(d.checking) {
		give = append(give, d.turn())
	}
	finished := make(chan error, 1)
	go func() {
		_, err := d.Check(att, gui.Scan{Slot: "website_owner_id"})
		finished <- err
	}()
	// An admitted check of this file takes tens of milliseconds; a second
	// is ample for one that was wrongly let through to finish.
	select {
	case err := <-finished:
		t.Fatalf("a check ran while every place was taken (err %v)", err)
	case <-time.After(time.Second):
	}
	give[0]()
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	for _, g := range give[1:] {
		g()
	}
	if len(d.checking) != 0 {
		t.Errorf("%d places still taken after every check ended", len(d.checking))
	}
}

// The wizard and a batch check a file as the same kind, against the same
// photo background: both come from here.
func TestScanKindAndPhotoBackground(t *testing.T) {
	for _, c := range []struct {
		slot, certificate string
		want              imaging.Kind
	}{
		{"subject_certificate", "business_licence", imaging.KindBusinessLicence},
		{"subject_certificate", "institution_legal_person", imaging.KindCertificate},
		{"subject_certificate", "", imaging.KindCertificate},
		{"subject_owner_id", "business_licence", imaging.KindIDFront},
		{"website_owner_id", "", imaging.KindIDFront},
		{"verification_form", "", imaging.KindVerificationForm},
		{"domain_certificate", "", imaging.KindDomainCertificate},
		{"authorisation_letter", "", imaging.KindAuthorisationLetter},
		{"photo", "", imaging.KindPhoto},
		{"residence_permit", "", imaging.KindCertificate},
	} {
		if got := scans.KindOf(c.slot, c.certificate); got != c.want {
			t.Errorf("KindOf(%q, %q) = %s, want %s", c.slot, c.certificate, got, c.want)
		}
	}
	pack := filing.DefaultPack()
	day := filing.DateOf(time.Now())
	for province, want := range map[string]string{"33": "backdrop", "44": "app_or_backdrop", "31": "backdrop", "": "backdrop"} {
		if got := scans.Background(pack, province, day); got != want {
			t.Errorf("photo background in %q: %s, want %s", province, got, want)
		}
		if _, err := scans.Options(pack, imaging.KindPhoto, scans.Background(pack, province, day), day); err != nil {
			t.Errorf("province %q: the pack has no background to check its photos against: %v", province, err)
		}
	}
}

// The upload step shows a scan checked before without checking it again:
// its report and annotated preview are kept in the store. A report kept by
// a batch check (no preview) does not do for the wizard.
func TestDocumentsAdapterKeepsReportsWithPreview(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := newDocumentsAdapter(st, fixedPack(nil))
	d.reports = &scanReports{st: st, build: "test-build"}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 1600, H: 1200, Seed: 6}), nil); err != nil {
		t.Fatal(err)
	}
	att, err := st.PutAttachment(bytes.NewReader(jpg.Bytes()), "id.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	scan := gui.Scan{Slot: "website_owner_id", Province: "33"}
	first, err := d.Check(att, scan)
	if err != nil || first.Preview == nil {
		t.Fatalf("first check: %v, preview %v", err, first != nil && first.Preview != nil)
	}
	kept := func() (string, keptReport) {
		t.Helper()
		recs := keptReports(t, st)
		if len(recs) != 1 {
			t.Fatalf("%d kept reports, want 1", len(recs))
		}
		for k, r := range recs {
			return k, r
		}
		panic("unreachable")
	}
	k, r := kept()
	if len(r.Preview) == 0 {
		t.Fatal("the wizard's report was kept without its preview")
	}
	mark := func(r keptReport) {
		r.Report.Checks = append(r.Report.Checks, imaging.Check{ID: "test.kept", Verdict: imaging.Warn, ZH: "标记", EN: "mark"})
		b, _ := json.Marshal(r)
		if err := st.PutCached(scanReportsNS, k, b); err != nil {
			t.Fatal(err)
		}
	}
	mark(r)
	again, err := d.Check(att, scan)
	if err != nil || !slices.ContainsFunc(again.Checks, func(c imaging.Check) bool { return c.ID == "test.kept" }) {
		t.Fatalf("the second check did not read the kept report (err %v)", err)
	}
	if again.Preview == nil || again.Preview.Bounds() != first.Preview.Bounds() {
		t.Errorf("kept preview %v, want one of %v", again.Preview, first.Preview.Bounds())
	}

	// Kept without a preview (as a batch keeps it): checked again, and
	// kept again with one.
	r.Preview = nil
	mark(r)
	fresh, err := d.Check(att, scan)
	if err != nil || fresh.Preview == nil || slices.ContainsFunc(fresh.Checks, func(c imaging.Check) bool { return c.ID == "test.kept" }) {
		t.Fatalf("a report without preview was used for the wizard (err %v)", err)
	}
	if _, r := kept(); len(r.Preview) == 0 {
		t.Error("the fresh report was not kept with its preview")
	}
}

// BenchmarkUploadStepScan is what showing one 12 MP scan on the upload
// step costs: checked afresh, or read back with its preview, in the same run.
func BenchmarkUploadStepScan(b *testing.B) {
	st, err := store.Open(store.Options{Dir: b.TempDir(), SnapshotInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 4000, H: 3000, Angle: -4, Seed: 12}), &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	att, err := st.PutAttachment(&jpg, "id.jpg", "image/jpeg")
	if err != nil {
		b.Fatal(err)
	}
	scan := gui.Scan{Slot: "website_owner_id", Province: "33"}
	for _, c := range []struct {
		name  string
		build string
	}{{"checked", ""}, {"kept", "bench"}} {
		d := newDocumentsAdapter(st, fixedPack(nil))
		d.reports = &scanReports{st: st, build: c.build}
		if _, err := d.Check(att, scan); err != nil { // keeps it, for "kept"
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if rep, err := d.Check(att, scan); err != nil || rep.Preview == nil {
					b.Fatal(err)
				}
			}
		})
	}
}
