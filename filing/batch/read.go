package batch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// InputError is a file that cannot be read as a batch at all (as opposed to
// a bad row, which is reported and skipped).
type InputError struct {
	ZH, EN string
	Err    error
}

func (e *InputError) Error() string {
	if e.Err != nil {
		return e.EN + ": " + e.Err.Error()
	}
	return e.EN
}

// Message is the text in "zh" or "en".
func (e *InputError) Message(lang string) string {
	if lang == "en" {
		return e.Error()
	}
	if e.Err != nil {
		return e.ZH + "：" + e.Err.Error()
	}
	return e.ZH
}

func (e *InputError) Unwrap() error { return e.Err }

// SheetName is the template's data sheet; NotesSheet lists allowed values.
const (
	SheetName  = "备案"
	NotesSheet = "取值说明"
)

// ReadRows reads the cells of a batch file: .xlsx (the sheet named 备案, or
// the first sheet) or .csv (UTF-8 with or without BOM, else GB18030).
func ReadRows(path string) ([][]string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		f, err := excelize.OpenFile(path)
		if err != nil {
			return nil, &InputError{ZH: "无法读取 XLSX 文件", EN: "cannot read the XLSX file", Err: err}
		}
		defer f.Close()
		return xlsxRows(f)
	case ".csv", ".txt":
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &InputError{ZH: "无法读取 CSV 文件", EN: "cannot read the CSV file", Err: err}
		}
		return CSVRows(data)
	}
	return nil, &InputError{ZH: "只支持 .xlsx 和 .csv 文件", EN: "only .xlsx and .csv files can be imported"}
}

// XLSXRows reads the cells of an XLSX file from r.
func XLSXRows(r io.Reader) ([][]string, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, &InputError{ZH: "无法读取 XLSX 文件", EN: "cannot read the XLSX file", Err: err}
	}
	defer f.Close()
	return xlsxRows(f)
}

func xlsxRows(f *excelize.File) ([][]string, error) {
	sheet := SheetName
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		return nil, &InputError{ZH: "无法读取工作表", EN: "cannot read the sheet", Err: err}
	}
	// A long number typed into a cell Excel treats as a number (an
	// 18-digit ID) is kept as a float and has lost its last digits, though
	// its formatted value ("330106198503152000") still looks like digits.
	// Such a cell is shown to the import in scientific notation, which
	// the digit columns refuse with a reason the person can act on.
	for r := range rows {
		for c, v := range rows[r] {
			if len(v) < 16 || strings.Trim(v, "0123456789") != "" {
				continue
			}
			name, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				continue
			}
			switch t, _ := f.GetCellType(sheet, name); t {
			case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
			default:
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					rows[r][c] = strconv.FormatFloat(x, 'E', -1, 64)
				}
			}
		}
	}
	return rows, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// DecodeText turns a CSV's bytes into UTF-8. Excel on Chinese Windows
// saves "CSV" in the ANSI code page (GBK, a subset of GB18030); Excel's
// "CSV UTF-8" adds a BOM. Valid UTF-8 is taken as UTF-8 (GBK text of any
// length is almost never valid UTF-8); anything else is decoded as GB18030.
func DecodeText(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, utf8BOM) {
		return data[len(utf8BOM):], nil
	}
	if utf8.Valid(data) {
		return data, nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, &InputError{ZH: "CSV 既不是 UTF-8 也不是 GB18030 编码", EN: "the CSV is neither UTF-8 nor GB18030", Err: err}
	}
	return out, nil
}

// CSVRows parses a CSV file's bytes into cells.
func CSVRows(data []byte) ([][]string, error) {
	text, err := DecodeText(data)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &InputError{ZH: fmt.Sprintf("CSV 第 %d 行格式错误", pe.Line), EN: fmt.Sprintf("CSV line %d is malformed", pe.Line), Err: pe.Err}
			}
			return nil, &InputError{ZH: "无法读取 CSV", EN: "cannot read the CSV", Err: err}
		}
		rows = append(rows, rec)
	}
}
