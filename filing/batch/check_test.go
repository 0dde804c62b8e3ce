package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/icpfiling/icpfiling/filing"
)

func parseApps(t *testing.T, rows ...map[string]string) []*filing.Application {
	t.Helper()
	parsed, errs, err := Parse(sheet(rows...), filing.DefaultPack())
	if err != nil || len(errs) != 0 {
		t.Fatalf("%v %v", errs, err)
	}
	apps := make([]*filing.Application, len(parsed))
	for i, p := range parsed {
		apps[i] = p.App
	}
	return apps
}

// Two other valid subjects, so that only the cell under test differs.
func otherSubject(key string) map[string]string {
	return with(exampleRow(key), "subject_name", "宁波另一科技有限公司", "certificate_number", "91330200MA2AXY1232",
		"owner_mobile", "13600136000", "site_owner_mobile", "13500135000", "site_owner_emergency", "", "domain", key+".example.net")
}

// TestBatchRules: each batch-level rule fires on the filings it is about
// and only there; its finding cites the pack.
func TestBatchRules(t *testing.T) {
	cases := []struct {
		name string
		rows []map[string]string
		open func(int) bool
		// want[i] are the batch rules filing i must show (sorted by rule).
		want [][]string
	}{
		{"distinct subjects and mobiles", []map[string]string{exampleRow("A"), otherSubject("B")}, nil,
			[][]string{nil, nil}},
		{"same mobile under different subjects",
			[]map[string]string{exampleRow("A"), with(otherSubject("B"), "site_owner_mobile", "13900139000")}, nil,
			[][]string{{RuleMobileShared}, {RuleMobileShared}}},
		{"same mobile under one subject is fine",
			[]map[string]string{exampleRow("A"), with(exampleRow("B"), "domain", "b.example.com")}, func(int) bool { return false },
			[][]string{{RuleSubjectOrder}, {RuleSubjectOrder}}},
		{"same certificate in two open filings",
			[]map[string]string{exampleRow("A"), with(exampleRow("B"), "domain", "b.example.com"), otherSubject("C")}, nil,
			[][]string{{RuleCertTwice, RuleSubjectOrder}, {RuleCertTwice, RuleSubjectOrder}, nil}},
		{"one of the two has ended",
			[]map[string]string{exampleRow("A"), with(exampleRow("B"), "domain", "b.example.com")}, func(i int) bool { return i == 0 },
			[][]string{{RuleSubjectOrder}, {RuleSubjectOrder}}},
	}
	pack := filing.DefaultPack()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apps := parseApps(t, tc.rows...)
			got := make([][]string, len(apps))
			for _, f := range BatchFindings(apps, pack, asOf, nil, tc.open, []string{"A", "B", "C"}) {
				if f.Source == "" || !strings.Contains(f.Source, "TOP 9") || f.ZH == "" || f.EN == "" {
					t.Errorf("finding %+v lacks its source or text", f.Finding)
				}
				if strings.Contains(f.ZH+f.EN, "139") || strings.Contains(f.ZH+f.EN, "91330106") {
					t.Errorf("message leaks a number: %s", f.EN)
				}
				// The message names the other filing by its key.
				if other := map[int]string{0: "B", 1: "A"}[f.Index]; f.Index < 2 && !strings.Contains(f.EN, "("+other) && !strings.Contains(f.EN, "also "+other) {
					t.Errorf("filing %d: %q does not name %s", f.Index, f.EN, other)
				}
				if n := len(got[f.Index]); n == 0 || got[f.Index][n-1] != f.Rule {
					got[f.Index] = append(got[f.Index], f.Rule)
				}
			}
			for i := range apps {
				if strings.Join(got[i], ",") != strings.Join(tc.want[i], ",") {
					t.Errorf("filing %d: rules %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestCheckCountsAndSiteLimit: Check runs Validate on every filing (so the
// province's site limit applies to a key with too many rows), adds the
// batch rules, counts blockers and warnings and reports progress.
func TestCheckCountsAndSiteLimit(t *testing.T) {
	second := map[string]string{keyColumn: "H", "domain": "two.example.com", "site_name": "示例二站", "icp_number": "鄂ICP备2021003158号-2",
		"service_content": "unit_portal", "site_owner_same": "是"}
	hubei := with(otherSubject("H"), "province", "42", "domicile_province", "42", "icp_number", "鄂ICP备2021003158号-1")
	apps := parseApps(t, exampleRow("A"), hubei, second)
	var calls atomic.Int32
	var last Progress
	res, err := Check(context.Background(), apps, CheckOptions{AsOf: asOf, Workers: 2, Progress: func(p Progress) {
		calls.Add(1)
		if p.Done == p.Total {
			last = p
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || last.Done != 2 || last.Total != 2 {
		t.Errorf("progress calls %d, last %+v", calls.Load(), last)
	}
	if len(findings(res[1].Findings, "sites.hubei")) != 1 {
		t.Errorf("the Hubei order with 2 sites should exceed the limit: %v", res[1].Findings)
	}
	for i, r := range res {
		if !r.Checked || r.Blocking != filing.Blocking(r.Findings) || r.Blocking == 0 {
			t.Errorf("filing %d: %+v", i, r)
		}
	}
	// The forms are complete: the step reached is the upload.
	if res[0].Step != filing.StepOf("documents", filing.NewAccess) {
		t.Errorf("step %v", res[0].Step)
	}
}

// TestCheckCancel: a cancelled check stops, says so, and leaves the
// filings it did not reach unchecked.
func TestCheckCancel(t *testing.T) {
	apps := make([]*filing.Application, 200)
	base := parseApps(t, exampleRow("A"))[0]
	for i := range apps {
		apps[i] = base
	}
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Check(ctx, apps, CheckOptions{AsOf: asOf, Workers: 1, Progress: func(p Progress) {
		if p.Done == 5 {
			cancel()
		}
	}})
	if err != context.Canceled {
		t.Fatalf("err %v", err)
	}
	n := 0
	for _, r := range res {
		if r.Checked {
			n++
		}
	}
	if n < 5 || n >= len(apps) {
		t.Fatalf("%d checked after cancel", n)
	}
}

func TestNeutralise(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"", ""},
		{"普通文本", "普通文本"},
		{"a=b", "a=b"},
	}
	for _, tc := range cases {
		if got := Neutralise(tc.in); got != tc.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReportNeutralisesCells: a subject named like a formula comes out of
// both report formats as text with a leading apostrophe, one row per finding.
func TestReportNeutralisesCells(t *testing.T) {
	b := &Batch{Filings: []Member{{Key: "=cmd|' /C calc'!A0", DraftID: "d1"}}}
	res := []Result{{Checked: true, Findings: []filing.Finding{
		{Rule: "r1", Severity: filing.Block, Field: "subject.name", ZH: "中文说明", EN: "-english", Source: "ALI19"},
		{Rule: "r2", Severity: filing.Warn, Field: "websites[0].domain", ZH: "@提示", EN: "ok", Source: "+src"},
	}}}
	rows := ReportRows(b, []string{"+subject"}, res)
	for _, lang := range []string{"zh", "en"} {
		var c bytes.Buffer
		if err := WriteReportCSV(&c, rows, lang); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Bytes(), utf8BOM))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var x bytes.Buffer
		if err := WriteReportXLSX(&x, rows, lang); err != nil {
			t.Fatal(err)
		}
		xrows, err := XLSXRows(bytes.NewReader(x.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(x.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		formula, _ := f.GetCellFormula(f.GetSheetName(0), "A2")
		f.Close()
		if formula != "" {
			t.Errorf("%s: XLSX has a formula %q", lang, formula)
		}
		for name, got := range map[string][][]string{"csv": recs, "xlsx": xrows} {
			if len(got) != 3 {
				t.Fatalf("%s %s: %d rows, want header + 2", lang, name, len(got))
			}
			for _, row := range got[1:] {
				for _, cell := range row {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Errorf("%s %s: cell %q is live", lang, name, cell)
					}
				}
			}
			if got[1][0] != "'=cmd|' /C calc'!A0" || got[1][2] != "'+subject" {
				t.Errorf("%s %s: row %q", lang, name, got[1])
			}
			msg := got[1][6]
			if (lang == "en" && msg != "'-english") || (lang == "zh" && msg != "中文说明") {
				t.Errorf("%s %s: message %q", lang, name, msg)
			}
		}
	}
}

func TestOpenFilings(t *testing.T) {
	rows := []RowStatus{{State: StateNotSent}, {State: "accepted"}, {State: "approved"}, {State: "rejected"}, {State: "cancelled"}, {State: StateBlocked}}
	open := OpenFilings(rows)
	want := []bool{true, true, false, false, false, true, true} // the last: beyond the rows
	for i, w := range want {
		if open(i) != w {
			t.Errorf("row %d: open %v, want %v", i, open(i), w)
		}
	}
}
