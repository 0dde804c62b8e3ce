package store

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	badger "github.com/dgraph-io/badger/v4"
)

// Key prefixes inside Badger. One letter each keeps keys short; the
// namespaces never overlap because every prefix ends in '/'.
const (
	prefixRecord = "r/" // r/<ns>/<key>: records of other packages
	prefixDraft  = "d/" // d/<id>: a draft
	prefixMeta   = "m/" // m/<id>: the list row of a draft
	prefixTrash  = "t/" // t/<id>: a deleted draft, until the undo window ends
	prefixSecret = "s/" // s/<name>: an encrypted setting such as the backend token
	prefixCache  = "c/" // c/<ns>/<key>: derived data the store may lose (kept check reports)
)

type badgerTxn = badger.Txn

// maxRecordSize keeps every value far below Badger's value-log file size,
// whose "too large" error would dump the value into the error text.
const maxRecordSize = 4 << 20

func recordKey(ns, key string) ([]byte, error) { return keyIn(prefixRecord, ns, key) }

func keyIn(prefix, ns, key string) ([]byte, error) {
	if ns == "" || strings.ContainsAny(ns, "/\x00") || !utf8.ValidString(ns) || len(ns) > 64 {
		return nil, invalid("记录命名空间 %q 无效。", "invalid record namespace %q", ns)
	}
	if key == "" || len(key) > 512 || !utf8.ValidString(key) {
		return nil, invalid("记录键无效（须为 1–512 字节的 UTF-8）。", "invalid record key (must be 1–512 bytes of UTF-8)")
	}
	return []byte(prefix + ns + "/" + key), nil
}

// PutRecord stores value under (ns, key), replacing what was there. The
// write is synced to disk when PutRecord returns.
func (s *Store) PutRecord(ns, key string, value []byte) error {
	return s.put(prefixRecord, ns, key, value)
}

func (s *Store) put(prefix, ns, key string, value []byte) error {
	k, err := keyIn(prefix, ns, key)
	if err != nil {
		return err
	}
	if len(value) > maxRecordSize {
		return invalid("记录太大（上限 %d MB）。", "record too large (limit %d MB)", maxRecordSize>>20)
	}
	return s.write(func(txn *badger.Txn) error {
		return txn.Set(k, append([]byte(nil), value...))
	}, prefix != prefixCache)
}

// GetRecord returns a copy of the value under (ns, key), or an error that
// errors.Is(err, ErrNotFound).
func (s *Store) GetRecord(ns, key string) ([]byte, error) {
	return s.getIn(prefixRecord, ns, key)
}

func (s *Store) getIn(prefix, ns, key string) ([]byte, error) {
	k, err := keyIn(prefix, ns, key)
	if err != nil {
		return nil, err
	}
	v, err := s.get(k)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("record", "记录", ns+"/"+key)
	}
	return v, err
}

// DeleteRecord removes (ns, key); deleting an absent record is not an error.
func (s *Store) DeleteRecord(ns, key string) error {
	return s.deleteIn(prefixRecord, ns, key)
}

func (s *Store) deleteIn(prefix, ns, key string) error {
	k, err := keyIn(prefix, ns, key)
	if err != nil {
		return err
	}
	return s.write(func(txn *badger.Txn) error { return txn.Delete(k) }, prefix != prefixCache)
}

// Cached values are records of data derived from what the store keeps
// (check reports of its attachments): losing them costs only the work of
// making them again. So they are left out of snapshots, which stay small
// and hold no extra copies of what they contain, and writing them does not
// count as a change that calls for a snapshot. Otherwise they behave as
// records, namespaces and limits included.

// PutCached stores value under (ns, key) in the cache.
func (s *Store) PutCached(ns, key string, value []byte) error {
	return s.put(prefixCache, ns, key, value)
}

// GetCached returns a copy of the cached value, or an error that
// errors.Is(err, ErrNotFound).
func (s *Store) GetCached(ns, key string) ([]byte, error) {
	return s.getIn(prefixCache, ns, key)
}

// DeleteCached removes (ns, key) from the cache.
func (s *Store) DeleteCached(ns, key string) error {
	return s.deleteIn(prefixCache, ns, key)
}

// CachedKeys lists the keys of ns in the cache without reading the values,
// which may be large (kept previews).
func (s *Store) CachedKeys(ns string) ([]string, error) {
	p, err := keyIn(prefixCache, ns, "x")
	if err != nil {
		return nil, err
	}
	prefix := p[:len(p)-1]
	var out []string
	err = s.iterate(prefix, false, func(k, _ []byte) error {
		out = append(out, string(k[len(prefix):]))
		return nil
	})
	return out, err
}

// ListRecords returns every record of ns, keyed without the namespace.
func (s *Store) ListRecords(ns string) (map[string][]byte, error) {
	p, err := recordKey(ns, "x")
	if err != nil {
		return nil, err
	}
	prefix := p[:len(p)-1]
	out := map[string][]byte{}
	err = s.scan(prefix, func(k, v []byte) error {
		out[string(k[len(prefix):])] = v
		return nil
	})
	return out, err
}

// update runs fn in a read-write transaction and marks the store changed.
func (s *Store) update(fn func(txn *badger.Txn) error) error { return s.write(fn, true) }

// write runs fn in a read-write transaction; changed says whether it
// counts as a change for the next snapshot.
func (s *Store) write(fn func(txn *badger.Txn) error, changed bool) error {
	if s.isClosed() {
		return errClosed
	}
	if err := s.checkSpace(); err != nil {
		return err
	}
	err := s.db.Update(fn)
	// Two writers of the same draft (an autosave and a delete) conflict;
	// the functions re-read inside the transaction, so running again is safe.
	for i := 0; i < 3 && errors.Is(err, badger.ErrConflict); i++ {
		err = s.db.Update(fn)
	}
	if err != nil {
		var se *Error
		if errors.As(err, &se) {
			return se
		}
		return dbError(err)
	}
	if changed {
		s.markDirty()
	}
	return nil
}

func (s *Store) view(fn func(txn *badger.Txn) error) error {
	if s.isClosed() {
		return errClosed
	}
	if err := s.db.View(fn); err != nil {
		var se *Error
		if errors.As(err, &se) {
			return se
		}
		return dbError(err)
	}
	return nil
}

// get returns a copy of the value under k, or ErrNotFound.
func (s *Store) get(k []byte) ([]byte, error) {
	var out []byte
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(k)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return &Error{Kind: ErrNotFound, ZH: "找不到。", EN: "not found"}
		}
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	return out, err
}

// scan calls fn with a copy of every key and value under prefix, in key order.
func (s *Store) scan(prefix []byte, fn func(k, v []byte) error) error {
	return s.iterate(prefix, true, fn)
}

// iterate calls fn with a copy of every key under prefix, in key order, and
// of its value when values is set (nil otherwise: large values stay unread).
func (s *Store) iterate(prefix []byte, values bool, fn func(k, v []byte) error) error {
	return s.view(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		opts.PrefetchSize = 64
		opts.PrefetchValues = values
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			var v []byte
			if values {
				var err error
				if v, err = item.ValueCopy(nil); err != nil {
					return err
				}
			}
			if err := fn(item.KeyCopy(nil), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// minFreeSpace is the space a write needs left on the disk. Badger appends
// to memory-mapped log files that are sparse until written; running out
// of disk under a mapping kills the process (SIGBUS) instead of returning
// an error, so writes are refused while there is less room than a whole
// log file and a memtable flush could take.
const minFreeSpace = 64 << 20

func (s *Store) checkSpace() error {
	if s.freeSpace == nil {
		return nil
	}
	free, err := s.freeSpace(s.dir)
	if err != nil || free >= minFreeSpace {
		return nil // an unknown answer must not stop saving
	}
	return diskFull(fmt.Errorf("%d bytes free, %d needed", free, minFreeSpace))
}
