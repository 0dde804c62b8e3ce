package backend

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// record is filing.json, what the server keeps about one stored filing
// besides the application and the files themselves.
type record struct {
	ID  string `json:"id"`
	Key string `json:"idempotency_key"`
	// Fingerprint is the SHA-256 of the application part as received. A
	// repeated key with another fingerprint is a different filing.
	Fingerprint string     `json:"fingerprint"`
	ReceivedAt  time.Time  `json:"received_at"`
	Files       []api.File `json:"files"`
	Decision    Decision   `json:"decision"`
	// Secrets keeps, per secret, only a salted HMAC under the server's
	// pepper file: enough to tell that a secret arrived and which value it
	// had, useless to anyone who copies the filings without the pepper.
	Secrets map[string]string `json:"secrets"`
}

// disk is the data directory:
//
//	DIR/pepper                       32 random bytes, the HMAC key for secrets
//	DIR/filings/<id>/filing.json     the record
//	DIR/filings/<id>/application.json the application part, byte for byte
//	DIR/filings/<id>/files/<sha256>  each attachment
//	DIR/tmp/                         filings being received
//
// A filing is written whole under tmp/ and renamed into filings/: the
// rename is the commit, so a crash leaves either nothing or all of it.
type disk struct {
	dir    string
	pepper []byte

	mu    sync.RWMutex
	byID  map[string]*record
	byKey map[string]*record
}

func openDisk(dir string) (*disk, error) {
	for _, d := range []string{dir, filepath.Join(dir, "filings"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("backend: %w", err)
		}
	}
	d := &disk{dir: dir, byID: map[string]*record{}, byKey: map[string]*record{}}
	// Whatever is left in tmp/ was never committed.
	if entries, err := os.ReadDir(filepath.Join(dir, "tmp")); err == nil {
		for _, e := range entries {
			_ = os.RemoveAll(filepath.Join(dir, "tmp", e.Name()))
		}
	}
	pepperPath := filepath.Join(dir, "pepper")
	pepper, err := os.ReadFile(pepperPath)
	if errors.Is(err, os.ErrNotExist) {
		pepper = make([]byte, 32)
		_, _ = rand.Read(pepper)
		err = writeFileSync(pepperPath, pepper)
	}
	if err != nil {
		return nil, fmt.Errorf("backend: pepper: %w", err)
	}
	if len(pepper) < 16 {
		return nil, fmt.Errorf("backend: %s is too short to be a key", pepperPath)
	}
	d.pepper = pepper
	entries, err := os.ReadDir(filepath.Join(dir, "filings"))
	if err != nil {
		return nil, fmt.Errorf("backend: %w", err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "filings", e.Name(), "filing.json"))
		if err != nil {
			return nil, fmt.Errorf("backend: filing %s: %w", e.Name(), err)
		}
		var rec record
		if err := json.Unmarshal(data, &rec); err != nil || rec.ID != e.Name() {
			return nil, fmt.Errorf("backend: filing %s: unreadable record", e.Name())
		}
		d.byID[rec.ID] = &rec
		d.byKey[rec.Key] = &rec
	}
	return d, nil
}

func (d *disk) get(id string) (*record, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	rec := d.byID[id]
	if rec == nil {
		return nil, os.ErrNotExist
	}
	return rec, nil
}

func (d *disk) byIdempotencyKey(key string) *record {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.byKey[key]
}

// count is the number of stored filings.
func (d *disk) count() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.byID)
}

// staging is a filing being received under tmp/.
type staging struct {
	d   *disk
	id  string
	dir string
}

func (d *disk) stage(id string) (*staging, error) {
	dir := filepath.Join(d.dir, "tmp", id)
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o700); err != nil {
		return nil, err
	}
	return &staging{d: d, id: id, dir: dir}, nil
}

func (s *staging) filePath(sha string) string { return filepath.Join(s.dir, "files", sha) }

func (s *staging) abort() { _ = os.RemoveAll(s.dir) }

// commit writes the record and renames the staging directory into place.
func (s *staging) commit(rec *record, application []byte) error {
	if err := writeFileSync(filepath.Join(s.dir, "application.json"), application); err != nil {
		return err
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(s.dir, "filing.json"), data); err != nil {
		return err
	}
	syncDir(filepath.Join(s.dir, "files"))
	syncDir(s.dir)
	final := filepath.Join(s.d.dir, "filings", s.id)
	if err := os.Rename(s.dir, final); err != nil {
		return err
	}
	syncDir(filepath.Join(s.d.dir, "filings"))
	s.d.mu.Lock()
	s.d.byID[rec.ID] = rec
	s.d.byKey[rec.Key] = rec
	s.d.mu.Unlock()
	return nil
}

// hashSecret is the salted HMAC kept instead of a secret.
func (d *disk) hashSecret(value string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	return "hmac-sha256:" + hex.EncodeToString(salt) + ":" + hex.EncodeToString(d.mac(salt, value))
}

func (d *disk) mac(salt []byte, value string) []byte {
	m := hmac.New(sha256.New, d.pepper)
	m.Write(salt)
	m.Write([]byte(value))
	return m.Sum(nil)
}

// secretMatches says whether value is the secret kept as h.
func (d *disk) secretMatches(h, value string) bool {
	var saltHex, macHex string
	if n, _ := fmt.Sscanf(h, "hmac-sha256:%32s", &saltHex); n != 1 || len(h) < len("hmac-sha256:")+33 {
		return false
	}
	macHex = h[len("hmac-sha256:")+33:]
	salt, err1 := hex.DecodeString(saltHex)
	want, err2 := hex.DecodeString(macHex)
	return err1 == nil && err2 == nil && hmac.Equal(want, d.mac(salt, value))
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename or create in dir durable; where directories
// cannot be opened for sync (Windows), the rename is as durable as it gets.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		_ = f.Close()
	}
}
