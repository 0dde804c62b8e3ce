//go:build windows

package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These run on Windows, and under Wine in `make release-check`
// (scripts/wine-check.sh builds this package's test .exe and runs the
// tests named TestOS…).

// osTempDir is t.TempDir removed with removeTree rather than os.RemoveAll,
// which fails under Wine 8 (see removeTree); the removal is checked.
func osTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "icpfiling-store-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if left, errs := removeTree(d); len(left) > 0 {
			t.Errorf("could not remove the test directory: %v %v", left, errs)
		}
	})
	return d
}

// TestOSDefaultDir: %LOCALAPPDATA%\icpfiling (local, not roaming), and
// without LOCALAPPDATA the same place through os.UserCacheDir.
func TestOSDefaultDir(t *testing.T) {
	local := `C:\Users\张 三\AppData\Local`
	t.Setenv("LOCALAPPDATA", local)
	if d, err := DefaultDir(); err != nil || d != local+`\icpfiling` {
		t.Errorf("DefaultDir() = %q, %v", d, err)
	}
	t.Setenv("LOCALAPPDATA", "")
	if d, err := DefaultDir(); err == nil {
		t.Errorf("without LOCALAPPDATA DefaultDir() = %q; os.UserCacheDir has no other source on Windows", d)
	}
}

// TestOSDeleteAllDataNamesWhatIsHeld: Windows deletes no open file. A log
// another program keeps open is tried again, then named in the error in
// both languages, and nothing of the data is lost track of; once it is
// closed everything goes, the directory too.
func TestOSDeleteAllDataNamesWhatIsHeld(t *testing.T) {
	dir := filepath.Join(osTempDir(t), "data")
	s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveDraft(sampleApp(1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.MkdirAll(LogDir(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(LogDir(dir), "icpfiling.log"))
	if err != nil {
		t.Fatal(err)
	}
	err = DeleteAllData(dir)
	f.Close()
	var se *Error
	if !errors.Is(err, ErrIO) || !errors.As(err, &se) {
		t.Fatalf("DeleteAllData with an open log: %v, want ErrIO", err)
	}
	held := filepath.Join("logs", "icpfiling.log")
	for _, lang := range []string{"zh", "en"} {
		if m := se.Message(lang); !strings.Contains(m, held) {
			t.Errorf("%s message does not name %s: %s", lang, held, m)
		}
	}
	if err := DeleteAllData(dir); err != nil {
		t.Fatalf("DeleteAllData after the log was closed: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data directory still there: %v", err)
	}
}

// TestOSLockIsExclusive: the lock is a file opened without sharing: a
// second Open of the same directory, in this process or another, is
// refused until the first one closes, and the lock file can then go.
func TestOSLockIsExclusive(t *testing.T) {
	dir := osTempDir(t)
	s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrAlreadyOpen) {
		t.Errorf("second Open: %v, want ErrAlreadyOpen", err)
	}
	if err := DeleteAllData(dir); !errors.Is(err, ErrAlreadyOpen) {
		t.Errorf("DeleteAllData while open: %v, want ErrAlreadyOpen", err)
	}
	s.Close()
	if err := os.Remove(filepath.Join(dir, lockFileName)); err != nil {
		t.Errorf("lock file still held after Close: %v", err)
	}
}

// TestOSPathsWithChineseSpacesAndLength: a data directory whose path has
// Chinese characters and spaces (a user name such as "张 三") and is
// longer than MAX_PATH (260) stores, reopens and deletes like any other.
func TestOSPathsWithChineseSpacesAndLength(t *testing.T) {
	root := osTempDir(t)
	deep := filepath.Join(root, "张 三", "AppData", "Local")
	for len(deep) < 280 {
		deep = filepath.Join(deep, "很长的 目录名 long directory name")
	}
	dir := filepath.Join(deep, "icpfiling")
	cases := []struct{ name, dir string }{
		{"Chinese and spaces", filepath.Join(root, "张 三", "icpfiling")},
		{"longer than MAX_PATH", dir},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(Options{Dir: tc.dir, SnapshotInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.SaveDraft(sampleApp(2))
			if err != nil {
				s.Close()
				t.Fatal(err)
			}
			if _, err := s.PutAttachment(strings.NewReader("\xff\xd8\xff\xe0 a scan"), "营业执照 扫描.jpg", "image/jpeg"); err != nil {
				t.Error(err)
			}
			s.Close()
			if s, err = Open(Options{Dir: tc.dir, SnapshotInterval: -1}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.LoadDraft(info.ID); err != nil {
				t.Errorf("reopened: %v", err)
			}
			s.Close()
			if err := DeleteAllData(tc.dir); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(tc.dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("data directory still there: %v", err)
			}
		})
	}
}
