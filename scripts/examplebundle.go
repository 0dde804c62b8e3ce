//go:build ignore

// examplebundle writes what scripts/wine-check.sh gives the Windows .exe:
// example.icpf, a drafts bundle holding the example filing
// (testdata/example-application.json) with a passing picture in every
// scan slot, a passing backdrop photo and its two passwords (sealed with
// the bundle passphrase in the file bundle-passphrase), ready to submit;
// and the photo twice as files for check-image: photo-ok.jpg passes,
// photo-red.jpg (a red top) fails. The store the bundle passes through is a temporary
// one, its data key in a temporary directory.
//
//	go run scripts/examplebundle.go DIR
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/bundle"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/examplebundle.go DIR")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "examplebundle:", err)
		os.Exit(1)
	}
}

// BundlePassphrase seals the passwords in example.icpf.
const BundlePassphrase = "wine-check bundle passphrase"

func jpegOf(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func write(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	red := testgen.StandardPhoto()
	red.Top = testgen.Top{Color: testgen.Red}
	photo := jpegOf(testgen.Photo(testgen.StandardPhoto()))
	if err := os.WriteFile(filepath.Join(out, "photo-ok.jpg"), photo, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "photo-red.jpg"), jpegOf(testgen.Photo(red)), 0o644); err != nil {
		return err
	}

	data, err := os.ReadFile("testdata/example-application.json")
	if err != nil {
		return err
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "icpfiling-examplebundle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	pass := filing.NewSecret("examplebundle store passphrase")
	st, err := store.Open(store.Options{Dir: filepath.Join(tmp, "data"), KeyDir: filepath.Join(tmp, "keys"),
		Passphrase: pass, SnapshotInterval: -1})
	if err != nil {
		return err
	}
	defer st.Close()
	app.FilingPassword = filing.NewSecret("example-filing-password")
	app.Product.ConsolePassword = filing.NewSecret("example-console-password")
	put := func(b []byte, name string) (*filing.Attachment, error) {
		a, err := st.PutAttachment(bytes.NewReader(b), name, "image/jpeg")
		a.MediaType = "image/jpeg"
		return &a, err
	}
	// The pictures cmd_submit_test.go gives each slot: they pass every check.
	id, licence := jpegOf(testgen.PassingScan("id_front", 5)), jpegOf(testgen.PassingScan("business_licence", 5))
	for i, d := range app.Documents {
		pic := licence
		if d.Slot == "subject_owner_id" || d.Slot == "website_owner_id" {
			pic = id
		}
		if app.Documents[i].Attachment, err = put(pic, d.Slot+" 扫描.jpg"); err != nil {
			return err
		}
	}
	if app.Photo.Attachment, err = put(photo, "幕布照片.jpg"); err != nil {
		return err
	}
	if _, err := st.SaveDraft(app); err != nil {
		return err
	}
	res, err := bundle.ExportFile(filepath.Join(out, "example.icpf"), st, bundle.ExportOptions{AppVersion: "examplebundle",
		SecretsPassphrase: filing.NewSecret(BundlePassphrase)})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "bundle-passphrase"), []byte(BundlePassphrase+"\n"), 0o600); err != nil {
		return err
	}
	fmt.Printf("examplebundle: %s: %d filing, %d scans, %d passwords; bundle-passphrase, photo-ok.jpg, photo-red.jpg\n",
		out, res.Filings, res.Scans, res.Secrets)
	return nil
}
