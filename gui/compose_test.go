package gui

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// storeDocuments keeps, checks and stitches files in a real attachment
// store with the real checks and the pack's limits: what main's adapter
// does, in this package's reach.
type storeDocuments struct {
	st   *store.Store
	pack *filing.Pack
}

func (d storeDocuments) Keep(path string) (filing.Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return filing.Attachment{}, err
	}
	defer f.Close()
	mt := "image/jpeg"
	if strings.HasSuffix(path, ".png") {
		mt = "image/png"
	}
	return d.st.PutAttachment(f, filepath.Base(path), mt)
}

func (d storeDocuments) options(s Scan) (imaging.Kind, imaging.Options, error) {
	kind := scans.KindOf(s.Slot, s.CertificateType)
	opts, err := scans.Options(d.pack, kind, "backdrop", filing.DateOf(testDay()))
	opts.Preview = true
	return kind, opts, err
}

func (d storeDocuments) Check(a filing.Attachment, s Scan) (*imaging.Report, error) {
	if err := d.st.VerifyAttachment(a); err != nil {
		return nil, err
	}
	kind, opts, err := d.options(s)
	if err != nil {
		return nil, err
	}
	return imaging.CheckFile(d.st.AttachmentPath(a.SHA256), kind, opts)
}

func (d storeDocuments) Fix(filing.Attachment, Scan) (filing.Attachment, *imaging.Report, error) {
	return filing.Attachment{}, nil, errors.New("not in this test")
}

func (d storeDocuments) Compose(parts []filing.Attachment, s Scan) (filing.Attachment, *imaging.Composition, error) {
	kind, opts, err := d.options(s)
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	cp := make([]imaging.ComposePart, len(parts))
	for i, p := range parts {
		if err := d.st.VerifyAttachment(p); err != nil {
			return filing.Attachment{}, nil, err
		}
		cp[i] = imaging.ComposePart{Name: p.OriginalName, Path: d.st.AttachmentPath(p.SHA256)}
	}
	c, err := imaging.Compose(cp, imaging.ComposeOptions{Kind: kind, Limits: opts.Limits})
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	att, err := d.st.PutAttachment(strings.NewReader(string(c.JPEG)), "composite.jpg", "image/jpeg")
	att.Parts = slices.Clone(parts)
	return att, c, err
}

func openTestStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// writeDoc writes a generated scan as PNG to dir/name.
func writeDoc(t *testing.T, dir, name string, spec testgen.DocSpec) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, testgen.Document(spec)); err != nil {
		t.Fatal(err)
	}
	return p
}

// slotNamed is the slot on screen for slot (the first website's).
func slotNamed(t *testing.T, wz *Wizard, slot string) *slotView {
	t.Helper()
	for _, sv := range wz.slots {
		if sv.slot == slot && sv.website <= 0 {
			return sv
		}
	}
	t.Fatalf("no slot %s on screen", slot)
	return nil
}

// stitchedShown: the slot shows its file stitched from n parts, checked,
// each part with its row and its outline on the preview.
func stitchedShown(wz *Wizard, slot string, n int) bool {
	for _, sv := range wz.slots {
		if sv.slot != slot || sv.website > 0 {
			continue
		}
		a := slotFile(wz, sv)
		return a != nil && len(a.Parts) == n && checked(sv, *a) &&
			sv.compose.compOf == a.SHA256 && len(sv.compose.rows) == n && len(sv.compose.outlines) == n
	}
	return false
}

// checked: the slot shows the report of a.
func checked(sv *slotView, a filing.Attachment) bool {
	return sv.report != nil && !sv.busy.Visible() && strings.HasSuffix(sv.report.Path, a.SHA256)
}

// aloneShown: the slot holds the file with hash sha alone, checked.
func aloneShown(wz *Wizard, slot, sha string) bool {
	for _, sv := range wz.slots {
		if sv.slot == slot && sv.website <= 0 {
			a := slotFile(wz, sv)
			return a != nil && a.SHA256 == sha && len(a.Parts) == 0 && checked(sv, *a) && len(sv.compose.rows) == 0
		}
	}
	return false
}

// The website owner's ID of a unit's filing takes the authorisation letter
// stitched in (the pack's stitch.authorisation-website-owner): adding it
// fills the slot with the composite under the limit, checked like any
// scan, with each part outlined and its own report; the draft keeps the
// parts through a save and a reload; the parts can be reordered, taken
// out, and the whole undone back to the parts.
func TestStitchedSlot(t *testing.T) {
	dir := t.TempDir()
	card := writeDoc(t, dir, "身份证.png", testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.PlainDark, W: 1600, H: 1200, Seed: 3})
	// A small letter: legible on its own, too small for the composite,
	// so its row must say so.
	letter := writeDoc(t, dir, "授权书.png", testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 620, H: 877, Seed: 4})

	st := openTestStore(t)
	docs := storeDocuments{st: st, pack: filing.DefaultPack()}
	app := completeTestApp()
	app.Documents = nil
	wz, _, _ := newTestWizard(t, app)
	wz.docs = docs
	wz.show(filing.StepUpload)

	sv := slotNamed(t, wz, "website_owner_id")
	if sv.compose == nil {
		t.Fatal("the website owner's ID of a unit takes no supporting document")
	}
	if !strings.Contains(sv.compose.rules.Text, pickLang(wz.lang, "授权书", "authorisation letter")) {
		t.Errorf("the slot does not say what may be added: %q", sv.compose.rules.Text)
	}
	if sv.compose.add.Disabled() == false {
		t.Error("a supporting document can be added to an empty slot")
	}
	if wz.stitchRules("domain_certificate") != nil {
		t.Fatal("the pack stitches into the domain certificate; pick another slot to test without")
	}

	wz.keepAndCheck(sv, card)
	waitUntil(t, func() bool { return sv.report != nil && !sv.busy.Visible() })
	main := *slotFile(wz, sv)
	if sv.compose.add.Disabled() {
		t.Fatal("no supporting document can be added to a filled slot")
	}

	wz.addPart(sv, letter)
	waitUntil(t, func() bool { return stitchedShown(wz, "website_owner_id", 2) })
	got := *slotFile(wz, sv)
	limit := filing.DefaultPack().UploadFor("website_owner_id", filing.DateOf(testDay())).MaxBytes
	if got.MediaType != "image/jpeg" || got.Size >= limit || got.Parts[0].SHA256 != main.SHA256 || got.Parts[1].OriginalName != "授权书.png" {
		t.Errorf("the slot holds %+v (limit %d)", got, limit)
	}
	if err := st.VerifyAttachment(got); err != nil {
		t.Errorf("the composite is not in the store: %v", err)
	}
	if sv.report.Kind != imaging.KindIDFront || sv.report.Size != got.Size {
		t.Errorf("the composite was not checked as the slot's scan: %+v", sv.report)
	}
	// Each part outlined in its colour on the preview.
	img := sv.preview.Image
	for i, r := range sv.compose.outlines {
		if r.Dx() < 10 || r.Dy() < 10 {
			t.Errorf("part %d outlined as %v", i+1, r)
			continue
		}
		mid := image.Pt((r.Min.X+r.Max.X)/2, r.Min.Y)
		if c := color.NRGBAModel.Convert(img.At(mid.X, mid.Y)).(color.NRGBA); c != partColours[i] {
			t.Errorf("part %d's outline at %v is %v, want %v", i+1, mid, c, partColours[i])
		}
	}
	if r0, r1 := sv.compose.outlines[0], sv.compose.outlines[1]; r0.Overlaps(r1) {
		t.Errorf("the parts' outlines overlap: %v %v", r0, r1)
	}
	if p := sv.compose.rows[1].problems.Text; !strings.Contains(p, "1000") {
		t.Errorf("the small letter's row does not say it may be illegible: %q", p)
	}
	if p := sv.compose.rows[0].problems.Text; p != "" {
		t.Errorf("the clear ID card's row has problems: %q", p)
	}

	// Saved and reloaded, the draft keeps the parts, and the slot shows
	// them again.
	saved := wz.ctl.App().Clone()
	if _, err := st.SaveDraft(saved); err != nil {
		t.Fatal(err)
	}
	loaded, _, err := st.LoadDraft(saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := attachmentOf(loaded, "website_owner_id", 0); a == nil || !slices.Equal(hashes(a.Parts), hashes(got.Parts)) || a.SHA256 != got.SHA256 {
		t.Fatalf("reloaded slot holds %+v", a)
	}
	wz2, _, _ := newTestWizard(t, loaded)
	wz2.docs = docs
	wz2.show(filing.StepUpload)
	waitUntil(t, func() bool { return stitchedShown(wz2, "website_owner_id", 2) })

	// Reordered: the letter first.
	test.Tap(sv.compose.rows[1].up)
	waitUntil(t, func() bool {
		a := slotFile(wz, sv)
		return stitchedShown(wz, "website_owner_id", 2) && a.Parts[0].OriginalName == "授权书.png"
	})
	if !sv.compose.rows[0].up.Disabled() || !sv.compose.rows[1].down.Disabled() {
		t.Error("the first part can go up or the last down")
	}
	reordered := *slotFile(wz, sv)
	if reordered.SHA256 == got.SHA256 {
		t.Error("reordering left the image as it was")
	}

	// The letter taken out: the ID card alone; Undo stitches it back.
	test.Tap(sv.compose.rows[0].drop)
	waitUntil(t, func() bool { return aloneShown(wz, "website_owner_id", main.SHA256) })
	wz.Undo()
	waitUntil(t, func() bool { return stitchedShown(wz, "website_owner_id", 2) })
	sv = slotNamed(t, wz, "website_owner_id")
	if a := slotFile(wz, sv); a.SHA256 != reordered.SHA256 {
		t.Errorf("undo brought back %+v, want the reordered image", a)
	}

	// Back to the parts: the first part alone, every part still kept;
	// Undo brings the stitched image back.
	test.Tap(sv.compose.back)
	first := reordered.Parts[0]
	waitUntil(t, func() bool { return aloneShown(wz, "website_owner_id", first.SHA256) })
	if sv := slotNamed(t, wz, "website_owner_id"); !sv.compose.back.Hidden {
		t.Error("“Back to the parts” is offered for a file that is not stitched")
	}
	for _, p := range reordered.Parts {
		if err := st.VerifyAttachment(p); err != nil {
			t.Errorf("part %s lost: %v", p.OriginalName, err)
		}
	}
	wz.Undo()
	waitUntil(t, func() bool { return stitchedShown(wz, "website_owner_id", 2) })
}

func hashes(as []filing.Attachment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.SHA256)
	}
	return out
}
