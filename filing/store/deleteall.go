package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DeleteAllData removes everything the app keeps in dir: the database,
// attachments, snapshots, logs, keys, and databases moved aside by a
// restore. It refuses (ErrAlreadyOpen) while the store is open, in this
// process or another; close it first. Only names the app creates are
// removed, so a wrong dir loses nothing else; dir itself goes when empty.
func DeleteAllData(dir string) error {
	if dir == "" {
		return invalid("没有指定数据目录。", "no data directory given")
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	lockPath := filepath.Join(dir, lockFileName)
	lock, err := lockDir(lockPath)
	if errors.Is(err, errLockHeld) {
		return alreadyOpen(nil)
	}
	if err != nil {
		return ioError(err, "无法锁定数据目录。", "cannot lock the data directory")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		lock.release()
		return ioError(err, "无法读取数据目录。", "cannot read the data directory")
	}
	var errs []error
	for _, e := range entries {
		if !ours(e.Name()) || e.Name() == lockFileName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	// The data key goes too: it opens nothing any more, and a key left
	// in the credential store would outlive the data it was for.
	if abs, err := filepath.Abs(dir); err == nil {
		if err := deleteDataKey(Options{}, abs); err != nil {
			errs = append(errs, err)
		}
	}
	lock.release()
	if len(errs) > 0 {
		return ioError(errors.Join(errs...), "有些数据没能删除。", "some data could not be deleted")
	}
	os.Remove(lockPath)
	os.Remove(dir) // only succeeds when nothing else is in it
	return nil
}

// instanceFileName is where the running window publishes its address
// (package instance); a crash can leave it behind.
const instanceFileName = "instance.addr"

// ours says whether a name in the data directory is one the app creates.
func ours(name string) bool {
	switch name {
	case dbDirName, dbDirName + ".restoring", attachmentDirName, snapshotDirName, logDirName,
		encryptingDir, plainDir, encryptingSnapDir, plainSnapDir,
		metaFileName, keysFileName, lockFileName, openingMarker,
		instanceFileName:
		return true
	}
	return strings.HasPrefix(name, damagedPrefix) || strings.HasPrefix(name, ".tmp-")
}
