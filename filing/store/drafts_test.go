package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/icpfiling/icpfiling/filing"
)

// sampleApp is a complete enterprise 接入 application; n varies the
// subject, domain and certificate number so searches can tell drafts apart.
func sampleApp(n int) *filing.Application {
	owner := filing.Person{Name: "张三", IDType: "resident_id", IDNumber: "330106198503152417",
		IDValidUntil: "2035-03-15", Mobile: "13800138000", Email: "zhangsan@example.com", LegalRepresentative: true}
	addr := filing.Address{Province: "33", City: "杭州市", District: "西湖区", Detail: "文三路 90 号 1 幢 501 室"}
	return &filing.Application{
		SchemaVersion:   filing.SchemaVersion,
		Kind:            filing.NewAccess,
		Province:        "33",
		PreparationRead: true,
		Subject: filing.Subject{Type: "enterprise", CertificateType: "business_licence",
			CertificateNumber: fmt.Sprintf("91330106MA27U%05d", n), Name: fmt.Sprintf("杭州示例%d科技有限公司", n),
			Domicile: addr, MailingAddress: addr, Investor: "张三", Owner: owner},
		Websites: []filing.Website{{Domain: fmt.Sprintf("site%d.example.com", n), DomainExpires: "2028-06-30",
			Name: "示例网站", ICPNumber: "浙ICP备2021003158号-1", ServiceContent: "unit_portal",
			Languages: []string{"zh-Hans"}, Owner: owner}},
		Product: filing.Product{Type: "aliyun", Product: "ecs", ServiceNumber: "32a43232-a888-88e8-b9ec-00888be8a1b2",
			Months: 12, PublicBandwidth: true, MainlandRegion: true},
		Documents: []filing.Document{{Slot: "subject_certificate", Attachment: &filing.Attachment{
			SHA256: strings.Repeat("5f", 32), Size: 1048576, MediaType: "image/jpeg", OriginalName: "营业执照.jpg"}}},
	}
}

func TestDraftSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	app := sampleApp(1)
	info, err := s.NewDraft(app)
	if err != nil {
		t.Fatal(err)
	}
	if app.ID == "" || info.ID != app.ID || info.Status != filing.StatusDraft || info.SubjectName != "杭州示例1科技有限公司" ||
		!reflect.DeepEqual(info.Domains, []string{"site1.example.com"}) || info.CertificateTail != "U00001" {
		t.Errorf("info = %+v", info)
	}
	s.Close()
	s = openTemp(t, Options{Dir: dir})
	got, ginfo, err := s.LoadDraft(app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, app) {
		t.Errorf("loaded draft differs:\n got %+v\nwant %+v", got, app)
	}
	if !ginfo.Created.Equal(info.Created) || !ginfo.Edited.Equal(info.Edited) {
		t.Errorf("times: %v/%v vs %v/%v", ginfo.Created, ginfo.Edited, info.Created, info.Edited)
	}
}

func TestDraftEditedTimeAndCreatedKept(t *testing.T) {
	clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s := openTemp(t, Options{Now: func() time.Time { return clock }})
	app := sampleApp(1)
	first, _ := s.NewDraft(app)
	clock = clock.Add(time.Hour)
	app.Timeline = []filing.StatusEvent{{At: clock, Status: filing.StatusSubmitted}}
	second, err := s.SaveDraft(app)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Created.Equal(first.Created) || !second.Edited.Equal(clock) || second.Status != filing.StatusSubmitted {
		t.Errorf("after edit: %+v", second)
	}
	list, _ := s.ListDrafts()
	if len(list) != 1 || list[0].Status != filing.StatusSubmitted || !list[0].Edited.Equal(clock) {
		t.Errorf("list = %+v", list)
	}
}

func TestListDraftsNewestFirst(t *testing.T) {
	clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s := openTemp(t, Options{Now: func() time.Time { return clock }})
	var ids []string
	for i := 0; i < 5; i++ {
		clock = clock.Add(time.Minute)
		info, err := s.NewDraft(sampleApp(i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append([]string{info.ID}, ids...)
	}
	list, err := s.ListDrafts()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range list {
		got = append(got, d.ID)
	}
	if !reflect.DeepEqual(got, ids) {
		t.Errorf("order = %v, want %v", got, ids)
	}
}

func TestSearchDrafts(t *testing.T) {
	s := openTemp(t, Options{})
	ids := map[int]string{}
	for _, n := range []int{1, 2, 12, 345} {
		info, err := s.NewDraft(sampleApp(n))
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = info.ID
	}
	cases := []struct {
		query string
		want  []int
	}{
		{"", []int{1, 2, 12, 345}},
		{"示例1", []int{1, 12}},
		{"杭州示例345科技", []int{345}},
		{"SITE2.example", []int{2}},
		{".example.com", []int{1, 2, 12, 345}},
		{"00345", []int{345}},
		{"u00012", []int{12}},
		{"012", []int{12}},
		{"2", []int{2, 12}}, // a 1-digit query only matches names and domains
		{"12", []int{12}},   // 2 digits: still no certificate match ("U00012" would)
		{"99999", []int{}},  // no draft
		{"330106", []int{}}, // an ID-number fragment is not searchable
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			got, err := s.SearchDrafts(c.query)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, wantIDs []string
			for _, d := range got {
				gotIDs = append(gotIDs, d.ID)
			}
			for _, n := range c.want {
				wantIDs = append(wantIDs, ids[n])
			}
			sort.Strings(gotIDs)
			sort.Strings(wantIDs)
			if len(gotIDs) != len(wantIDs) || (len(wantIDs) > 0 && !reflect.DeepEqual(gotIDs, wantIDs)) {
				t.Errorf("SearchDrafts(%q) = %v, want %v", c.query, gotIDs, wantIDs)
			}
		})
	}
}

func TestDuplicateDraftIsAFreshCopy(t *testing.T) {
	s := openTemp(t, Options{Passphrase: filing.NewSecret("correct horse")})
	app := sampleApp(7)
	app.FilingPassword = filing.NewSecret("miit-pw")
	app.Timeline = []filing.StatusEvent{{At: time.Now().UTC(), Status: filing.StatusInitialRejected, Reasons: []string{"照片不清晰"}}}
	now := time.Now()
	app.SMS = filing.SMSVerification{SentAt: &now, Verified: true}
	orig, _ := s.NewDraft(app)
	dup, err := s.DuplicateDraft(orig.ID)
	if err != nil {
		t.Fatal(err)
	}
	if dup.ID == orig.ID || dup.Status != filing.StatusDraft {
		t.Errorf("dup = %+v", dup)
	}
	got, _, err := s.LoadDraft(dup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != app.Subject || len(got.Timeline) != 0 || got.SMS.Verified || got.FilingPassword.Reveal() != "miit-pw" ||
		!reflect.DeepEqual(got.Documents, app.Documents) {
		t.Errorf("duplicate = %+v", got)
	}
	// The original is untouched.
	o, _, _ := s.LoadDraft(orig.ID)
	if len(o.Timeline) != 1 {
		t.Errorf("original lost its timeline")
	}
	if _, err := s.DuplicateDraft("no-such-draft"); !errors.Is(err, ErrNotFound) {
		t.Errorf("duplicate of a missing draft: %v", err)
	}
}

func TestDeleteUndoAndPurge(t *testing.T) {
	clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	opts := Options{Dir: dir, UndoWindow: 24 * time.Hour, Now: func() time.Time { return clock }}
	s := openTemp(t, opts)
	a, _ := s.NewDraft(sampleApp(1))
	b, _ := s.NewDraft(sampleApp(2))

	if _, err := s.DeleteDraft(a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListDrafts(); len(list) != 1 || list[0].ID != b.ID {
		t.Errorf("after delete, list = %+v", list)
	}
	if _, _, err := s.LoadDraft(a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("load of a deleted draft: %v", err)
	}
	// A late autosave must not bring it back.
	app := sampleApp(1)
	app.ID = a.ID
	if _, err := s.SaveDraft(app); !errors.Is(err, ErrNotFound) {
		t.Errorf("save after delete: %v", err)
	}
	if del, _ := s.ListDeleted(); len(del) != 1 || del[0].ID != a.ID || !del[0].Deleted.Equal(clock) {
		t.Errorf("ListDeleted = %+v", del)
	}
	if _, err := s.UndoDelete(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LoadDraft(a.ID); err != nil {
		t.Errorf("after undo: %v", err)
	}
	if list, _ := s.ListDrafts(); len(list) != 2 {
		t.Errorf("after undo, %d drafts", len(list))
	}

	// Past the window: undo is refused, and the next Open purges it.
	s.DeleteDraft(a.ID)
	clock = clock.Add(25 * time.Hour)
	if _, err := s.UndoDelete(a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("undo after the window: %v", err)
	}
	s.Close()
	s = openTemp(t, opts)
	if del, _ := s.ListDeleted(); len(del) != 0 {
		t.Errorf("not purged on open: %+v", del)
	}
	// PurgeDraft ends the window at once.
	s.DeleteDraft(b.ID)
	if err := s.PurgeDraft(b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UndoDelete(b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("undo after purge: %v", err)
	}
}

func TestDraftIDsRefused(t *testing.T) {
	s := openTemp(t, Options{})
	for _, id := range []string{"../x", "a/b", "含中文", strings.Repeat("a", 129), "a b"} {
		app := sampleApp(1)
		app.ID = id
		if _, err := s.SaveDraft(app); !errors.Is(err, ErrInvalid) {
			t.Errorf("SaveDraft(id %q) = %v", id, err)
		}
		if _, _, err := s.LoadDraft(id); !errors.Is(err, ErrInvalid) {
			t.Errorf("LoadDraft(%q) = %v", id, err)
		}
	}
}

// rawPut writes bytes straight into the database, as an older build would have.
func rawPut(t *testing.T, s *Store, key string, value []byte) {
	t.Helper()
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(key), value) }); err != nil {
		t.Fatal(err)
	}
}

func TestMigrationFromV0Fixture(t *testing.T) {
	fixture, err := os.ReadFile("testdata/draft-v0.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		passphrase string
		wantPw     string
		wantStored []string
	}{
		{"unlocked: the plain-text password is sealed", "pass phrase", "proto-plaintext-pw", []string{"filing_password"}},
		{"locked: the plain-text password is dropped", "", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Dir: dir, Passphrase: filing.NewSecret(c.passphrase)}
			s := openTemp(t, opts)
			rawPut(t, s, prefixDraft+"proto-2025-0142", fixture)
			s.Close()

			s = openTemp(t, opts) // migrates
			list, err := s.ListDrafts()
			if err != nil {
				t.Fatal(err)
			}
			saved := time.Date(2025, 11, 2, 1, 15, 0, 0, time.UTC)
			if len(list) != 1 || list[0].ID != "proto-2025-0142" || list[0].SubjectName != "深圳原型网络有限公司" ||
				list[0].CertificateTail != "F8K2X7Q"[1:] || !list[0].Edited.Equal(saved) || !list[0].Created.Equal(saved) ||
				list[0].SchemaVersion != filing.SchemaVersion {
				t.Fatalf("list after migration = %+v", list)
			}
			app, info, err := s.LoadDraft("proto-2025-0142")
			if err != nil {
				t.Fatal(err)
			}
			if app.SchemaVersion != filing.SchemaVersion || app.Kind != filing.ContinueAccess ||
				app.Subject.Owner.Mobile != "13600136000" || app.Websites[0].Owner.Mobile != "13500135000" ||
				app.Documents[0].Attachment.OriginalName != "执照.jpg" {
				t.Errorf("migrated application = %+v", app)
			}
			if app.FilingPassword.Reveal() != c.wantPw || !reflect.DeepEqual(info.StoredSecrets, c.wantStored) {
				t.Errorf("password %q stored %v, want %q %v", app.FilingPassword.Reveal(), info.StoredSecrets, c.wantPw, c.wantStored)
			}
			// No plain text left anywhere in the record.
			raw := rawGet(t, s, prefixDraft+"proto-2025-0142")
			if bytes.Contains(raw, []byte("proto-plaintext-pw")) || bytes.Contains(raw, []byte(`"phone"`)) {
				t.Errorf("migrated record still holds old content: %s", raw)
			}
			if !bytes.Contains(raw, []byte(`"schema_version":1`)) {
				t.Errorf("migrated record has no schema version: %s", raw)
			}
		})
	}
}

func rawGet(t *testing.T, s *Store, key string) []byte {
	t.Helper()
	var out []byte
	s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(key))
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	return out
}

func TestNewerDraftFormatRefused(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	rawPut(t, s, prefixDraft+"future", []byte(`{"schema_version":99,"id":"future"}`))
	s.Close()
	_, err := Open(Options{Dir: dir})
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(se.Message("zh"), "升级") || !strings.Contains(se.Message("en"), "update the app") {
		t.Fatalf("open with a newer draft: %v", err)
	}
}

func TestSecretsSealedAndLockedBehaviour(t *testing.T) {
	dir := t.TempDir()
	pass := filing.NewSecret("my passphrase")
	s := openTemp(t, Options{Dir: dir, Passphrase: pass})
	app := sampleApp(1)
	app.FilingPassword = filing.NewSecret("MIIT-pw-123")
	app.Product.ConsolePassword = filing.NewSecret("console-pw-456")
	info, err := s.NewDraft(app)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(info.StoredSecrets, []string{"filing_password", "console_password"}) || len(info.UnsavedSecrets) != 0 {
		t.Errorf("info = %+v", info)
	}
	if err := s.PutSecret("backend_token", filing.NewSecret("tok-789")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, plain := range []string{"MIIT-pw-123", "console-pw-456", "tok-789"} {
		if grepDir(t, dir, plain) {
			t.Errorf("%q found in plain text on disk", plain)
		}
	}

	// Without the passphrase the store does not open: it seals the data key.
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrPassphraseRequired) {
		t.Fatalf("open without the passphrase: %v", err)
	}
	// Locked again after opening: drafts load, secrets do not.
	s = openTemp(t, Options{Dir: dir, Passphrase: pass})
	s.Lock()
	if !s.Locked() || !s.HasPassphrase() {
		t.Errorf("Locked=%v HasPassphrase=%v", s.Locked(), s.HasPassphrase())
	}
	got, ginfo, err := s.LoadDraft(app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FilingPassword.IsSet() || len(ginfo.StoredSecrets) != 2 {
		t.Errorf("locked load: pw set=%v stored=%v", got.FilingPassword.IsSet(), ginfo.StoredSecrets)
	}
	if _, err := s.GetSecret("backend_token"); !errors.Is(err, ErrLocked) {
		t.Errorf("GetSecret while locked: %v", err)
	}
	// Saving while locked keeps what is stored; a newly typed secret is reported, not kept.
	got.Subject.Remark = "edited while locked"
	got.Product.ConsolePassword = filing.NewSecret("typed-while-locked")
	sinfo, err := s.SaveDraft(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sinfo.UnsavedSecrets, []string{"console_password"}) || !reflect.DeepEqual(sinfo.StoredSecrets, []string{"filing_password"}) {
		t.Errorf("locked save info = %+v", sinfo)
	}
	if err := s.Unlock(filing.NewSecret("wrong")); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Unlock with a wrong passphrase: %v", err)
	}
	if err := s.Unlock(pass); err != nil {
		t.Fatal(err)
	}
	got, _, _ = s.LoadDraft(app.ID)
	if got.FilingPassword.Reveal() != "MIIT-pw-123" || got.Product.ConsolePassword.IsSet() || got.Subject.Remark != "edited while locked" {
		t.Errorf("after unlock: pw=%q console set=%v remark=%q", got.FilingPassword.Reveal(), got.Product.ConsolePassword.IsSet(), got.Subject.Remark)
	}
	if tok, err := s.GetSecret("backend_token"); err != nil || tok.Reveal() != "tok-789" {
		t.Errorf("GetSecret = %v, %v", tok, err)
	}
	// Changing the passphrase keeps every secret readable with the new one only.
	newPass := filing.NewSecret("a new passphrase")
	if err := s.SetPassphrase(filing.NewSecret("wrong"), newPass); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("SetPassphrase with a wrong old one: %v", err)
	}
	if err := s.SetPassphrase(pass, newPass); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(Options{Dir: dir, Passphrase: pass}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("open with the old passphrase: %v", err)
	}
	s = openTemp(t, Options{Dir: dir, Passphrase: newPass})
	if tok, err := s.GetSecret("backend_token"); err != nil || tok.Reveal() != "tok-789" {
		t.Errorf("after passphrase change: %v, %v", tok, err)
	}
}

func walkFiles(dir string, fn func(path string)) {
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			fn(path)
		}
		return nil
	})
}

func grepDir(t *testing.T, dir, needle string) bool {
	t.Helper()
	found := false
	walkFiles(dir, func(path string) {
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(needle)) {
			t.Logf("%s contains %q", path, needle)
			found = true
		}
	})
	return found
}

// FuzzDecodeDraftRecord feeds arbitrary bytes to the record reader that
// Open runs over every stored draft: it must never panic, and a migrated
// record must never carry a secret in plain text.
func FuzzDecodeDraftRecord(f *testing.F) {
	fixture, err := os.ReadFile("testdata/draft-v0.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(`{"schema_version":1,"id":"x","application":{}}`))
	f.Add([]byte(`{"schema_version":7}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		rec, _, migrated, err := decodeDraftRecord(raw)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Message("zh") == "" || se.Message("en") == "" {
				t.Fatalf("error without a message: %v", err)
			}
			return
		}
		if !migrated {
			return
		}
		if _, err := filing.DecodeApplication(rec.Application); err != nil {
			t.Fatalf("migration produced an unreadable application: %v", err)
		}
		var stored struct {
			FilingPassword string `json:"filing_password"`
			Product        struct {
				ConsolePassword string `json:"console_password"`
			} `json:"product"`
		}
		json.Unmarshal(rec.Application, &stored)
		for _, v := range []string{stored.FilingPassword, stored.Product.ConsolePassword} {
			if v != "" && v != "******" {
				t.Fatalf("a secret in plain text after migration")
			}
		}
	})
}
