// Package packs keeps the rule packs a user accepted after the release:
// which keys they trust, the newest accepted pack (the one in use) and the
// ones before it, and the one way a pack is accepted, from a backend or a
// file. The window, the command line and batches all go through a
// Manager, so the same checks hold for each.
package packs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/icpfiling/icpfiling/filing"
)

// Store is the part of the app's store (filing/store.Store) a Manager uses.
type Store interface {
	PutRecord(ns, key string, value []byte) error
	ListRecords(ns string) (map[string][]byte, error)
	DeleteRecord(ns, key string) error
}

// Source gives the newest pack of a backend: data is nil when the pack
// with etag is still current (HTTP 304). filing/submit.Client is one.
type Source interface {
	FetchRules(ctx context.Context, etag string) (data []byte, newETag string, err error)
}

// Record namespaces in the store.
const (
	nsPacks = "rulepacks"     // revision (zero-padded) → sealed, signed pack file
	nsKeys  = "rulepack-keys" // fingerprint → public key file
	nsState = "rulepack-state"
	keyETag = "etag" // the ETag of the backend's pack last accepted or seen
)

// Info describes the pack in use, as Settings and `rules` show it.
type Info struct {
	Revision  int
	Published filing.Date
	Checksum  string
	// BuiltIn is the pack compiled into this build (unsigned).
	BuiltIn bool
	// Signer is the key that signed an accepted pack; zero for BuiltIn.
	Signer filing.PublicKey
}

// SignerLabel is "name (fingerprint)", or the built-in pack's name.
func (i Info) SignerLabel(lang string) string {
	if i.BuiltIn {
		if lang == "en" {
			return "built into this version"
		}
		return "本程序内置"
	}
	return i.Signer.Label()
}

// Manager keeps and applies rule packs. It is safe for concurrent use.
type Manager struct {
	st Store

	mu      sync.Mutex
	current *filing.Pack
	info    Info
}

// New reads the store's accepted packs and picks the one in use.
func New(st Store) (*Manager, error) {
	m := &Manager{st: st}
	if err := m.reload(); err != nil {
		return nil, err
	}
	return m, nil
}

// Current is the pack in use: the newest accepted pack kept in the store
// that still verifies, or the built-in one when it is as new.
func (m *Manager) Current() *filing.Pack {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current
}

// Info describes the pack in use: revision, published, signer.
func (m *Manager) Info() Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.info
}

// keys is every key a pack may be signed by: the built-in publishers and
// the ones the user trusts.
func (m *Manager) keys() ([]filing.PublicKey, error) {
	user, err := m.Trusted()
	if err != nil {
		return nil, err
	}
	return append(filing.PublisherKeys(), user...), nil
}

// reload picks the pack in use. A kept pack is read again in full
// (checksum, schema, checks) and its signature checked against the keys
// trusted now: one signed by a key the user has since removed is no longer
// used, and one this build cannot read is passed over, not deleted.
func (m *Manager) reload() error {
	best := filing.DefaultPack()
	info := Info{Revision: best.Revision, Published: best.Published, Checksum: best.Checksum(), BuiltIn: true}
	keys, err := m.keys()
	if err != nil {
		return err
	}
	kept, err := m.st.ListRecords(nsPacks)
	if err != nil {
		return err
	}
	for _, data := range kept {
		p, k, err := filing.VerifyPack(data, keys)
		if err != nil || p.Revision <= best.Revision {
			continue
		}
		best = p
		info = Info{Revision: p.Revision, Published: p.Published, Checksum: p.Checksum(), Signer: k}
	}
	m.mu.Lock()
	m.current, m.info = best, info
	m.mu.Unlock()
	return nil
}

// Publishers are the keys built into this version.
func (m *Manager) Publishers() []filing.PublicKey { return filing.PublisherKeys() }

// Trusted lists the keys the user added, sorted by name.
func (m *Manager) Trusted() ([]filing.PublicKey, error) {
	recs, err := m.st.ListRecords(nsKeys)
	if err != nil {
		return nil, err
	}
	out := make([]filing.PublicKey, 0, len(recs))
	for _, data := range recs {
		if k, err := filing.ParsePublicKey(data); err == nil {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Fingerprint() < out[j].Fingerprint()
	})
	return out, nil
}

// Trust adds the public key in data (a .pub file) to the trusted set.
func (m *Manager) Trust(data []byte) (filing.PublicKey, error) {
	k, err := filing.ParsePublicKey(data)
	if err != nil {
		return filing.PublicKey{}, err
	}
	if err := m.st.PutRecord(nsKeys, k.Fingerprint(), filing.MarshalPublicKey(k)); err != nil {
		return filing.PublicKey{}, err
	}
	return k, m.reload()
}

// Untrust removes a key the user added, by its fingerprint. A pack it
// signed is no longer used: the pack in use may become an older one,
// which Info then shows.
func (m *Manager) Untrust(fingerprint string) error {
	fingerprint = strings.ToLower(strings.TrimSpace(fingerprint))
	for _, k := range filing.PublisherKeys() {
		if k.Fingerprint() == fingerprint {
			return &filing.PackError{ZH: "内置的发布者公钥不能移除。", EN: "a publisher key built into this version cannot be removed"}
		}
	}
	recs, err := m.st.ListRecords(nsKeys)
	if err != nil {
		return err
	}
	if _, ok := recs[fingerprint]; !ok {
		return &filing.PackError{ZH: "受信任的公钥中没有 " + fingerprint + "。", EN: "no trusted key has fingerprint " + fingerprint}
	}
	if err := m.st.DeleteRecord(nsKeys, fingerprint); err != nil {
		return err
	}
	return m.reload()
}

// Verify runs every check a pack must pass to be accepted but the one
// against the pack in use: checksum, schema, content (every required
// check present), and a signature by a trusted or built-in key.
func (m *Manager) Verify(data []byte) (*filing.Pack, filing.PublicKey, error) {
	keys, err := m.keys()
	if err != nil {
		return nil, filing.PublicKey{}, err
	}
	return filing.VerifyPack(data, keys)
}

// Apply accepts the pack in data when it passes Verify and is newer than
// the pack in use, keeps it in the store and makes it current. The diff
// says what changed; it is empty (and nothing is written) for the pack in
// use itself. Any refusal leaves the pack in use as it was.
func (m *Manager) Apply(data []byte) (filing.PackDiff, error) {
	p, err := filing.ParsePack(data)
	if err != nil {
		return filing.PackDiff{}, err
	}
	cur := m.Current()
	// The pack in use itself is no news, signed or not: a backend that
	// serves the built-in pack is up to date, not refused.
	if p.Checksum() == cur.Checksum() {
		return filing.PackDiff{FromRevision: cur.Revision, ToRevision: cur.Revision}, nil
	}
	if err := cur.CanReplace(p); err != nil {
		return filing.PackDiff{}, err
	}
	keys, err := m.keys()
	if err != nil {
		return filing.PackDiff{}, err
	}
	if _, err := p.VerifySignature(keys); err != nil {
		return filing.PackDiff{}, err
	}
	if err := m.st.PutRecord(nsPacks, revisionKey(p.Revision), data); err != nil {
		return filing.PackDiff{}, err
	}
	if err := m.reload(); err != nil {
		return filing.PackDiff{}, err
	}
	return filing.DiffPacks(cur, p), nil
}

// Check asks src for a newer pack and applies it. changed is false when
// the backend answered "not modified" or served the pack in use; a pack it
// refuses is an error and changes nothing.
func (m *Manager) Check(ctx context.Context, src Source) (diff filing.PackDiff, changed bool, err error) {
	etag := ""
	if recs, err := m.st.ListRecords(nsState); err == nil {
		etag = string(recs[keyETag])
	}
	data, newETag, err := src.FetchRules(ctx, etag)
	if err != nil {
		return filing.PackDiff{}, false, err
	}
	cur := m.Current()
	if data == nil {
		return filing.PackDiff{FromRevision: cur.Revision, ToRevision: cur.Revision}, false, nil
	}
	diff, err = m.Apply(data)
	if err != nil {
		return filing.PackDiff{}, false, err
	}
	// The ETag is kept only for a pack that was accepted (or is the one in
	// use), so a refused pack is fetched and judged again next time.
	if newETag != "" {
		if err := m.st.PutRecord(nsState, keyETag, []byte(newETag)); err != nil {
			return diff, diff.ToRevision != diff.FromRevision, err
		}
	}
	return diff, diff.ToRevision != diff.FromRevision, nil
}

// PackAt is the pack of a revision: the built-in one or a kept accepted
// pack. ok is false when this data directory never kept it.
func (m *Manager) PackAt(revision int) (*filing.Pack, bool) {
	if cur := m.Current(); cur.Revision == revision {
		return cur, true
	}
	if def := filing.DefaultPack(); def.Revision == revision {
		return def, true
	}
	recs, err := m.st.ListRecords(nsPacks)
	if err != nil {
		return nil, false
	}
	data, ok := recs[revisionKey(revision)]
	if !ok {
		return nil, false
	}
	// It was verified when it was accepted; its seal and content are
	// checked again, its signer need not be trusted still to read the past.
	p, err := filing.ParsePack(data)
	return p, err == nil
}

// NewProblems is what a newer pack did to a filing checked under an older
// one (filing.MarkChecked): the findings that are new under the pack in
// use. updated is false when the filing was checked under the pack in use
// (or never marked); known is false when the pack it was checked under is
// not kept here, so only "rules updated" can be said, not how.
func (m *Manager) NewProblems(app *filing.Application, asOf time.Time) (newFindings []filing.Finding, updated, known bool) {
	cur := m.Current()
	if !filing.RulesUpdated(app, cur) {
		return nil, false, true
	}
	old, ok := m.PackAt(app.CheckedUnder)
	if !ok {
		return nil, true, false
	}
	return filing.NewFindings(app, old, cur, asOf), true, true
}

func revisionKey(rev int) string { return fmt.Sprintf("%010d", rev) }

// Kept lists the revisions of the accepted packs kept in the store.
func (m *Manager) Kept() ([]int, error) {
	recs, err := m.st.ListRecords(nsPacks)
	if err != nil {
		return nil, err
	}
	var out []int
	for k := range recs {
		if n, err := strconv.Atoi(k); err == nil {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}
