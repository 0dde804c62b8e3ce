package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/icpfiling/icpfiling/filing"
)

// Draft record formats:
//
//	v0  (prototype builds): {"id", "saved_at", "application"}; no version
//	    anywhere; a person's first mobile was "phone"; secrets sat in the
//	    application JSON in plain text.
//	v1  draftRecord with schema_version, created/edited, the application
//	    at filing.SchemaVersion 1 with secrets masked, secrets sealed apart.
//
// Open migrates every older record in place, so everything else reads
// only the current format.

type draftV0 struct {
	ID          string         `json:"id"`
	SavedAt     time.Time      `json:"saved_at"`
	Application map[string]any `json:"application"`
}

// decodeDraftRecord reads a record of any known version. migrated is true
// when it was older and the result must be written back. Secrets found in
// plain text in an old record are returned in plain so the caller can seal
// them (or drop them while locked).
func decodeDraftRecord(raw []byte) (rec draftRecord, plain *filing.Application, migrated bool, err error) {
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return rec, nil, false, damagedRecord(err)
	}
	v := 0
	if probe.SchemaVersion != nil {
		v = *probe.SchemaVersion
	}
	switch {
	case v == filing.SchemaVersion:
		if err := json.Unmarshal(raw, &rec); err != nil {
			return rec, nil, false, damagedRecord(err)
		}
		return rec, nil, false, nil
	case v > filing.SchemaVersion:
		return rec, nil, false, newError(ErrInvalid, nil,
			fmt.Sprintf("草稿由更新版本的程序写入（格式 %d，本程序支持 %d），请升级程序。", v, filing.SchemaVersion),
			fmt.Sprintf("a draft was written by a newer version of the app (format %d, this build reads %d); update the app", v, filing.SchemaVersion))
	case v == 0:
		return migrateV0(raw)
	}
	return rec, nil, false, damagedRecord(fmt.Errorf("unknown draft format %d", v))
}

func damagedRecord(cause error) *Error {
	return newError(ErrDamaged, cause, "一份草稿已损坏，无法读取。", "a draft is damaged and cannot be read")
}

func migrateV0(raw []byte) (draftRecord, *filing.Application, bool, error) {
	var old draftV0
	if err := json.Unmarshal(raw, &old); err != nil || old.Application == nil || !validID(old.ID) {
		return draftRecord{}, nil, false, damagedRecord(err)
	}
	a := old.Application
	a["schema_version"] = filing.SchemaVersion
	renamePhone(a, "subject", "owner")
	if sites, ok := a["websites"].([]any); ok {
		for _, s := range sites {
			if site, ok := s.(map[string]any); ok {
				renamePhone(site, "owner")
			}
		}
	}
	data, err := json.Marshal(a)
	if err != nil {
		return draftRecord{}, nil, false, damagedRecord(err)
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		return draftRecord{}, nil, false, damagedRecord(err)
	}
	app.ID = old.ID
	e, err := encodeDraft(app) // masks the plain-text secrets
	if err != nil {
		return draftRecord{}, nil, false, err
	}
	rec := draftRecord{SchemaVersion: filing.SchemaVersion, ID: old.ID,
		Created: old.SavedAt.UTC(), Edited: old.SavedAt.UTC(), Application: e.app}
	return rec, app, true, nil
}

// renamePhone follows path of nested objects to a person and renames its
// v0 "phone" to "mobile".
func renamePhone(m map[string]any, path ...string) {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	if v, ok := m["phone"]; ok {
		if _, has := m["mobile"]; !has {
			m["mobile"] = v
		}
		delete(m, "phone")
	}
}

// migrateDrafts rewrites every draft (and deleted draft) stored in an
// older format. Plain-text secrets of old records are sealed when the store
// is unlocked and dropped otherwise: they never stay in plain text.
func (s *Store) migrateDrafts() (int, error) {
	type pending struct {
		key   string
		rec   draftRecord
		plain *filing.Application
	}
	var todo []pending
	for _, prefix := range []string{prefixDraft, prefixTrash} {
		err := s.scan([]byte(prefix), func(k, v []byte) error {
			rec, plain, migrated, err := decodeDraftRecord(v)
			if err != nil {
				return err
			}
			if migrated {
				todo = append(todo, pending{string(k), rec, plain})
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	key, keyErr := s.secretKey()
	for _, p := range todo {
		rec := p.rec
		for _, f := range secretFields {
			if v := *f.of(p.plain); v.IsSet() && keyErr == nil {
				if rec.Secrets == nil {
					rec.Secrets = map[string][]byte{}
				}
				rec.Secrets[f.name] = gcmSeal(key, []byte(v.Reveal()), secretAAD(f.name))
			}
		}
		err := s.update(func(txn *badger.Txn) error {
			if p.key[:len(prefixDraft)] == prefixDraft {
				info := summarize(p.plain)
				info.Created, info.Edited = rec.Created, rec.Edited
				info.StoredSecrets = secretNames(rec.Secrets)
				return putDraft(txn, &rec, &info)
			}
			now := s.opts.Now().UTC()
			rec.Deleted = &now
			return putJSON(txn, p.key, &rec)
		})
		if err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

// getDraftRecord reads d/<id> or t/<id> in the current format.
func getDraftRecord(txn *badger.Txn, key string) (draftRecord, error) {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return draftRecord{}, &Error{Kind: ErrNotFound, ZH: "找不到。", EN: "not found"}
	}
	if err != nil {
		return draftRecord{}, err
	}
	var rec draftRecord
	err = item.Value(func(b []byte) error {
		var err error
		rec, _, _, err = decodeDraftRecord(b)
		return err
	})
	return rec, err
}
