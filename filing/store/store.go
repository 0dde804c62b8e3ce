// Package store keeps an applicant's drafts, their scans and other
// records on this machine: an embedded Badger database for the records, and
// content-addressed files beside it for the scans.
//
// Layout of a data directory:
//
//	store/        the Badger database (drafts, records, the wrapped secret key check),
//	              encrypted at rest with the data key (see datakey.go)
//	attachments/  scans and photos, one file per SHA-256, written atomically
//	snapshots/    rolling copies of the database, restorable when it will not open
//	logs/         warnings from the database engine, never values
//	meta.json     option values that must not change between runs, and where the data key is
//	keys.json     the master key, wrapped by the passphrase (only when one is set)
//	app.lock      held while the store is open, so a second process is refused
//
// The data key itself is never in the data directory: it is in the OS
// credential store or in a key file under the user's config directory.
// Every file the store writes is 0600 and every directory 0700.
//
// Secrets (filing password, console password, backend token) are encrypted
// with a key only the passphrase unlocks, or not stored at all.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/icpfiling/icpfiling/filing"
)

// Names inside a data directory.
const (
	dbDirName         = "store"
	attachmentDirName = "attachments"
	snapshotDirName   = "snapshots"
	logDirName        = "logs"
	metaFileName      = "meta.json"
	keysFileName      = "keys.json"
	lockFileName      = "app.lock"
	// openingMarker exists from just before the database is opened until
	// the open succeeded; finding it at start means the last open crashed.
	openingMarker = "opening"
	// damagedPrefix names a database moved aside by a restore; kept so
	// nothing is destroyed, removed by DeleteAllData.
	damagedPrefix = "store.damaged-"
)

// memTableSize is chosen once: reopening a crashed database with a smaller
// memtable than it was written with kills the process (Badger log.Fatal
// "Arena too small"), so meta.json records the largest size ever used and
// Open never goes below it.
const memTableSize = 16 << 20

// Options configure Open.
type Options struct {
	// Dir is the data directory; "" means DefaultDir().
	Dir string
	// Passphrase unlocks the secrets and the data key, which it seals once
	// set (see datakey.go): a store with a passphrase does not open
	// without it (ErrPassphraseRequired). Only a store whose passphrase was
	// set by an older build, before its key was sealed, opens without it,
	// locked: drafts load without their secrets; Unlock then seals the key.
	Passphrase filing.Secret
	// EncryptStore makes the passphrase hold the key of the database
	// instead of the credential store or key file: the store then cannot
	// be opened without it. It takes effect only when the store is
	// created, needs a Passphrase, and is remembered in meta.json. Without
	// it the database is encrypted all the same, with the data key.
	EncryptStore bool
	// Progress, when set, is told how far encrypting a store written by an
	// older (unencrypted) build has come; Open does that once.
	Progress Progress
	// KeyDir is where a data key is kept when the OS has no credential
	// store; "" means os.UserConfigDir()/icpfiling/keys.
	KeyDir string
	// UndoWindow is how long a deleted draft can be brought back; 0 means 7 days.
	UndoWindow time.Duration
	// SnapshotInterval is how often a changed store is snapshotted while
	// open; 0 means 5 minutes, negative turns periodic snapshots off (one is
	// still taken on Close when something changed).
	SnapshotInterval time.Duration
	// SnapshotKeep is how many snapshots are kept; 0 means 5.
	SnapshotKeep int
	// AttachmentGrace protects attachments newer than this from cleanup,
	// because a scan is stored before the draft that references it is
	// saved; 0 means 1 hour.
	AttachmentGrace time.Duration
	// Now replaces the clock in tests; nil means time.Now.
	Now func() time.Time
}

func (o *Options) fill() error {
	if o.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return err
		}
		o.Dir = d
	}
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	o.Dir = abs
	if o.UndoWindow == 0 {
		o.UndoWindow = 7 * 24 * time.Hour
	}
	if o.SnapshotInterval == 0 {
		o.SnapshotInterval = 5 * time.Minute
	}
	if o.SnapshotKeep <= 0 {
		o.SnapshotKeep = 5
	}
	if o.AttachmentGrace == 0 {
		o.AttachmentGrace = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// DefaultDir is the per-user data directory: %LOCALAPPDATA%\icpfiling on
// Windows (local, not roaming: a database must not be synced between
// machines), ~/Library/Application Support/icpfiling on macOS, and
// $XDG_DATA_HOME/icpfiling (default ~/.local/share/icpfiling) elsewhere.
func DefaultDir() (string, error) {
	const name = "icpfiling"
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, name), nil
		}
		d, err := os.UserCacheDir() // %LocalAppData% as well
		if err != nil {
			return "", err
		}
		return filepath.Join(d, name), nil
	case "darwin", "ios":
		d, err := os.UserConfigDir() // ~/Library/Application Support
		if err != nil {
			return "", err
		}
		return filepath.Join(d, name), nil
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, name), nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, ".local", "share", name), nil
	}
}

// LogDir is where the app's parts write their logs, so that DeleteAllData
// finds them.
func LogDir(dir string) string { return filepath.Join(dir, logDirName) }

// Store is an open data directory. Its methods are safe for concurrent use.
type Store struct {
	opts Options
	dir  string
	db   *badger.DB
	lock *dirLock
	log  *engineLog

	keysMu sync.RWMutex
	keys   *keyring // nil while locked or when no passphrase is set
	// keyPlace is where the data key is kept; "" for a store whose key
	// the passphrase holds (EncryptStore).
	keyPlace KeyPlace
	// dataKey is the data key itself, kept to reseal its record when a
	// passphrase is set or removed (Badger holds it in memory anyway);
	// keySealed says whether its record is sealed by the passphrase.
	// Both are guarded by keysMu.
	dataKey   []byte
	keySealed bool
	// snapKey encrypts snapshots of an encrypted store; it is kept apart
	// from keys so that Lock does not stop snapshots, just as Badger keeps
	// its own key while open.
	snapKey []byte

	// fs is the file layer of attachments and snapshots; tests swap it to
	// simulate a full disk where no small filesystem can be mounted.
	fs fileSystem
	// freeSpace reports the bytes left on the store's disk; tests replace
	// it to simulate a full disk. nil skips the check.
	freeSpace func(path string) (uint64, error)

	mu       sync.Mutex // guards dirty, closed
	dirty    bool
	closed   bool
	stop     chan struct{}
	bgDone   chan struct{}
	snapshot sync.Mutex // one snapshot at a time
}

// storeMeta is meta.json. Format 2 stores are encrypted with a data key
// kept where DataKey says; format 1 builds refuse them as newer.
type storeMeta struct {
	Format       int      `json:"format"`
	MemTableSize int64    `json:"memtable_size"`
	Encrypted    bool     `json:"encrypted"`
	DataKey      KeyPlace `json:"data_key,omitempty"`
}

// errLockHeld is what the platform lock returns when someone holds it.
var errLockHeld = errors.New("lock held")

func alreadyOpen(cause error) *Error {
	return newError(ErrAlreadyOpen, cause,
		"程序已经打开了这份数据（可能在另一个窗口或另一个进程中）。请先关闭它，再重试。",
		"the app is already open with this data (in another window or process); close it and try again")
}

// Open opens or creates the store in opts.Dir. When another process holds
// the directory it returns an error that errors.Is(err, ErrAlreadyOpen) and
// touches nothing; when the database will not open it returns ErrDamaged,
// and ListSnapshots shows what can be restored.
func Open(opts Options) (*Store, error) {
	if err := opts.fill(); err != nil {
		return nil, newError(ErrInvalid, err, "找不到用户数据目录。", "cannot determine the user data directory")
	}
	dir := opts.Dir
	makeFilesPrivate()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, ioError(err, "无法创建数据目录。", "cannot create the data directory")
	}
	lock, err := lockDir(filepath.Join(dir, lockFileName))
	if errors.Is(err, errLockHeld) {
		return nil, alreadyOpen(nil)
	}
	if err != nil {
		return nil, ioError(err, "无法锁定数据目录。", "cannot lock the data directory")
	}
	s := &Store{opts: opts, dir: dir, lock: lock, fs: osFS{}, freeSpace: diskFree}
	if err := s.open(); err != nil {
		if s.log != nil {
			s.log.close()
		}
		lock.release()
		return nil, err
	}
	s.stop = make(chan struct{})
	s.bgDone = make(chan struct{})
	go s.background()
	return s, nil
}

func (s *Store) open() error {
	opts := s.opts
	var err error
	s.log, err = openEngineLog(LogDir(s.dir))
	if err != nil {
		return ioError(err, "无法写入日志目录。", "cannot write the log directory")
	}
	// Older builds left Badger's files 0644; the umask covers new ones.
	if err := tightenPermissions(s.dir); err != nil {
		s.log.Warningf("making the data directory private: %s", redactCause(err.Error()))
	}
	// An encryption cut short is finished or rolled back before anything
	// reads store/.
	if err := finishEncryption(s.dir); err != nil {
		return err
	}
	meta, existed, err := readMeta(s.dir)
	if err != nil {
		return err
	}
	if !existed {
		// A directory holding a database but no meta.json was made by a
		// build that predates meta.json or lost it; assume the current size.
		meta = storeMeta{Format: 1, MemTableSize: memTableSize, Encrypted: opts.EncryptStore}
		if opts.EncryptStore && !opts.Passphrase.IsSet() {
			return invalid("加密整个数据存储需要先设置口令。", "encrypting the store needs a passphrase")
		}
		if dbExists(s.dir) {
			meta.Encrypted = false
		}
	}
	if meta.MemTableSize < memTableSize {
		meta.MemTableSize = memTableSize
	}
	// The passphrase holds the database key only for EncryptStore stores.
	passKeyed := meta.Encrypted && meta.DataKey == ""

	kr, err := s.unlockKeys(opts.Passphrase, passKeyed)
	if err != nil {
		return err
	}
	if !existed && passKeyed && kr == nil {
		// First open of an encrypted store: the master key is born here.
		kr, err = createKeys(s.dir, opts.Passphrase)
		if err != nil {
			return err
		}
	}
	s.keys = kr

	// Badger writes its first log through a memory mapping during Open;
	// without room that is a SIGBUS, not an error.
	if free, err := diskFree(s.dir); err == nil && free < minFreeSpace {
		return newError(ErrDiskFull, fmt.Errorf("%d bytes free, %d needed", free, minFreeSpace),
			"磁盘空间不足，无法打开数据存储；已保存的内容没有受影响。请清理磁盘后重试。",
			"there is not enough disk space to open the store; what was saved is unaffected. Free some space and try again")
	}
	marker := filepath.Join(s.dir, openingMarker)
	if err := markOpening(s.dir, time.Now()); err != nil {
		return ioError(err, "无法写入数据目录。", "cannot write the data directory")
	}

	var encKey []byte
	var dk foundKey
	switch {
	case meta.DataKey != "":
		dk, err = loadDataKey(opts, s.dir, meta.DataKey, kr)
	case passKeyed:
		encKey = kr.storeKey()
		s.snapKey = kr.subkey("snapshot v1")
	case !dbExists(s.dir):
		// A new store: its key is kept before meta.json names it, and
		// meta.json is written before the database exists, so a crash in
		// between never leaves a database whose key is unknown.
		dk, err = createDataKey(opts, s.dir, kr)
		if err == nil {
			meta.Format, meta.Encrypted, meta.DataKey = 2, true, dk.place
			err = writeMeta(s.dir, meta)
			existed = true
		}
	default:
		// Written in plain text by an older build.
		dk, err = s.encryptExisting(&meta)
		existed = true
	}
	s.dataKey, s.keyPlace, s.keySealed = dk.key, dk.place, dk.sealed
	if err != nil {
		if !errors.Is(err, ErrDamaged) {
			os.Remove(marker) // a missing key or a full disk is no crash
		}
		return err
	}
	if dk.key != nil {
		dkr := dataKeyring(dk.key)
		encKey = dkr.storeKey()
		s.snapKey = dkr.subkey("snapshot v1")
	}
	// meta.json goes first: were the process to die during the first
	// open, the next one must still know the database is encrypted.
	if !existed {
		if err := writeMeta(s.dir, meta); err != nil {
			return err
		}
	}
	db, err := s.openBadger(filepath.Join(s.dir, dbDirName), meta.MemTableSize, encKey)
	if err != nil {
		switch {
		case errors.Is(err, badger.ErrEncryptionKeyMismatch) && meta.DataKey != "":
			os.Remove(marker)
			return newError(ErrKeyMissing, nil,
				"找到的数据密钥打不开这份数据（密钥可能被替换了）。",
				"the data key found does not open this store (it may have been replaced)")
		case errors.Is(err, badger.ErrEncryptionKeyMismatch):
			os.Remove(marker)
			return newError(ErrWrongPassphrase, nil, "口令不正确，无法打开加密的数据。", "the passphrase does not open this encrypted store")
		case strings.Contains(err.Error(), "Another process is using this Badger database"):
			os.Remove(marker)
			return alreadyOpen(nil)
		case isDiskFull(err):
			return diskFull(err)
		}
		// The marker stays: the next start knows this open failed. The
		// reason is logged and carried as the cause, for the details.
		s.log.Errorf("store will not open: %s", redactCause(err.Error()))
		return damaged(err)
	}
	s.db = db
	if err := os.Remove(marker); err != nil && !errors.Is(err, fs.ErrNotExist) {
		db.Close()
		return ioError(err, "无法写入数据目录。", "cannot write the data directory")
	}
	// A passphrase set by an older build, or a setting cut short between
	// keys.json and the key's record: the key proved right, seal it now.
	if kr != nil && !s.keySealed {
		if err := s.sealDataKey(kr); err != nil {
			s.log.Warningf("sealing the data key with the passphrase: %s", redactCause(err.Error()))
		}
	}
	if _, err := s.migrateDrafts(); err != nil {
		db.Close()
		return err
	}
	if _, err := s.PurgeDeleted(); err != nil {
		db.Close()
		return err
	}
	return nil
}

func dbExists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, dbDirName, "MANIFEST"))
	return err == nil
}

// badgerOptions is the desktop option set measured in the store spike:
// ~22 MiB heap after open instead of ~86, a 64 MiB vlog file while open
// instead of 2 GiB (real space on NTFS), and no INFO chatter.
func badgerOptions(path string, memtable int64, key []byte, log badger.Logger) badger.Options {
	o := badger.DefaultOptions(path).
		WithLogger(log).
		WithLoggingLevel(badger.WARNING).
		// Every acknowledged write is msynced: PutRecord promises durability,
		// and at autosave rates the ~0.3 ms is invisible. (A no-op on
		// Windows, where the snapshots are the safety net.)
		WithSyncWrites(true).
		WithMemTableSize(memtable).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBaseTableSize(2 << 20).
		WithBaseLevelSize(8 << 20).
		WithValueThreshold(64 << 10).
		// Scans live beside the database, so the value log only ever holds
		// the odd large draft.
		WithValueLogFileSize(16 << 20).
		WithBlockCacheSize(8 << 20).
		// Must be > 0 with encryption or Badger panics in its own goroutine.
		WithIndexCacheSize(4 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompactL0OnClose(true)
	if len(key) > 0 {
		o = o.WithEncryptionKey(key)
	}
	return o
}

func readMeta(dir string) (storeMeta, bool, error) {
	var m storeMeta
	data, err := os.ReadFile(filepath.Join(dir, metaFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, ioError(err, "无法读取 meta.json。", "cannot read meta.json")
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, false, newError(ErrDamaged, err, "meta.json 已损坏。", "meta.json is damaged")
	}
	if m.Format > 2 {
		return m, false, newError(ErrInvalid, nil,
			"这份数据由更新版本的程序写入，请升级程序。",
			"this data was written by a newer version of the app; update the app")
	}
	return m, true, nil
}

func writeMeta(dir string, m storeMeta) error {
	data, _ := json.MarshalIndent(m, "", "  ")
	if err := writeFileAtomic(osFS{}, filepath.Join(dir, metaFileName), data); err != nil {
		return ioError(err, "无法写入 meta.json。", "cannot write meta.json")
	}
	return nil
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

// Close takes a snapshot if anything changed since the last one, then
// closes the database and releases the directory. A second Close is a no-op.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	dirty := s.dirty
	s.mu.Unlock()
	close(s.stop)
	<-s.bgDone

	var errs []error
	if dirty {
		if _, err := s.takeSnapshot(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, ioError(err, "关闭数据存储时出错。", "error while closing the store"))
	}
	s.log.close()
	if err := s.lock.release(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Store) markDirty() {
	s.mu.Lock()
	s.dirty = true
	s.mu.Unlock()
}

// background snapshots a changed store periodically, and once shortly
// after open runs value-log GC (as the spike recommends) and removes
// attachments nothing references.
func (s *Store) background() {
	defer close(s.bgDone)
	gc := time.NewTimer(30 * time.Second)
	defer gc.Stop()
	var tick <-chan time.Time
	if s.opts.SnapshotInterval > 0 {
		t := time.NewTicker(s.opts.SnapshotInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-s.stop:
			return
		case <-gc.C:
			for s.db.RunValueLogGC(0.5) == nil {
			}
			if _, err := s.CleanAttachments(); err != nil {
				s.log.Warningf("attachment cleanup failed: %v", err)
			}
		case <-tick:
			s.mu.Lock()
			dirty := s.dirty
			s.mu.Unlock()
			if dirty {
				if _, err := s.takeSnapshot(); err != nil {
					s.log.Warningf("periodic snapshot failed: %v", err)
				}
			}
		}
	}
}

func ioError(err error, zh, en string) *Error {
	if isDiskFull(err) {
		return diskFull(err)
	}
	return newError(ErrIO, err, zh, en)
}

func diskFull(err error) *Error {
	return newError(ErrDiskFull, err,
		"磁盘空间已满，这次没有保存；之前保存的内容没有受影响。请清理磁盘后重试。",
		"the disk is full, so this was not saved; what was saved before is unchanged. Free some space and try again")
}

// dbError turns a Badger failure into a store error. Badger's own text is
// kept only as the cause: a value-too-large error carries a hex dump of
// the value, which must not reach a dialog.
func dbError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrDBClosed):
		return errClosed
	case isDiskFull(err):
		return diskFull(err)
	case errors.Is(err, badger.ErrTxnTooBig):
		return newError(ErrInvalid, badger.ErrTxnTooBig, "一次写入的数据太多。", "too much data in one write")
	}
	msg := err.Error()
	if i := strings.Index(msg, "Value:"); i >= 0 {
		msg = msg[:i]
	}
	return newError(ErrIO, errors.New(msg), "数据存储出错。", "the store failed")
}

// String is for debugging; it never includes data.
func (s *Store) String() string { return fmt.Sprintf("store(%s)", s.dir) }
