package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

// The drafts list and the wizard work on the real store through the
// adapter: create, edit (autosaved), list with the step reached, search,
// delete with undo, and a bundle round trip into a second store.
func TestDraftsAdapterOnRealStore(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pack := filing.DefaultPack()
	d := &draftsAdapter{st: st, saver: store.NewAutosaver(st, store.AutosaverOptions{}), pack: pack}
	defer d.saver.Close()

	app, err := d.Create()
	if err != nil {
		t.Fatal(err)
	}
	data := mustDecode(t, example)
	data.ID = app.ID
	// The example's scans become real files in the store.
	for i := range data.Documents {
		att, err := st.PutAttachment(strings.NewReader(strings.Repeat("scan ", 100+i)), data.Documents[i].Attachment.OriginalName, "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		data.Documents[i].Attachment = &att
	}
	photo, err := st.PutAttachment(strings.NewReader("photo bytes"), "photo.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	data.Photo.Attachment = &photo
	d.Save(data)
	rows, err := d.List("")
	if err != nil || len(rows) != 1 {
		t.Fatalf("list: %v %+v", err, rows)
	}
	r := rows[0]
	if r.Subject != "杭州示例科技有限公司" || r.Domain != "example.com" || r.Province != "33" || r.Step != filing.StepFilingPassword {
		// Step 3: with no store passphrase the MIIT password is not kept,
		// so a reloaded draft asks for it again.
		t.Errorf("row %+v", r)
	}
	if rows, _ := d.List("示例科技"); len(rows) != 1 {
		t.Error("search by subject name finds nothing")
	}
	if rows, _ := d.List("nothing-like-this"); len(rows) != 0 {
		t.Error("search finds what it should not")
	}
	loaded, err := d.Load(app.ID)
	if err != nil || loaded.Websites[0].Name != "示例科技官方网站" {
		t.Fatalf("load: %v", err)
	}

	bundlePath := filepath.Join(t.TempDir(), "one.icpf")
	if err := d.Export([]string{app.ID}, bundlePath); err != nil {
		t.Fatal(err)
	}
	undo, err := d.Delete(app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rows, _ := d.List(""); len(rows) != 0 {
		t.Error("deleted draft still listed")
	}
	if err := undo(); err != nil {
		t.Fatal(err)
	}
	if rows, _ := d.List(""); len(rows) != 1 {
		t.Error("undo did not bring the draft back")
	}

	other, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	d2 := &draftsAdapter{st: other, saver: store.NewAutosaver(other, store.AutosaverOptions{}), pack: pack}
	defer d2.saver.Close()
	if n, err := d2.Import(bundlePath); err != nil || n != 1 {
		t.Fatalf("import: %d %v", n, err)
	}
	if rows, _ := d2.List("example.com"); len(rows) != 1 {
		t.Error("imported draft not found by domain")
	}
}

func mustDecode(t *testing.T, path string) *filing.Application {
	t.Helper()
	app, err := filing.DecodeApplication(mustReadFile(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
