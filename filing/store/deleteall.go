package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// deleteRetryDelays are the pauses between attempts at what DeleteAllData
// could not remove. On Windows a file cannot be deleted while any program
// has it open, and one closed a moment ago may still be held for a while:
// virus scanners and the search indexer open new files to read them. About
// 1.5 s in all rides that out; what is still held after it is named.
var deleteRetryDelays = []time.Duration{
	50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
	400 * time.Millisecond, 800 * time.Millisecond,
}

// DeleteAllData removes everything the app keeps in dir: the database,
// attachments, snapshots, logs, keys, and databases moved aside by a
// restore. It refuses (ErrAlreadyOpen) while the store is open, in this
// process or another; close it first, and every other file of the data
// directory this process holds (the log, the single-instance address):
// Windows deletes no open file. What stays held after a few tries is
// named in the error (ErrIO). Only names the app creates are removed, so a
// wrong dir loses nothing else; dir itself goes when empty.
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
	var left []string
	var errs []error
	for attempt := 0; ; attempt++ {
		entries, err := os.ReadDir(dir)
		if err != nil {
			lock.release()
			return ioError(err, "无法读取数据目录。", "cannot read the data directory")
		}
		left, errs = nil, nil
		for _, e := range entries {
			if !ours(e.Name()) || e.Name() == lockFileName {
				continue
			}
			l, es := removeTree(filepath.Join(dir, e.Name()))
			left, errs = append(left, l...), append(errs, es...)
		}
		if len(left) == 0 || attempt == len(deleteRetryDelays) {
			break
		}
		time.Sleep(deleteRetryDelays[attempt])
	}
	// The data key goes too: it opens nothing any more, and a key left
	// in the credential store would outlive the data it was for.
	keyLeft := false
	if abs, err := filepath.Abs(dir); err == nil {
		if err := deleteDataKey(Options{}, abs); err != nil {
			keyLeft, errs = true, append(errs, err)
		}
	}
	lock.release()
	if len(left) == 0 && !keyLeft {
		// Released a moment ago by this process alone: nothing else opens it
		// without taking the lock first.
		for attempt := 0; ; attempt++ {
			err := os.Remove(lockPath)
			if err == nil || errors.Is(err, fs.ErrNotExist) {
				break
			}
			if attempt == len(deleteRetryDelays) {
				left, errs = append(left, lockPath), append(errs, err)
				break
			}
			time.Sleep(deleteRetryDelays[attempt])
		}
	}
	if len(left) > 0 || keyLeft {
		return stillHeld(dir, left, keyLeft, errs)
	}
	os.Remove(dir) // only succeeds when nothing else is in it
	return nil
}

// stillHeld is the error naming what could not be removed: paths relative
// to dir (at most five, then how many more), and the data key when the
// credential store or the key file kept it.
func stillHeld(dir string, left []string, keyLeft bool, errs []error) error {
	const shown = 5
	var zh, en []string
	for i, p := range left {
		if i == shown {
			zh = append(zh, fmt.Sprintf("等共 %d 项", len(left)))
			en = append(en, fmt.Sprintf("%d more", len(left)-shown))
			break
		}
		if rel, err := filepath.Rel(dir, p); err == nil {
			p = rel
		}
		zh, en = append(zh, p), append(en, p)
	}
	if keyLeft {
		zh, en = append(zh, "数据密钥"), append(en, "the data key")
	}
	return ioError(errors.Join(errs...),
		"有些数据没能删除（仍被占用或不允许删除）："+strings.Join(zh, "、")+"。请关闭本程序的所有窗口，以及可能打开着这些文件的程序（杀毒软件、备份或同步工具），然后再试。",
		"some data could not be deleted (still in use, or not allowed): "+strings.Join(en, ", ")+". Close every window of this app, and any program that may have these files open (antivirus, backup or sync tools), then try again")
}

// removeTree removes path and everything under it, and returns what it
// could not remove with why. Each file and directory goes with os.Remove
// (DeleteFile, RemoveDirectory on Windows), children first: unlike
// os.RemoveAll it says which file is held, and it works under Wine 8,
// which answers Go's POSIX-semantics delete (FileDispositionInformationEx,
// used by os.RemoveAll since Go 1.25) with "not implemented", a code Go
// does not fall back from. Links and junctions are removed, never followed.
func removeTree(path string) (left []string, errs []error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err == nil && fi.Mode().Type() == fs.ModeDir {
		entries, err := os.ReadDir(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return []string{path}, []error{err}
		}
		for _, e := range entries {
			l, es := removeTree(filepath.Join(path, e.Name()))
			left, errs = append(left, l...), append(errs, es...)
		}
		if len(left) > 0 {
			return left, errs // the directory cannot go before them
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return []string{path}, []error{err}
	}
	return nil, nil
}

// instanceFileName is where the running window publishes its address
// (package instance); a crash can leave it behind, and the temporary
// name it is written under first.
const instanceFileName = "instance.addr"

// ours says whether a name in the data directory is one the app creates.
func ours(name string) bool {
	switch name {
	case dbDirName, dbDirName + ".restoring", attachmentDirName, snapshotDirName, logDirName,
		encryptingDir, plainDir, encryptingSnapDir, plainSnapDir,
		metaFileName, keysFileName, lockFileName, openingMarker,
		instanceFileName, instanceFileName + ".tmp":
		return true
	}
	return strings.HasPrefix(name, damagedPrefix) || strings.HasPrefix(name, ".tmp-")
}
