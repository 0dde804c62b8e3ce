package bundle

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
)

// A stitched scan travels with the parts it was made from: the bundle
// carries them, an import restores them byte for byte, and a bundle that
// lacks one is refused.
func TestBundleCarriesTheParts(t *testing.T) {
	src := openStore(t, "")
	app := sampleApp(7)
	var parts []filing.Attachment
	for k := range 3 {
		a, err := src.PutAttachment(bytes.NewReader(scan(7, 20+k)), "part.jpg", "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, a)
	}
	composite, err := src.PutAttachment(bytes.NewReader(scan(7, 30)), "composite.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	composite.Parts = parts
	app.Documents = []filing.Document{{Slot: "website_owner_id", Attachment: &composite}}
	if _, err := src.NewDraft(app); err != nil {
		t.Fatal(err)
	}
	data := exportBytes(t, src, ExportOptions{AppVersion: "test"})

	dst := openStore(t, "")
	res, err := importBytes(dst, data, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scans != 4 {
		t.Errorf("%d scans imported, want the composite and its 3 parts", res.Scans)
	}
	got, _, err := dst.LoadDraft(app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Documents, app.Documents) {
		t.Errorf("documents after the round trip:\n got %+v\nwant %+v", got.Documents, app.Documents)
	}
	for _, p := range parts {
		if err := dst.VerifyAttachment(p); err != nil {
			t.Errorf("part %s: %v", p.SHA256[:8], err)
		}
	}

	// A bundle without one of the parts names what is missing.
	broken := rezip(t, without(unzip(t, data), scansDir+parts[1].SHA256))
	broken = rezip(t, withManifest(t, unzip(t, broken), func(m *Manifest) {
		for i, e := range m.Entries {
			if e.Name == scansDir+parts[1].SHA256 {
				m.Entries = append(m.Entries[:i], m.Entries[i+1:]...)
				break
			}
		}
	}))
	_, err = importBytes(openStore(t, ""), broken, ImportOptions{})
	var be *Error
	if !errors.As(err, &be) || be.Code != CodeMissingScan {
		t.Errorf("a bundle without a part: %v, want %s", err, CodeMissingScan)
	}
}
