package batch

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
)

// TestCSVLinesEndWithCRLF: every CSV the app writes ends its lines with
// CRLF whatever the OS (newCSVWriter), a line break inside a cell included,
// and reads back to the same cells.
func TestCSVLinesEndWithCRLF(t *testing.T) {
	b := &Batch{Filings: []Member{{Key: "C001", DraftID: "d1"}}}
	res := []Result{{Checked: true, Findings: []filing.Finding{
		{Rule: "r1", Severity: filing.Block, Field: "subject.name", ZH: "第一行\n第二行", EN: "line one\nline two", Source: "ALI19"},
	}}}
	cases := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"template", func(w *bytes.Buffer) error { return WriteTemplateCSV(w, filing.DefaultPack()) }},
		{"report", func(w *bytes.Buffer) error {
			return WriteReportCSV(w, ReportRows(b, []string{"杭州示例科技有限公司"}, res), "zh")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			lf := bytes.Count(data, []byte("\n"))
			if lf < 2 || bytes.Count(data, []byte("\r\n")) != lf {
				t.Fatalf("%d line feeds, %d of them after a carriage return: want all", lf, bytes.Count(data, []byte("\r\n")))
			}
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
			r.FieldsPerRecord = -1 // the template's notes are shorter rows
			recs, err := r.ReadAll()
			if err != nil || len(recs) < 2 {
				t.Fatalf("read back: %d records, %v", len(recs), err)
			}
		})
	}
}
