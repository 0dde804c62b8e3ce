package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/scrypt"

	"github.com/icpfiling/icpfiling/filing"
)

// kdfParams are scrypt's cost parameters: N=2^15, r=8, p=1 is the
// interactive-login setting of the scrypt paper (~32 MiB, tens of ms).
// They are written next to every wrapped key so they can rise later.
type kdfParams struct {
	LogN uint8 `json:"log_n"`
	R    int   `json:"r"`
	P    int   `json:"p"`
}

var defaultKDF = kdfParams{LogN: 15, R: 8, P: 1}

func (k kdfParams) derive(pass filing.Secret, salt []byte) ([]byte, error) {
	if k.LogN < 10 || k.LogN > 22 || k.R < 1 || k.R > 32 || k.P < 1 || k.P > 16 {
		return nil, invalid("口令参数无效。", "invalid passphrase parameters")
	}
	return scrypt.Key([]byte(pass.Reveal()), salt, 1<<k.LogN, k.R, k.P, 32)
}

// keysFile is keys.json: a random master key, wrapped (AES-256-GCM) with a
// key derived from the passphrase. Changing the passphrase rewraps only
// this; the database and the secrets keep the master key's subkeys.
type keysFile struct {
	Version int       `json:"version"`
	KDF     kdfParams `json:"scrypt"`
	Salt    []byte    `json:"salt"`
	Wrapped []byte    `json:"wrapped_key"`
}

// keyring holds the unwrapped master key while the store is unlocked.
type keyring struct{ master []byte }

func (k *keyring) subkey(label string) []byte {
	key, err := hkdf.Key(sha256.New, k.master, nil, "icpfiling "+label, 32)
	if err != nil {
		panic(err) // only for lengths sha256 cannot produce
	}
	return key
}

func (k *keyring) storeKey() []byte { return k.subkey("store v1") }

const keysAAD = "icpfiling keys.json v1"

func readKeys(dir string) (*keysFile, error) {
	data, err := os.ReadFile(filepath.Join(dir, keysFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, ioError(err, "无法读取 keys.json。", "cannot read keys.json")
	}
	var kf keysFile
	if err := json.Unmarshal(data, &kf); err != nil || kf.Version != 1 || len(kf.Salt) < 16 || len(kf.Wrapped) == 0 {
		return nil, newError(ErrDamaged, err, "keys.json 已损坏，无法解锁。", "keys.json is damaged; the store cannot be unlocked")
	}
	return &kf, nil
}

func (kf *keysFile) unwrap(pass filing.Secret) (*keyring, error) {
	kek, err := kf.KDF.derive(pass, kf.Salt)
	if err != nil {
		return nil, err
	}
	master, err := gcmOpen(kek, kf.Wrapped, []byte(keysAAD))
	if err != nil {
		return nil, wrongPassphrase()
	}
	return &keyring{master: master}, nil
}

func wrapKeys(dir string, kr *keyring, pass filing.Secret) error {
	salt := make([]byte, 16)
	rand.Read(salt)
	kek, err := defaultKDF.derive(pass, salt)
	if err != nil {
		return err
	}
	kf := keysFile{Version: 1, KDF: defaultKDF, Salt: salt, Wrapped: gcmSeal(kek, kr.master, []byte(keysAAD))}
	data, _ := json.MarshalIndent(kf, "", "  ")
	if err := writeFileAtomic(osFS{}, filepath.Join(dir, keysFileName), data); err != nil {
		return ioError(err, "无法写入 keys.json。", "cannot write keys.json")
	}
	return nil
}

func createKeys(dir string, pass filing.Secret) (*keyring, error) {
	if !pass.IsSet() {
		return nil, invalid("口令不能为空。", "the passphrase must not be empty")
	}
	master := make([]byte, 32)
	rand.Read(master)
	kr := &keyring{master: master}
	return kr, wrapKeys(dir, kr, pass)
}

func wrongPassphrase() *Error {
	return newError(ErrWrongPassphrase, nil, "口令不正确。", "the passphrase is not correct")
}

// unlockKeys returns the keyring for pass. A store without keys.json gets
// one when a passphrase is given (that sets it). With no passphrase, an
// encrypted store cannot open; a plain one opens locked (nil keyring).
func (s *Store) unlockKeys(pass filing.Secret, encrypted bool) (*keyring, error) {
	kf, err := readKeys(s.dir)
	if err != nil {
		return nil, err
	}
	switch {
	case kf == nil && encrypted && dbExists(s.dir):
		return nil, newError(ErrDamaged, nil,
			"加密数据的密钥文件 keys.json 不见了，无法打开。",
			"keys.json, which holds the key of this encrypted store, is missing")
	case kf == nil && pass.IsSet():
		return createKeys(s.dir, pass)
	case kf == nil:
		return nil, nil
	case !pass.IsSet() && encrypted:
		return nil, newError(ErrPassphraseRequired, nil, "这份数据已加密，请输入口令。", "this store is encrypted; enter the passphrase")
	case !pass.IsSet():
		return nil, nil
	}
	return kf.unwrap(pass)
}

// HasPassphrase says whether a passphrase has been set for this store.
func (s *Store) HasPassphrase() bool {
	kf, err := readKeys(s.dir)
	return err == nil && kf != nil
}

// Locked says whether secrets are unavailable: no passphrase was given,
// or none has been set yet.
func (s *Store) Locked() bool {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	return s.keys == nil
}

// Unlock makes secrets readable and writable with the store's passphrase.
func (s *Store) Unlock(pass filing.Secret) error {
	kf, err := readKeys(s.dir)
	if err != nil {
		return err
	}
	if kf == nil {
		return newError(ErrLocked, nil, "还没有设置口令。", "no passphrase has been set yet")
	}
	kr, err := kf.unwrap(pass)
	if err != nil {
		return err
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	s.keys = kr
	// Opened without the passphrase, so its key was not sealed yet (set
	// by an older build, or a setting cut short): seal it now.
	if !s.keySealed {
		if err := s.sealDataKey(kr); err != nil {
			s.log.Warningf("sealing the data key with the passphrase: %s", redactCause(err.Error()))
		}
	}
	return nil
}

// Lock forgets the unwrapped key; secrets are unavailable until Unlock.
// An encrypted database stays readable: Badger keeps its own key while open.
func (s *Store) Lock() {
	s.keysMu.Lock()
	s.keys = nil
	s.keysMu.Unlock()
}

// SetPassphrase sets the passphrase, or changes it when one exists (then
// old must be the current one).
//
// Setting one writes keys.json, then seals the data key's record with it:
// a kill in between leaves keys.json and an unsealed key, a store that
// opens without the passphrase and is sealed at the next Open or Unlock
// with it. Changing one rewrites keys.json alone (the sealed key depends
// on the master key, which does not change), by a synced temp file renamed
// over it: a kill leaves the old passphrase or the new one working, never
// neither.
func (s *Store) SetPassphrase(old, new filing.Secret) error {
	if !new.IsSet() {
		return invalid("新口令不能为空。", "the new passphrase must not be empty")
	}
	kf, err := readKeys(s.dir)
	if err != nil {
		return err
	}
	if kf == nil {
		kr, err := createKeys(s.dir, new)
		if err != nil {
			return err
		}
		s.keysMu.Lock()
		defer s.keysMu.Unlock()
		s.keys = kr
		return s.sealDataKey(kr)
	}
	kr, err := kf.unwrap(old)
	if err != nil {
		return err
	}
	if err := wrapKeys(s.dir, kr, new); err != nil {
		return err
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	s.keys = kr
	if !s.keySealed {
		return s.sealDataKey(kr)
	}
	return nil
}

// RemovePassphrase removes the store passphrase (old must be the current
// one). Without a passphrase nothing may keep secrets, so the saved
// passwords and the backend token are deleted; the data key's record is
// written unsealed before keys.json goes, so a kill at any point leaves a
// store that opens (without the passphrase, or still with it).
func (s *Store) RemovePassphrase(old filing.Secret) error {
	kf, err := readKeys(s.dir)
	if err != nil {
		return err
	}
	if kf == nil {
		return newError(ErrLocked, nil, "还没有设置口令。", "no passphrase has been set yet")
	}
	if s.keyPlace == "" {
		return invalid("这份数据整体由口令加密，不能去掉口令。", "this store is encrypted by its passphrase as a whole; the passphrase cannot be removed")
	}
	if _, err := kf.unwrap(old); err != nil {
		return err
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if err := s.dropSecrets(); err != nil {
		return err
	}
	if err := s.sealDataKey(nil); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(s.dir, keysFileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ioError(err, "无法删除 keys.json。", "cannot remove keys.json")
	}
	if err := syncDir(s.dir); err != nil {
		return ioError(err, "无法写入数据目录。", "cannot write the data directory")
	}
	s.keys = nil
	return nil
}

// dropSecrets deletes every secret sealed with the passphrase's key: the
// settings kept with PutSecret and the passwords kept with drafts (live
// and deleted). One draft per transaction, so no number of drafts makes a
// transaction too big.
func (s *Store) dropSecrets() error {
	var keys [][]byte
	for _, p := range []string{prefixSecret, prefixDraft, prefixTrash} {
		err := s.scan([]byte(p), func(k, v []byte) error {
			if p == prefixSecret || bytes.Contains(v, []byte(`"secrets"`)) {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, k := range keys {
		err := s.update(func(txn *badgerTxn) error {
			if bytes.HasPrefix(k, []byte(prefixSecret)) {
				return txn.Delete(k)
			}
			item, err := txn.Get(k)
			if err != nil {
				return err
			}
			var rec map[string]json.RawMessage
			if err := item.Value(func(v []byte) error { return json.Unmarshal(v, &rec) }); err != nil {
				return err
			}
			delete(rec, "secrets")
			data, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			return txn.Set(k, data)
		})
		if err != nil {
			return dbError(err)
		}
	}
	return nil
}

func (s *Store) secretKey() ([]byte, error) {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	if s.keys == nil {
		return nil, newError(ErrLocked, nil,
			"数据已锁定：请输入口令后再读取或保存密码。",
			"the store is locked: enter the passphrase to read or keep passwords")
	}
	return s.keys.subkey("secrets v1"), nil
}

// gcmSeal encrypts with AES-256-GCM; the random nonce leads the output.
func gcmSeal(key, plain, aad []byte) []byte {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // keys here are always 32 bytes
	}
	g, _ := cipher.NewGCM(block)
	nonce := make([]byte, g.NonceSize())
	rand.Read(nonce)
	return g.Seal(nonce, nonce, plain, aad)
}

func gcmOpen(key, sealed, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	g, _ := cipher.NewGCM(block)
	if len(sealed) < g.NonceSize()+g.Overhead() {
		return nil, errors.New("sealed data too short")
	}
	return g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], aad)
}

// PutSecret keeps a setting such as the backend token, encrypted with the
// store's key; it needs the store unlocked.
func (s *Store) PutSecret(name string, v filing.Secret) error {
	if name == "" || len(name) > 128 {
		return invalid("密钥名称无效。", "invalid secret name")
	}
	key, err := s.secretKey()
	if err != nil {
		return err
	}
	k := []byte(prefixSecret + name)
	sealed := gcmSeal(key, []byte(v.Reveal()), k)
	return s.update(func(txn *badgerTxn) error { return txn.Set(k, sealed) })
}

// GetSecret returns a setting stored with PutSecret; ErrNotFound when
// absent, ErrLocked while locked.
func (s *Store) GetSecret(name string) (filing.Secret, error) {
	key, err := s.secretKey()
	if err != nil {
		return filing.Secret{}, err
	}
	k := []byte(prefixSecret + name)
	sealed, err := s.get(k)
	if errors.Is(err, ErrNotFound) {
		return filing.Secret{}, notFound("secret", "密钥", name)
	}
	if err != nil {
		return filing.Secret{}, err
	}
	plain, err := gcmOpen(key, sealed, k)
	if err != nil {
		return filing.Secret{}, newError(ErrDamaged, nil, "保存的密码无法解密。", "a stored secret cannot be decrypted")
	}
	return filing.NewSecret(string(plain)), nil
}

// DeleteSecret removes a setting; it works while locked.
func (s *Store) DeleteSecret(name string) error {
	k := []byte(prefixSecret + name)
	return s.update(func(txn *badgerTxn) error { return txn.Delete(k) })
}

// Passphrase-sealed blobs carry their own salt and cost, so a bundle made
// on one machine opens on another: magic, log N, r, p, salt, GCM output.
var sealMagic = []byte("ICPFSEAL1")

// SealWithPassphrase encrypts data for someone who knows pass (used for
// secrets in export bundles): scrypt-derived key, AES-256-GCM, aad bound.
func SealWithPassphrase(pass filing.Secret, data, aad []byte) ([]byte, error) {
	if !pass.IsSet() {
		return nil, invalid("口令不能为空。", "the passphrase must not be empty")
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := defaultKDF.derive(pass, salt)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(sealMagic)
	b.WriteByte(defaultKDF.LogN)
	binary.Write(&b, binary.BigEndian, uint16(defaultKDF.R))
	binary.Write(&b, binary.BigEndian, uint16(defaultKDF.P))
	b.Write(salt)
	b.Write(gcmSeal(key, data, aad))
	return b.Bytes(), nil
}

// OpenWithPassphrase reverses SealWithPassphrase; a wrong passphrase or a
// changed blob gives ErrWrongPassphrase.
func OpenWithPassphrase(pass filing.Secret, sealed, aad []byte) ([]byte, error) {
	head := len(sealMagic) + 1 + 2 + 2 + 16
	if len(sealed) < head || !bytes.Equal(sealed[:len(sealMagic)], sealMagic) {
		return nil, newError(ErrInvalid, nil, "加密数据格式不对。", "the sealed data has the wrong format")
	}
	p := sealed[len(sealMagic):]
	k := kdfParams{LogN: p[0], R: int(binary.BigEndian.Uint16(p[1:3])), P: int(binary.BigEndian.Uint16(p[3:5]))}
	key, err := k.derive(pass, p[5:21])
	if err != nil {
		return nil, err
	}
	plain, err := gcmOpen(key, p[21:], aad)
	if err != nil {
		return nil, wrongPassphrase()
	}
	return plain, nil
}
