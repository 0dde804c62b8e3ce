//go:build windows

package instance

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// These run on Windows, and under Wine in `make release-check`
// (scripts/wine-check.sh builds this package's test .exe and runs it).

// TestOSWindowsDataDirWithChineseAndSpaces: the single instance works in
// a data directory under a user name such as "张 三", a stale address
// file left by a crash is replaced (a rename over an existing file, which
// Windows allows only with MOVEFILE_REPLACE_EXISTING), and the running
// instance keeps no file of the data directory open, so that deleting
// all data (which closes it first) and antivirus scans are never blocked
// by it.
func TestOSWindowsDataDirWithChineseAndSpaces(t *testing.T) {
	dir := filepath.Join(tempDir(t), "张 三的 数据")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(filepath.Join(dir, FileName)); os.Remove(dir) })
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("127.0.0.1:1 deadbeef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var shown atomic.Int32
	s, err := Listen(dir, func() { shown.Add(1) })
	if err != nil {
		t.Fatalf("Listen over a stale address file: %v", err)
	}
	if code := secondStart(t, dir); code != 0 {
		t.Fatalf("second process exit code %d, want 0", code)
	}
	if shown.Load() != 1 {
		t.Fatalf("onShow called %d times, want 1", shown.Load())
	}
	// Nothing held open: the address file can be renamed away and back
	// while the server runs.
	addr := filepath.Join(dir, FileName)
	if err := os.Rename(addr, addr+".moved"); err != nil {
		t.Fatalf("the address file is held open: %v", err)
	}
	if err := os.Rename(addr+".moved", addr); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(addr); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("address file still there after Close: %v", err)
	}
	if err := Show(dir, time.Second); !errors.Is(err, ErrNoInstance) {
		t.Fatalf("after Close: %v, want ErrNoInstance", err)
	}
}
