package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/icpfiling/icpfiling/applog"
)

// After a crash (a kill, a power cut, a panic) the next open must not call
// the store damaged for anything short of a reason it can show. Two things
// used to cry wolf: a leftover "opening" marker (a kill during the few
// milliseconds of an open) was taken as damage before even trying, and a
// Badger open that failed once after a crash was final. Now the marker
// counts unfinished opens, an open that fails is retried with a short
// backoff, and ErrDamaged always carries the reason, redacted, which the
// engine log records and the window shows.

// CrashLoopLimit is how many opens in a row may stop before finishing
// before the window stops trying and offers the snapshots: one or two is a
// kill or a power cut during open, this many is an open that crashes the
// process every time (Badger panics in its own goroutines, which no
// recover reaches).
const CrashLoopLimit = 5

// openBackoff is the wait before each retry of a failed Badger open.
var openBackoff = []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 600 * time.Millisecond}

type openingState struct {
	Attempts int       `json:"attempts"`
	Since    time.Time `json:"since"`
}

// readOpening returns the unfinished opens recorded in dir (0 when the
// last open finished). A marker from an older build holds a bare time.
func readOpening(dir string) openingState {
	b, err := os.ReadFile(filepath.Join(dir, openingMarker))
	if err != nil {
		return openingState{}
	}
	var st openingState
	if json.Unmarshal(b, &st) != nil || st.Attempts < 1 {
		st = openingState{Attempts: 1}
	}
	return st
}

// markOpening records one more open that has not finished yet.
func markOpening(dir string, now time.Time) error {
	st := readOpening(dir)
	st.Attempts++
	if st.Since.IsZero() {
		st.Since = now.UTC()
	}
	b, _ := json.Marshal(st)
	return os.WriteFile(filepath.Join(dir, openingMarker), b, 0o600)
}

// UnfinishedOpens is how many opens of the store in dir in a row stopped
// before finishing (0 after a clean open).
func UnfinishedOpens(dir string) int { return readOpening(dir).Attempts }

// RecoveryNeeded says, before opening, whether the store in dir should not
// be opened again but restored: when lastRunPanicked (the app's crash
// report of the previous run exists) and that run stopped during an open,
// or when CrashLoopLimit opens in a row stopped. The error is ErrDamaged
// with the reason as its cause; nil means: open it.
func RecoveryNeeded(dir string, lastRunPanicked bool) error {
	n := UnfinishedOpens(dir)
	var reason error
	switch {
	case n >= CrashLoopLimit:
		reason = fmt.Errorf("the last %d attempts to open the store stopped before finishing", n)
	case n > 0 && lastRunPanicked:
		reason = errors.New("the app crashed while opening the store (see the crash report)")
	default:
		return nil
	}
	return newError(ErrDamaged, reason,
		"数据存储多次打开失败，可能已损坏。可以从最近的快照恢复草稿。",
		"the store failed to open repeatedly and may be damaged; drafts can be restored from a recent snapshot")
}

// NeedsRecovery is RecoveryNeeded(dir, false) != nil.
func NeedsRecovery(dir string) bool { return RecoveryNeeded(dir, false) != nil }

// openBadger opens the database at path, retrying a failure that is
// neither a wrong key, a lock held elsewhere nor a full disk: right after a
// crash the first open can fail where the next succeeds (the audit saw one
// in 154 kills). Every failure is written to the engine log.
func (s *Store) openBadger(path string, memtable int64, key []byte) (*badger.DB, error) {
	var err error
	for attempt := 0; ; attempt++ {
		var db *badger.DB
		db, err = badger.Open(badgerOptions(path, memtable, key, s.log))
		if err == nil {
			if attempt > 0 {
				s.log.Warningf("store opened on attempt %d", attempt+1)
			}
			return db, nil
		}
		if errors.Is(err, badger.ErrEncryptionKeyMismatch) ||
			strings.Contains(err.Error(), "Another process is using this Badger database") || isDiskFull(err) {
			return nil, err
		}
		s.log.Errorf("open attempt %d failed: %s", attempt+1, redactCause(err.Error()))
		if attempt >= len(openBackoff) {
			return nil, err
		}
		time.Sleep(openBackoff[attempt])
	}
}

func damaged(cause error) *Error {
	return newError(ErrDamaged, errors.New(redactCause(cause.Error())),
		"数据存储无法打开，可能已损坏。可以从最近的快照恢复草稿。",
		"the store will not open and may be damaged; drafts can be restored from a recent snapshot")
}

// redactCause makes an engine or OS error fit for a log line and a details
// line: Badger's value dump cut off, one line, bounded, personal data
// redacted.
func redactCause(msg string) string {
	if i := strings.Index(msg, "Value:"); i >= 0 {
		msg = msg[:i] + "[value withheld]"
	}
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", " | ")
	if len(msg) > logLineMax {
		msg = msg[:logLineMax] + "…"
	}
	return applog.Redact(msg)
}

// tightenPermissions makes everything under dir private to the user:
// Badger (through ristretto) creates its files 0666 less umask, 0644 on
// most systems, and has no option for it. Open sets a 077 umask as well,
// so files created later are 0600; this fixes what older builds left.
func tightenPermissions(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if info.Mode().Perm() != want {
			if err := os.Chmod(path, want); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	})
}
