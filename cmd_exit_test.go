package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

// TestExitAlreadyOpenEveryCommand: while another copy of the app holds
// the data directory, every command that needs it exits 4 and says so.
func TestExitAlreadyOpenEveryCommand(t *testing.T) {
	dir, _, id := draftsFixture(t)
	st, err := store.Open(store.Options{Dir: dir, Passphrase: filing.NewSecret("store passphrase")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, args := range [][]string{
		{"drafts", "list"},
		{"drafts", "show", id},
		{"drafts", "delete", "--all-data", "--yes"},
		{"batch", "list"},
		{"batch", "check"},
		{"submit", "--draft", id, "--backend", "http://127.0.0.1:9"},
		{"status", "icpf-00000000000000000000000000000000"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(append(args, "--data-dir", dir, "--lang", "en")...)
			if code != exitAlreadyOpen || !strings.Contains(stderr, "already open") {
				t.Fatalf("exit %d (want %d): %s", code, exitAlreadyOpen, stderr)
			}
		})
	}
}

// TestOldDataFlagStillWorks: --data, the old spelling in submit, status
// and backend, still works, with a one-line notice on stderr naming
// --data-dir; --data-dir itself prints none.
func TestOldDataFlagStillWorks(t *testing.T) {
	dir, passFile, _ := draftsFixture(t)
	for _, tc := range []struct {
		flag   string
		notice bool
	}{{"--data-dir", false}, {"--data", true}, {"-data", true}} {
		code, stdout, stderr := runCLI("drafts", "list", tc.flag, dir, "--passphrase-file", passFile, "--lang", "en")
		if code != exitClean || !strings.Contains(stdout, "1 drafts") {
			t.Fatalf("%s: exit %d\n%s%s", tc.flag, code, stdout, stderr)
		}
		if got := strings.Contains(stderr, "--data is now --data-dir"); got != tc.notice || strings.Count(stderr, "\n") > 1 {
			t.Errorf("%s: notice %v, want %v: %q", tc.flag, got, tc.notice, stderr)
		}
	}
	// submit and status take the same flag.
	code, _, stderr := runCLI("status", "icpf-00000000000000000000000000000000", "--data", dir, "--passphrase-file", passFile)
	if code != exitUnreadable || !strings.Contains(stderr, "--data-dir") || !strings.Contains(stderr, "icpf-0000") {
		t.Fatalf("status --data: exit %d: %s", code, stderr)
	}
}

// TestTerminalOutputEscapesControls: whatever a command prints passes
// through one escaping function: control characters and bidi overrides
// come out as \u001b or \u202e, line breaks and tabs of the layout stay.
func TestTerminalOutputEscapesControls(t *testing.T) {
	cases := []struct{ in, line, value string }{
		{"plain 中文 text", "plain 中文 text", "plain 中文 text"},
		{"title\x1b]0;pwned\x07", `title\u001b]0;pwned\u0007`, `title\u001b]0;pwned\u0007`},
		{"clear\x1b[2J\x1b[H", `clear\u001b[2J\u001b[H`, `clear\u001b[2J\u001b[H`},
		{"csi\u009b2J", `csi\u009b2J`, `csi\u009b2J`},
		{"rtl \u202eevil\u202c \u2066x\u2069 \u200f", `rtl \u202eevil\u202c \u2066x\u2069 \u200f`, `rtl \u202eevil\u202c \u2066x\u2069 \u200f`},
		{"two\nlines\ttab", "two\nlines\ttab", `two\u000alines\u0009tab`},
		{"bad \xff byte", `bad \xff byte`, `bad \xff byte`},
	}
	for _, tc := range cases {
		var b strings.Builder
		_, _ = terminalWriter{&b}.Write([]byte(tc.in))
		if b.String() != tc.line {
			t.Errorf("writer %q → %q, want %q", tc.in, b.String(), tc.line)
		}
		if got := term(tc.in); got != tc.value {
			t.Errorf("term %q → %q, want %q", tc.in, got, tc.value)
		}
	}
}

// TestCommandsPrintNamesEscaped: a draft whose subject name would retitle
// the terminal and clear the screen (kept by an older version, before
// import refused it) is listed escaped by `drafts list` and `drafts show`.
func TestCommandsPrintNamesEscaped(t *testing.T) {
	dir, passFile, id := draftsFixture(t)
	st, err := store.Open(store.Options{Dir: dir, Passphrase: filing.NewSecret("store passphrase"), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := st.LoadDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	app.Subject.Name = "杭州\x1b]0;pwned\x07\x1b[2J\u202e示例"
	if _, err := st.SaveDraft(app); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	for _, args := range [][]string{{"drafts", "list"}, {"drafts", "show", id}} {
		code, stdout, stderr := runCLI(append(args, "--data-dir", dir, "--passphrase-file", passFile)...)
		if code != exitClean {
			t.Fatalf("%v: exit %d %s", args, code, stderr)
		}
		if strings.ContainsAny(stdout+stderr, "\x1b\x07\u202e") || !strings.Contains(stdout, `杭州\u001b]0;pwned\u0007\u001b[2J\u202e示例`) {
			t.Errorf("%v printed %q", args, stdout)
		}
	}
}

// TestDraftsImportRefusesControlCharacters: a bundle whose filing's
// subject name carries terminal control characters is refused whole by
// `drafts import`, the field named and the text escaped; nothing is
// imported.
func TestDraftsImportRefusesControlCharacters(t *testing.T) {
	dir, passFile, id := draftsFixture(t)
	st, err := store.Open(store.Options{Dir: dir, Passphrase: filing.NewSecret("store passphrase"), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := st.LoadDraft(id)
	if err != nil {
		t.Fatal(err)
	}
	app.Subject.Name = "杭州\x1b]0;pwned\x07示例"
	if _, err := st.SaveDraft(app); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	out := filepath.Join(t.TempDir(), "bad.icpf")
	if code, _, stderr := runCLI("drafts", "export", "--out", out, "--data-dir", dir, "--passphrase-file", passFile); code != exitClean {
		t.Fatalf("export: %d %s", code, stderr)
	}
	other := t.TempDir()
	code, stdout, stderr := runCLI("drafts", "import", out, "--data-dir", other, "--lang", "en")
	if code != exitUnreadable || !strings.Contains(stderr, "subject.name") || !strings.Contains(stderr, "control character") ||
		!strings.Contains(stderr, "nothing was imported") || strings.ContainsAny(stdout+stderr, "\x1b\x07") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI("drafts", "list", "--data-dir", other, "--lang", "en"); code != exitClean || !strings.Contains(stdout, "0 drafts") {
		t.Fatalf("after the refusal: %d %s", code, stdout)
	}
}
