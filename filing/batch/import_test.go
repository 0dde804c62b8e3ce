package batch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/icpfiling/icpfiling/filing"
)

// TestTemplateImportsNothing: the untouched template (XLSX and CSV) has
// the headers, the example row and the allowed values, and importing it
// imports nothing and reports nothing.
func TestTemplateImportsNothing(t *testing.T) {
	pack := filing.DefaultPack()
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"template.xlsx", func(b *bytes.Buffer) error { return WriteTemplateXLSX(b, pack) }},
		{"template.csv", func(b *bytes.Buffer) error { return WriteTemplateCSV(b, pack) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			rows, err := ReadRows(path)
			if err != nil {
				t.Fatal(err)
			}
			if rows[0][0] != "备案键" || rows[1][0] != "key" || !strings.HasPrefix(rows[2][0], "#") {
				t.Fatalf("header rows: %q / %q / %q", rows[0][0], rows[1][0], rows[2][0])
			}
			parsed, errs, err := Parse(rows, pack)
			if err != nil || len(parsed) != 0 || len(errs) != 0 {
				t.Fatalf("template imported %d filings, %v, %v", len(parsed), errs, err)
			}
		})
	}
	// The allowed values: on the notes sheet of the XLSX.
	var b bytes.Buffer
	if err := WriteTemplateXLSX(&b, pack); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("xl/worksheets/sheet2.xml")) {
		t.Fatal("no notes sheet")
	}
	var c bytes.Buffer
	_ = WriteTemplateCSV(&c, pack)
	for _, want := range []string{"浙江", "business_licence", "unit_portal", "continue_access"} {
		if !strings.Contains(c.String(), want) {
			t.Errorf("CSV template lacks allowed value %q", want)
		}
	}
}

// TestImportEncodings: the same sheet as XLSX, UTF-8 CSV, UTF-8 CSV with
// a BOM and GB18030 CSV (Excel on Chinese Windows) imports the same filing.
func TestImportEncodings(t *testing.T) {
	rows := sheet(exampleRow("C001"), with(exampleRow("C002"), "subject_name", "杭州第二科技有限公司", "domain", "example.org"))
	var csvBuf bytes.Buffer
	w := csv.NewWriter(&csvBuf)
	_ = w.WriteAll(rows)
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(csvBuf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(gb, csvBuf.Bytes()) {
		t.Fatal("the GB18030 file should differ from the UTF-8 one")
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"utf8.csv":    csvBuf.Bytes(),
		"bom.csv":     append(append([]byte{}, utf8BOM...), csvBuf.Bytes()...),
		"gb18030.csv": gb,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeXLSX(t, filepath.Join(dir, "sheet.xlsx"), rows)
	for _, name := range []string{"utf8.csv", "bom.csv", "gb18030.csv", "sheet.xlsx"} {
		t.Run(name, func(t *testing.T) {
			st := openStore(t)
			res, err := Import(st, filepath.Join(dir, name), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 0 || res.Batch == nil || len(res.Batch.Filings) != 2 {
				t.Fatalf("errors %v, batch %+v", res.Errors, res.Batch)
			}
			app, _, err := st.LoadDraft(res.Batch.Filings[1].DraftID)
			if err != nil {
				t.Fatal(err)
			}
			if app.Subject.Name != "杭州第二科技有限公司" || app.Websites[0].Domain != "example.org" ||
				app.Subject.Owner.IDNumber != "330106198503152417" || app.Province != "33" {
				t.Fatalf("imported %+v", app.Subject)
			}
			if app.Subject.MailingAddress.Detail != app.Subject.Domicile.Detail {
				t.Error("an empty mailing address should be the domicile")
			}
		})
	}
}

// TestImportBadRows: every bad row is reported with its row and column and
// no cell value; the good filings are imported anyway.
func TestImportBadRows(t *testing.T) {
	good := exampleRow("OK")
	cases := []struct {
		name     string
		row      map[string]string
		column   string
		reasonEN string
	}{
		{"unknown province", with(exampleRow("B1"), "province", "99"), "province", "not an allowed value"},
		{"missing subject name", with(exampleRow("B2"), "subject_name", ""), "subject_name", "required"},
		{"ID stored as a number by Excel", with(exampleRow("B3"), "owner_id_number", "3.30106198503152E+17"), "owner_id_number", "scientific notation"},
		{"bad yes/no", with(exampleRow("B4"), "public_bandwidth", "maybe"), "public_bandwidth", "是"},
		{"months not a number", with(exampleRow("B5"), "months", "twelve"), "months", "whole number"},
		{"no key", with(exampleRow(""), "domain", "x.com"), "key", "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			res, err := ImportRows(st, sheet(good, tc.row), ImportOptions{Pack: filing.DefaultPack()})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 1 {
				t.Fatalf("want one error, got %+v", res.Errors)
			}
			e := res.Errors[0]
			if e.Row != 4 || e.Column != tc.column || !strings.Contains(e.EN, tc.reasonEN) || e.ZH == "" {
				t.Fatalf("error %+v, want row 4 column %s (%s)", e, tc.column, tc.reasonEN)
			}
			for _, lang := range []string{"zh", "en"} {
				msg := e.Message(lang)
				if !strings.Contains(msg, "4") || strings.Contains(msg, "3301061985") || strings.Contains(msg, "99") {
					t.Errorf("%s message %q: want the row, never the value", lang, msg)
				}
			}
			if res.Batch == nil || len(res.Batch.Filings) != 1 || res.Batch.Filings[0].Key != "OK" {
				t.Fatalf("the good row should be imported: %+v", res.Batch)
			}
			drafts, _ := st.ListDrafts()
			if len(drafts) != 1 {
				t.Fatalf("%d drafts in the store, want 1", len(drafts))
			}
		})
	}
}

// TestImportGroupsWebsitesByKey: rows sharing a key are one order with one
// website each; a later row that contradicts the first leaves the whole
// filing out, and every one of its rows says why.
func TestImportGroupsWebsitesByKey(t *testing.T) {
	pack := filing.DefaultPack()
	second := map[string]string{keyColumn: "C1", "domain": "example.net", "site_name": "示例二站", "icp_number": "浙ICP备2021003158号-2",
		"service_content": "unit_portal", "site_owner_same": "是"}
	parsed, errs, err := Parse(sheet(exampleRow("C1"), second), pack)
	if err != nil || len(errs) != 0 || len(parsed) != 1 {
		t.Fatalf("%d filings, errors %v, %v", len(parsed), errs, err)
	}
	app := parsed[0].App
	if len(app.Websites) != 2 || app.Websites[1].Domain != "example.net" || app.Websites[1].Owner.Name != "张三" {
		t.Fatalf("websites %+v", app.Websites)
	}
	if got := parsed[0].Rows; len(got) != 2 || got[0] != 3 || got[1] != 4 {
		t.Fatalf("rows %v", got)
	}

	conflicting := with(second, "subject_name", "别的公司")
	third := with(second, "domain", "example.info")
	parsed, errs, _ = Parse(sheet(exampleRow("C1"), conflicting, third, exampleRow("C2")), pack)
	if len(parsed) != 1 || parsed[0].Key != "C2" {
		t.Fatalf("only C2 should be imported, got %d", len(parsed))
	}
	if len(errs) != 3 || errs[0].Row != 3 || errs[1].Row != 4 || errs[1].Column != "subject_name" || errs[2].Row != 5 {
		t.Fatalf("errors %+v", errs)
	}
}

// TestImportScans: scans named <key>_<slot>[_<n>].<ext> land in the
// attachment store and on the right filing and website; other files are
// listed as unused.
func TestImportScans(t *testing.T) {
	st := openStore(t)
	scans := t.TempDir()
	writeScans(t, scans, "C1", 1)
	extra := map[string][]byte{
		"C1_website_owner_id_2.jpg": smallJPEG(t, 99), // second website
		"C1_website_owner_id_3.jpg": smallJPEG(t, 98), // there is no third
		"C9_photo.jpg":              smallJPEG(t, 97), // no such key
		"readme.txt":                []byte("x"),
		"C1_selfie.jpg":             smallJPEG(t, 96), // no such slot
	}
	for n, b := range extra {
		if err := os.WriteFile(filepath.Join(scans, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second := map[string]string{keyColumn: "C1", "domain": "example.net", "site_name": "示例二站", "icp_number": "浙ICP备2021003158号-2",
		"service_content": "unit_portal", "site_owner_same": "是"}
	res, err := ImportRows(st, sheet(exampleRow("C1"), second), ImportOptions{ScanDir: scans})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scans != 6 || len(res.Unused) != 4 {
		t.Fatalf("scans %d, unused %+v", res.Scans, res.Unused)
	}
	app, _, err := st.LoadDraft(res.Batch.Filings[0].DraftID)
	if err != nil {
		t.Fatal(err)
	}
	var sites []int
	for _, d := range app.Documents {
		if err := st.VerifyAttachment(*d.Attachment); err != nil {
			t.Fatalf("%s: %v", d.Slot, err)
		}
		if d.Slot == "website_owner_id" {
			sites = append(sites, d.Website)
		}
	}
	if len(app.Documents) != 5 || len(sites) != 2 || app.Photo.Attachment == nil {
		t.Fatalf("documents %+v, photo %v", app.Documents, app.Photo.Attachment)
	}
	if sites[0]+sites[1] != 1 {
		t.Errorf("website_owner_id on websites %v, want 0 and 1", sites)
	}
}

func TestParseScanName(t *testing.T) {
	slots, _ := scanSlots(filing.DefaultPack())
	cases := []struct {
		name, key, slot string
		site            int
		ok              bool
	}{
		{"C001_subject_certificate.jpg", "C001", "subject_certificate", 0, true},
		{"A_B_website_owner_id_2.PNG", "A_B", "website_owner_id", 2, true},
		{"C001_photo.jpeg", "C001", "photo", 0, true},
		{"C001_verification_form_12.pdf", "C001", "verification_form", 12, true},
		{"_photo.jpg", "", "", 0, false},
		{"C001.jpg", "", "", 0, false},
		{"C001_photo_x.jpg", "", "", 0, false},
	}
	for _, tc := range cases {
		key, slot, site, ok := ParseScanName(tc.name, slots)
		if key != tc.key || slot != tc.slot || site != tc.site || ok != tc.ok {
			t.Errorf("%s: got %q %q %d %v", tc.name, key, slot, site, ok)
		}
	}
}

// TestIncompleteBatchIsSettled: a crash between the batch record and the
// drafts' transaction leaves an incomplete record; LoadBatch keeps it when
// every draft committed, drops it when none did, and when only some did
// (a chunked import cut short) removes those too.
func TestIncompleteBatchIsSettled(t *testing.T) {
	st := openStore(t)
	res, err := ImportRows(st, sheet(exampleRow("C1")), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	committed := *res.Batch
	committed.Complete = false
	lost := Batch{ID: "b-lost", Name: "lost", Filings: []Member{{Key: "X", DraftID: "b-never-written"}}}
	half, err := ImportRows(st, sheet(exampleRow("H1"), exampleRow("H2")), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cut := *half.Batch
	cut.Complete = false
	cut.Filings = append(cut.Filings[:1:1], Member{Key: "H3", DraftID: "b-chunk-never-written"})
	for _, b := range []*Batch{&committed, &lost, &cut} {
		data, _ := json.Marshal(b)
		if err := st.PutRecord(recordNS, b.ID, data); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := LoadBatch(st, committed.ID); err != nil || !b.Complete {
		t.Fatalf("committed batch: %+v, %v", b, err)
	}
	if _, err := LoadBatch(st, "b-lost"); err != ErrNoBatch {
		t.Fatalf("lost batch: %v", err)
	}
	if _, err := LoadBatch(st, cut.ID); err != ErrNoBatch {
		t.Fatalf("cut batch: %v", err)
	}
	if _, _, err := st.LoadDraft(cut.Filings[0].DraftID); err == nil {
		t.Fatal("the draft of a cut import should be gone")
	}
	all, err := ListBatches(st)
	if err != nil || len(all) != 1 {
		t.Fatalf("batches %d, %v", len(all), err)
	}
}

// TestBadInput: files that are no batch at all are an error, not rows.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"noheader.csv": []byte("a,b,c\n1,2,3\n"),
		"broken.xlsx":  []byte("not a zip"),
		"sheet.ods":    []byte("x"),
		"lacks.csv":    []byte("备案键,网站域名,省份\nC1,example.com,33\n"),
	}
	for name, data := range cases {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, data, 0o644)
		_, err := Import(openStore(t), path, ImportOptions{})
		var ie *InputError
		if !errorsAs(err, &ie) || ie.Message("zh") == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestXLSXNumericID: an ID number typed into a cell Excel treats as a
// number has lost its last digits; the import refuses that cell instead
// of storing a wrong number, while a mobile kept as a number is fine.
func TestXLSXNumericID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "numeric.xlsx")
	rows := sheet(exampleRow("N1"))
	writeXLSX(t, path, rows)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	idCol, _ := excelize.ColumnNumberToName(columnIndex("owner_id_number") + 1)
	mobCol, _ := excelize.ColumnNumberToName(columnIndex("owner_mobile") + 1)
	_ = f.SetCellValue(SheetName, idCol+"3", float64(330106198503152417))
	_ = f.SetCellValue(SheetName, mobCol+"3", 13800138000)
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := ReadRows(path)
	if err != nil {
		t.Fatal(err)
	}
	_, errs, err := Parse(got, filing.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0].Column != "owner_id_number" || errs[0].Row != 3 {
		t.Fatalf("errors %+v (cell read as %q)", errs, got[2][columnIndex("owner_id_number")])
	}
}
