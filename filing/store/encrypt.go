package store

import (
	"errors"
	"os"
	"path/filepath"

	badger "github.com/dgraph-io/badger/v4"
)

// A store written in plain text by an older build is encrypted on open:
//
//  1. the data key is made (or found, when an earlier try was cut short);
//  2. every key and value is copied into store.encrypting/, a new database
//     under the data key, and every snapshot is sealed into
//     snapshots.encrypting/;
//  3. meta.json is rewritten to name the data key: the commit point;
//  4. store/ and snapshots/ are swapped with the new ones by renames, and
//     the plain ones removed.
//
// Until 3 the plain store is untouched, so a kill leaves it usable and the
// next open starts again; after 3 the next open finishes 4
// (finishEncryption). Nothing is deleted before its encrypted copy is in
// place.
const (
	encryptingDir     = dbDirName + ".encrypting"
	plainDir          = dbDirName + ".plain"
	encryptingSnapDir = snapshotDirName + ".encrypting"
	plainSnapDir      = snapshotDirName + ".plain"
)

// Progress is told how far encrypting an older store has come: done of
// total records and snapshots. It is called from the goroutine that runs
// Open, first with done 0 and last with done == total.
type Progress func(done, total int)

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// finishEncryption completes a migration whose meta.json was committed,
// or rolls back one that was not, so that afterwards store/ is the one
// meta.json describes and no half-made directory is left.
func finishEncryption(dir string) error {
	meta, existed, err := readMeta(dir)
	if err != nil {
		return err
	}
	join := func(n string) string { return filepath.Join(dir, n) }
	if !existed || meta.DataKey == "" {
		for _, n := range []string{encryptingDir, encryptingSnapDir} {
			if err := os.RemoveAll(join(n)); err != nil {
				return ioError(err, "无法清理未完成的加密。", "cannot clean up an unfinished encryption")
			}
		}
		return nil
	}
	swap := func(staging, live, old string) error {
		if !exists(join(staging)) {
			return nil
		}
		if err := os.RemoveAll(join(old)); err != nil {
			return err
		}
		// While staging exists, live is still the plain one.
		if exists(join(live)) {
			if err := os.Rename(join(live), join(old)); err != nil {
				return err
			}
		}
		return os.Rename(join(staging), join(live))
	}
	if err := swap(encryptingDir, dbDirName, plainDir); err != nil {
		return ioError(err, "无法完成数据加密。", "cannot finish encrypting the store")
	}
	if err := swap(encryptingSnapDir, snapshotDirName, plainSnapDir); err != nil {
		return ioError(err, "无法完成快照加密。", "cannot finish encrypting the snapshots")
	}
	if err := syncDir(dir); err != nil {
		return ioError(err, "无法写入数据目录。", "cannot write the data directory")
	}
	for _, n := range []string{plainDir, plainSnapDir} {
		if err := os.RemoveAll(join(n)); err != nil {
			return ioError(err, "无法删除旧的未加密数据。", "cannot remove the old unencrypted data")
		}
	}
	return nil
}

// encryptExisting turns the plain store in s.dir into one encrypted with a
// data key and returns that key; meta is updated and written.
func (s *Store) encryptExisting(meta *storeMeta) (foundKey, error) {
	dk, err := loadDataKey(s.opts, s.dir, "", s.keys)
	if errors.Is(err, ErrKeyMissing) {
		dk, err = createDataKey(s.opts, s.dir, s.keys)
	}
	if err != nil {
		return foundKey{}, err
	}
	key, place := dk.key, dk.place
	kr := dataKeyring(key)
	commit := func() error {
		meta.Format, meta.Encrypted, meta.DataKey = 2, true, place
		if err := writeMeta(s.dir, *meta); err != nil {
			return err
		}
		return finishEncryption(s.dir)
	}

	src, err := s.openBadger(filepath.Join(s.dir, dbDirName), meta.MemTableSize, nil)
	if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
		// Already encrypted with this key: meta.json was lost or is
		// from an older build. Check the key opens it, then say so.
		db, err := s.openBadger(filepath.Join(s.dir, dbDirName), meta.MemTableSize, kr.storeKey())
		if err != nil {
			return foundKey{}, damaged(err)
		}
		db.Close()
		return dk, commit()
	}
	if err != nil {
		return foundKey{}, damaged(err)
	}
	total := 0
	err = src.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			total++
		}
		return nil
	})
	snaps, _ := ListSnapshots(s.dir)
	total += len(snaps)
	if err != nil {
		src.Close()
		return foundKey{}, dbError(err)
	}
	progress := func(done int) {
		if s.opts.Progress != nil {
			s.opts.Progress(done, total)
		}
	}
	progress(0)

	staging := filepath.Join(s.dir, encryptingDir)
	if err := os.RemoveAll(staging); err != nil {
		src.Close()
		return foundKey{}, ioError(err, "无法准备加密目录。", "cannot prepare the encryption directory")
	}
	dst, err := s.openBadger(staging, meta.MemTableSize, kr.storeKey())
	if err != nil {
		src.Close()
		return foundKey{}, dbError(err)
	}
	done, err := copyAll(src, dst, func(n int) {
		if n%500 == 0 {
			progress(n)
		}
	})
	cerr := errors.Join(dst.Close(), src.Close())
	if err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(staging)
		return foundKey{}, dbError(err)
	}

	snapStaging := filepath.Join(s.dir, encryptingSnapDir)
	if err := os.RemoveAll(snapStaging); err != nil {
		return foundKey{}, ioError(err, "无法准备加密目录。", "cannot prepare the encryption directory")
	}
	if len(snaps) > 0 {
		if err := os.MkdirAll(snapStaging, 0o700); err != nil {
			return foundKey{}, ioError(err, "无法准备加密目录。", "cannot prepare the encryption directory")
		}
	}
	snapKey := kr.subkey("snapshot v1")
	for _, sn := range snaps {
		stream, err := readSnapshot(filepath.Join(s.dir, snapshotDirName, sn.Name), func() ([]byte, error) {
			return nil, errors.New("encrypted snapshot in a plain store")
		})
		done++
		if err != nil {
			// Damaged or unreadable: it could not restore anything, and
			// it must not stay in plain text. Logged, then left out.
			s.log.Warningf("snapshot %s left out of the encrypted store: %s", sn.Name, redactCause(err.Error()))
			continue
		}
		if err := writeFileAtomic(osFS{}, filepath.Join(snapStaging, sn.Name), sealSnapshot(snapKey, stream)); err != nil {
			return foundKey{}, ioError(err, "写入快照失败。", "writing the snapshot failed")
		}
		progress(done)
	}
	if err := syncDir(s.dir); err != nil {
		return foundKey{}, ioError(err, "无法写入数据目录。", "cannot write the data directory")
	}
	if err := commit(); err != nil {
		return foundKey{}, err
	}
	progress(total)
	return dk, nil
}

// copyAll copies the newest version of every key, with its expiry and
// user meta, from src to dst; n is called with the running count.
func copyAll(src, dst *badger.DB, n func(int)) (int, error) {
	wb := dst.NewWriteBatch()
	defer wb.Cancel()
	count := 0
	err := src.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			e := badger.NewEntry(item.KeyCopy(nil), v).WithMeta(item.UserMeta())
			if exp := item.ExpiresAt(); exp > 0 {
				e.ExpiresAt = exp
			}
			if err := wb.SetEntry(e); err != nil {
				return err
			}
			count++
			n(count)
		}
		return nil
	})
	if err != nil {
		return count, err
	}
	return count, wb.Flush()
}

// sealSnapshot frames a backup stream as an encrypted snapshot file.
func sealSnapshot(key, stream []byte) []byte {
	return frameSnapshot(true, gcmSeal(key, stream, snapMagic))
}
