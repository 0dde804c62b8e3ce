package batch

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
)

// TestImportRefusesControlCharacters: a filing whose subject name would
// retitle the terminal and clear the screen, or whose site name carries a
// right-to-left override, is left out whole with a row error naming the
// field; the clean filing beside it is imported.
func TestImportRefusesControlCharacters(t *testing.T) {
	rows := sheet(
		exampleRow("OK1"),
		with(exampleRow("BAD1"), "subject_name", "杭州\x1b]0;pwned\x07\x1b[2J示例科技有限公司", "domain", "bad1.example.com"),
		with(exampleRow("BAD2"), "site_name", "示例\u202e站网", "domain", "bad2.example.com"),
	)
	path := filepath.Join(t.TempDir(), "sheet.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = csv.NewWriter(f).WriteAll(rows)
	_ = f.Close()
	st := openStore(t)
	res, err := Import(st, path, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Batch == nil || len(res.Batch.Filings) != 1 || res.Batch.Filings[0].Key != "OK1" {
		t.Fatalf("imported %+v", res.Batch)
	}
	want := map[string]string{"BAD1": "subject.name", "BAD2": "websites[0].name"}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors %+v", res.Errors)
	}
	for _, e := range res.Errors {
		if !strings.Contains(e.EN, want[e.Key]+": ") || !strings.Contains(e.ZH, "控制字符") || e.Row == 0 {
			t.Errorf("error %+v, want the field %s named", e, want[e.Key])
		}
		if strings.ContainsFunc(e.Message("zh")+e.Message("en"), filing.IsControl) {
			t.Errorf("the message carries the control characters themselves: %q", e.Message("en"))
		}
	}
}
