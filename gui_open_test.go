package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	badger "github.com/dgraph-io/badger/v4"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
)

// walkObjects visits o and everything inside it.
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			walkObjects(child, fn)
		}
	case *container.Scroll:
		walkObjects(c.Content, fn)
	}
}

func findIn[T fyne.CanvasObject](o fyne.CanvasObject, ok func(T) bool) (found T) {
	walkObjects(o, func(x fyne.CanvasObject) {
		if v, is := x.(T); is && ok(v) {
			found = v
		}
	})
	return found
}

// testOpening is a storeOpening on the test app that runs every open in
// place and records how it ended.
func testOpening(t *testing.T, dir string) (*storeOpening, *[]*store.Store, *[]error) {
	a := test.NewTempApp(t)
	var opened []*store.Store
	var failed []error
	o := &storeOpening{app: a, dir: dir, lang: "en", open: store.Open,
		async: func(f func()) { f() },
		ready: func(st *store.Store) {
			opened = append(opened, st)
			t.Cleanup(func() { st.Close() })
			a.NewWindow("main").Show()
		},
		failed: func(err error, _ filing.Secret) { failed = append(failed, err) },
	}
	return o, &opened, &failed
}

func TestUnlockWindowOpensASealedStore(t *testing.T) {
	dir := t.TempDir()
	pass := filing.NewSecret("the store passphrase")
	st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassphrase(filing.Secret{}, pass); err != nil {
		t.Fatal(err)
	}
	st.Close()

	o, opened, failed := testOpening(t, dir)
	o.start(filing.Secret{})
	if o.unlock == nil || len(*opened) != 0 {
		t.Fatalf("no unlock window for a sealed store (opened %d)", len(*opened))
	}
	content := o.unlock.Window.Content()
	entry := findIn(content, func(e *widget.Entry) bool { return e.Password })
	unlock := findIn(content, func(b *widget.Button) bool { return b.Text == "Unlock" })
	if entry == nil || unlock == nil {
		t.Fatal("the unlock window has no passphrase entry or Unlock button")
	}

	test.Type(entry, "not it")
	test.Tap(unlock)
	msg := findIn(content, func(l *gui.Paragraph) bool { return l.Importance == widget.DangerImportance })
	if len(*opened) != 0 || msg == nil || msg.Text == "" || entry.Text != "" || unlock.Disabled() {
		t.Fatalf("wrong passphrase: opened %d, message %v", len(*opened), msg)
	}

	test.Type(entry, pass.Reveal())
	test.Tap(unlock)
	if len(*opened) != 1 || len(*failed) != 0 || o.unlock != nil {
		t.Fatalf("right passphrase: opened %d, failed %v", len(*opened), *failed)
	}
	if (*opened)[0].Locked() {
		t.Error("opened with the passphrase, the store is still locked")
	}
}

func TestForgotPassphraseDeletesAndStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1, Passphrase: filing.NewSecret("forgotten")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.NewDraft(&filing.Application{SchemaVersion: filing.SchemaVersion}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	o, opened, _ := testOpening(t, dir)
	o.start(filing.Secret{})
	if o.unlock == nil {
		t.Fatal("no unlock window")
	}
	if err := o.deleteAll(); err != nil {
		t.Fatal(err)
	}
	if len(*opened) != 1 {
		t.Fatal("the emptied store did not open")
	}
	if list, _ := (*opened)[0].ListDrafts(); len(list) != 0 || (*opened)[0].HasPassphrase() {
		t.Errorf("after deleting: %d drafts, passphrase %v", len(list), (*opened)[0].HasPassphrase())
	}
}

// makeOlderStore writes a data directory as builds before encryption at
// rest did: a plain Badger database and meta.json format 1.
func makeOlderStore(t *testing.T, dir string, records int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(`{"format":1,"memtable_size":16777216,"encrypted":false}`), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badger.DefaultOptions(filepath.Join(dir, "store")).WithLogger(nil).WithMemTableSize(16 << 20))
	if err != nil {
		t.Fatal(err)
	}
	wb := db.NewWriteBatch()
	for i := 0; i < records; i++ {
		if err := wb.Set([]byte(fmt.Sprintf("r/older/%05d", i)), []byte("13800138000")); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(wb.Flush(), db.Close()); err != nil {
		t.Fatal(err)
	}
}

func TestMigrationShowsAProgressWindow(t *testing.T) {
	dir := t.TempDir()
	makeOlderStore(t, dir, 1200)
	o, opened, failed := testOpening(t, dir)
	var seen []float64
	o.open = func(opts store.Options) (*store.Store, error) {
		inner := opts.Progress
		opts.Progress = func(done, total int) {
			inner(done, total)
			if o.progress == nil {
				t.Fatalf("progress %d/%d without a progress window", done, total)
			}
			bar := findIn(o.progress.Window.Content(), func(*widget.ProgressBar) bool { return true })
			seen = append(seen, bar.Value)
		}
		return store.Open(opts)
	}
	o.start(filing.Secret{})
	if len(*opened) != 1 || len(*failed) != 0 {
		t.Fatalf("opened %d, failed %v", len(*opened), *failed)
	}
	if len(seen) < 3 || seen[0] != 0 || seen[len(seen)-1] != 1 || seen[1] <= 0 || seen[1] >= 1 {
		t.Errorf("progress bar values %v", seen)
	}
	if o.progress != nil {
		t.Error("the progress window outlived the migration")
	}
	if recs, _ := (*opened)[0].ListRecords("older"); len(recs) != 1200 {
		t.Errorf("%d of 1200 records after the migration", len(recs))
	}
}
