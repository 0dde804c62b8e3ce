package store

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// fileSystem is the part of the OS the attachment and snapshot writers
// use. The store always runs on osFS; tests substitute a writer that fails
// like a full disk, to check that nothing half-written replaces a good file.
type fileSystem interface {
	CreateTemp(dir, pattern string) (tempFile, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
}

type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

type osFS struct{}

func (osFS) CreateTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }
func (osFS) Rename(oldpath, newpath string) error             { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                         { return os.Remove(name) }

// writeFileAtomic replaces path with data so that a crash or a full disk
// leaves either the old file or the new one, never a mix.
func writeFileAtomic(fsys fileSystem, path string, data []byte) error {
	return writeAtomic(fsys, path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic streams into a temp file in the target's directory, syncs
// it, renames it over path and syncs the directory so the rename itself
// survives a power cut.
func writeAtomic(fsys fileSystem, path string, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := fsys.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			fsys.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = fsys.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename durable. Windows cannot open a directory for
// syncing and makes renames durable by itself (NTFS journals metadata).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
