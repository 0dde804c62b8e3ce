package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

// Exit codes beyond 0–2 (cmd_validate.go), the same in every command and
// documented once in the README's command-line section.
const (
	// exitQueued: handed to the outbox, but the backend has not confirmed
	// it yet (not reached, or `--wait` ran out); it goes out later under
	// the same key. Not a failure, not a success a script may rely on.
	exitQueued = 3
	// exitAlreadyOpen: another copy of the app (a window or a command)
	// holds the data directory; nothing was done.
	exitAlreadyOpen = 4
)

// openStoreFor opens the data directory for a command and maps what went
// wrong to the exit codes every command shares: already open (4), a
// passphrase that is missing or wrong (2, bad input), anything else (1).
func openStoreFor(opts store.Options, lang string, stderr io.Writer) (*store.Store, int) {
	st, err := store.Open(opts)
	if err == nil {
		return st, exitClean
	}
	fmt.Fprintln(stderr, message(err, lang))
	return nil, storeOpenCode(err, lang, stderr)
}

// storeOpenCode is the exit code of a store that did not open (or a data
// directory a command could not use), with the hint it needs.
func storeOpenCode(err error, lang string, stderr io.Writer) int {
	switch {
	case errors.Is(err, store.ErrAlreadyOpen):
		return exitAlreadyOpen
	case errors.Is(err, store.ErrPassphraseRequired):
		// The store's data key is sealed by its passphrase: nothing opens
		// without it, so say how to give it.
		fmt.Fprintln(stderr, pick(lang, "请用 --passphrase-file 文件 提供数据口令（文件中只写口令）。",
			"Give the store passphrase with --passphrase-file FILE (a file holding only the passphrase)."))
		return exitUnreadable
	case errors.Is(err, store.ErrWrongPassphrase):
		return exitUnreadable
	case errors.Is(err, store.ErrDamaged):
		fmt.Fprintln(stderr, pick(lang, "可在程序窗口中从快照恢复。", "Open the app's window to restore from a snapshot."))
	}
	return exitBlocked
}

// dataDirFlag registers --data-dir on fs, and --data, its old spelling in
// "submit" and "status", which still works with a one-line notice on
// stderr. usage says what the directory is for this command.
func dataDirFlag(fs *flag.FlagSet, target *string, usage string, stderr io.Writer) {
	fs.StringVar(target, "data-dir", "", usage)
	renamedFlag(fs, "data", "data-dir", target, stderr)
}

// renamedFlag accepts a flag's old name, setting what the new one sets,
// and says once on stderr that it was renamed. The notice is in both
// languages: --lang may come after it.
func renamedFlag(fs *flag.FlagSet, old, now string, target *string, stderr io.Writer) {
	told := false
	fs.Func(old, "old spelling of --"+now, func(v string) error {
		if !told {
			told = true
			fmt.Fprintf(stderr, "注意：--%s 已改名为 --%s，旧名仍可使用。/ note: --%s is now --%s; the old name still works.\n", old, now, old, now)
		}
		*target = v
		return nil
	})
}

// escapeControls makes text from a filing, a file or a backend safe to
// print on a terminal: C0 and C1 control characters and the
// bidirectional marks and overrides (filing.IsControl) are written as
// \u001b or \u202e instead of acting (retitling the terminal, clearing the
// screen, reversing a line); bytes that are not UTF-8 as \xff. keep says
// which controls a layout needs (line breaks, tabs) and pass as they are.
// The forms it writes are also valid escapes inside a JSON string, where
// json.Encoder already escapes every C0 character.
func escapeControls(s string, keep func(rune) bool) string {
	clean := utf8.ValidString(s)
	for _, r := range s {
		if clean && filing.IsControl(r) && !keep(r) {
			clean = false
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !filing.IsControl(r) || keep(r):
			b.WriteString(s[i : i+n])
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

// term is escapeControls for one value printed on a line (a name, a file
// name, a backend's reason): a line break in it is escaped too, so it
// cannot start a line that looks like the program's own.
func term(s string) string { return escapeControls(s, func(rune) bool { return false }) }

// layout keeps the line breaks and tabs of whole lines of output.
func layout(r rune) bool { return r == '\n' || r == '\t' }

// terminalWriter passes every write through escapeControls, keeping line
// breaks and tabs: run puts it around stdout and stderr, so every printer
// of every command is covered, including one that forgets term.
type terminalWriter struct{ w io.Writer }

func (t terminalWriter) Write(p []byte) (int, error) {
	s := string(p)
	if e := escapeControls(s, layout); e != s {
		if _, err := io.WriteString(t.w, e); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return t.w.Write(p)
}
