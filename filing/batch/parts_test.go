package batch

import (
	"bytes"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

func TestParsePartName(t *testing.T) {
	for _, c := range []struct {
		name, base string
		n          int
		ok         bool
	}{
		{"C1_website_owner_id_part2.jpg", "C1_website_owner_id", 2, true},
		{"C1_verification_form_2_PART3.png", "C1_verification_form_2", 3, true},
		{"C1_website_owner_id_part1.jpg", "", 0, false}, // part 1 has no suffix
		{"C1_website_owner_id_part.jpg", "", 0, false},
		{"C1_website_owner_id_part-2.jpg", "", 0, false},
		{"C1_website_owner_id_2.jpg", "", 0, false},
		{"_part2.jpg", "", 0, false},
	} {
		base, n, ok := ParsePartName(c.name)
		if base != c.base || n != c.n || ok != c.ok {
			t.Errorf("%s: got %q %d %v", c.name, base, n, ok)
		}
	}
}

func docJPEG(t *testing.T, s testgen.DocSpec) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testgen.Document(s), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportComposesParts: a key's <key>_<slot>_part2.jpg … are stitched
// with <key>_<slot>.jpg into the slot's one image, under the pack's
// limit, and reported part by part; parts without a part 1 and parts
// that cannot be read are listed as unused, part 1 then attached alone.
func TestImportComposesParts(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	writeScans(t, dir, "C1", 1)
	card := docJPEG(t, testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.Scanner, W: 1100, Seed: 1})
	letter := docJPEG(t, testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 900, Seed: 2})
	for n, b := range map[string][]byte{
		"C1_website_owner_id.jpg":         card, // replaces writeScans' tiny one
		"C1_website_owner_id_part2.jpg":   letter,
		"C1_domain_certificate_part2.jpg": letter,                    // no part 1
		"C1_subject_owner_id_part2.jpg":   []byte("%PDF-1.4 letter"), // not an image
	} {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := ImportRows(st, sheet(exampleRow("C1")), ImportOptions{ScanDir: dir, Now: func() time.Time { return asOf }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scans != 5 {
		t.Errorf("scans %d, want the example's 5", res.Scans)
	}
	unused := map[string]string{}
	for _, u := range res.Unused {
		unused[u.File] = u.Message("en")
	}
	if len(unused) != 2 || !strings.Contains(unused["C1_domain_certificate_part2.jpg"], "part 1") ||
		!strings.Contains(unused["C1_subject_owner_id_part2.jpg"], "part 2 (C1_subject_owner_id_part2.jpg)") {
		t.Errorf("unused %v", unused)
	}
	if len(res.Composed) != 2 {
		t.Fatalf("composed %+v", res.Composed)
	}
	var ok, failed ComposedScan
	for _, c := range res.Composed {
		if c.EN == "" {
			ok = c
		} else {
			failed = c
		}
	}
	if ok.File != "C1_website_owner_id.jpg" || len(ok.Parts) != 2 || ok.Parts[1].File != "C1_website_owner_id_part2.jpg" || ok.Bytes == 0 {
		t.Errorf("composed %+v", ok)
	}
	if failed.Slot != "subject_owner_id" || !strings.Contains(failed.Message("zh"), "未拼接") {
		t.Errorf("not composed %+v", failed)
	}
	if m := ok.Message("en"); !strings.Contains(m, "part 2 C1_website_owner_id_part2.jpg") {
		t.Errorf("message %q", m)
	}

	app, _, err := st.LoadDraft(res.Batch.Filings[0].DraftID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range app.Documents {
		if d.Slot != "website_owner_id" {
			continue
		}
		if d.Attachment.MediaType != "image/jpeg" || d.Attachment.Size != int64(ok.Bytes) {
			t.Errorf("the slot holds %+v, not the %d-byte composite", d.Attachment, ok.Bytes)
		}
		// The originals are kept as its parts, in their order, so that the
		// checks judge it part by part, as the window's stitching does.
		if len(d.Attachment.Parts) != 2 || d.Attachment.Parts[0].OriginalName != "C1_website_owner_id.jpg" ||
			d.Attachment.Parts[1].OriginalName != "C1_website_owner_id_part2.jpg" {
			t.Errorf("the composite's parts: %+v", d.Attachment.Parts)
		}
		for _, p := range d.Attachment.Parts {
			if err := st.VerifyAttachment(p); err != nil {
				t.Errorf("part %s not kept: %v", p.OriginalName, err)
			}
		}
		f, err := os.Open(st.AttachmentPath(d.Attachment.SHA256))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(f)
		f.Close()
		// The card (1100 px wide) above the letter: taller than either.
		if err != nil || cfg.Height < 1100 || cfg.Width < 900 {
			t.Errorf("composite %dx%d, %v", cfg.Width, cfg.Height, err)
		}
	}
}
