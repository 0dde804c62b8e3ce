package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackendFailsClosed: a token file that is missing, empty or holds
// only white space stops the backend at start (exit 2) instead of serving
// without authentication, and --public without a token refuses to start
// unless --insecure-no-auth is given. Every case exits before listening.
func TestBackendFailsClosed(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty, blank, spaced := file("empty", ""), file("blank", " \n\t\r\n"), file("spaced", "two words\n")
	data := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"an empty token file", []string{"--token-file", empty}, "empty"},
		{"a whitespace-only token file", []string{"--token-file", blank}, "empty"},
		{"an unreadable token file", []string{"--token-file", filepath.Join(dir, "missing")}, "cannot read the token file"},
		{"an empty --token", []string{"--token", "  "}, "empty"},
		{"a token with a space inside", []string{"--token-file", spaced}, "white space"},
		{"--public without a token", []string{"--addr", "0.0.0.0:0", "--public"}, "--insecure-no-auth"},
		{"--public with an empty token file", []string{"--addr", "0.0.0.0:0", "--public", "--token-file", empty}, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(append([]string{"backend", "--data-dir", data, "--lang", "en"}, tc.args...)...)
			if code != exitUnreadable || !strings.Contains(stderr, tc.want) || strings.Contains(stdout, "listening") {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, exitUnreadable, stdout, stderr)
			}
			t.Logf("refused at start, exit %d: %s", code, strings.TrimSpace(stderr))
		})
	}
}
