package store

import (
	"errors"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/icpfiling/icpfiling/filing"
)

// ImportedDraft is a filing arriving from an export bundle.
type ImportedDraft struct {
	App             *filing.Application
	Created, Edited time.Time
}

// ImportDrafts stores drafts as one unit: either all are written or none.
// A draft whose ID is already taken (in the list or among deletions that
// can be undone) is stored under a new ID unless replace is set; the
// returned infos are in the order given, with the IDs used. Secrets on the
// applications are sealed as in SaveDraft (and reported unsaved while locked).
func (s *Store) ImportDrafts(drafts []ImportedDraft, replace bool) ([]DraftInfo, error) {
	for _, d := range drafts {
		if d.App.ID == "" {
			d.App.ID = newID()
		}
	}
	key, keyErr := s.secretKey()
	infos := make([]DraftInfo, len(drafts))
	// Each draft is encoded as it is written, not all of them first: the
	// JSON of a 20,000-row batch import is 35 MB that would otherwise be
	// held, beside the applications, until the last chunk is written. A
	// draft that cannot be encoded fails its transaction like a write.
	write := func(txn *badger.Txn, from, to int) error {
		for i := from; i < to; i++ {
			d := drafts[i]
			e, err := encodeDraft(d.App)
			if err != nil {
				return err
			}
			id := e.id
			_, inList := txn.Get([]byte(prefixDraft + id))
			_, inTrash := txn.Get([]byte(prefixTrash + id))
			taken := inList == nil || inTrash == nil
			if taken && !replace {
				id = newID()
			}
			if taken && replace && inTrash == nil {
				if err := txn.Delete([]byte(prefixTrash + id)); err != nil {
					return err
				}
			}
			rec := draftRecord{SchemaVersion: filing.SchemaVersion, ID: id,
				Created: d.Created.UTC(), Edited: d.Edited.UTC(), Application: e.app}
			if id != e.id {
				app := *d.App
				app.ID = id
				re, err := encodeDraft(&app)
				if err != nil {
					return err
				}
				rec.Application = re.app
			}
			info := e.info
			info.ID = id
			for _, f := range secretFields {
				v := e.secrets[f.name]
				switch {
				case !v.IsSet():
				case keyErr == nil:
					if rec.Secrets == nil {
						rec.Secrets = map[string][]byte{}
					}
					rec.Secrets[f.name] = gcmSeal(key, []byte(v.Reveal()), secretAAD(f.name))
				default:
					info.UnsavedSecrets = append(info.UnsavedSecrets, f.name)
				}
			}
			info.Created, info.Edited = rec.Created, rec.Edited
			info.StoredSecrets = secretNames(rec.Secrets)
			if err := putDraft(txn, &rec, &info); err != nil {
				return err
			}
			infos[i] = info
		}
		return nil
	}
	err := s.update(func(txn *badger.Txn) error { return write(txn, 0, len(drafts)) })
	if !errors.Is(err, badger.ErrTxnTooBig) {
		if err != nil {
			return nil, err
		}
		return infos, nil
	}
	// Too much for one transaction (hundreds of drafts): write in chunks
	// and take back what was written if a later chunk fails.
	const chunk = 100
	done := 0
	for from := 0; from < len(drafts); from += chunk {
		to := min(from+chunk, len(drafts))
		if err := s.update(func(txn *badger.Txn) error { return write(txn, from, to) }); err != nil {
			s.rollbackImport(infos[:done])
			return nil, err
		}
		done = to
	}
	return infos, nil
}

// rollbackImport removes drafts a failed import wrote. With replace, an
// overwritten draft cannot be brought back, which is why the bundle is
// verified completely before anything is written.
func (s *Store) rollbackImport(infos []DraftInfo) {
	_ = s.update(func(txn *badger.Txn) error {
		for _, info := range infos {
			txn.Delete([]byte(prefixDraft + info.ID))
			txn.Delete([]byte(prefixMeta + info.ID))
		}
		return nil
	})
}
