package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openTemp opens a fresh store in a temp dir and closes it at cleanup.
func openTemp(t testing.TB, opts Options) *Store {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecordsRoundTripAndSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	records := []struct{ ns, key, value string }{
		{"outbox", "sub-1", `{"attempt":1}`},
		{"outbox", "sub-2", `{"attempt":2}`},
		{"outbox", "with/slash", "x"},
		{"outbox2", "sub-1", "other namespace"},
		{"settings", "中文键", "值"},
	}
	for _, r := range records {
		if err := s.PutRecord(r.ns, r.key, []byte(r.value)); err != nil {
			t.Fatalf("PutRecord(%s,%s): %v", r.ns, r.key, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTemp(t, Options{Dir: dir})
	for _, r := range records {
		got, err := s.GetRecord(r.ns, r.key)
		if err != nil || string(got) != r.value {
			t.Errorf("GetRecord(%s,%s) = %q, %v; want %q", r.ns, r.key, got, err, r.value)
		}
	}
	all, err := s.ListRecords("outbox")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || string(all["with/slash"]) != "x" || string(all["sub-2"]) != `{"attempt":2}` {
		t.Errorf("ListRecords(outbox) = %q", all)
	}
	if err := s.DeleteRecord("outbox", "sub-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord("outbox", "sub-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteRecord("outbox", "never-there"); err != nil {
		t.Errorf("deleting an absent record: %v", err)
	}
	if got, _ := s.GetRecord("outbox2", "sub-1"); string(got) != "other namespace" {
		t.Errorf("namespaces overlap: %q", got)
	}
}

func TestRecordValueIsACopy(t *testing.T) {
	s := openTemp(t, Options{})
	v := []byte("original")
	if err := s.PutRecord("ns", "k", v); err != nil {
		t.Fatal(err)
	}
	copy(v, "XXXXXXXX")
	got, _ := s.GetRecord("ns", "k")
	if string(got) != "original" {
		t.Errorf("stored value changed with the caller's slice: %q", got)
	}
}

func TestRecordArgumentsRefused(t *testing.T) {
	s := openTemp(t, Options{})
	cases := []struct {
		name, ns, key string
		size          int
	}{
		{"empty namespace", "", "k", 1},
		{"slash in namespace", "a/b", "k", 1},
		{"empty key", "ns", "", 1},
		{"invalid UTF-8 key", "ns", "\xff", 1},
		{"value too large", "ns", "k", maxRecordSize + 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.PutRecord(c.ns, c.key, make([]byte, c.size))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var se *Error
			if !errors.As(err, &se) || se.Message("zh") == "" || se.Message("en") == "" {
				t.Errorf("no zh/en message: %#v", err)
			}
		})
	}
}

func TestUseAfterCloseIsErrClosed(t *testing.T) {
	s := openTemp(t, Options{})
	s.Close()
	if err := s.PutRecord("ns", "k", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("PutRecord after Close: %v", err)
	}
	if _, err := s.PutAttachment(strings.NewReader("x"), "a", ""); !errors.Is(err, ErrClosed) {
		t.Errorf("PutAttachment after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestSecondOpenInSameProcessIsAlreadyOpen(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	_, err := Open(Options{Dir: dir})
	if !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("second Open: %v, want ErrAlreadyOpen", err)
	}
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(se.Message("zh"), "已经打开") || !strings.Contains(se.Message("en"), "already open") {
		t.Errorf("message: %v", err)
	}
	// The first handle is unaffected.
	if err := s.PutRecord("ns", "k", []byte("v")); err != nil {
		t.Errorf("first handle after refused second open: %v", err)
	}
	s.Close()
	s2, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s2.Close()
}

func TestDefaultDirIsPerUserAndAbsolute(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg/data")
	d, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(d) || filepath.Base(d) != "icpfiling" {
		t.Errorf("DefaultDir() = %q", d)
	}
}

func TestEmptyStoreFootprint(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	opened := time.Since(start)
	openSize := dirApparentSize(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("empty store: open+close %v, apparent size while open %.1f MiB, after close %.1f MiB",
		time.Since(start), float64(openSize)/(1<<20), float64(dirApparentSize(t, dir))/(1<<20))
	_ = opened
	// Apparent size, not blocks: NTFS really allocates the preallocated files.
	if openSize > 100<<20 {
		t.Errorf("empty store takes %d bytes while open, limit 100 MiB", openSize)
	}
}

func dirApparentSize(t testing.TB, dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func TestStoreLogHasNoInfoChatter(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	for i := 0; i < 20; i++ {
		s.PutRecord("ns", "k", bytes.Repeat([]byte("v"), 1000))
	}
	s.Close()
	data, _ := os.ReadFile(filepath.Join(dir, "logs", logFileName))
	if len(data) > 0 {
		t.Errorf("a clean open/write/close logged:\n%s", data)
	}
}
