package batch

import (
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/icpfiling/icpfiling/filing"
)

// exampleKey marks the template's example row: keys starting with "#" are
// comments, so importing the untouched template imports nothing.
const exampleKey = "#示例 example"

func headerRows() (zh, en, example []string) {
	for _, c := range Columns {
		zh = append(zh, c.ZH)
		en = append(en, c.Key)
		example = append(example, c.Example)
	}
	example[0] = exampleKey
	return zh, en, example
}

// notes lists every coded column's allowed values: column, value, 中文, English.
func notes(pack *filing.Pack) [][]string {
	out := [][]string{{"列 column", "取值 value", "中文", "English"}}
	for i := range Columns {
		c := &Columns[i]
		for _, code := range c.Codes(pack) {
			out = append(out, []string{c.ZH + " (" + c.Key + ")", code.Value, code.ZH, code.EN})
		}
	}
	return out
}

// WriteTemplateXLSX writes the template: the 备案 sheet with Chinese
// headers, the English codes in row 2 and an example row (a comment,
// skipped on import), and the 取值说明 sheet with the allowed values. Long
// digit columns are formatted as text so Excel keeps ID numbers whole.
func WriteTemplateXLSX(w io.Writer, pack *filing.Pack) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	zh, en, ex := headerRows()
	for r, row := range [][]string{zh, en, ex} {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow(SheetName, cell, &row); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(Columns), 2)
	if err := f.SetCellStyle(SheetName, "A1", last, bold); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	for i, c := range Columns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		_ = f.SetColWidth(SheetName, name, name, 18)
		if c.Text {
			if err := f.SetColStyle(SheetName, name, text); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if _, err := f.NewSheet(NotesSheet); err != nil {
		return err
	}
	for r, row := range notes(pack) {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow(NotesSheet, cell, &row); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(NotesSheet, "A", "D", 30)
	return f.Write(w)
}

// WriteTemplateCSV writes the same template as UTF-8 CSV with a BOM (so
// Excel opens it as UTF-8), lines ended with CRLF (newCSVWriter). The
// allowed values follow the example row as comment rows whose first cell
// starts with "#".
func WriteTemplateCSV(w io.Writer, pack *filing.Pack) error {
	if _, err := w.Write(utf8BOM); err != nil {
		return err
	}
	cw := newCSVWriter(w)
	zh, en, ex := headerRows()
	_ = cw.Write(zh)
	_ = cw.Write(en)
	_ = cw.Write(ex)
	_ = cw.Write([]string{"#取值说明 allowed values"})
	for _, n := range notes(pack)[1:] {
		_ = cw.Write(append([]string{"#"}, n...))
	}
	cw.Flush()
	return cw.Error()
}
