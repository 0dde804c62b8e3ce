package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/batch"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
)

// batchCSV is a sheet with the template's headers and one row per map,
// each starting from the template's example values.
func batchCSV(t *testing.T, rows ...map[string]string) string {
	t.Helper()
	var zh, en []string
	for _, c := range batch.Columns {
		zh, en = append(zh, c.ZH), append(en, c.Key)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(zh)
	_ = w.Write(en)
	for _, r := range rows {
		var cells []string
		for _, c := range batch.Columns {
			v, ok := r[c.Key]
			if !ok {
				v = c.Example
			}
			cells = append(cells, v)
		}
		_ = w.Write(cells)
	}
	w.Flush()
	path := filepath.Join(t.TempDir(), "clients.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeBatchScans writes the scans and photo of filing key into dir, as
// batch import finds them: passing pictures (slotPictures), but for the
// slots picks names (slot → a name of testPictures).
func writeBatchScans(t *testing.T, dir, key string, picks ...string) {
	t.Helper()
	for _, slot := range []string{"subject_certificate", "subject_owner_id", "website_owner_id", "verification_form", "photo"} {
		pic := slotPictures[slot]
		for i := 0; i+1 < len(picks); i += 2 {
			if picks[i] == slot {
				pic = picks[i+1]
			}
		}
		if err := os.WriteFile(filepath.Join(dir, key+"_"+slot+".jpg"), testPictures()[pic], 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBatchCommands runs the whole agency flow through the CLI: template,
// import (a bad row → exit 1, reported by row and column without its
// value), check and report (blocking findings → exit 1), bulk submit to
// the reference backend, and retry of the failed rows only.
func TestBatchCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	pass := filepath.Join(dir, "pass")
	_ = os.WriteFile(pass, []byte("agency-passphrase\n"), 0o600)
	common := []string{"--data-dir", data, "--passphrase-file", pass, "--lang", "en"}

	for _, out := range []string{"t.xlsx", "t.csv"} {
		if code, _, errs := runCLI("batch", "template", "--out", filepath.Join(dir, out)); code != exitClean {
			t.Fatalf("template %s: %d %s", out, code, errs)
		}
	}
	if code, _, _ := runCLI("batch", "template"); code != exitUnreadable {
		t.Errorf("template without --out: %d", code)
	}

	scans := filepath.Join(dir, "scans")
	_ = os.Mkdir(scans, 0o755)
	writeBatchScans(t, scans, "A")
	sheet := batchCSV(t,
		map[string]string{"key": "A", "filing_password": "pw-a"},
		map[string]string{"key": "B", "province": "火星省", "filing_password": "pw-b"},
		map[string]string{"key": "C", "subject_name": "宁波另一科技有限公司", "certificate_number": "91330200MA2AXY1232",
			"owner_mobile": "13600136000", "site_owner_mobile": "13500135000", "site_owner_emergency": "", "domain": "c.example.net", "filing_password": "pw-c"},
	)
	code, out, errs := runCLI(append([]string{"batch", "import", sheet, "--scans", scans}, common...)...)
	if code != exitBlocked || !strings.Contains(out, `row 4, column "filing province"`) || !strings.Contains(out, "imported 2 filings (5 scans), 1 errors") {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out+errs, "火星") || strings.Contains(out+errs, "pw-") {
		t.Error("the import printed a cell's value")
	}

	code, out, errs = runCLI(append([]string{"batch", "check"}, common...)...)
	if code != exitBlocked || !strings.Contains(out, "A  杭州示例科技有限公司  blocking 0") || !strings.Contains(out, "2 filings, 1 with blocking findings") {
		t.Fatalf("check: %d\n%s%s", code, out, errs)
	}
	report := filepath.Join(dir, "report.csv")
	code, out, _ = runCLI(append([]string{"batch", "report", "--out", report}, common...)...)
	rep, err := os.ReadFile(report)
	if code != exitBlocked || err != nil || !strings.Contains(string(rep), "filing key") || !strings.Contains(string(rep), "C,") {
		t.Fatalf("report: %d %s %v\n%s", code, out, err, rep)
	}

	url, tokenFile := startBackendCmd(t)
	sub := append([]string{"batch", "submit", "--backend", url, "--token-file", tokenFile, "--wait", "10s"}, common...)
	code, out, errs = runCLI(sub...)
	if code != exitBlocked || !strings.Contains(out, "A  ") || !strings.Contains(out, "C  blocked") {
		t.Fatalf("submit: %d\n%s%s", code, out, errs)
	}
	if accepted := submit.Accepted.Label("en"); !strings.Contains(out, "A  "+accepted) || !strings.Contains(out, accepted+" 1") {
		t.Fatalf("A should be accepted:\n%s", out)
	}
	// Retry the failed rows only: C is still blocked, A is not sent again.
	code, out, _ = runCLI(append(sub, "--retry-failed")...)
	if code != exitBlocked || !strings.Contains(out, "C  blocked") {
		t.Fatalf("retry: %d\n%s", code, out)
	}
	code, out, _ = runCLI(append([]string{"batch", "list", "--json"}, common...)...)
	if code != exitClean || !strings.Contains(out, `"key": "A"`) {
		t.Fatalf("list: %d %s", code, out)
	}

	if code, _, _ := runCLI(append([]string{"batch", "import", filepath.Join(dir, "missing.csv")}, common...)...); code != exitUnreadable {
		t.Errorf("import of a missing file: %d", code)
	}
	if code, _, _ := runCLI("batch", "frobnicate"); code != exitUnreadable {
		t.Errorf("unknown subcommand: %d", code)
	}
}

// TestBatchSubmitGate: bulk submit goes through the readiness gate row by
// row. A filing whose photo shows a red top is refused with its reason
// (text and --json) while the others go; one whose verification form
// warns waits for --accept-warnings, which keeps the acknowledgement in
// its draft; the reference backend never gets the refused filing.
func TestBatchSubmitGate(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	pass := filepath.Join(dir, "pass")
	_ = os.WriteFile(pass, []byte("agency-passphrase\n"), 0o600)
	common := []string{"--data-dir", data, "--passphrase-file", pass}

	scans := filepath.Join(dir, "scans")
	_ = os.Mkdir(scans, 0o755)
	writeBatchScans(t, scans, "A", "photo", "photo-red")
	writeBatchScans(t, scans, "B")
	writeBatchScans(t, scans, "C", "verification_form", "form-small")
	sheet := batchCSV(t,
		map[string]string{"key": "A", "filing_password": "pw-a"},
		map[string]string{"key": "B", "subject_name": "宁波另一科技有限公司", "certificate_number": "91330200MA2AXY1232",
			"owner_mobile": "13600136000", "site_owner_mobile": "13500135000", "site_owner_emergency": "", "domain": "b.example.net", "filing_password": "pw-b"},
		map[string]string{"key": "C", "subject_name": "第三科技有限公司", "certificate_number": "91330100MA2B3C4D5N",
			"owner_mobile": "13300133000", "site_owner_mobile": "13200132000", "site_owner_emergency": "", "domain": "c.example.net", "filing_password": "pw-c"},
	)
	if code, out, errs := runCLI(append([]string{"batch", "import", sheet, "--scans", scans}, common...)...); code != exitClean {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}

	backendDir := t.TempDir()
	url, tokenFile := startBackendCmdIn(t, backendDir)
	sub := append([]string{"batch", "submit", "--backend", url, "--token-file", tokenFile, "--wait", "20s"}, common...)
	code, out, errs := runCLI(append(sub, "--json")...)
	var got struct {
		Rows []batch.RowStatus `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitBlocked || len(got.Rows) != 3 {
		t.Fatalf("submit --json: exit %d, %v\n%s%s", code, err, out, errs)
	}
	a, b, c := got.Rows[0], got.Rows[1], got.Rows[2]
	if a.State != batch.StateBlocked || a.Blocking != 1 || a.SubmissionID != "" || len(a.Findings) != 1 ||
		a.Findings[0].Rule != "photo.clothing" || a.Findings[0].Field != "photo" {
		t.Fatalf("row A (red top): %+v", a)
	}
	if b.State != string(submit.Accepted) {
		t.Fatalf("row B should have gone: %+v", b)
	}
	if c.State != batch.StateBlocked || c.Blocking != 0 || c.ToConfirm != 1 || len(c.Findings) != 1 || c.Findings[0].Rule != "document.resolution" {
		t.Fatalf("row C (warned form): %+v", c)
	}
	if n := backendFilings(t, backendDir); n != 1 {
		t.Fatalf("the backend holds %d filings, want only B's", n)
	}

	// In text, each refused row names its reasons; --accept-warnings lets
	// C go and still refuses A's failure.
	code, out, errs = runCLI(append(sub, "--retry-failed", "--accept-warnings")...)
	if code != exitBlocked || !strings.Contains(out, "A  有阻断问题") || !strings.Contains(out, "    [阻断] photo.clothing · photo: ") {
		t.Fatalf("retry with --accept-warnings: exit %d\n%s%s", code, out, errs)
	}
	if accepted := submit.Accepted.Label("zh"); !strings.Contains(out, "C  "+accepted) {
		t.Fatalf("C should be accepted once its warning is acknowledged:\n%s", out)
	}
	if n := backendFilings(t, backendDir); n != 2 {
		t.Fatalf("the backend holds %d filings, want B's and C's", n)
	}
	st, err := store.Open(store.Options{Dir: data, Passphrase: filing.NewSecret("agency-passphrase"), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	draft, _, err := st.LoadDraft(c.DraftID)
	if err != nil {
		t.Fatal(err)
	}
	if len(draft.Acknowledgements) != 1 || draft.Acknowledgements[0].Rule != "document.resolution" ||
		draft.Acknowledgements[0].Field != "documents.verification_form[0]" {
		t.Fatalf("draft C keeps %+v", draft.Acknowledgements)
	}
}
