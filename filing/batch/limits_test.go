package batch

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"github.com/icpfiling/icpfiling/internal/testconfig"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
)

// Issue 15 point 3: every input path is bounded. The hostile inputs are
// made here: an XLSX whose sheet unpacks to millions of rows, a CSV far
// over the byte cap, thousands of rows sharing one certificate number.

// writeBombXLSX writes a real XLSX whose one sheet holds rows identical
// rows of two inline-string cells and no header: 3 million rows take
// about 0.9 MB zipped and 261 MB unpacked.
func writeBombXLSX(t testing.TB, path string, rows int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	put := func(name, body string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for range rows {
		bw.WriteString(`<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>`)
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// sharedRows is n rows of the example filing under one certificate number
// (distinct keys and domains), as cells with the template's header.
func sharedRows(n int) [][]string {
	rows := make([]map[string]string, n)
	for i := range rows {
		rows[i] = with(exampleRow(fmt.Sprintf("K%06d", i)), "domain", fmt.Sprintf("site%d.example.com", i))
	}
	return sheet(rows...)
}

func writeCSV(t testing.TB, path string, rows [][]string) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// heapDelta runs f and returns how many bytes it allocated (all of them,
// garbage included): a bound on what it can have held at once.
func heapDelta(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestHostileSheetsRefused: each hostile file is refused with the message
// that names its limit, having allocated a bounded amount, however large
// it unpacks to.
func TestHostileSheetsRefused(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.xlsx")
	writeBombXLSX(t, bomb, 3_000_000)
	// A bomb that stays under the unpacked cap: the rows are streamed
	// and the missing header stops the reading after HeaderRows rows.
	small := filepath.Join(dir, "small-bomb.xlsx")
	writeBombXLSX(t, small, 1_000_000)
	// A real header and more data rows than the cap.
	over := filepath.Join(dir, "over.xlsx")
	writeXLSX(t, over, sharedRows(60))
	overCSV := filepath.Join(dir, "over.csv")
	writeCSV(t, overCSV, sharedRows(60))
	// A CSV over the byte cap.
	big := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a,b,c\n"), 64<<20/6), 0o600); err != nil {
		t.Fatal(err)
	}
	// One cell longer than the cap.
	longCell := filepath.Join(dir, "long.csv")
	rows := sharedRows(2)
	rows[2][columnIndex("subject_name")] = strings.Repeat("长", 5000)
	writeCSV(t, longCell, rows)
	cases := []struct {
		name, path string
		lim        Limits
		zh, en     string
		maxAlloc   uint64
	}{
		{"XLSX unpacking to 261 MB", bomb, DefaultLimits, "解压后超过 128 MB", "unpacks to more than 128 MB", 1 << 20},
		{"XLSX of a million headerless rows", small, DefaultLimits, "找不到表头", "no header row", 8 << 20},
		{"XLSX over the row cap", over, Limits{MaxRows: 50}, "数据超过 50 行", "more than 50 data rows", 16 << 20},
		{"CSV over the row cap", overCSV, Limits{MaxRows: 50}, "数据超过 50 行", "more than 50 data rows", 16 << 20},
		{"CSV over the byte cap", big, DefaultLimits, "文件过大（64 MB，上限 32 MB）", "the file is too large (64 MB, the limit is 32 MB)", 1 << 20},
		{"a cell over the cap", longCell, DefaultLimits, "第 3 行第 H 列的单元格过长", "row 3, column H is too long", 8 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			alloc := heapDelta(func() { _, err = ReadRowsLimited(c.path, c.lim) })
			ie, ok := err.(*InputError)
			if !ok {
				t.Fatalf("got %v, want an InputError", err)
			}
			if !strings.Contains(ie.Message("zh"), c.zh) || !strings.Contains(ie.Message("en"), c.en) {
				t.Errorf("message %q / %q, want %q / %q", ie.Message("zh"), ie.Message("en"), c.zh, c.en)
			}
			if alloc > c.maxAlloc {
				t.Errorf("allocated %d bytes refusing it, want ≤ %d", alloc, c.maxAlloc)
			}
			t.Logf("refused with %q, %d bytes allocated (limit %d)", ie.Message("en"), alloc, c.maxAlloc)
		})
	}
}

// TestRowCapBoundary: the cap itself is accepted, one more row refused,
// in both formats; empty rows are not counted.
func TestRowCapBoundary(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{50, 51} {
		rows := sharedRows(n)
		rows = append(rows[:10], append([][]string{make([]string, 3)}, rows[10:]...)...) // an empty row
		for _, ext := range []string{".csv", ".xlsx"} {
			path := filepath.Join(dir, fmt.Sprint(n, ext))
			if ext == ".csv" {
				writeCSV(t, path, rows)
			} else {
				writeXLSX(t, path, rows)
			}
			got, err := ReadRowsLimited(path, Limits{MaxRows: 50})
			if n == 50 && (err != nil || len(got) != len(rows)) {
				t.Errorf("%d rows%s: %d read, %v", n, ext, len(got), err)
			}
			if n == 51 && err == nil {
				t.Errorf("%d rows%s: accepted over the cap of 50", n, ext)
			}
		}
	}
}

// TestXLSXCellValues: what the streaming reader gives for each kind of
// cell Excel writes.
func TestXLSXCellValues(t *testing.T) {
	dates := []bool{false, true}
	cases := []struct {
		typ, raw string
		style    int
		want     string
	}{
		{"", "13800138000", 0, "13800138000"},
		{"n", "12", 0, "12"},
		{"", "3.3010619850315238E+17", 0, "3.301061985031524E+17"},
		{"", "330106198503152000", 0, "3.30106198503152E+17"},
		{"", "49383", 1, "2035-03-15"},
		{"b", "1", 0, "TRUE"},
		{"str", "=x", 0, "=x"},
		{"inlineStr", "文本", 0, "文本"},
		{"s", "1", 0, "second"},
		{"s", "7", 0, ""},
	}
	sst := &sharedStrings{data: []byte("firstsecond"), ends: []int{5, 11}}
	for _, c := range cases {
		if got := cellValue(c.typ, []byte(c.raw), c.style, sst, dates, false); got != c.want {
			t.Errorf("%s %q style %d: %q, want %q", c.typ, c.raw, c.style, got, c.want)
		}
	}
}

// sharedApps are n filings of one subject (one certificate number).
func sharedApps(t testing.TB, n int) []*filing.Application {
	parsed, errs, err := Parse(sharedRows(n), filing.DefaultPack())
	if err != nil || len(errs) != 0 {
		t.Fatalf("%v %v", errs, err)
	}
	apps := make([]*filing.Application, len(parsed))
	for i, p := range parsed {
		apps[i] = p.App
	}
	return apps
}

// TestSharedCertificateMessages: a message naming other rows names at
// most MaxNamed and counts the rest, so 3 000 rows sharing a certificate
// make a report linear in the rows.
func TestSharedCertificateMessages(t *testing.T) {
	apps := sharedApps(t, 300)
	keys := make([]string, len(apps))
	for i := range keys {
		keys[i] = fmt.Sprintf("K%06d", i)
	}
	fs := BatchFindings(apps, filing.DefaultPack(), asOf, nil, nil, keys)
	if len(fs) != 600 {
		t.Fatalf("%d findings, want 600", len(fs))
	}
	for _, f := range fs[:2] {
		if !strings.Contains(f.ZH, "K000010 及另外 289 行") || !strings.Contains(f.EN, "K000010 and 289 more") || strings.Contains(f.EN, "K000011") {
			t.Errorf("%s: %s / %s", f.Rule, f.ZH, f.EN)
		}
		if f.Measured != "300" {
			t.Errorf("%s measured %s, want 300", f.Rule, f.Measured)
		}
		if len(f.EN) > 600 {
			t.Errorf("%s: %d bytes", f.Rule, len(f.EN))
		}
	}
	// A long key is shortened in the message.
	keys[1] = strings.Repeat("键", 500)
	fs = BatchFindings(apps[:2], filing.DefaultPack(), asOf, nil, nil, keys)
	if len(fs[0].ZH) > 400 {
		t.Errorf("a long key made a %d-byte message", len(fs[0].ZH))
	}
}

// reportOf is what `batch report` does with the filings once loaded:
// check, list the findings, write the CSV.
func reportOf(apps []*filing.Application, keys []string) (int, error) {
	results, err := Check(context.Background(), apps, CheckOptions{Pack: filing.DefaultPack(), AsOf: asOf, Labels: keys})
	if err != nil {
		return 0, err
	}
	b := &Batch{}
	for _, k := range keys {
		b.Filings = append(b.Filings, Member{Key: k})
	}
	var buf bytes.Buffer
	err = WriteReportCSV(&buf, ReportRows(b, nil, results), "zh")
	return buf.Len(), err
}

// TestReportLinear: the report of 2 000 rows sharing a certificate costs
// about twice that of 1 000 (it was quadratic: 10 000 such rows took
// 11.7 GB).
func TestReportLinear(t *testing.T) {
	var alloc [2]uint64
	var size [2]int
	for k, n := range []int{1000, 2000} {
		apps := sharedApps(t, n)
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("K%06d", i)
		}
		alloc[k] = heapDelta(func() {
			var err error
			if size[k], err = reportOf(apps, keys); err != nil {
				t.Fatal(err)
			}
		})
	}
	if r := float64(alloc[1]) / float64(alloc[0]); r > 2.6 {
		t.Errorf("2000 rows allocated %.1f× what 1000 did (%d, %d bytes)", r, alloc[1], alloc[0])
	}
	if r := float64(size[1]) / float64(size[0]); r > 2.2 {
		t.Errorf("the report of 2000 rows is %.1f× that of 1000 (%d, %d bytes)", r, size[1], size[0])
	}
	t.Logf("report of 1000 and 2000 rows sharing a certificate: %d and %d bytes allocated, %d and %d bytes written",
		alloc[0], alloc[1], size[0], size[1])
}

// The child process of the peak-RSS benchmarks: BATCH_LIMITS_CHILD says
// what to do ("import FILE", "report N"), as the CLI would do it.
func TestMain(m *testing.M) {
	cleanup := testconfig.Isolate()
	defer cleanup()
	if what := os.Getenv("BATCH_LIMITS_CHILD"); what != "" {
		code := limitsChild(what)
		testconfig.PrintPeakRSS()
		cleanup()
		os.Exit(code)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func limitsChild(what string) int {
	verb, arg, _ := strings.Cut(what, " ")
	switch verb {
	case "read":
		if _, err := ReadRows(arg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	case "report":
		var n int
		fmt.Sscan(arg, &n)
		parsed, _, err := Parse(sharedRows(n), filing.DefaultPack())
		if err != nil {
			return 2
		}
		apps := make([]*filing.Application, n)
		keys := make([]string, n)
		for i, p := range parsed {
			apps[i], keys[i] = p.App, p.Key
		}
		if _, err := reportOf(apps, keys); err != nil {
			return 2
		}
	}
	return 0
}

// childPeak runs the test binary as a child doing what and returns its
// peak RSS in MB (VmHWM, Linux).
func childPeak(b *testing.B, what string) float64 {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BATCH_LIMITS_CHILD="+what)
	out, _ := cmd.Output() // a refused file exits 2: the peak is what is measured
	var kb float64
	if _, err := fmt.Sscanf(string(out), "%f kB", &kb); err != nil {
		b.Skipf("no VmHWM from the child (%q): not Linux?", out)
	}
	return kb / 1024
}

// BenchmarkHostileInputs: peak RSS of reading each hostile input, next to
// the baseline of reading the 1000-filing sheet (go test -bench
// HostileInputs -benchtime 1x).
func BenchmarkHostileInputs(b *testing.B) {
	dir := b.TempDir()
	baseline := filepath.Join(dir, "1000.csv")
	writeCSV(b, baseline, sharedRows(1000))
	bomb := filepath.Join(dir, "bomb.xlsx")
	writeBombXLSX(b, bomb, 3_000_000)
	small := filepath.Join(dir, "small-bomb.xlsx")
	writeBombXLSX(b, small, 1_500_000)
	big := filepath.Join(dir, "big.csv")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a,b,c\n"), 300<<20/6), 0o600); err != nil {
		b.Fatal(err)
	}
	cap20k := filepath.Join(dir, "20000.xlsx")
	writeXLSX(b, cap20k, sharedRows(20_000))
	for _, c := range []struct{ name, what string }{
		{"baseline-csv-1000-rows", "read " + baseline},
		{"xlsx-3M-rows-unpacks-261MB", "read " + bomb},
		{"xlsx-1.5M-rows-no-header", "read " + small},
		{"csv-300MB", "read " + big},
		{"xlsx-20000-rows-at-cap", "read " + cap20k},
	} {
		b.Run(c.name, func(b *testing.B) {
			var peak float64
			for b.Loop() {
				peak = max(peak, childPeak(b, c.what))
			}
			b.ReportMetric(peak, "peak-MB")
		})
	}
}

// BenchmarkReportSharedCertificate: check and report of n filings sharing
// one certificate number, 1 000 (the baseline) against 10 000 and 3 000:
// ns/op, B/op and the child's peak RSS grow linearly with n.
func BenchmarkReportSharedCertificate(b *testing.B) {
	for _, n := range []int{1000, 3000, 10_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			apps := sharedApps(b, n)
			keys := make([]string, n)
			for i := range keys {
				keys[i] = fmt.Sprintf("K%06d", i)
			}
			b.ReportAllocs()
			var size int
			for b.Loop() {
				var err error
				if size, err = reportOf(apps, keys); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size)/float64(n), "report-B/row")
			b.ReportMetric(childPeak(b, fmt.Sprint("report ", n)), "peak-MB")
		})
	}
}
