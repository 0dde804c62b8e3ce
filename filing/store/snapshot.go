package store

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// A snapshot file is: magic, one flag byte (1 = encrypted), the Badger
// backup stream (AES-GCM sealed as a whole when the store is encrypted,
// because Badger's own backup is plaintext even for an encrypted
// database), and a SHA-256 of everything before it, checked before any
// byte reaches Badger's Load, which panics on malformed input.
var snapMagic = []byte("ICPFSNAP1\n")

const (
	snapPrefix     = "snap-"
	snapExt        = ".icps"
	snapTimeFormat = "20060102T150405.000000000Z"
)

// SnapshotInfo describes one snapshot file.
type SnapshotInfo struct {
	Name      string // file name inside snapshots/
	Taken     time.Time
	Size      int64
	Encrypted bool
}

// Snapshot writes a copy of the database into snapshots/ now and drops the
// oldest beyond Options.SnapshotKeep. The GUI calls it after a step is
// finished; the store also takes one periodically and on Close when
// something changed.
func (s *Store) Snapshot() (SnapshotInfo, error) {
	if s.isClosed() {
		return SnapshotInfo{}, errClosed
	}
	return s.takeSnapshot()
}

func (s *Store) takeSnapshot() (SnapshotInfo, error) {
	s.snapshot.Lock()
	defer s.snapshot.Unlock()
	s.mu.Lock()
	s.dirty = false
	s.mu.Unlock()
	info, err := s.writeSnapshot()
	if err != nil {
		s.markDirty()
		return info, err
	}
	s.pruneSnapshots()
	return info, nil
}

func (s *Store) writeSnapshot() (SnapshotInfo, error) {
	encrypted := s.snapKey != nil
	// The backup stream is the one copy held in memory: it is sealed in
	// place, behind room left for the nonce, and framed and hashed on its
	// way to the file (a store of 20,000 drafts has a 40 MB stream, which
	// a sealed copy and a framed copy made 160 MB at the close of a batch
	// import). The bytes are those of gcmSeal and frameSnapshot.
	backup := func(w io.Writer) error {
		b := s.db.NewStream()
		b.LogPrefix = "snapshot"
		// One reader, and each of its batches (16 MB at most) written out
		// as it comes instead of Badger's gathering them into one of up to
		// 100 MB first, which it then copies twice more (decoded,
		// encoded). The stream is the same list of KV lists, only shorter
		// ones.
		b.NumGo = 1
		b.MaxSize = 1
		b.ChooseKey = func(item *badger.Item) bool { return !bytes.HasPrefix(item.Key(), []byte(prefixCache)) }
		_, err := b.Backup(w, 0)
		return err
	}
	// Measured first, so the buffer is made once at its size: growing it
	// by doubling held up to twice the stream at the close of a batch
	// import. The second pass costs a fraction of a second at 20,000
	// drafts; a write in between only means the buffer grows after all.
	var measured countingWriter
	if err := backup(&measured); err != nil {
		return SnapshotInfo{}, dbError(err)
	}
	var g cipher.AEAD
	var stream bytes.Buffer
	room := 0
	if encrypted {
		g = snapshotGCM(s.snapKey)
		room = g.NonceSize() + g.Overhead()
	}
	stream.Grow(int(measured) + room + 4<<10)
	if encrypted {
		stream.Write(make([]byte, g.NonceSize()))
	}
	if err := backup(&stream); err != nil {
		return SnapshotInfo{}, dbError(err)
	}
	body := stream.Bytes()
	if encrypted {
		stream.Grow(g.Overhead()) // the tag, without a second buffer
		body = stream.Bytes()
		nonce := body[:g.NonceSize()]
		rand.Read(nonce)
		body = g.Seal(nonce, nonce, body[g.NonceSize():], snapMagic)
	}

	dir := filepath.Join(s.dir, snapshotDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return SnapshotInfo{}, ioError(err, "无法创建快照目录。", "cannot create the snapshot directory")
	}
	now := s.opts.Now().UTC()
	name := snapPrefix + now.Format(snapTimeFormat) + snapExt
	size := int64(len(snapMagic) + 1 + len(body) + sha256.Size)
	err := writeAtomic(s.fs, filepath.Join(dir, name), func(w io.Writer) error {
		h := sha256.New()
		bw := bufio.NewWriterSize(io.MultiWriter(w, h), 256<<10)
		bw.Write(snapMagic)
		if encrypted {
			bw.WriteByte(1)
		} else {
			bw.WriteByte(0)
		}
		bw.Write(body)
		if err := bw.Flush(); err != nil {
			return err
		}
		_, err := w.Write(h.Sum(nil))
		return err
	})
	if err != nil {
		return SnapshotInfo{}, ioError(err, "写入快照失败。", "writing the snapshot failed")
	}
	return SnapshotInfo{Name: name, Taken: now, Size: size, Encrypted: encrypted}, nil
}

// countingWriter counts what is written to it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// snapshotGCM is the AES-256-GCM of gcmSeal, for sealing in place.
func snapshotGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // keys here are always 32 bytes
	}
	g, _ := cipher.NewGCM(block)
	return g
}

// frameSnapshot is the file around body: magic, the encrypted flag, body,
// and the SHA-256 of all that.
func frameSnapshot(encrypted bool, body []byte) []byte {
	var out bytes.Buffer
	out.Write(snapMagic)
	if encrypted {
		out.WriteByte(1)
	} else {
		out.WriteByte(0)
	}
	out.Write(body)
	sum := sha256.Sum256(out.Bytes())
	out.Write(sum[:])
	return out.Bytes()
}

func (s *Store) pruneSnapshots() {
	snaps, err := ListSnapshots(s.dir)
	if err != nil {
		return
	}
	for _, old := range snaps[min(len(snaps), s.opts.SnapshotKeep):] {
		os.Remove(filepath.Join(s.dir, snapshotDirName, old.Name))
	}
}

// ListSnapshots lists the snapshots in dir, newest first, without opening
// the store: the GUI calls it when Open failed with ErrDamaged or
// NeedsRecovery(dir) is true, and offers RestoreSnapshot.
func ListSnapshots(dir string) ([]SnapshotInfo, error) {
	entries, err := os.ReadDir(filepath.Join(dir, snapshotDirName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ioError(err, "无法读取快照目录。", "cannot read the snapshot directory")
	}
	var out []SnapshotInfo
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, snapPrefix) || !strings.HasSuffix(name, snapExt) {
			continue
		}
		t, err := time.Parse(snapTimeFormat, strings.TrimSuffix(strings.TrimPrefix(name, snapPrefix), snapExt))
		if err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		si := SnapshotInfo{Name: name, Taken: t, Size: info.Size()}
		if f, err := os.Open(filepath.Join(dir, snapshotDirName, name)); err == nil {
			head := make([]byte, len(snapMagic)+1)
			if n, _ := f.Read(head); n == len(head) {
				si.Encrypted = head[len(snapMagic)] == 1
			}
			f.Close()
		}
		out = append(out, si)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Taken.After(out[j].Taken) })
	return out, nil
}

func badSnapshot(cause error) *Error {
	return newError(ErrDamaged, cause, "快照文件已损坏，不能用来恢复。", "the snapshot file is damaged and cannot be restored")
}

// readSnapshot checks the trailer hash and decrypts; it returns the Badger
// backup stream.
func readSnapshot(path string, key func() ([]byte, error)) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound("snapshot", "快照", filepath.Base(path))
	}
	if err != nil {
		return nil, ioError(err, "无法读取快照。", "cannot read the snapshot")
	}
	head := len(snapMagic) + 1
	if len(data) < head+sha256.Size || !bytes.Equal(data[:len(snapMagic)], snapMagic) {
		return nil, badSnapshot(nil)
	}
	body, trailer := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], trailer) {
		return nil, badSnapshot(errors.New("checksum mismatch"))
	}
	stream := body[head:]
	if body[len(snapMagic)] == 1 {
		k, err := key()
		if err != nil {
			return nil, err
		}
		if stream, err = gcmOpen(k, stream, snapMagic); err != nil {
			return nil, wrongPassphrase()
		}
	}
	return stream, nil
}

// RestoreSnapshot replaces the database in opts.Dir with the snapshot
// name (from ListSnapshots). The store must not be open. The current
// database is moved aside, not deleted, so a restore destroys nothing;
// DeleteAllData removes what was moved aside. An encrypted snapshot needs
// opts.Passphrase.
func RestoreSnapshot(opts Options, name string) error {
	if err := opts.fill(); err != nil {
		return err
	}
	dir := opts.Dir
	if name != filepath.Base(name) || !strings.HasPrefix(name, snapPrefix) {
		return invalid("快照名称无效。", "invalid snapshot name")
	}
	lock, err := lockDir(filepath.Join(dir, lockFileName))
	if errors.Is(err, errLockHeld) {
		return alreadyOpen(nil)
	}
	if err != nil {
		return ioError(err, "无法锁定数据目录。", "cannot lock the data directory")
	}
	defer lock.release()

	if err := finishEncryption(dir); err != nil {
		return err
	}
	meta, _, err := readMeta(dir)
	if err != nil {
		return err
	}
	var kr *keyring
	keyFor := func() (*keyring, error) {
		if kr != nil {
			return kr, nil
		}
		kf, err := readKeys(dir)
		if err != nil {
			return nil, err
		}
		if kf == nil || !opts.Passphrase.IsSet() {
			return nil, newError(ErrPassphraseRequired, nil, "这个快照已加密，请输入口令。", "this snapshot is encrypted; enter the passphrase")
		}
		kr, err = kf.unwrap(opts.Passphrase)
		return kr, err
	}
	var dk *keyring // the data key's, for a store encrypted with one
	if meta.DataKey != "" {
		var pkr *keyring // a data key sealed by the passphrase needs it
		if opts.Passphrase.IsSet() {
			if pkr, err = keyFor(); err != nil {
				return err
			}
		}
		found, err := loadDataKey(opts, dir, meta.DataKey, pkr)
		if err != nil {
			return err
		}
		dk = dataKeyring(found.key)
	}
	stream, err := readSnapshot(filepath.Join(dir, snapshotDirName, name), func() ([]byte, error) {
		if dk != nil {
			return dk.subkey("snapshot v1"), nil
		}
		k, err := keyFor()
		if err != nil {
			return nil, err
		}
		return k.subkey("snapshot v1"), nil
	})
	if err != nil {
		return err
	}
	var encKey []byte
	switch {
	case dk != nil:
		encKey = dk.storeKey()
	case meta.Encrypted:
		k, err := keyFor()
		if err != nil {
			return err
		}
		encKey = k.storeKey()
	}
	if meta.MemTableSize < memTableSize {
		meta.MemTableSize = memTableSize
	}

	staging := filepath.Join(dir, dbDirName+".restoring")
	if err := os.RemoveAll(staging); err != nil {
		return ioError(err, "无法准备恢复目录。", "cannot prepare the restore directory")
	}
	log, err := openEngineLog(LogDir(dir))
	if err != nil {
		return ioError(err, "无法写入日志目录。", "cannot write the log directory")
	}
	defer log.close()
	if err := loadInto(staging, meta.MemTableSize, encKey, log, stream); err != nil {
		os.RemoveAll(staging)
		return err
	}
	live := filepath.Join(dir, dbDirName)
	if _, err := os.Stat(live); err == nil {
		aside := filepath.Join(dir, damagedPrefix+time.Now().UTC().Format(snapTimeFormat))
		if err := os.Rename(live, aside); err != nil {
			os.RemoveAll(staging)
			return ioError(err, "无法移开损坏的数据。", "cannot move the damaged store aside")
		}
	}
	if err := os.Rename(staging, live); err != nil {
		return ioError(err, "无法放入恢复的数据。", "cannot put the restored store in place")
	}
	if err := syncDir(dir); err != nil {
		return ioError(err, "无法写入数据目录。", "cannot write the data directory")
	}
	os.Remove(filepath.Join(dir, openingMarker))
	return nil
}

// loadInto fills a fresh database at path from a backup stream. Load
// panics on malformed input in the caller's goroutine, so the panic is
// turned into an error; the hash check before makes that a last resort.
func loadInto(path string, memtable int64, key []byte, log badger.Logger, stream []byte) (err error) {
	db, err := badger.Open(badgerOptions(path, memtable, key, log))
	if err != nil {
		return dbError(err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = badSnapshot(fmt.Errorf("load panicked: %v", p))
		}
		if cerr := db.Close(); err == nil && cerr != nil {
			err = dbError(cerr)
		}
	}()
	if err := db.Load(bytes.NewReader(stream), 16); err != nil {
		return badSnapshot(err)
	}
	return nil
}
