package applog

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseLetsTheDirectoryGo: after Release every file of the log
// directory can be deleted one by one (Windows deletes no open file: this
// fails there while the log or the crash file is still open; the test
// also runs under Wine in `make release-check`), and logging goes on: the
// next line re-creates the directory and the file, and StartCrashFile
// works again.
func TestReleaseLetsTheDirectoryGo(t *testing.T) {
	parent, err := os.MkdirTemp("", "icpfiling-applog-test-")
	if err != nil {
		t.Fatal(err)
	}
	// Removed by hand: t.TempDir's os.RemoveAll fails under Wine 8.
	t.Cleanup(func() { removeFlat(t, filepath.Join(parent, "logs")); os.Remove(parent) })
	dir := filepath.Join(parent, "logs")
	old := slog.Default()
	defer slog.SetDefault(old)
	l, err := Open(dir, slog.LevelInfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.StartCrashFile(); err != nil {
		t.Fatal(err)
	}
	l.Logger.Info("before the data was deleted")
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	removeFlat(t, dir)
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("log directory still there after Release: %v", err)
	}
	l.Logger.Info("after the data was deleted")
	b, err := os.ReadFile(filepath.Join(dir, LogFile))
	if err != nil || !strings.Contains(string(b), "after the data was deleted") || strings.Contains(string(b), "before") {
		t.Errorf("log after Release: %q, %v", b, err)
	}
	if err := l.StartCrashFile(); err != nil {
		t.Errorf("StartCrashFile after Release: %v", err)
	}
}

// removeFlat removes the files of dir, then dir, each with os.Remove.
func removeFlat(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			t.Errorf("%s is still held: %v", e.Name(), err)
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Error(err)
	}
}
