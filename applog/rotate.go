package applog

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// RotatingFile is an io.Writer to path that, before a write would take the
// file past MaxBytes, renames it to path.1 (path.1 to path.2, …) and keeps
// Keep files in all; the oldest goes.
type RotatingFile struct {
	Path     string
	MaxBytes int64
	Keep     int

	mu     sync.Mutex
	f      *os.File
	size   int64
	closed bool
}

func (w *RotatingFile) open() error {
	// The directory may have gone since the last line (all data deleted
	// after Release).
	if err := os.MkdirAll(filepath.Dir(w.Path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(w.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	w.f, w.size = f, st.Size()
	return nil
}

func (w *RotatingFile) rotate() error {
	if w.f != nil {
		w.f.Close() // closed before renaming: Windows cannot rename an open file
		w.f = nil
	}
	keep := w.Keep
	if keep < 1 {
		keep = 1
	}
	os.Remove(fmt.Sprintf("%s.%d", w.Path, keep-1))
	for i := keep - 2; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", w.Path, i), fmt.Sprintf("%s.%d", w.Path, i+1))
	}
	if keep > 1 {
		os.Rename(w.Path, w.Path+".1")
	} else {
		os.Remove(w.Path)
	}
	return w.open()
}

// Write implements io.Writer.
func (w *RotatingFile) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		// After Close (say, all data was deleted) lines go nowhere rather
		// than re-creating the log directory.
		return len(p), nil
	}
	if w.f == nil {
		if err := w.open(); err != nil {
			return 0, err
		}
	}
	if w.MaxBytes > 0 && w.size > 0 && w.size+int64(len(p)) > w.MaxBytes {
		if err := w.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := w.f.Write(p)
	w.size += int64(n)
	return n, err
}

// Release closes the current file; the next Write opens it again.
func (w *RotatingFile) Release() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// Close closes the current file; later writes go nowhere.
func (w *RotatingFile) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
