//go:build unix

package store

import (
	"sync"
	"syscall"
)

var privateUmask sync.Once

// makeFilesPrivate sets the process umask to 077 so that every file and
// directory created from now on (Badger's tables and logs included, which
// it creates 0666) is readable by this user only. The app holds personal
// data and writes nothing meant for other users.
func makeFilesPrivate() { privateUmask.Do(func() { syscall.Umask(0o077) }) }
