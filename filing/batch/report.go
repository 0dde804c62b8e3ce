package batch

import (
	"encoding/csv"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/icpfiling/icpfiling/filing"
)

// ReportRow is one finding of one filing, as the report shows it.
type ReportRow struct {
	Key, DraftID string
	Subject      string
	// Finding points into the results the rows were made from: a report
	// of 10 000 filings has 130 000 findings, and a copy of each would
	// hold 30 MB more for the length of the write.
	Finding *filing.Finding
}

// ReportRows lists every finding of the checked filings, in batch order.
func ReportRows(b *Batch, subjects []string, results []Result) []ReportRow {
	n := 0
	for _, r := range results {
		n += len(r.Findings)
	}
	// Sized once: growing the slice of a
	// 10 000-filing report by doubling allocated three times its size.
	out := make([]ReportRow, 0, n)
	for i, r := range results {
		for k := range r.Findings {
			row := ReportRow{Finding: &r.Findings[k]}
			if i < len(b.Filings) {
				row.Key, row.DraftID = b.Filings[i].Key, b.Filings[i].DraftID
			}
			if i < len(subjects) {
				row.Subject = subjects[i]
			}
			out = append(out, row)
		}
	}
	return out
}

func reportHeader(lang string) []string {
	if lang == "en" {
		return []string{"filing key", "draft", "subject", "field", "severity", "rule", "message", "measured", "limit", "source"}
	}
	return []string{"备案键", "草稿", "主办单位", "字段", "级别", "规则", "说明", "测量值", "限值", "来源"}
}

func (r ReportRow) cells(lang string) []string {
	f := *r.Finding
	return []string{r.Key, r.DraftID, r.Subject, f.Field, f.Severity.Label(lang), f.Rule, f.Message(lang), f.MeasuredIn(lang), f.LimitIn(lang), f.Source}
}

// Neutralise makes a cell inert in a spreadsheet: a value that starts with
// =, +, -, @, a tab or a carriage return would be read by Excel as a
// formula (CSV injection), so it gets a leading apostrophe, which Excel
// shows as text. Everything else is returned unchanged.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func neutralised(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = Neutralise(c)
	}
	return out
}

// WriteReportCSV writes the report as UTF-8 CSV with a BOM, every cell
// neutralised, lines ended with CRLF (newCSVWriter).
func WriteReportCSV(w io.Writer, rows []ReportRow, lang string) error {
	if _, err := w.Write(utf8BOM); err != nil {
		return err
	}
	cw := newCSVWriter(w)
	_ = cw.Write(reportHeader(lang))
	for _, r := range rows {
		if err := cw.Write(neutralised(r.cells(lang))); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// newCSVWriter is the CSV writer of every CSV the app writes: lines end
// with CRLF on every OS, as RFC 4180 has it. Excel (Windows and macOS),
// LibreOffice, WPS and Numbers read CRLF and LF alike, but Notepad before
// Windows 10 1809 shows an LF-only file as one line, and a file made on
// Linux and mailed to a Windows user must look the same as one made on
// Windows. Line breaks inside a cell become CRLF too (encoding/csv), which
// Excel keeps as a line break in the cell. The reader takes both.
func newCSVWriter(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return cw
}

// WriteReportXLSX writes the report as XLSX. Cells are written as strings
// (never formulas) and neutralised as well, because a person may save the
// sheet as CSV and open that later.
func WriteReportXLSX(w io.Writer, rows []ReportRow, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "报告"
	if lang == "en" {
		sheet = "Report"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	row := func(n int, cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = excelize.Cell{Value: c}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, vals)
	}
	if err := row(1, reportHeader(lang)); err != nil {
		return err
	}
	for i, r := range rows {
		if err := row(i+2, neutralised(r.cells(lang))); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
