//go:build darwin

package store

import (
	"os"
	"path/filepath"
	"testing"
)

// osTempDir is the test's temporary directory (see os_windows_test.go for
// why Windows needs its own).
func osTempDir(t *testing.T) string { return t.TempDir() }

// TestOSDefaultDir: ~/Library/Application Support/icpfiling, whatever
// XDG_DATA_HOME says (that is for Linux and the BSDs).
func TestOSDefaultDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "xdg"))
	want := filepath.Join(home, "Library", "Application Support", "icpfiling")
	if d, err := DefaultDir(); err != nil || d != want {
		t.Errorf("DefaultDir() = %q, %v; want %q", d, err, want)
	}
	if _, err := os.Stat(filepath.Join(home, "xdg")); err == nil {
		t.Error("DefaultDir created a directory")
	}
}
