package gui

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/batch"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
)

func TestVisibleRows(t *testing.T) {
	rows := []batchRow{
		{index: 0, key: "A", subject: "杭州甲公司", domain: "a.com", blocking: 2, checked: true},
		{index: 1, key: "B", subject: "宁波乙公司", domain: "b.cn", blocking: 0, warnings: 3, checked: true},
		{index: 2, key: "C", subject: "杭州丙公司", domain: "c.com"},
		{index: 3, key: "D", subject: "温州丁公司", domain: "d.com", checked: true, blocking: 1, submitted: true},
	}
	cases := []struct {
		name   string
		text   string
		choice int
		col    int
		desc   bool
		want   string
	}{
		{"all in batch order", "", filterAll, 0, false, "ABCD"},
		{"text matches the subject", "杭州", filterAll, 0, false, "AC"},
		{"text matches the domain, any case", ".COM", filterAll, 0, false, "ACD"},
		{"blocking only", "", filterBlocking, 0, false, "AD"},
		{"ready only", "", filterReady, 0, false, "B"},
		{"not checked", "", filterUnchecked, 0, false, "C"},
		{"submitted", "", filterSubmitted, 0, false, "D"},
		{"sorted by blocking, most first", "", filterAll, 5, true, "ADBC"},
		{"sorted by warnings", "", filterAll, 6, false, "ACDB"},
		{"filter and sort together", "com", filterBlocking, 5, false, "DA"},
	}
	for _, tc := range cases {
		var got strings.Builder
		for _, i := range visibleRows(rows, tc.text, tc.choice, tc.col, tc.desc) {
			got.WriteString(rows[i].key)
		}
		if got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got.String(), tc.want)
		}
	}
}

// storeDrafts gives the wizard the real store.
type storeDrafts struct {
	noDrafts
	st *store.Store
}

func (d storeDrafts) Load(id string) (*filing.Application, error) {
	app, _, err := d.st.LoadDraft(id)
	return app, err
}
func (d storeDrafts) Save(a *filing.Application) { _, _ = d.st.SaveDraft(a) }

// testBatches is the batch service over a real store and outbox (no
// backend), as main wires it, without the scan checks.
type testBatches struct {
	st *store.Store
	ob *submit.Outbox
}

func (s testBatches) Batches() ([]*batch.Batch, error) { return batch.ListBatches(s.st) }
func (s testBatches) Import(path, dir string) (*batch.ImportResult, error) {
	return batch.Import(s.st, path, batch.ImportOptions{ScanDir: dir})
}
func (s testBatches) Load(b *batch.Batch) ([]*filing.Application, error) {
	apps, _, err := batch.LoadApps(s.st, b)
	return apps, err
}
func (s testBatches) Check(ctx context.Context, b *batch.Batch, apps []*filing.Application, p func(batch.Progress)) ([]batch.Result, error) {
	return batch.Check(ctx, apps, batch.CheckOptions{Progress: p, Labels: b.Keys()})
}
func (s testBatches) Submit(b *batch.Batch, onlyFailed bool) ([]batch.RowStatus, error) {
	return batch.SubmitAll(s.st, s.ob, b, onlyFailed)
}
func (s testBatches) Statuses(b *batch.Batch) ([]batch.RowStatus, error) {
	return batch.Statuses(s.st, s.ob, b)
}
func (s testBatches) Report(string, []batch.ReportRow, string) error { return nil }

// writeSheet writes n filings as a template CSV; every third one has no
// subject owner mobile (a blocking finding).
func writeSheet(t *testing.T, n int) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	var zh, en []string
	for _, c := range batch.Columns {
		zh, en = append(zh, c.ZH), append(en, c.Key)
	}
	_ = w.Write(zh)
	_ = w.Write(en)
	for i := 0; i < n; i++ {
		var row []string
		for _, c := range batch.Columns {
			v := c.Example
			switch c.Key {
			case "key":
				v = fmt.Sprintf("K%03d", i)
			case "domain":
				v = fmt.Sprintf("site%03d.example.com", i)
			case "subject_name":
				v = fmt.Sprintf("杭州示例%03d科技有限公司", i)
			}
			row = append(row, v)
		}
		_ = w.Write(row)
	}
	w.Flush()
	path := filepath.Join(t.TempDir(), "batch.csv")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBatchViewCheckOpenAndBack: the view lists an imported batch, checks
// it in the background with progress, filters and sorts, opens a filing in
// the wizard and comes back to the same filter, sort and selection.
func TestBatchViewCheckOpenAndBack(t *testing.T) {
	a := test.NewTempApp(t)
	if err := LoadTranslations(""); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.Options{Dir: t.TempDir(), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc := testBatches{st: st, ob: submit.NewOutbox(st, submit.Options{})}
	if _, err := svc.Import(writeSheet(t, 40), ""); err != nil {
		t.Fatal(err)
	}
	ui := NewUI(a, Services{Pack: filing.DefaultPack(), Drafts: storeDrafts{st: st}, Settings: noSettings{}, Batches: svc})
	ui.Window().Resize(fyne.NewSize(1100, 760))
	home := ui.win.Content()
	ui.showBatch()
	if ui.win.Content() == home {
		t.Fatal("showBatch did not open the batch view")
	}
	// A handle on a view built the same way, to look inside.
	v := NewBatchView(ui, svc)
	ui.win.SetContent(v.Content())
	if len(v.rows) != 40 || v.rows[0].checked {
		t.Fatalf("%d rows", len(v.rows))
	}

	test.Tap(v.checkBtn)
	select {
	case <-v.done:
	case <-time.After(10 * time.Second): // a bound, not a timing claim
		t.Fatal("the check did not finish")
	}
	if !v.rows[39].checked {
		t.Fatal("the last filing was not checked")
	}
	if v.progress.Value != 1 || !strings.Contains(v.count.Text, "40") {
		t.Errorf("progress %v, count %q", v.progress.Value, v.count.Text)
	}
	if v.checkBtn.Disabled() || !v.cancel.Disabled() {
		t.Error("after the check, Check is enabled and Cancel disabled")
	}

	test.Type(v.filter, "K01")
	v.status.SetSelectedIndex(filterAll)
	v.sortBy(2) // domain ascending
	v.sortBy(2) // descending
	if len(v.visible) != 10 || v.rows[v.visible[0]].key != "K019" {
		t.Fatalf("filtered %d rows, first %q", len(v.visible), v.rows[v.visible[0]].key)
	}
	v.table.Select(widget.TableCellID{Row: 2, Col: 1})
	if v.rows[v.sel].key != "K017" {
		t.Fatalf("selected %q", v.rows[v.sel].key)
	}
	v.open()
	if ui.wizard == nil {
		t.Fatal("the wizard did not open")
	}
	back := findButton(t, ui.win.Content(), lang.L("Drafts"))
	if back == nil {
		t.Fatal("no way back from the wizard")
	}
	test.Tap(back)
	if ui.win.Content() != v.Content() {
		t.Fatal("closing the wizard did not come back to the batch view")
	}
	if v.filter.Text != "K01" || v.sortCol != 2 || !v.desc || len(v.visible) != 10 || v.rows[v.sel].key != "K017" {
		t.Errorf("state after coming back: filter %q sort %d/%v rows %d sel %q", v.filter.Text, v.sortCol, v.desc, len(v.visible), v.rows[v.sel].key)
	}
	if v.rows[v.sel].checked {
		t.Error("the edited filing should be marked not checked")
	}
}
