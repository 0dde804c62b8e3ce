package packs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
	"github.com/icpfiling/icpfiling/internal/testconfig"
	"github.com/icpfiling/icpfiling/internal/testpack"
)

// TestMain keeps the store's data keys out of the user's config directory.
func TestMain(m *testing.M) { testconfig.Main(m) }

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestApplyAcceptsOnlyATrustedNewerPack(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	m, err := New(st)
	if err != nil {
		t.Fatal(err)
	}
	builtin := filing.DefaultPack()
	if m.Current().Revision != builtin.Revision || !m.Info().BuiltIn {
		t.Fatalf("a new data directory uses revision %d (built in %v)", m.Current().Revision, m.Info().BuiltIn)
	}
	key := testpack.Key(t, "Example Agency")
	r2 := testpack.Signed(t, key, builtin.Revision+1, testpack.MinHan(4))

	// Not trusted yet: refused, the pack in use stays.
	if _, err := m.Apply(r2); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Fatalf("an untrusted pack: %v", err)
	}
	if _, err := m.Trust(filing.MarshalPublicKey(key.Public())); err != nil {
		t.Fatal(err)
	}
	diff, err := m.Apply(r2)
	if err != nil {
		t.Fatal(err)
	}
	if diff.ToRevision != builtin.Revision+1 || strings.Join(diff.Changed, ",") != "name.min_han" {
		t.Errorf("diff %+v", diff)
	}
	if in := m.Info(); in.Revision != builtin.Revision+1 || in.BuiltIn || in.Signer.Fingerprint() != key.Public().Fingerprint() {
		t.Errorf("in use: %+v", in)
	}

	// Each refusal names its reason and leaves the pack in use.
	unsigned := func() []byte {
		var s map[string]json.RawMessage
		_ = json.Unmarshal(testpack.Signed(t, key, builtin.Revision+5, nil), &s)
		delete(s, "signature")
		b, _ := json.Marshal(s)
		return b
	}()
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"older", "older", testpack.Signed(t, key, builtin.Revision, nil)},
		{"same revision, other content", "same revision", testpack.Signed(t, key, builtin.Revision+1, testpack.MinHan(5))},
		{"unsigned", "not signed", unsigned},
		{"unknown schema", "schema 9", testpack.Signed(t, key, builtin.Revision+5, func(p map[string]any) { p["schema"] = 9 })},
		{"damaged", "checksum", []byte(strings.Replace(string(testpack.Signed(t, key, builtin.Revision+5, nil)), `"min_days": 1`, `"min_days": 2`, 1))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Apply(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if m.Current().Revision != builtin.Revision+1 {
				t.Errorf("the pack in use changed to %d", m.Current().Revision)
			}
		})
	}
	// The same pack again is no change.
	if d, err := m.Apply(r2); err != nil || d.FromRevision != d.ToRevision {
		t.Errorf("the pack in use again: %+v %v", d, err)
	}

	// Kept across a restart.
	st.Close()
	st2 := openStore(t, dir)
	m2, err := New(st2)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Current().Revision != builtin.Revision+1 {
		t.Fatalf("after reopening: revision %d", m2.Current().Revision)
	}
	// Removing the signer's key stops the use of its packs.
	if err := m2.Untrust(key.Public().Fingerprint()); err != nil {
		t.Fatal(err)
	}
	if !m2.Info().BuiltIn {
		t.Errorf("a pack of a removed key is still in use: %+v", m2.Info())
	}
	if err := m2.Untrust(filing.PublisherKeys()[0].Fingerprint()); err == nil {
		t.Error("a built-in publisher key was removed")
	}
}

func TestNewProblemsOfADraft(t *testing.T) {
	st := openStore(t, t.TempDir())
	m, _ := New(st)
	key := testpack.Key(t, "Example Agency")
	if _, err := m.Trust(filing.MarshalPublicKey(key.Public())); err != nil {
		t.Fatal(err)
	}
	app := &filing.Application{Province: "33", Websites: []filing.Website{{Name: "示例科技"}}}
	filing.MarkChecked(app, m.Current())
	day := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if _, updated, _ := m.NewProblems(app, day); updated {
		t.Fatal("updated before any update")
	}
	if _, err := m.Apply(testpack.Signed(t, key, filing.DefaultPack().Revision+1, testpack.MinHan(6))); err != nil {
		t.Fatal(err)
	}
	found, updated, known := m.NewProblems(app, day)
	if !updated || !known || len(found) != 1 || found[0].Rule != "name.min_han" {
		t.Errorf("new problems %+v, updated %v, known %v", found, updated, known)
	}
	if _, updated, _ := m.NewProblems(&filing.Application{}, day); updated {
		t.Error("a filing never checked counts as updated")
	}
}

// statusLog records the status of each answer of the real backend.
type statusLog struct {
	mu    sync.Mutex
	codes []int
}

func TestCheckOverHTTPWithNotModified(t *testing.T) {
	key := testpack.Key(t, "Example Agency")
	served := testpack.Signed(t, key, filing.DefaultPack().Revision+1, testpack.MinHan(4))
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), NoAuth: true, Pack: served})
	if err != nil {
		t.Fatal(err)
	}
	var log statusLog
	hs := httptest.NewServer(logged(srv, &log))
	defer hs.Close()
	client, err := submit.NewClient(submit.Config{BaseURL: hs.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}

	st := openStore(t, t.TempDir())
	m, _ := New(st)
	// Not trusted: refused, nothing kept, the ETag not remembered.
	if _, changed, err := m.Check(context.Background(), client); err == nil || changed {
		t.Fatalf("an untrusted backend pack: changed %v, %v", changed, err)
	}
	if _, err := m.Trust(filing.MarshalPublicKey(key.Public())); err != nil {
		t.Fatal(err)
	}
	diff, changed, err := m.Check(context.Background(), client)
	if err != nil || !changed || strings.Join(diff.Changed, ",") != "name.min_han" {
		t.Fatalf("first check: %+v changed %v err %v", diff, changed, err)
	}
	_, changed, err = m.Check(context.Background(), client)
	if err != nil || changed {
		t.Fatalf("second check: changed %v err %v", changed, err)
	}
	log.mu.Lock()
	got := log.codes
	log.mu.Unlock()
	if len(got) != 3 || got[0] != 200 || got[1] != 200 || got[2] != http.StatusNotModified {
		t.Errorf("answers %v, want 200 200 304 (the ETag kept only once accepted)", got)
	}
	if m.Current().Revision != filing.DefaultPack().Revision+1 {
		t.Errorf("in use: %d", m.Current().Revision)
	}
}

// logged records each answer's status; a body written without a
// WriteHeader is a 200.
func logged(h http.Handler, log *statusLog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(rw, r)
		if rw.code == 0 {
			rw.code = http.StatusOK
		}
		log.mu.Lock()
		log.codes = append(log.codes, rw.code)
		log.mu.Unlock()
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// A backend that serves the built-in pack (unsigned) is up to date, not a
// refusal; one that serves an older pack is refused as older.
func TestCheckAgainstABackendServingTheBuiltInPack(t *testing.T) {
	srv, err := backend.New(backend.Options{Dir: t.TempDir(), NoAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client, err := submit.NewClient(submit.Config{BaseURL: hs.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, t.TempDir())
	m, _ := New(st)
	if _, changed, err := m.Check(context.Background(), client); err != nil || changed {
		t.Fatalf("built-in pack served: changed %v, %v", changed, err)
	}
	// Once answered, the same pack is a 304: still no change.
	if _, changed, err := m.Check(context.Background(), client); err != nil || changed {
		t.Fatalf("built-in pack again: changed %v, %v", changed, err)
	}
	// A data directory already on a newer pack, asking for the first time.
	m2, _ := New(openStore(t, t.TempDir()))
	key := testpack.Key(t, "Example Agency")
	if _, err := m2.Trust(filing.MarshalPublicKey(key.Public())); err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Apply(testpack.Signed(t, key, filing.DefaultPack().Revision+1, nil)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m2.Check(context.Background(), client); err == nil || !strings.Contains(err.Error(), "older") {
		t.Errorf("an older pack served: %v", err)
	}
}
