package batch

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

// asOf is the day the tests check on; the example's dates are valid then.
var asOf = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// exampleRow is the repository's example filing as one sheet row, keyed
// by column code; tests change cells with with().
func exampleRow(key string) map[string]string {
	r := map[string]string{}
	for _, c := range Columns {
		r[c.Key] = c.Example
	}
	r[keyColumn] = key
	r["filing_password"] = "example-password"
	return r
}

func with(r map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range r {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// sheet is the template's two header rows followed by rows.
func sheet(rows ...map[string]string) [][]string {
	zh, en, _ := headerRows()
	out := [][]string{zh, en}
	for _, r := range rows {
		cells := make([]string, len(Columns))
		for i, c := range Columns {
			cells[i] = r[c.Key]
		}
		out = append(out, cells)
	}
	return out
}

// writeXLSX writes rows to the 备案 sheet of a real XLSX file.
func writeXLSX(t testing.TB, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(SheetName, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// smallJPEG is a real (tiny) JPEG, distinct per seed.
func smallJPEG(t testing.TB, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + seed)
	}
	img.Set(0, 0, color.RGBA{byte(seed), 0, 0, 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeScans puts every scan the example filing needs for key into dir.
func writeScans(t testing.TB, dir, key string, seed int) {
	t.Helper()
	for i, name := range []string{"subject_certificate", "subject_owner_id", "website_owner_id", "verification_form_1", "photo"} {
		if err := os.WriteFile(filepath.Join(dir, key+"_"+name+".jpg"), smallJPEG(t, seed*10+i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func findings(fs []filing.Finding, rule string) []filing.Finding {
	var out []filing.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
