package batch

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// An XLSX is read here as a stream rather than with excelize, which
// unpacks every part and builds the whole sheet before the first row can
// be looked at: a 1.5 MB file whose sheet unpacks to 3 million rows took
// 850–920 MB and half a minute to be refused for its missing header
// (issue 15). Only the parts a batch needs are read (workbook, its
// relationships, styles for dates, shared strings, the one sheet), each
// through a budget of unpacked bytes, and the sheet's rows go to a rowSink
// that stops at the first limit broken.

// xlsxBudget is what the parts may still unpack to. Each part's declared
// size is checked before it is opened (so a bomb is refused at once); the
// bytes actually read are counted as well, since a declared size is only
// the archive's word.
type xlsxBudget struct {
	left int64
	lim  Limits
}

type budgetReader struct {
	r io.Reader
	b *xlsxBudget
}

var errBudget = errors.New("xlsx: unpacked size over the limit")

func (br budgetReader) Read(p []byte) (int, error) {
	if br.b.left <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > br.b.left {
		p = p[:br.b.left]
	}
	n, err := br.r.Read(p)
	br.b.left -= int64(n)
	return n, err
}

type xlsxPackage struct {
	files  map[string]*zip.File // by lower-case name
	budget *xlsxBudget
}

// open opens a part, or returns nil, nil when the package has none.
func (p *xlsxPackage) open(name string) (io.ReadCloser, error) {
	f := p.files[strings.ToLower(name)]
	if f == nil {
		return nil, nil
	}
	if f.UncompressedSize64 > uint64(max(p.budget.left, 0)) {
		return nil, errUnpacksTooLarge(p.budget.lim)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{budgetReader{rc, p.budget}, rc}, nil
}

// xlsxErr turns what went wrong while reading a part into an InputError.
func (p *xlsxPackage) xlsxErr(err error) error {
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		return err
	case errors.Is(err, errBudget):
		return errUnpacksTooLarge(p.budget.lim)
	}
	return &InputError{ZH: "无法读取 XLSX 文件", EN: "cannot read the XLSX file", Err: err}
}

// readXLSX streams the sheet named SheetName (else the first sheet) of
// the XLSX in r into s.
func readXLSX(r io.ReaderAt, size int64, s *rowSink) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return &InputError{ZH: "无法读取 XLSX 文件", EN: "cannot read the XLSX file", Err: err}
	}
	p := &xlsxPackage{files: map[string]*zip.File{}, budget: &xlsxBudget{left: s.lim.MaxXMLBytes, lim: s.lim}}
	for _, f := range zr.File {
		p.files[strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))] = f
	}
	sheetPath, date1904, err := p.sheetPath()
	if err != nil {
		return p.xlsxErr(err)
	}
	dates, err := p.dateStyles()
	if err != nil {
		return p.xlsxErr(err)
	}
	sst, err := p.sharedStrings()
	if err != nil {
		return p.xlsxErr(err)
	}
	rc, err := p.open(sheetPath)
	if err == nil && rc == nil {
		err = fmt.Errorf("no part %s", sheetPath)
	}
	if err != nil {
		return p.xlsxErr(err)
	}
	defer rc.Close()
	if err := streamSheet(rc, sst, dates, date1904, s); err != nil {
		return p.xlsxErr(err)
	}
	return nil
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// sheetPath finds the part of the batch sheet through the workbook and its
// relationships, and whether the workbook counts dates from 1904.
func (p *xlsxPackage) sheetPath() (string, bool, error) {
	rc, err := p.open("xl/workbook.xml")
	if err == nil && rc == nil {
		err = errors.New("no workbook")
	}
	if err != nil {
		return "", false, err
	}
	defer rc.Close()
	var first, named string
	date1904 := false
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false, err
		}
		e, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch e.Name.Local {
		case "workbookPr":
			v := attr(e, "date1904")
			date1904 = v == "1" || v == "true"
		case "sheet":
			id := attr(e, "id")
			if first == "" {
				first = id
			}
			if attr(e, "name") == SheetName && named == "" {
				named = id
			}
		}
	}
	if named == "" {
		named = first
	}
	if named == "" {
		return "", false, errors.New("the workbook has no sheet")
	}
	rels, err := p.open("xl/_rels/workbook.xml.rels")
	if err == nil && rels == nil {
		err = errors.New("no workbook relationships")
	}
	if err != nil {
		return "", false, err
	}
	defer rels.Close()
	d = xml.NewDecoder(rels)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("no relationship %s", named)
		}
		if err != nil {
			return "", false, err
		}
		if e, ok := tok.(xml.StartElement); ok && e.Name.Local == "Relationship" && attr(e, "Id") == named {
			t := strings.ReplaceAll(attr(e, "Target"), `\`, "/")
			if strings.HasPrefix(t, "/") {
				return path.Clean(t[1:]), date1904, nil
			}
			return path.Join("xl", t), date1904, nil
		}
	}
}

// dateStyles lists which cell styles show a number as a date: a date typed
// into a cell Excel formats as a date is stored as a day count, and the
// import wants it as 2006-01-02.
func (p *xlsxPackage) dateStyles() ([]bool, error) {
	rc, err := p.open("xl/styles.xml")
	if err != nil || rc == nil {
		return nil, err
	}
	defer rc.Close()
	custom := map[string]bool{}
	var out []bool
	inXfs := false
	d := xml.NewDecoder(rc)
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "numFmt":
				custom[attr(e, "numFmtId")] = isDateFormat(attr(e, "formatCode"))
			case "cellXfs":
				inXfs = true
			case "xf":
				if inXfs {
					id := attr(e, "numFmtId")
					n, _ := strconv.Atoi(id)
					out = append(out, builtinDate(n) || custom[id])
				}
			}
		case xml.EndElement:
			if e.Name.Local == "cellXfs" {
				inXfs = false
			}
		}
	}
}

// builtinDate: the built-in number formats that show dates (ECMA-376
// 18.8.30, with the zh-CN ones 27–31, 36 and 50–58 that are dates).
func builtinDate(id int) bool {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 54, id == 57, id == 58:
		return true
	}
	return false
}

// isDateFormat: a format code that shows a year or a day, outside quoted
// text and [] sections.
func isDateFormat(code string) bool {
	quoted, bracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\\':
			i++
		case c == '[':
			bracket = true
		case c == ']':
			bracket = false
		case bracket:
		case c == 'y' || c == 'Y' || c == 'd' || c == 'D':
			return true
		}
	}
	return false
}

// sharedStrings is the workbook's string table, kept as one byte slice
// and the end of each string in it.
type sharedStrings struct {
	data []byte
	ends []int
}

func (t *sharedStrings) at(i int) (string, bool) {
	if t == nil || i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return string(t.data[start:t.ends[i]]), true
}

func (p *xlsxPackage) sharedStrings() (*sharedStrings, error) {
	rc, err := p.open("xl/sharedStrings.xml")
	if err != nil || rc == nil {
		return nil, err
	}
	defer rc.Close()
	t := &sharedStrings{}
	d := xml.NewDecoder(rc)
	// A string is the text of its <t> elements, those of phonetic runs
	// (<rPh>) left out, as Excel shows it.
	inT, phonetic := false, 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "t":
				inT = true
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "t":
				inT = false
			case "rPh":
				phonetic--
			case "si":
				t.ends = append(t.ends, len(t.data))
			}
		case xml.CharData:
			if inT && phonetic == 0 {
				t.data = append(t.data, e...)
			}
		}
	}
}

// streamSheet reads the sheet's rows into s, a row at a time.
func streamSheet(r io.Reader, sst *sharedStrings, dates []bool, date1904 bool, s *rowSink) error {
	d := xml.NewDecoder(r)
	var (
		cells    []string
		rowIdx   = -1
		col      = -1
		typ      string
		style    int
		val      []byte
		inV, inT bool
		phonetic int
		inRow    bool
		tooLong  bool
	)
	limit := s.lim.MaxCellBytes + 1
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "row":
				n := rowIdx + 1
				if v := attr(e, "r"); v != "" {
					if k, err := strconv.Atoi(v); err == nil && k >= 1 {
						n = k - 1
					}
				}
				rowIdx, col, inRow = n, -1, true
				cells = cells[:0]
			case "c":
				if !inRow {
					continue
				}
				col++
				if ref := attr(e, "r"); ref != "" {
					if c, ok := refColumn(ref); ok {
						col = c
					}
				}
				typ, val, tooLong = attr(e, "t"), val[:0], false
				style, _ = strconv.Atoi(attr(e, "s"))
			case "v":
				inV = true
			case "t":
				inT = true
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "v":
				inV = false
			case "t":
				inT = false
			case "rPh":
				phonetic--
			case "c":
				if !inRow || col < 0 {
					continue
				}
				if tooLong {
					return s.errCellTooLong(rowIdx, col)
				}
				v := cellValue(typ, val, style, sst, dates, date1904)
				if v == "" {
					continue
				}
				if col >= s.lim.MaxColumns {
					return s.errTooManyColumns(rowIdx)
				}
				for len(cells) < col {
					cells = append(cells, "")
				}
				if col < len(cells) {
					cells[col] = v
				} else {
					cells = append(cells, v)
				}
			case "row":
				if inRow && len(cells) > 0 {
					if err := s.add(rowIdx, append([]string(nil), cells...)); err != nil {
						return err
					}
				}
				inRow = false
			case "sheetData":
				return nil
			}
		case xml.CharData:
			if (inV || (inT && phonetic == 0)) && inRow {
				if len(val)+len(e) > limit {
					tooLong = true
					continue
				}
				val = append(val, e...)
			}
		}
	}
}

// refColumn is the 0-based column of a cell reference such as "AB12".
func refColumn(ref string) (int, bool) {
	c := 0
	i := 0
	for ; i < len(ref); i++ {
		ch := ref[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch < 'A' || ch > 'Z' {
			break
		}
		c = c*26 + int(ch-'A'+1)
		if c > 1<<20 {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	return c - 1, true
}

// cellValue is the text a cell shows, as the import reads it.
func cellValue(typ string, raw []byte, style int, sst *sharedStrings, dates []bool, date1904 bool) string {
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil {
			return ""
		}
		v, _ := sst.at(i)
		return v
	case "inlineStr", "str", "e", "d":
		return string(raw)
	case "b":
		switch strings.TrimSpace(string(raw)) {
		case "1", "true":
			return "TRUE"
		case "0", "false":
			return "FALSE"
		}
		return string(raw)
	}
	v := strings.TrimSpace(string(raw))
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return v
	}
	if style >= 0 && style < len(dates) && dates[style] && x >= 1 && x < 2958466 {
		return excelDate(x, date1904)
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	// A long number typed into a cell Excel treats as a number (an
	// 18-digit ID) was kept as a float and has lost its last digits,
	// though it may still print as digits ("330106198503152000"). It is
	// given to the import in scientific notation, which the digit columns
	// refuse with a reason the person can act on.
	if digits := strings.TrimLeft(s, "-"); len(digits) >= 16 && strings.Trim(digits, "0123456789") == "" {
		return strconv.FormatFloat(x, 'E', -1, 64)
	}
	return s
}

// excelDate is the day of an Excel serial date, as 2006-01-02.
func excelDate(x float64, date1904 bool) string {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	} else if x < 61 {
		// Excel counts a 29 February 1900 that never was.
		base = base.AddDate(0, 0, 1)
	}
	return base.AddDate(0, 0, int(x)).Format("2006-01-02")
}
