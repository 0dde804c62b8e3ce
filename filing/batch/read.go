package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
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

// HeaderRows is how far down the header may be: a file whose first
// HeaderRows rows hold none is refused without reading the rest.
const HeaderRows = 10

// Limits bound what reading a batch file may cost, whatever the file
// holds: a small XLSX can unpack to gigabytes and a CSV can be any size,
// and both used to be read whole before the header was even looked for
// (issue 15: 850 MB for a 1.5 MB XLSX, 1.8 GB for a 300 MB CSV). Every
// limit refuses the file with a message saying which limit and what to do.
type Limits struct {
	// MaxRows caps the data rows below the header (empty rows are not
	// counted): an agency splits a larger batch into several files.
	MaxRows int
	// MaxFileBytes caps the file: a CSV's bytes, an XLSX's zip.
	MaxFileBytes int64
	// MaxXMLBytes caps what the parts of an XLSX that are read (workbook,
	// styles, shared strings, the sheet) unpack to, all together.
	MaxXMLBytes int64
	// MaxCellBytes caps one cell; MaxColumns the columns that may hold
	// anything; MaxTextBytes the cells kept, all together.
	MaxCellBytes int
	MaxColumns   int
	MaxTextBytes int64
}

// DefaultLimits: 20 000 rows of the template take about 11 MB as CSV,
// 3 MB as XLSX unpacking to 31 MB, and 10 MB of cells; the limits
// leave room for that several times over and keep the whole import of the
// worst file within a few hundred MB (docs/batch.md, "Limits").
var DefaultLimits = Limits{
	MaxRows:      20_000,
	MaxFileBytes: 32 << 20,
	MaxXMLBytes:  128 << 20,
	MaxCellBytes: 4 << 10,
	MaxColumns:   256,
	MaxTextBytes: 48 << 20,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.MaxRows > 0 {
		d.MaxRows = l.MaxRows
	}
	if l.MaxFileBytes > 0 {
		d.MaxFileBytes = l.MaxFileBytes
	}
	if l.MaxXMLBytes > 0 {
		d.MaxXMLBytes = l.MaxXMLBytes
	}
	if l.MaxCellBytes > 0 {
		d.MaxCellBytes = l.MaxCellBytes
	}
	if l.MaxColumns > 0 {
		d.MaxColumns = l.MaxColumns
	}
	if l.MaxTextBytes > 0 {
		d.MaxTextBytes = l.MaxTextBytes
	}
	return d
}

func mb(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", (n+(1<<20)-1)>>20)
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}

func errFileTooLarge(size int64, l Limits) error {
	return &InputError{
		ZH: fmt.Sprintf("文件过大（%s，上限 %s）：请拆分为多个文件分批导入", mb(size), mb(l.MaxFileBytes)),
		EN: fmt.Sprintf("the file is too large (%s, the limit is %s): split it into several files and import them one by one", mb(size), mb(l.MaxFileBytes))}
}

func errTooManyRows(l Limits) error {
	return &InputError{
		ZH: fmt.Sprintf("数据超过 %d 行（上限）：请拆分为多个文件分批导入", l.MaxRows),
		EN: fmt.Sprintf("the sheet has more than %d data rows (the limit): split it into several files and import them one by one", l.MaxRows)}
}

func errUnpacksTooLarge(l Limits) error {
	return &InputError{
		ZH: fmt.Sprintf("XLSX 文件解压后超过 %s（上限）：请删除多余的工作表、空行和格式后另存，或拆分为多个文件", mb(l.MaxXMLBytes)),
		EN: fmt.Sprintf("the XLSX file unpacks to more than %s (the limit): delete extra sheets, empty rows and formatting and save it again, or split it into several files", mb(l.MaxXMLBytes))}
}

// rowSink keeps the rows of a sheet as they are read, refusing the file
// as soon as it breaks a limit: no header in the first HeaderRows rows,
// too many data rows, a cell too long, too much text. Rows are indexed as
// the sheet numbers them (row n at n-1); empty rows are never stored, so
// neither a sheet of empty rows nor a row numbered a million costs memory.
type rowSink struct {
	lim   Limits
	rows  [][]string
	text  int64
	start int // index of the first data row once the header is found; -1 before
	data  int // non-empty rows from start on
}

// maxSheetRows is Excel's last row: a row numbered beyond it is a damaged
// or crafted file, and padding up to it would cost memory.
const maxSheetRows = 1 << 20

func newRowSink(lim Limits) *rowSink { return &rowSink{lim: lim.orDefault(), start: -1} }

// add takes the cells of the row at index n (0-based). The cells are kept,
// not copied.
func (s *rowSink) add(n int, cells []string) error {
	last := -1
	for c, v := range cells {
		if v == "" {
			continue
		}
		if len(v) > s.lim.MaxCellBytes {
			return s.errCellTooLong(n, c)
		}
		if c >= s.lim.MaxColumns {
			return s.errTooManyColumns(n)
		}
		last = c
	}
	if last < 0 {
		return nil
	}
	if n < len(s.rows) || n >= maxSheetRows {
		return &InputError{ZH: "表格的行号错乱，文件可能已损坏：请用 Excel 重新另存", EN: "the sheet's row numbers are out of order or out of range; the file may be damaged: save it again from Excel"}
	}
	if s.start < 0 && n >= HeaderRows {
		if err := s.header(); err != nil {
			return err
		}
		for _, row := range s.rows[min(s.start, len(s.rows)):] {
			if row != nil {
				s.data++
			}
		}
	}
	if s.start >= 0 && n >= s.start {
		if s.data++; s.data > s.lim.MaxRows {
			return errTooManyRows(s.lim)
		}
	}
	cells = cells[:last+1]
	for _, v := range cells {
		s.text += int64(len(v))
	}
	if s.text > s.lim.MaxTextBytes {
		return &InputError{
			ZH: fmt.Sprintf("表格内容超过 %s（上限）：请拆分为多个文件分批导入", mb(s.lim.MaxTextBytes)),
			EN: fmt.Sprintf("the sheet holds more than %s of text (the limit): split it into several files and import them one by one", mb(s.lim.MaxTextBytes))}
	}
	for len(s.rows) < n {
		s.rows = append(s.rows, nil)
	}
	s.rows = append(s.rows, cells)
	return nil
}

func (s *rowSink) errCellTooLong(n, c int) error {
	return &InputError{
		ZH: fmt.Sprintf("第 %d 行第 %s 列的单元格过长（超过 %d 字节）：请检查该单元格", n+1, columnName(c), s.lim.MaxCellBytes),
		EN: fmt.Sprintf("the cell in row %d, column %s is too long (over %d bytes): check that cell", n+1, columnName(c), s.lim.MaxCellBytes)}
}

func (s *rowSink) errTooManyColumns(n int) error {
	return &InputError{
		ZH: fmt.Sprintf("第 %d 行在第 %d 列之后还有内容（上限 %d 列）：请删除多余的列", n+1, s.lim.MaxColumns, s.lim.MaxColumns),
		EN: fmt.Sprintf("row %d has content beyond column %d (the limit): delete the extra columns", n+1, s.lim.MaxColumns)}
}

// header looks for the header among the rows read so far (the first
// HeaderRows), as Parse will; reading stops at once when there is none.
func (s *rowSink) header() error {
	_, start, err := headerMap(s.rows)
	if err != nil {
		return err
	}
	s.start = start
	return nil
}

// columnName is the spreadsheet's name of the 0-based column c (A, B, … AA).
func columnName(c int) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append([]byte{byte('A' + (c-1)%26)}, b...)
	}
	return string(b)
}

// ReadRows reads the cells of a batch file within DefaultLimits: .xlsx
// (the sheet named 备案, or the first sheet) or .csv (UTF-8 with or
// without BOM, else GB18030).
func ReadRows(path string) ([][]string, error) { return ReadRowsLimited(path, DefaultLimits) }

// ReadRowsLimited is ReadRows within lim (zero fields: DefaultLimits).
// The file is read as a stream and refused as soon as it breaks a limit.
func ReadRowsLimited(path string, lim Limits) ([][]string, error) {
	lim = lim.orDefault()
	var what InputError
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		what = InputError{ZH: "无法读取 XLSX 文件", EN: "cannot read the XLSX file"}
	case ".csv", ".txt":
		what = InputError{ZH: "无法读取 CSV 文件", EN: "cannot read the CSV file"}
	default:
		return nil, &InputError{ZH: "只支持 .xlsx 和 .csv 文件", EN: "only .xlsx and .csv files can be imported"}
	}
	f, err := os.Open(path)
	if err != nil {
		what.Err = err
		return nil, &what
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		what.Err = err
		return nil, &what
	}
	if !st.Mode().IsRegular() {
		what.Err = errors.New("not a regular file")
		return nil, &what
	}
	if st.Size() > lim.MaxFileBytes {
		return nil, errFileTooLarge(st.Size(), lim)
	}
	s := newRowSink(lim)
	if what.EN == "cannot read the XLSX file" {
		err = readXLSX(f, st.Size(), s)
	} else {
		err = readCSV(f, s)
	}
	if err != nil {
		return nil, err
	}
	return s.rows, nil
}

// XLSXRows reads the cells of an XLSX file from r within DefaultLimits.
func XLSXRows(r io.Reader) ([][]string, error) {
	lim := DefaultLimits
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return nil, &InputError{ZH: "无法读取 XLSX 文件", EN: "cannot read the XLSX file", Err: err}
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, errFileTooLarge(int64(len(data)), lim)
	}
	s := newRowSink(lim)
	if err := readXLSX(bytes.NewReader(data), int64(len(data)), s); err != nil {
		return nil, err
	}
	return s.rows, nil
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
		return nil, errNotText(err)
	}
	return out, nil
}

func errNotText(err error) error {
	return &InputError{ZH: "CSV 既不是 UTF-8 也不是 GB18030 编码", EN: "the CSV is neither UTF-8 nor GB18030", Err: err}
}

// CSVRows parses a CSV file's bytes into cells, within DefaultLimits.
func CSVRows(data []byte) ([][]string, error) {
	if int64(len(data)) > DefaultLimits.MaxFileBytes {
		return nil, errFileTooLarge(int64(len(data)), DefaultLimits)
	}
	s := newRowSink(DefaultLimits)
	if err := readCSV(bytes.NewReader(data), s); err != nil {
		return nil, err
	}
	return s.rows, nil
}

// readCSV streams a CSV into s: one pass tells the encoding as DecodeText
// does (BOM, else valid UTF-8, else GB18030) without keeping the bytes,
// the second parses the records.
func readCSV(r io.ReadSeeker, s *rowSink) error {
	var head [3]byte
	n, _ := io.ReadFull(r, head[:])
	bom := bytes.Equal(head[:n], utf8BOM)
	isUTF8 := bom
	if !bom {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return &InputError{ZH: "无法读取 CSV", EN: "cannot read the CSV", Err: err}
		}
		ok, err := validUTF8(r)
		if err != nil {
			return &InputError{ZH: "无法读取 CSV", EN: "cannot read the CSV", Err: err}
		}
		isUTF8 = ok
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return &InputError{ZH: "无法读取 CSV", EN: "cannot read the CSV", Err: err}
		}
	}
	var text io.Reader = bufio.NewReaderSize(r, 64<<10)
	if !isUTF8 {
		text = transform.NewReader(text, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err != nil && (errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrFieldCount)) {
				return &InputError{ZH: fmt.Sprintf("CSV 第 %d 行格式错误", pe.Line), EN: fmt.Sprintf("CSV line %d is malformed", pe.Line), Err: pe.Err}
			}
			if !isUTF8 {
				return errNotText(err)
			}
			return &InputError{ZH: "无法读取 CSV", EN: "cannot read the CSV", Err: err}
		}
		if err := s.add(i, rec); err != nil {
			return err
		}
		if len(s.rows) == i+1 {
			// kept: the record's slice is reused by the next Read
			s.rows[i] = append([]string(nil), s.rows[i]...)
		}
	}
}

// validUTF8 reports whether all of r is UTF-8, reading it in blocks.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		// Hold back an incomplete sequence at the end of the block.
		end := n
		for k := 1; k <= utf8.UTFMax-1 && k <= n; k++ {
			if b := buf[n-k]; b >= 0xC0 {
				if !utf8.FullRune(buf[n-k : n]) {
					end = n - k
				}
				break
			} else if b < 0x80 {
				break
			}
		}
		if errors.Is(err, io.EOF) {
			return utf8.Valid(buf[:n]), nil
		}
		if err != nil {
			return false, err
		}
		if !utf8.Valid(buf[:end]) {
			return false, nil
		}
		carry = copy(buf, buf[end:n])
	}
}
