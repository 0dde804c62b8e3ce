package applog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
)

// File names in the log directory.
const (
	LogFile = "icpfiling.log"
	// CrashFile receives the Go runtime's report when the process dies;
	// it stays empty on a clean run and is removed at a clean exit.
	CrashFile = "crash.txt"
	// PreviousCrashFile is the last crash report, redacted, kept until the
	// user deletes it.
	PreviousCrashFile = "crash-previous.txt"

	maxLogBytes = 1 << 20
	keepLogs    = 3
)

// ParseLevel reads debug, info, warn or error.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// Log is the open log file and crash file of one run.
type Log struct {
	Logger *slog.Logger
	dir    string
	file   *RotatingFile

	crashMu sync.Mutex
	crash   *os.File
}

// Open starts logging into dir (created when missing) at level, and also
// to also (stderr, say) when it is not nil. Everything goes through the
// redacting handler, including the standard "log" package's output (Fyne
// logs its errors there): Open makes the logger slog's default.
func Open(dir string, level slog.Level, also io.Writer) (*Log, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	l := &Log{dir: dir, file: &RotatingFile{Path: filepath.Join(dir, LogFile), MaxBytes: maxLogBytes, Keep: keepLogs}}
	var w io.Writer = l.file
	if also != nil {
		w = io.MultiWriter(l.file, also)
	}
	l.Logger = slog.New(RedactingHandler{Next: slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})})
	slog.SetDefault(l.Logger)
	// What reaches the standard "log" package is libraries' complaints
	// (Fyne's "Fyne error: …"): warnings, not chatter.
	slog.SetLogLoggerLevel(slog.LevelWarn)
	return l, nil
}

// TakePreviousCrash looks for the report of a crash of an earlier run:
// it redacts it into PreviousCrashFile, removes the raw file and returns
// the redacted text; "" when the last run ended cleanly. Call it before
// StartCrashFile, which starts a new, empty crash file.
func TakePreviousCrash(dir string) (string, error) {
	raw := filepath.Join(dir, CrashFile)
	b, err := os.ReadFile(raw)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return "", os.Remove(raw)
	}
	text := Redact(string(b))
	if err := os.WriteFile(filepath.Join(dir, PreviousCrashFile), []byte(text), 0o600); err != nil {
		return "", err
	}
	return text, os.Remove(raw)
}

// DeletePreviousCrash removes the kept crash report.
func DeletePreviousCrash(dir string) error {
	err := os.Remove(filepath.Join(dir, PreviousCrashFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// StartCrashFile makes the Go runtime write the report of a fatal panic
// or error, from any goroutine, into CrashFile.
func (l *Log) StartCrashFile() error {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(l.dir, CrashFile), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		f.Close()
		return err
	}
	l.crashMu.Lock()
	l.crash = f
	l.crashMu.Unlock()
	return nil
}

// WriteCrash records a panic recovered by the program itself (the runtime
// does not write those): the value and the stack, redacted, into the crash
// file and the log.
func (l *Log) WriteCrash(value any, stack []byte) {
	text := Redact(fmt.Sprintf("panic: %v\n\n%s", value, stack))
	l.Logger.Error("crash", "report", text)
	l.crashMu.Lock()
	defer l.crashMu.Unlock()
	if l.crash != nil {
		l.crash.WriteString(text)
		l.crash.Sync()
	} else {
		os.WriteFile(filepath.Join(l.dir, CrashFile), []byte(text), 0o600)
	}
}

// Close ends a clean run: the empty crash file goes, the log is closed.
// Lines logged afterwards go nowhere (the data may have been deleted).
func (l *Log) Close() error {
	l.stopCrashFile()
	return l.file.Close()
}

// Release lets go of every file the log holds open in its directory, so
// that the directory can be deleted: Windows deletes no open file. Unlike
// after Close, logging goes on: the next line opens the log file again,
// re-creating the directory, and crash reports are written again once
// StartCrashFile is called.
func (l *Log) Release() error {
	l.stopCrashFile()
	return l.file.Release()
}

// stopCrashFile closes the crash file and removes it when empty (it stays
// when WriteCrash wrote to it).
func (l *Log) stopCrashFile() {
	l.crashMu.Lock()
	defer l.crashMu.Unlock()
	if l.crash == nil {
		return
	}
	debug.SetCrashOutput(nil, debug.CrashOptions{})
	st, err := l.crash.Stat()
	l.crash.Close()
	if err == nil && st.Size() == 0 {
		os.Remove(l.crash.Name())
	}
	l.crash = nil
}
