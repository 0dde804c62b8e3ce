// Seeds a data directory with the example filing and generated scans (red or grey top), for looking at the window.
package main

import (
	"bytes"
	"fmt"
	"image/color"
	"image/jpeg"
	"os"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
	"github.com/icpfiling/icpfiling/imaging/testgen"
)

func main() {
	dir, top, backend := os.Args[1], os.Args[2], os.Args[3]
	st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	data, _ := os.ReadFile("testdata/example-application.json")
	app, err := filing.DecodeApplication(data)
	if err != nil {
		panic(err)
	}
	keep := func(name string, img interface{ Bounds() any }) {}
	_ = keep
	for i := range app.Documents {
		d := &app.Documents[i]
		var buf bytes.Buffer
		jpeg.Encode(&buf, testgen.PassingScan(string(scans.KindOf(d.Slot, app.Subject.CertificateType)), uint64(i)), &jpeg.Options{Quality: 90})
		att, err := st.PutAttachment(&buf, d.Slot+".jpg", "image/jpeg")
		if err != nil {
			panic(err)
		}
		d.Attachment = &att
	}
	spec := testgen.StandardPhoto()
	c := testgen.Grey
	if top == "red" {
		c = testgen.Red
	}
	spec.Top = testgen.Top{Color: color.NRGBA(c)}
	var buf bytes.Buffer
	jpeg.Encode(&buf, testgen.Photo(spec), &jpeg.Options{Quality: 90})
	att, _ := st.PutAttachment(&buf, "photo.jpg", "image/jpeg")
	app.Photo.Attachment = &att
	app.ID = ""
	info, err := st.SaveDraft(app)
	if err != nil {
		panic(err)
	}
	if backend != "" {
		if err := submit.SaveSettings(st, submit.Settings{URL: backend}); err != nil {
			fmt.Println("settings:", err)
		}
	}
	fmt.Println(info.ID)
}
