package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// keepJPEG encodes img and keeps it in st as name.
func keepJPEG(t testing.TB, st *store.Store, name string, img image.Image) filing.Attachment {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	att, err := st.PutAttachment(&buf, name, "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	return att
}

// checkedScans replaces every file of app with a generated scan kept in st
// that passes the checks of its slot, and the photo with the standard
// backdrop photo wearing top (testgen.Grey passes, testgen.Red fails on
// the clothing rule): a filing the readiness gate judges on real checks.
func checkedScans(t testing.TB, st *store.Store, app *filing.Application, top color.NRGBA) {
	t.Helper()
	for i := range app.Documents {
		d := &app.Documents[i]
		kind := scans.KindOf(d.Slot, app.Subject.CertificateType)
		att := keepJPEG(t, st, fmt.Sprintf("%s-%d.jpg", d.Slot, i), testgen.PassingScan(string(kind), uint64(20+i)))
		d.Attachment = &att
	}
	spec := testgen.StandardPhoto()
	spec.Top = testgen.Top{Color: top}
	att := keepJPEG(t, st, "photo.jpg", testgen.Photo(spec))
	app.Photo.Attachment = &att
}
