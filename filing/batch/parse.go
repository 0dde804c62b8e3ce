package batch

import (
	"fmt"
	"slices"
	"strings"

	"github.com/icpfiling/icpfiling/filing"
)

// RowError is one bad cell or row: its row as the spreadsheet numbers it,
// the column (empty for the whole row) and why, in both languages. It
// never holds the cell's value, which may be an ID number or a phone.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"` // the column's English code
	Key    string `json:"key,omitempty"`    // the filing key of the row
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

// Message is the error as a person reads it, with row and column.
func (e RowError) Message(lang string) string {
	col := ""
	if e.Column != "" {
		c := Columns[columnIndex(e.Column)]
		col = c.Header(lang)
	}
	if lang == "en" {
		if col != "" {
			return fmt.Sprintf("row %d, column %q: %s", e.Row, col, e.EN)
		}
		return fmt.Sprintf("row %d: %s", e.Row, e.EN)
	}
	if col != "" {
		return fmt.Sprintf("第 %d 行“%s”列：%s", e.Row, col, e.ZH)
	}
	return fmt.Sprintf("第 %d 行：%s", e.Row, e.ZH)
}

// Parsed is one filing read from the sheet: the rows sharing its key.
type Parsed struct {
	Key  string
	Rows []int // spreadsheet row numbers, the first one holds the filing's columns
	App  *filing.Application
}

// Parse turns the cells of a batch sheet into filings. A row whose key
// starts with "#" is a comment (the template's example row is one). A
// filing with any bad row is left out whole, and its other rows say so,
// so that no order is imported with a website missing. An error is
// returned only when the sheet has no header the template would write,
// or has more than DefaultLimits.MaxRows data rows.
func Parse(rows [][]string, pack *filing.Pack) ([]Parsed, []RowError, error) {
	cols, dataStart, err := headerMap(rows)
	if err != nil {
		return nil, nil, err
	}
	var (
		out   []Parsed
		errs  []RowError
		index = map[string]int{} // key → index in out
		first = map[string][]string{}
		bad   = map[string]int{} // key → first bad row
	)
	codes := make([][]Code, len(Columns))
	for i := range Columns {
		codes[i] = Columns[i].Codes(pack)
	}
	if len(rows)-dataStart > DefaultLimits.MaxRows {
		// Rows that did not come from ReadRows: the same cap.
		n := 0
		for _, row := range rows[dataStart:] {
			if slices.ContainsFunc(row, func(c string) bool { return strings.TrimSpace(c) != "" }) {
				n++
			}
		}
		if n > DefaultLimits.MaxRows {
			return nil, nil, errTooManyRows(DefaultLimits)
		}
	}
	for r := dataStart; r < len(rows); r++ {
		rowNo := r + 1
		cells := make([]string, len(Columns))
		empty := true
		for ci, at := range cols {
			if at >= 0 && at < len(rows[r]) {
				cells[ci] = strings.TrimSpace(rows[r][at])
				if cells[ci] != "" {
					empty = false
				}
			}
		}
		if empty {
			continue
		}
		key := cells[0]
		if strings.HasPrefix(key, "#") {
			continue
		}
		if key == "" {
			errs = append(errs, RowError{Row: rowNo, Column: keyColumn, ZH: "缺少备案键。", EN: "the filing key is missing"})
			continue
		}
		i, seen := index[key]
		if !seen {
			app := &filing.Application{SchemaVersion: filing.SchemaVersion}
			out = append(out, Parsed{Key: key, App: app})
			i = len(out) - 1
			index[key] = i
			first[key] = cells
		}
		p := &out[i]
		p.Rows = append(p.Rows, rowNo)
		p.App.Websites = append(p.App.Websites, filing.Website{})
		t := &target{app: p.App, site: &p.App.Websites[len(p.App.Websites)-1]}
		rowBad := false
		fail := func(c *Column, zh, en string) {
			errs = append(errs, RowError{Row: rowNo, Column: c.Key, Key: key, ZH: zh, EN: en})
			rowBad = true
		}
		for ci := range Columns {
			c := &Columns[ci]
			v := cells[ci]
			if c.level == filingLevel && seen {
				// Later rows of a key may leave the filing's columns empty;
				// when they repeat them, they must agree with the first row.
				if v != "" && v != first[key][ci] {
					fail(c, "与同一备案键的第一行不一致。", "differs from the first row of this filing key")
				}
				continue
			}
			if v == "" {
				if c.Required {
					fail(c, "必填，不能为空。", "is required")
				}
				continue
			}
			if codes[ci] != nil && !c.isBool {
				cv, err := coded(codes[ci], v)
				if err != nil {
					e := err.(*cellError)
					fail(c, e.zh, e.en)
					continue
				}
				v = cv
			}
			if err := c.set(t, v); err != nil {
				if e, ok := err.(*cellError); ok {
					fail(c, e.zh, e.en)
				} else {
					fail(c, "无法使用。", "cannot be used")
				}
			}
		}
		if t.siteOwnerSame {
			t.site.Owner = p.App.Subject.Owner
			t.site.Owner.LegalRepresentative = false
		}
		if rowBad {
			if _, ok := bad[key]; !ok {
				bad[key] = rowNo
			}
		}
	}
	good := out[:0]
	hasError := make(map[int]bool, len(errs))
	for _, e := range errs {
		hasError[e.Row] = true
	}
	for _, p := range out {
		if b, ok := bad[p.Key]; ok {
			for _, r := range p.Rows {
				if r != b && !hasError[r] {
					errs = append(errs, RowError{Row: r, Key: p.Key,
						ZH: fmt.Sprintf("同一备案键的第 %d 行有错误，整个备案未导入。", b),
						EN: fmt.Sprintf("row %d of the same filing key has errors, so the whole filing was not imported", b)})
				}
			}
			continue
		}
		finish(p.App)
		good = append(good, p)
	}
	sortRowErrors(errs)
	return good, errs, nil
}

func sortRowErrors(errs []RowError) {
	// stable: the column order within a row is kept
	slices.SortStableFunc(errs, func(a, b RowError) int { return a.Row - b.Row })
}

// finish fills what the sheet leaves implicit: the mailing address is the
// domicile unless given, and its province and city are the domicile's.
func finish(app *filing.Application) {
	s := &app.Subject
	if s.Domicile.Province == "" {
		s.Domicile.Province = app.Province
	}
	detail := s.MailingAddress.Detail
	s.MailingAddress = s.Domicile
	if detail != "" {
		s.MailingAddress.Detail = detail
	}
}

// headerMap finds the header rows: the first row whose cells name at
// least three columns (Chinese header, English header or code), and a
// second such row right below it (the English codes). It returns, per
// column, the sheet's column index (-1 when absent) and the first data row.
func headerMap(rows [][]string) ([]int, int, error) {
	for r := 0; r < len(rows) && r < 10; r++ {
		cols, n := matchHeader(rows[r])
		if n < 3 {
			continue
		}
		start := r + 1
		if start < len(rows) {
			if _, m := matchHeader(rows[start]); m >= 3 {
				start++
			}
		}
		var missing []string
		for i, c := range Columns {
			if c.Required && cols[i] < 0 {
				missing = append(missing, c.ZH+" ("+c.Key+")")
			}
		}
		if len(missing) > 0 {
			return nil, 0, &InputError{ZH: "表头缺少必填列：" + strings.Join(missing, "、"),
				EN: "the header lacks required columns: " + strings.Join(missing, ", ")}
		}
		return cols, start, nil
	}
	return nil, 0, &InputError{ZH: "找不到表头：请使用 icpfiling batch template 导出的模板", EN: "no header row found: use the template from icpfiling batch template"}
}

func matchHeader(row []string) ([]int, int) {
	cols := make([]int, len(Columns))
	for i := range cols {
		cols[i] = -1
	}
	n := 0
	for at, cell := range row {
		cell = strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff"))
		if cell == "" {
			continue
		}
		for i, c := range Columns {
			if cols[i] < 0 && (cell == c.ZH || strings.EqualFold(cell, c.Key) || strings.EqualFold(cell, c.EN)) {
				cols[i] = at
				n++
				break
			}
		}
	}
	return cols, n
}
