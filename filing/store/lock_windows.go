//go:build windows

package store

import (
	"errors"
	"os"
	"syscall"
)

// dirLock is a file opened with no sharing: a second open, from any
// process, fails with a sharing violation until the handle closes, and
// Windows closes it when the process dies.
type dirLock struct{ h syscall.Handle }

const (
	errorSharingViolation syscall.Errno = 32
	errorLockViolation    syscall.Errno = 33
	errorHandleDiskFull   syscall.Errno = 39
	errorDiskFull         syscall.Errno = 112
)

func lockDir(path string) (*dirLock, error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, errorSharingViolation) || errors.Is(err, errorLockViolation) {
			return nil, errLockHeld
		}
		return nil, &os.PathError{Op: "lock", Path: path, Err: err}
	}
	return &dirLock{h: h}, nil
}

func (l *dirLock) release() error { return syscall.CloseHandle(l.h) }

func isDiskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull) || errors.Is(err, syscall.ENOSPC)
}
