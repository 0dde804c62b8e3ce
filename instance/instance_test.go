package instance

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// A second process is this test binary started again with helperEnv set:
// it then behaves like a second start of the app and exits with 0 (the
// first instance answered) or 3 (nothing answered).
const helperEnv = "ICPFILING_INSTANCE_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		if err := Show(dir, 2*time.Second); err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// tempDir is a new directory for one test, removed file by file when it
// ends: t.TempDir's os.RemoveAll fails under Wine 8, where
// scripts/wine-check.sh runs these tests (see filing/store's removeTree).
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "icpfiling-instance-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			os.Remove(filepath.Join(dir, e.Name()))
		}
		if err := os.Remove(dir); err != nil {
			t.Errorf("test directory left behind: %v", err)
		}
	})
	return dir
}

func secondStart(t *testing.T, dir string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("second process: %v\n%s", err, out)
	}
	return 0
}

func TestSecondProcessBringsFirstForward(t *testing.T) {
	dir := tempDir(t)
	var shown atomic.Int32
	s, err := Listen(dir, func() { shown.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	if code := secondStart(t, dir); code != 0 {
		t.Fatalf("second process exit code %d, want 0", code)
	}
	if code := secondStart(t, dir); code != 0 {
		t.Fatalf("third process exit code %d, want 0", code)
	}
	if got := shown.Load(); got != 2 {
		t.Fatalf("onShow called %d times, want 2", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("address file still there after Close: %v", err)
	}
	// After the first one quit, a later start finds nothing and goes on.
	if code := secondStart(t, dir); code != 3 {
		t.Fatalf("after Close: exit code %d, want 3 (no instance)", code)
	}
}

func TestStaleFileIsIgnored(t *testing.T) {
	dir := tempDir(t)
	// An address file left by a crash: the port is closed now.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(addr+" deadbeef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := secondStart(t, dir); code != 3 {
		t.Fatalf("stale file: exit code %d, want 3", code)
	}
	// No file at all.
	if err := Show(tempDir(t), time.Second); !errors.Is(err, ErrNoInstance) {
		t.Fatalf("no file: %v, want ErrNoInstance", err)
	}
}

func TestWrongTokenIsRefused(t *testing.T) {
	dir := tempDir(t)
	var shown atomic.Int32
	s, err := Listen(dir, func() { shown.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := tempDir(t)
	if err := os.WriteFile(filepath.Join(other, FileName), []byte(s.Addr()+" 00112233\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Show(other, time.Second); !errors.Is(err, ErrNoInstance) {
		t.Fatalf("wrong token: %v, want ErrNoInstance", err)
	}
	if shown.Load() != 0 {
		t.Fatal("window brought forward on a wrong token")
	}
	// Only loopback addresses are contacted.
	if err := os.WriteFile(filepath.Join(other, FileName), []byte("192.0.2.1:80 00112233\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Show(other, time.Second); !errors.Is(err, ErrNoInstance) {
		t.Fatalf("non-loopback: %v, want ErrNoInstance", err)
	}
}
