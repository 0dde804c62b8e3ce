package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	oskeyring "github.com/zalando/go-keyring"
)

// The data key encrypts the database (Badger's encryption at rest) and the
// snapshots of a store created or migrated by this build. It is 32 random
// bytes kept outside the data directory, so that a copy of the directory
// (a backup, a synced folder, a stolen disk image without the user's
// login) reads as noise:
//
//   - in the OS credential store (Windows Credential Manager, macOS
//     Keychain, Secret Service on Linux), service "icpfiling", account the
//     data directory's absolute path;
//   - where there is none (headless Linux, CI: go-keyring answers with an
//     error), in a 0600 file under os.UserConfigDir()/icpfiling/keys/.
//
// meta.json records which, so Settings can say where the key is and Open
// asks only that place first.

// KeyPlace says where a store's data key is kept.
type KeyPlace string

const (
	// KeyInCredentialStore: the OS credential store holds the data key.
	KeyInCredentialStore KeyPlace = "credential_store"
	// KeyInFile: a 0600 file in the user's config directory holds it.
	KeyInFile KeyPlace = "file"
)

const (
	keyringService = "icpfiling"
	dataKeyLen     = 32
	// keyringTimeout bounds a credential store that never answers (a
	// locked desktop keyring waiting on a prompt nobody sees); the file is
	// used instead.
	keyringTimeout = 5 * time.Second
)

// dataKeyRecord is what the credential store or the key file holds.
// Version 1 holds the data key itself. Version 2, written once a store
// passphrase is set, holds it sealed (AES-256-GCM) with a subkey of the
// master key that keys.json wraps with the passphrase (scrypt): a copy of
// the config directory and the data directory together still needs the
// passphrase. Sealing with the master key rather than with a second
// passphrase-derived key means changing the passphrase rewrites keys.json
// alone, one atomic rename, so no crash can leave the two files
// disagreeing about which passphrase is current.
type dataKeyRecord struct {
	Version int    `json:"version"`
	DataDir string `json:"data_dir"` // for a person looking at the file; not trusted
	Key     []byte `json:"key,omitempty"`
	Sealed  []byte `json:"sealed_key,omitempty"`
}

const dataKeyAAD = "icpfiling data key v2"

// foundKey is a data key and how it is kept.
type foundKey struct {
	key    []byte
	place  KeyPlace
	sealed bool // kept sealed by the passphrase's master key
}

// keyFileDir is where key files go: Options.KeyDir, or
// os.UserConfigDir()/icpfiling/keys.
func keyFileDir(opts Options) (string, error) {
	if opts.KeyDir != "" {
		return filepath.Abs(opts.KeyDir)
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "icpfiling", "keys"), nil
}

// keyFilePath names the key file of the data directory dir by a hash of
// its path: one file per data directory, and no path in the name.
func keyFilePath(opts Options, dir string) (string, error) {
	kd, err := keyFileDir(opts)
	if err != nil {
		return "", err
	}
	if inside(kd, dir) {
		return "", invalid("数据密钥不能放在数据目录里面：请换一个数据目录。",
			"the data key cannot be kept inside the data directory; choose another data directory")
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(kd, "data-"+hex.EncodeToString(sum[:8])+".key"), nil
}

func inside(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// keyringCall runs a go-keyring call with keyringTimeout.
func keyringCall[T any](f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(keyringTimeout):
		var zero T
		return zero, errors.New("the credential store did not answer")
	}
}

// encodeDataKey is the record of key: sealed with kr's subkey when kr is
// set (a passphrase exists and is unlocked), else the key itself.
func encodeDataKey(dir string, key []byte, kr *keyring) string {
	r := dataKeyRecord{Version: 1, DataDir: dir, Key: key}
	if kr != nil {
		r = dataKeyRecord{Version: 2, DataDir: dir, Sealed: gcmSeal(kr.subkey("data key v1"), key, []byte(dataKeyAAD))}
	}
	b, _ := json.Marshal(r)
	return string(b)
}

func decodeDataKey(s string) (dataKeyRecord, error) {
	var r dataKeyRecord
	err := json.Unmarshal([]byte(s), &r)
	switch {
	case err != nil:
	case r.Version == 1 && len(r.Key) == dataKeyLen:
		return r, nil
	case r.Version == 2 && len(r.Sealed) > 0:
		return r, nil
	}
	return r, fmt.Errorf("data key record unreadable (version %d, %d bytes)", r.Version, len(r.Key)+len(r.Sealed))
}

// open returns the data key of r; a sealed one needs kr, the keyring the
// passphrase unlocked.
func (r dataKeyRecord) open(kr *keyring) ([]byte, error) {
	if r.Version == 1 {
		return r.Key, nil
	}
	if kr == nil {
		return nil, passphraseRequired()
	}
	key, err := gcmOpen(kr.subkey("data key v1"), r.Sealed, []byte(dataKeyAAD))
	if err != nil || len(key) != dataKeyLen {
		// keys.json took the passphrase, so the two files are not a pair:
		// one of them was replaced.
		return nil, newError(ErrKeyMissing, errors.New("sealed data key does not open with this keys.json"),
			"数据密钥与 keys.json 不匹配（其中一个可能被替换了），数据无法读取。",
			"the data key does not match keys.json (one of them may have been replaced), so the data cannot be read")
	}
	return key, nil
}

func passphraseRequired() *Error {
	return newError(ErrPassphraseRequired, nil, "这份数据已用口令保护，请输入口令。", "this store is protected by a passphrase; enter it")
}

// createDataKey makes a new data key for dir and keeps it (sealed when kr
// is set): in the credential store when it takes it, else in the key file.
func createDataKey(opts Options, dir string, kr *keyring) (foundKey, error) {
	key := make([]byte, dataKeyLen)
	rand.Read(key)
	place, err := keepDataKey(opts, dir, "", encodeDataKey(dir, key, kr))
	if err != nil {
		return foundKey{}, err
	}
	return foundKey{key: key, place: place, sealed: kr != nil}, nil
}

// keepDataKey writes the record rec of dir to place, or, when place is
// "", to the credential store if it takes it and else to the key file.
// Either write replaces the old record whole: the credential store's
// entry at once, the file by a synced temp file renamed over it; a kill
// leaves the old record or the new one. The other place is then cleared,
// so that no older copy (an unsealed one) is left behind.
func keepDataKey(opts Options, dir string, place KeyPlace, rec string) (KeyPlace, error) {
	if place == "" || place == KeyInCredentialStore {
		_, kerr := keyringCall(func() (struct{}, error) {
			return struct{}{}, oskeyring.Set(keyringService, dir, rec)
		})
		if kerr == nil {
			// Read back: some backends accept and drop (a session-only
			// collection); a key that cannot be read back is no key.
			if got, err := keyringCall(func() (string, error) { return oskeyring.Get(keyringService, dir) }); err == nil && got == rec {
				if path, err := keyFilePath(opts, dir); err == nil {
					os.Remove(path)
				}
				return KeyInCredentialStore, nil
			}
			kerr = errors.New("the credential store did not keep the key")
		}
		if place == KeyInCredentialStore {
			return "", newError(ErrIO, kerr, "无法把数据密钥写入系统凭据管理器。", "cannot write the data key to the system credential store")
		}
	}
	path, err := keyFilePath(opts, dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", ioError(err, "无法创建密钥目录。", "cannot create the key directory")
	}
	if err := writeFileAtomic(osFS{}, path, []byte(rec)); err != nil {
		return "", ioError(err, "无法写入数据密钥文件。", "cannot write the data key file")
	}
	if place == KeyInFile {
		keyringCall(func() (struct{}, error) { return struct{}{}, oskeyring.Delete(keyringService, dir) })
	}
	return KeyInFile, nil
}

// loadDataKey finds the data key of dir: first where meta.json says, then
// in the other place (a key file copied back by hand, a keyring restored).
// A sealed key needs kr; without it the answer is ErrPassphraseRequired.
func loadDataKey(opts Options, dir string, place KeyPlace, kr *keyring) (foundKey, error) {
	fromKeyring := func() (dataKeyRecord, error) {
		s, err := keyringCall(func() (string, error) { return oskeyring.Get(keyringService, dir) })
		if err != nil {
			return dataKeyRecord{}, err
		}
		return decodeDataKey(s)
	}
	fromFile := func() (dataKeyRecord, error) {
		path, err := keyFilePath(opts, dir)
		if err != nil {
			return dataKeyRecord{}, err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return dataKeyRecord{}, err
		}
		return decodeDataKey(string(b))
	}
	order := []KeyPlace{KeyInCredentialStore, KeyInFile}
	if place == KeyInFile {
		order = []KeyPlace{KeyInFile, KeyInCredentialStore}
	}
	var errs []error
	for _, p := range order {
		var rec dataKeyRecord
		var err error
		if p == KeyInCredentialStore {
			rec, err = fromKeyring()
		} else {
			rec, err = fromFile()
		}
		if err == nil {
			key, err := rec.open(kr)
			if err != nil {
				return foundKey{}, err
			}
			return foundKey{key: key, place: p, sealed: rec.Version == 2}, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", p, err))
	}
	return foundKey{}, newError(ErrKeyMissing, errors.Join(errs...),
		"找不到这份数据的密钥（系统凭据管理器和本机密钥文件中都没有），数据无法读取。如果数据目录是从另一台电脑或另一个用户账户复制来的，密钥留在了那里：请在原处打开程序，把备案导出为 .icpf 文件再在这里导入。",
		"the key of this data is in neither the system credential store nor the local key file, so the data cannot be read. If the data directory was copied from another computer or user account, its key stayed there: open the app there, export the filings as an .icpf file and import that here")
}

// deleteDataKey removes the data key of dir from both places.
func deleteDataKey(opts Options, dir string) error {
	_, kerr := keyringCall(func() (struct{}, error) {
		return struct{}{}, oskeyring.Delete(keyringService, dir)
	})
	path, err := keyFilePath(opts, dir)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	_ = kerr // absent, or no credential store at all: nothing to remove there
	return nil
}

// dataKeyring turns a data key into the subkeys of the database and the
// snapshots (the same derivation as the passphrase's master key).
func dataKeyring(key []byte) *keyring { return &keyring{master: key} }

// KeyLocation describes, for Settings, where the data key of the store is
// kept; "" for a store without one (encrypted by its passphrase).
func (s *Store) KeyLocation() KeyPlace { return s.keyPlace }

// KeyLocationText is KeyLocation in words, "zh" or "en".
func (s *Store) KeyLocationText(lang string) string {
	zh, en := "", ""
	switch s.keyPlace {
	case KeyInCredentialStore:
		zh, en = "数据密钥保存在系统凭据管理器中", "The data key is kept in the system credential store"
	case KeyInFile:
		p, _ := keyFilePath(s.opts, s.dir)
		zh, en = "数据密钥保存在本机密钥文件 "+p+" 中（仅当前用户可读）",
			"The data key is kept in the local key file "+p+" (readable by this user only)"
	default:
		if s.snapKey != nil {
			zh, en = "数据由口令加密。", "The data is encrypted with the passphrase."
		}
	}
	if s.keyPlace != "" {
		s.keysMu.RLock()
		sealed := s.keySealed
		s.keysMu.RUnlock()
		if sealed {
			zh += "，并由数据口令封存：没有口令无法打开数据。"
			en += ", sealed with the store passphrase: the data cannot be opened without it."
		} else {
			zh += "。"
			en += "."
		}
	}
	if lang == "en" {
		return en
	}
	return zh
}

// sealDataKey rewrites the data key's record sealed with kr (or, with kr
// nil, as the key itself), in the place it is kept.
func (s *Store) sealDataKey(kr *keyring) error {
	if s.keyPlace == "" {
		return nil // an EncryptStore store: the passphrase holds its key already
	}
	if _, err := keepDataKey(s.opts, s.dir, s.keyPlace, encodeDataKey(s.dir, s.dataKey, kr)); err != nil {
		return err
	}
	s.keySealed = kr != nil
	return nil
}
