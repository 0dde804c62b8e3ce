package main

import (
	"bytes"
	"errors"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// The window stitches a slot's parts through the adapter: the composite
// is kept in the store under the pack's limit for the slot, records its
// parts, and the same parts give the same file without stitching again.
func TestDocumentsAdapterComposes(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pack := filing.DefaultPack()
	d := newDocumentsAdapter(st, fixedPack(pack))
	dir := t.TempDir()
	keep := func(name string, spec testgen.DocSpec) filing.Attachment {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, testgen.Document(spec), &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := d.Keep(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	id := keep("身份证.jpg", testgen.DocSpec{Shape: testgen.IDCard, W: 2000, H: 1500, Seed: 3})
	letter := keep("授权书.jpg", testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 2480, H: 3508, Seed: 4})
	scan := gui.Scan{Slot: "website_owner_id", CertificateType: "business_licence", Province: "33"}

	att, comp, err := d.Compose([]filing.Attachment{id, letter}, scan)
	if err != nil {
		t.Fatal(err)
	}
	limit := pack.UploadFor("website_owner_id", filing.DateOf(time.Now())).MaxBytes
	if att.MediaType != "image/jpeg" || att.Size >= limit || len(att.Parts) != 2 || att.Parts[0].SHA256 != id.SHA256 || att.OriginalName != "身份证 + 授权书.jpg" {
		t.Errorf("composite %+v (limit %d)", att, limit)
	}
	if err := st.VerifyAttachment(att); err != nil {
		t.Error(err)
	}
	if len(comp.Parts) != 2 || comp.JPEG != nil || comp.Parts[1].Kind != imaging.KindAuthorisationLetter || comp.Parts[0].Kind != imaging.KindIDFront {
		t.Errorf("composition: %d parts, JPEG kept %v, kinds %v", len(comp.Parts), comp.JPEG != nil, []imaging.Kind{comp.Parts[0].Kind, comp.Parts[1].Kind})
	}
	rep, err := d.Check(att, scan)
	if err != nil || rep.Preview == nil {
		t.Fatalf("the composite cannot be checked as a scan: %v", err)
	}
	// Judged part by part: every content check names its part.
	for _, c := range rep.Checks {
		if strings.HasPrefix(c.ID, "document.") && !strings.HasPrefix(c.ZH, "第 ") {
			t.Errorf("the composite was judged as one document: %s %s", c.ID, c.ZH)
		}
	}

	again, comp2, err := d.Compose([]filing.Attachment{id, letter}, scan)
	if err != nil || again.SHA256 != att.SHA256 || comp2 != comp {
		t.Errorf("the same parts again: %+v, same layout %v, %v", again, comp2 == comp, err)
	}
	swapped, _, err := d.Compose([]filing.Attachment{letter, id}, scan)
	if err != nil || swapped.SHA256 == att.SHA256 || swapped.Parts[0].SHA256 != letter.SHA256 {
		t.Errorf("the parts swapped: %+v, %v", swapped, err)
	}

	// A part missing from the store is said, not stitched around.
	gone := letter
	gone.SHA256 = id.SHA256[:63] + "0"
	if _, _, err := d.Compose([]filing.Attachment{id, gone}, scan); err == nil {
		t.Error("a part missing from the store was stitched")
	}
	if _, _, err := d.Compose([]filing.Attachment{id}, scan); !errors.Is(err, imaging.ErrComposeParts) {
		t.Errorf("one part: %v", err)
	}
}
