package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestBadLogLevelIsRefused(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--log-level", "loud"}, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), "debug") || !strings.Contains(errb.String(), "只能是") {
		t.Errorf("message does not say what is allowed, in Chinese and English: %q", errb.String())
	}
}

func TestResetUIRemovesFynePreferences(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CONFIG_HOME moves os.UserConfigDir only on Linux and BSD")
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	prefs := filepath.Join(cfg, "fyne", appID, "preferences.json")
	if err := os.MkdirAll(filepath.Dir(prefs), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prefs, []byte(`{"width":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	resetUI()
	if _, err := os.Stat(prefs); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("preferences still there: %v", err)
	}
	resetUI() // nothing to remove is not an error
}
