package store

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/icpfiling/icpfiling/filing"
)

// draftRecord is what d/<id> holds. SchemaVersion follows
// filing.SchemaVersion: the envelope and the application inside it change
// together, and migrateDraft brings older records up to date on Open.
type draftRecord struct {
	SchemaVersion int             `json:"schema_version"`
	ID            string          `json:"id"`
	Created       time.Time       `json:"created"`
	Edited        time.Time       `json:"edited"`
	Deleted       *time.Time      `json:"deleted,omitempty"`
	Application   json.RawMessage `json:"application"`
	// Secrets holds each secret field sealed with the store's secret key;
	// the application JSON itself only ever carries the mask.
	Secrets map[string][]byte `json:"secrets,omitempty"`
}

// DraftInfo is one row of the drafts list: enough to show, sort and search
// without decoding every application.
type DraftInfo struct {
	SchemaVersion int      `json:"schema_version"`
	ID            string   `json:"id"`
	SubjectName   string   `json:"subject_name"`
	Domains       []string `json:"domains"`
	// CertificateTail is the last characters of the subject's certificate
	// number, for "search by the last digits" without the whole number.
	CertificateTail string        `json:"certificate_tail"`
	Status          filing.Status `json:"status"`
	Created         time.Time     `json:"created"`
	Edited          time.Time     `json:"edited"`
	// Deleted is set for a draft in the undo window after DeleteDraft.
	Deleted time.Time `json:"deleted,omitzero"`
	// StoredSecrets names the secret fields kept (encrypted) with the draft.
	StoredSecrets []string `json:"stored_secrets,omitempty"`
	// UnsavedSecrets names secret fields the last save could not keep
	// because the store is locked or has no passphrase; the GUI asks for
	// them at submit time. Not persisted.
	UnsavedSecrets []string `json:"-"`
}

const certTailLen = 6

// secretFields are the application's secrets, by the name the store uses.
var secretFields = []struct {
	name string
	of   func(*filing.Application) *filing.Secret
}{
	{"filing_password", func(a *filing.Application) *filing.Secret { return &a.FilingPassword }},
	{"console_password", func(a *filing.Application) *filing.Secret { return &a.Product.ConsolePassword }},
}

func secretAAD(field string) []byte { return []byte("icpfiling draft secret/" + field) }

// newID returns a random RFC 4122 version 4 UUID.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func badID(id string) *Error {
	return invalid("草稿编号 %q 无效（只能含字母、数字、-、_、.）。", "invalid draft id %q (letters, digits, -, _ and . only)", id)
}

// encodedDraft is an application frozen at one moment: its JSON (secrets
// masked) and its secrets, taken on the caller's goroutine so the save can
// happen later on another without racing the GUI's edits.
type encodedDraft struct {
	id      string
	app     []byte
	secrets map[string]filing.Secret
	info    DraftInfo
}

func encodeDraft(app *filing.Application) (encodedDraft, error) {
	if !validID(app.ID) {
		return encodedDraft{}, badID(app.ID)
	}
	cp := *app
	cp.SchemaVersion = filing.SchemaVersion
	data, err := json.Marshal(&cp)
	if err != nil {
		return encodedDraft{}, invalid("草稿无法编码：%v", "the draft cannot be encoded: %v", err)
	}
	e := encodedDraft{id: app.ID, app: data, secrets: map[string]filing.Secret{}, info: summarize(app)}
	for _, f := range secretFields {
		e.secrets[f.name] = *f.of(app)
	}
	return e, nil
}

func summarize(app *filing.Application) DraftInfo {
	info := DraftInfo{
		SchemaVersion: filing.SchemaVersion,
		ID:            app.ID,
		SubjectName:   strings.TrimSpace(app.Subject.Name),
		Status:        app.CurrentStatus(),
		Domains:       []string{},
	}
	for _, w := range app.Websites {
		if d := strings.TrimSpace(w.Domain); d != "" {
			info.Domains = append(info.Domains, d)
		}
	}
	cert := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, app.Subject.CertificateNumber))
	if r := []rune(cert); len(r) > certTailLen {
		cert = string(r[len(r)-certTailLen:])
	}
	info.CertificateTail = cert
	return info
}

// NewDraft gives app a fresh ID and saves it.
func (s *Store) NewDraft(app *filing.Application) (DraftInfo, error) {
	app.ID = newID()
	return s.SaveDraft(app)
}

// SaveDraft writes app under app.ID (a new ID is assigned when it is
// empty), synced before it returns. Secrets are sealed with the store's
// key; while the store is locked, secrets typed since the last load cannot
// be kept and are named in DraftInfo.UnsavedSecrets, and secrets already
// stored stay as they were. Saving a draft that was deleted fails with
// ErrNotFound rather than bringing it back.
func (s *Store) SaveDraft(app *filing.Application) (DraftInfo, error) {
	if app.ID == "" {
		app.ID = newID()
	}
	e, err := encodeDraft(app)
	if err != nil {
		return DraftInfo{}, err
	}
	return s.saveEncoded(e)
}

func (s *Store) saveEncoded(e encodedDraft) (DraftInfo, error) {
	key, keyErr := s.secretKey()
	info := e.info
	now := s.opts.Now().UTC()
	err := s.update(func(txn *badger.Txn) error {
		rec := draftRecord{SchemaVersion: filing.SchemaVersion, ID: e.id, Created: now}
		old, err := getDraftRecord(txn, prefixDraft+e.id)
		switch {
		case err == nil:
			rec.Created = old.Created
			rec.Secrets = old.Secrets
		case !errors.Is(err, ErrNotFound):
			return err
		default:
			if _, err := txn.Get([]byte(prefixTrash + e.id)); err == nil {
				return newError(ErrNotFound, nil, "这份草稿已被删除，没有保存。", "this draft has been deleted, so it was not saved")
			}
		}
		rec.Edited = now
		rec.Application = e.app
		info.UnsavedSecrets = nil
		for _, f := range secretFields {
			v := e.secrets[f.name]
			switch {
			case keyErr == nil && v.IsSet():
				if rec.Secrets == nil {
					rec.Secrets = map[string][]byte{}
				}
				rec.Secrets[f.name] = gcmSeal(key, []byte(v.Reveal()), secretAAD(f.name))
			case keyErr == nil:
				delete(rec.Secrets, f.name)
			case v.IsSet():
				// Typed while locked: it supersedes what is stored, and
				// cannot itself be kept.
				delete(rec.Secrets, f.name)
				info.UnsavedSecrets = append(info.UnsavedSecrets, f.name)
			}
		}
		info.Created, info.Edited = rec.Created, rec.Edited
		info.StoredSecrets = secretNames(rec.Secrets)
		return putDraft(txn, &rec, &info)
	})
	if err != nil {
		return DraftInfo{}, err
	}
	return info, nil
}

func secretNames(m map[string][]byte) []string {
	var out []string
	for _, f := range secretFields {
		if _, ok := m[f.name]; ok {
			out = append(out, f.name)
		}
	}
	return out
}

func putDraft(txn *badger.Txn, rec *draftRecord, info *DraftInfo) error {
	if err := putJSON(txn, prefixDraft+rec.ID, rec); err != nil {
		return err
	}
	return putJSON(txn, prefixMeta+rec.ID, info)
}

func putJSON(txn *badger.Txn, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(data) > maxRecordSize {
		return invalid("草稿太大（上限 %d MB）。", "the draft is too large (limit %d MB)", maxRecordSize>>20)
	}
	return txn.Set([]byte(key), data)
}

func getJSON[T any](txn *badger.Txn, key string) (T, error) {
	var v T
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return v, &Error{Kind: ErrNotFound, ZH: "找不到。", EN: "not found"}
	}
	if err != nil {
		return v, err
	}
	err = item.Value(func(b []byte) error { return json.Unmarshal(b, &v) })
	if err != nil {
		return v, newError(ErrDamaged, err, "一条记录已损坏，无法读取。", "a record is damaged and cannot be read")
	}
	return v, nil
}

func draftNotFound(id string) *Error { return notFound("draft", "草稿", id) }

// LoadDraft returns the draft with its secrets when the store is unlocked;
// while locked the secrets are left unset and DraftInfo.StoredSecrets
// says which exist.
func (s *Store) LoadDraft(id string) (*filing.Application, DraftInfo, error) {
	if !validID(id) {
		return nil, DraftInfo{}, badID(id)
	}
	var rec draftRecord
	err := s.view(func(txn *badger.Txn) error {
		var err error
		rec, err = getDraftRecord(txn, prefixDraft+id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, DraftInfo{}, draftNotFound(id)
	}
	if err != nil {
		return nil, DraftInfo{}, err
	}
	return s.decodeRecord(&rec)
}

func (s *Store) decodeRecord(rec *draftRecord) (*filing.Application, DraftInfo, error) {
	app, err := filing.DecodeApplication(rec.Application)
	if err != nil {
		return nil, DraftInfo{}, newError(ErrDamaged, err,
			"草稿 "+rec.ID+" 的内容无法读取。", "the content of draft "+rec.ID+" cannot be read")
	}
	app.ID = rec.ID
	if key, err := s.secretKey(); err == nil {
		for _, f := range secretFields {
			sealed, ok := rec.Secrets[f.name]
			if !ok {
				continue
			}
			plain, err := gcmOpen(key, sealed, secretAAD(f.name))
			if err != nil {
				return nil, DraftInfo{}, newError(ErrDamaged, nil,
					"草稿中保存的密码无法解密。", "a password stored with the draft cannot be decrypted")
			}
			*f.of(app) = filing.NewSecret(string(plain))
		}
	}
	info := summarize(app)
	info.Created, info.Edited = rec.Created, rec.Edited
	if rec.Deleted != nil {
		info.Deleted = *rec.Deleted
	}
	info.StoredSecrets = secretNames(rec.Secrets)
	return app, info, nil
}

// ListDrafts returns every draft, most recently edited first.
func (s *Store) ListDrafts() ([]DraftInfo, error) {
	var out []DraftInfo
	err := s.scan([]byte(prefixMeta), func(_, v []byte) error {
		var info DraftInfo
		if err := json.Unmarshal(v, &info); err != nil {
			return newError(ErrDamaged, err, "草稿列表中有一行已损坏。", "a row of the drafts list is damaged")
		}
		out = append(out, info)
		return nil
	})
	sortInfos(out)
	return out, err
}

func sortInfos(infos []DraftInfo) {
	sort.Slice(infos, func(i, j int) bool {
		if !infos[i].Edited.Equal(infos[j].Edited) {
			return infos[i].Edited.After(infos[j].Edited)
		}
		return infos[i].ID < infos[j].ID
	})
}

// SearchDrafts lists the drafts whose subject name or a domain contains
// query (ignoring case), or whose certificate number ends with it (at
// least 3 characters, so "1" does not match half the list). An empty
// query lists everything.
func (s *Store) SearchDrafts(query string) ([]DraftInfo, error) {
	all, err := s.ListDrafts()
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return all, nil
	}
	var out []DraftInfo
	for _, d := range all {
		if matches(d, q) {
			out = append(out, d)
		}
	}
	return out, nil
}

func matches(d DraftInfo, q string) bool {
	if strings.Contains(strings.ToLower(d.SubjectName), q) {
		return true
	}
	for _, dom := range d.Domains {
		if strings.Contains(strings.ToLower(dom), q) {
			return true
		}
	}
	return len(q) >= 3 && strings.HasSuffix(strings.ToLower(d.CertificateTail), q)
}

// DuplicateDraft copies a draft under a new ID as a fresh draft: the
// timeline and SMS state of the original order stay behind; scans are
// shared (they are content-addressed) and stored secrets are copied.
func (s *Store) DuplicateDraft(id string) (DraftInfo, error) {
	if !validID(id) {
		return DraftInfo{}, badID(id)
	}
	var info DraftInfo
	now := s.opts.Now().UTC()
	err := s.update(func(txn *badger.Txn) error {
		rec, err := getDraftRecord(txn, prefixDraft+id)
		if errors.Is(err, ErrNotFound) {
			return draftNotFound(id)
		}
		if err != nil {
			return err
		}
		app, err := filing.DecodeApplication(rec.Application)
		if err != nil {
			return newError(ErrDamaged, err, "草稿内容无法读取。", "the draft's content cannot be read")
		}
		app.ID = newID()
		app.Timeline = nil
		app.SMS = filing.SMSVerification{}
		e, err := encodeDraft(app)
		if err != nil {
			return err
		}
		cp := draftRecord{SchemaVersion: filing.SchemaVersion, ID: app.ID, Created: now, Edited: now,
			Application: e.app, Secrets: rec.Secrets}
		info = e.info
		info.Created, info.Edited = now, now
		info.StoredSecrets = secretNames(cp.Secrets)
		return putDraft(txn, &cp, &info)
	})
	return info, err
}

// DeleteDraft moves a draft out of the list. UndoDelete brings it back
// within Options.UndoWindow; after that it is purged on the next Open.
func (s *Store) DeleteDraft(id string) (DraftInfo, error) {
	if !validID(id) {
		return DraftInfo{}, badID(id)
	}
	var info DraftInfo
	now := s.opts.Now().UTC()
	err := s.update(func(txn *badger.Txn) error {
		rec, err := getDraftRecord(txn, prefixDraft+id)
		if errors.Is(err, ErrNotFound) {
			return draftNotFound(id)
		}
		if err != nil {
			return err
		}
		info, _ = getJSON[DraftInfo](txn, prefixMeta+id)
		rec.Deleted = &now
		info.Deleted = now
		if err := putJSON(txn, prefixTrash+id, &rec); err != nil {
			return err
		}
		if err := txn.Delete([]byte(prefixDraft + id)); err != nil {
			return err
		}
		return txn.Delete([]byte(prefixMeta + id))
	})
	return info, err
}

// UndoDelete restores a draft deleted less than Options.UndoWindow ago.
func (s *Store) UndoDelete(id string) (DraftInfo, error) {
	if !validID(id) {
		return DraftInfo{}, badID(id)
	}
	var info DraftInfo
	now := s.opts.Now()
	err := s.update(func(txn *badger.Txn) error {
		rec, err := getDraftRecord(txn, prefixTrash+id)
		if err == nil && rec.Deleted != nil && now.Sub(*rec.Deleted) > s.opts.UndoWindow {
			err = &Error{Kind: ErrNotFound}
		}
		if errors.Is(err, ErrNotFound) {
			return newError(ErrNotFound, nil,
				fmt.Sprintf("草稿 %s 不在可撤销的删除中（可能已超过撤销期限）。", id),
				fmt.Sprintf("draft %s is not among the deletions that can be undone (the undo period may have passed)", id))
		}
		if err != nil {
			return err
		}
		rec.Deleted = nil
		app, err := filing.DecodeApplication(rec.Application)
		if err != nil {
			return newError(ErrDamaged, err, "草稿内容无法读取。", "the draft's content cannot be read")
		}
		app.ID = id
		info = summarize(app)
		info.Created, info.Edited = rec.Created, rec.Edited
		info.StoredSecrets = secretNames(rec.Secrets)
		if err := putDraft(txn, &rec, &info); err != nil {
			return err
		}
		return txn.Delete([]byte(prefixTrash + id))
	})
	return info, err
}

// ListDeleted lists drafts that UndoDelete can still bring back, most
// recently deleted first.
func (s *Store) ListDeleted() ([]DraftInfo, error) {
	var out []DraftInfo
	err := s.scan([]byte(prefixTrash), func(_, v []byte) error {
		var rec draftRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil // a damaged trash entry is not worth failing the list
		}
		app, err := filing.DecodeApplication(rec.Application)
		if err != nil {
			return nil
		}
		app.ID = rec.ID
		info := summarize(app)
		info.Created, info.Edited = rec.Created, rec.Edited
		if rec.Deleted != nil {
			info.Deleted = *rec.Deleted
		}
		out = append(out, info)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Deleted.After(out[j].Deleted) })
	return out, err
}

// PurgeDraft removes a deleted draft for good, without waiting for the
// undo window to end.
func (s *Store) PurgeDraft(id string) error {
	if !validID(id) {
		return badID(id)
	}
	return s.update(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(prefixTrash + id)); errors.Is(err, badger.ErrKeyNotFound) {
			return draftNotFound(id)
		}
		return txn.Delete([]byte(prefixTrash + id))
	})
}

// PurgeDeleted removes deleted drafts whose undo window has passed and
// returns how many went. Open calls it.
func (s *Store) PurgeDeleted() (int, error) {
	cutoff := s.opts.Now().Add(-s.opts.UndoWindow)
	var expired []string
	err := s.scan([]byte(prefixTrash), func(k, v []byte) error {
		var rec draftRecord
		if json.Unmarshal(v, &rec) != nil || rec.Deleted == nil || rec.Deleted.Before(cutoff) {
			expired = append(expired, string(k))
		}
		return nil
	})
	if err != nil || len(expired) == 0 {
		return 0, err
	}
	err = s.update(func(txn *badger.Txn) error {
		for _, k := range expired {
			if err := txn.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	return len(expired), err
}
