package batch

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
)

// FuzzParseCSV: no CSV, however malformed or mis-encoded, makes the import
// panic; every error names a row inside the sheet, and every filing
// returned came from rows that exist.
func FuzzParseCSV(f *testing.F) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(sheet(exampleRow("A"), with(exampleRow("A"), "domain", "b.com"), with(exampleRow("B"), "province", "xx")))
	f.Add(b.Bytes())
	f.Add([]byte("备案键,接入类型\n,\n"))
	f.Add([]byte{0xEF, 0xBB, 0xBF, 0xB1, 0xB8, '\n'})
	pack := filing.DefaultPack()
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := CSVRows(data)
		if err != nil {
			return
		}
		parsed, errs, err := Parse(rows, pack)
		if err != nil {
			return
		}
		for _, e := range errs {
			if e.Row < 1 || e.Row > len(rows) || e.Message("zh") == "" || e.Message("en") == "" {
				t.Fatalf("error %+v outside the %d rows", e, len(rows))
			}
		}
		for _, p := range parsed {
			if len(p.Rows) == 0 || len(p.Rows) != len(p.App.Websites) {
				t.Fatalf("filing %q: rows %v, websites %d", p.Key, p.Rows, len(p.App.Websites))
			}
		}
	})
}
