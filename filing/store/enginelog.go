package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// engineLog receives Badger's messages. Only warnings and errors are kept,
// in logs/store.log, each line cut short and cut before "Value:", where
// Badger would otherwise dump the bytes of a draft.
type engineLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

const (
	logLineMax  = 400
	logFileMax  = 1 << 20
	logFileName = "store.log"
)

func openEngineLog(dir string) (*engineLog, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, logFileName)
	if fi, err := os.Stat(path); err == nil && fi.Size() > logFileMax {
		_ = os.Rename(path, path+".1")
	}
	return &engineLog{path: path}, nil
}

func (l *engineLog) write(level, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if i := strings.Index(msg, "Value:"); i >= 0 {
		msg = msg[:i] + "[value withheld]"
	}
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", " | ")
	if len(msg) > logLineMax {
		msg = msg[:logLineMax] + "…"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return
		}
		l.f = f
	}
	fmt.Fprintf(l.f, "%s %s %s\n", time.Now().UTC().Format(time.RFC3339), level, msg)
}

func (l *engineLog) Errorf(f string, a ...any)   { l.write("ERROR", f, a...) }
func (l *engineLog) Warningf(f string, a ...any) { l.write("WARN", f, a...) }
func (l *engineLog) Infof(string, ...any)        {}
func (l *engineLog) Debugf(string, ...any)       {}

func (l *engineLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
