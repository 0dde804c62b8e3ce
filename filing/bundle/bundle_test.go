package bundle

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

func openStore(t testing.TB, pass string) *store.Store {
	t.Helper()
	s, err := store.Open(store.Options{Dir: t.TempDir(), Passphrase: filing.NewSecret(pass), SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sampleApp(n int) *filing.Application {
	owner := filing.Person{Name: "张三", IDType: "resident_id", IDNumber: "330106198503152417",
		IDValidUntil: "2035-03-15", Mobile: "13800138000", Email: "zhangsan@example.com"}
	addr := filing.Address{Province: "33", City: "杭州市", District: "西湖区", Detail: "文三路 90 号"}
	return &filing.Application{
		SchemaVersion: filing.SchemaVersion, Kind: filing.NewAccess, Province: "33", PreparationRead: true,
		Subject: filing.Subject{Type: "enterprise", CertificateType: "business_licence",
			CertificateNumber: fmt.Sprintf("91330106MA27U%05d", n), Name: fmt.Sprintf("杭州示例%d科技有限公司", n),
			Domicile: addr, MailingAddress: addr, Owner: owner},
		Websites: []filing.Website{{Domain: fmt.Sprintf("site%d.example.com", n), Name: "示例网站",
			ICPNumber: "浙ICP备2021003158号-1", ServiceContent: "unit_portal", Languages: []string{"zh-Hans"}, Owner: owner}},
		Product: filing.Product{Type: "aliyun", Product: "ecs", ServiceNumber: "32a43232-a888-88e8-b9ec-00888be8a1b2", Months: 12, MainlandRegion: true},
	}
}

// scan is distinct image-like content for draft n and slot k.
func scan(n, k int) []byte {
	head := []byte{0xFF, 0xD8, 0xFF, 0xE0}
	return append(head, bytes.Repeat([]byte(fmt.Sprintf("draft %d slot %d ", n, k)), 3000)...)
}

// fillStore saves n drafts, each with two scans of its own, one scan
// shared by all, a photo, and passwords.
func fillStore(t testing.TB, s *store.Store, n int) []*filing.Application {
	t.Helper()
	shared, err := s.PutAttachment(bytes.NewReader(scan(-1, 0)), "授权书.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	var apps []*filing.Application
	for i := 0; i < n; i++ {
		app := sampleApp(i)
		for k, slot := range []string{"subject_certificate", "subject_owner_id"} {
			a, err := s.PutAttachment(bytes.NewReader(scan(i, k)), slot+".jpg", "image/jpeg")
			if err != nil {
				t.Fatal(err)
			}
			app.Documents = append(app.Documents, filing.Document{Slot: slot, Attachment: &a})
		}
		app.Documents = append(app.Documents, filing.Document{Slot: "authorisation", Attachment: &shared})
		photo, _ := s.PutAttachment(bytes.NewReader(scan(i, 9)), "幕布照片.jpg", "image/jpeg")
		app.Photo = filing.Photo{Attachment: &photo}
		app.FilingPassword = filing.NewSecret(fmt.Sprintf("miit-%d", i))
		app.Product.ConsolePassword = filing.NewSecret(fmt.Sprintf("console-%d", i))
		if _, err := s.NewDraft(app); err != nil {
			t.Fatal(err)
		}
		apps = append(apps, app)
	}
	return apps
}

func exportBytes(t testing.TB, s *store.Store, opts ExportOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Export(&buf, s, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importBytes(s *store.Store, data []byte, opts ImportOptions) (ImportResult, error) {
	b, err := Read(bytes.NewReader(data), int64(len(data)), DefaultLimits)
	if err != nil {
		return ImportResult{}, err
	}
	return b.Import(s, opts)
}

func TestRoundTripGivesSameFilingsAndIdenticalScans(t *testing.T) {
	src := openStore(t, "source passphrase")
	apps := fillStore(t, src, 4)
	srcList, _ := src.ListDrafts()
	bundlePass := filing.NewSecret("bundle passphrase")
	data := exportBytes(t, src, ExportOptions{AppVersion: "test", SecretsPassphrase: bundlePass})

	for _, secret := range []string{"miit-0", "console-3", "330106198503152417"[:0] + "miit-"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("bundle holds %q in plain text", secret)
		}
	}

	dst := openStore(t, "another machine's passphrase")
	res, err := importBytes(dst, data, ImportOptions{SecretsPassphrase: bundlePass})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Drafts) != 4 || res.Scans != 4*3+1 || res.SecretsSkipped {
		t.Errorf("result = %d drafts, %d scans, skipped %v", len(res.Drafts), res.Scans, res.SecretsSkipped)
	}
	dstList, _ := dst.ListDrafts()
	if !reflect.DeepEqual(dstList, srcList) {
		t.Errorf("lists differ:\n src %+v\n dst %+v", srcList, dstList)
	}
	for _, want := range apps {
		got, _, err := dst.LoadDraft(want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("filing %s differs after the round trip:\n got %+v\nwant %+v", want.ID, got, want)
		}
		for _, a := range attachmentsOf(got) {
			if err := dst.VerifyAttachment(a); err != nil {
				t.Errorf("scan %s: %v", a.OriginalName, err)
			}
			srcBytes, _ := os.ReadFile(src.AttachmentPath(a.SHA256))
			dstBytes, _ := os.ReadFile(dst.AttachmentPath(a.SHA256))
			if !bytes.Equal(srcBytes, dstBytes) {
				t.Errorf("scan %s not byte-identical", a.OriginalName)
			}
		}
	}
}

func TestSecretsLeftOutUnlessAsked(t *testing.T) {
	src := openStore(t, "pw")
	apps := fillStore(t, src, 2)
	plain := exportBytes(t, src, ExportOptions{})
	b, err := Read(bytes.NewReader(plain), int64(len(plain)), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if b.HasSecrets() {
		t.Error("a bundle exported without a passphrase carries secrets")
	}
	dst := openStore(t, "pw2")
	if _, err := b.Import(dst, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _, _ := dst.LoadDraft(apps[0].ID)
	if got.FilingPassword.IsSet() || got.Product.ConsolePassword.IsSet() {
		t.Error("passwords arrived without being exported")
	}

	// Sealed secrets, imported without the passphrase: the filings come, the passwords do not.
	sealed := exportBytes(t, src, ExportOptions{SecretsPassphrase: filing.NewSecret("x")})
	dst2 := openStore(t, "pw3")
	res, err := importBytes(dst2, sealed, ImportOptions{})
	if err != nil || !res.SecretsSkipped || len(res.Drafts) != 2 {
		t.Fatalf("import without passphrase: %+v, %v", res, err)
	}
}

func TestExportWithSecretsNeedsUnlockedStore(t *testing.T) {
	dir := t.TempDir()
	s, _ := store.Open(store.Options{Dir: dir, Passphrase: filing.NewSecret("pw")})
	fillStore(t, s, 1)
	s.Close()
	// A store with a passphrase opens only with it (it seals the data
	// key); locked again, its saved secrets cannot be read.
	if _, err := store.Open(store.Options{Dir: dir}); err == nil {
		t.Fatal("a store with a passphrase opened without it")
	}
	s, err := store.Open(store.Options{Dir: dir, Passphrase: filing.NewSecret("pw")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Lock()
	_, err = Export(io.Discard, s, ExportOptions{SecretsPassphrase: filing.NewSecret("x")})
	var be *Error
	if !errors.As(err, &be) || be.Code != CodeSecrets {
		t.Errorf("export with secrets from a locked store: %v", err)
	}
}

func TestWrongSecretsPassphraseImportsNothing(t *testing.T) {
	src := openStore(t, "pw")
	fillStore(t, src, 3)
	data := exportBytes(t, src, ExportOptions{SecretsPassphrase: filing.NewSecret("right")})
	dst := openStore(t, "pw")
	_, err := importBytes(dst, data, ImportOptions{SecretsPassphrase: filing.NewSecret("wrong")})
	var be *Error
	if !errors.As(err, &be) || be.Code != CodeSecrets {
		t.Fatalf("err = %v", err)
	}
	assertEmpty(t, dst)
}

func assertEmpty(t *testing.T, s *store.Store) {
	t.Helper()
	if list, _ := s.ListDrafts(); len(list) != 0 {
		t.Errorf("%d drafts imported from a bad bundle", len(list))
	}
	n := 0
	filepath.Walk(filepath.Join(s.Dir(), "attachments"), func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Errorf("%d scan files written from a bad bundle", n)
	}
}

func TestImportTwiceKeepsBothOrReplaces(t *testing.T) {
	src := openStore(t, "pw")
	apps := fillStore(t, src, 2)
	data := exportBytes(t, src, ExportOptions{})
	dst := openStore(t, "pw")
	importBytes(dst, data, ImportOptions{})
	res, err := importBytes(dst, data, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Drafts {
		if d.ID == apps[0].ID || d.ID == apps[1].ID {
			t.Error("a second import overwrote a draft without Replace")
		}
		got, _, _ := dst.LoadDraft(d.ID)
		orig := apps[0]
		if got.Subject.Name == apps[1].Subject.Name {
			orig = apps[1]
		}
		if got.Subject != orig.Subject || !reflect.DeepEqual(got.Documents, orig.Documents) {
			t.Error("the copy under a new ID has different content")
		}
	}
	if list, _ := dst.ListDrafts(); len(list) != 4 {
		t.Errorf("%d drafts after importing twice, want 4", len(list))
	}
	res, err = importBytes(dst, data, ImportOptions{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Drafts {
		if d.ID != apps[0].ID && d.ID != apps[1].ID {
			t.Errorf("Replace stored %s under a new ID", d.ID)
		}
	}
	if list, _ := dst.ListDrafts(); len(list) != 4 {
		t.Errorf("%d drafts after import with Replace, want 4", len(list))
	}
}

func TestExportRefusesAlteredScan(t *testing.T) {
	s := openStore(t, "pw")
	apps := fillStore(t, s, 1)
	path := s.AttachmentPath(apps[0].Documents[0].Attachment.SHA256)
	os.WriteFile(path, []byte("swapped"), 0o600)
	out := filepath.Join(t.TempDir(), "x.icpf")
	_, err := ExportFile(out, s, ExportOptions{})
	if !errors.Is(err, store.ErrAttachmentAltered) {
		t.Errorf("export with an altered scan: %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed export left a file behind")
	}
}

// zentry is one entry of a hand-built zip; header, when set, is written
// raw, so tests can declare sizes the data does not have.
type zentry struct {
	name   string
	data   []byte
	header *zip.FileHeader
}

func unzip(t testing.TB, data []byte) []zentry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []zentry
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		out = append(out, zentry{name: f.Name, data: b})
	}
	return out
}

func rezip(t testing.TB, entries []zentry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.header != nil {
			w, err := zw.CreateRaw(e.header)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	zw.Close()
	return buf.Bytes()
}

// withManifest rewrites the manifest so that it lists entries with
// their true hashes, after fn changed it.
func withManifest(t testing.TB, entries []zentry, fn func(m *Manifest)) []zentry {
	t.Helper()
	var m Manifest
	var out []zentry
	for _, e := range entries {
		if e.name == manifestName {
			json.Unmarshal(e.data, &m)
			continue
		}
		out = append(out, e)
	}
	m.Entries = nil
	for _, e := range out {
		sum := sha256.Sum256(e.data)
		m.Entries = append(m.Entries, Entry{Name: e.name, Size: int64(len(e.data)), SHA256: hex.EncodeToString(sum[:])})
	}
	if fn != nil {
		fn(&m)
	}
	data, _ := json.Marshal(m)
	return append([]zentry{{name: manifestName, data: data}}, out...)
}

func deflated(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestHostileBundlesAreRefusedWithAClearMessage(t *testing.T) {
	src := openStore(t, "pw")
	fillStore(t, src, 2)
	good := unzip(t, exportBytes(t, src, ExportOptions{SecretsPassphrase: filing.NewSecret("x")}))
	var filingEntry, scanEntry zentry
	for _, e := range good {
		if strings.HasPrefix(e.name, filingsDir) && filingEntry.name == "" {
			filingEntry = e
		}
		if strings.HasPrefix(e.name, scansDir) && scanEntry.name == "" {
			scanEntry = e
		}
	}
	add := func(extra ...zentry) []zentry { return append(append([]zentry{}, good...), extra...) }
	zeros := make([]byte, 8<<20)
	zerosSum := sha256.Sum256(zeros)
	bomb := deflated(t, zeros)

	cases := []struct {
		name   string
		bundle []byte
		limits *Limits
		code   string
	}{
		{"not a zip", []byte("PK\x03\x04 but not really a zip"), nil, CodeNotZip},
		{"parent directory", rezip(t, add(zentry{name: "../evil.json", data: []byte("{}")})), nil, CodeTraversal},
		{"traversal inside a folder", rezip(t, add(zentry{name: "filings/../../evil.json", data: []byte("{}")})), nil, CodeTraversal},
		{"absolute path", rezip(t, add(zentry{name: "/etc/cron.d/evil", data: []byte("x")})), nil, CodeAbsolutePath},
		{"drive letter", rezip(t, add(zentry{name: "C:/Windows/evil.dll", data: []byte("x")})), nil, CodeAbsolutePath},
		{"backslashes", rezip(t, add(zentry{name: `..\..\evil`, data: []byte("x")})), nil, CodeBadName},
		{"unknown entry", rezip(t, add(zentry{name: "readme.txt", data: []byte("x")})), nil, CodeUnlisted},
		{"duplicate name", rezip(t, add(filingEntry)), nil, CodeDuplicate},
		{"entry not in the manifest", rezip(t, add(zentry{name: scansDir + strings.Repeat("ab", 32), data: []byte("x")})), nil, CodeUnlisted},
		{"declared oversized", rezip(t, add(zentry{header: &zip.FileHeader{Name: scansDir + strings.Repeat("cd", 32), Method: zip.Store,
			CompressedSize64: 10, UncompressedSize64: 100 << 20}, data: make([]byte, 10)})), nil, CodeOversized},
		{"zip bomb by ratio", rezip(t, add(zentry{header: &zip.FileHeader{Name: scansDir + hex.EncodeToString(zerosSum[:]), Method: zip.Deflate,
			CompressedSize64: uint64(len(bomb)), UncompressedSize64: uint64(len(zeros))}, data: bomb})), nil, CodeZipBomb},
		{"header understates the size", rezip(t, withManifestRaw(t, good, zentry{header: &zip.FileHeader{Name: filingEntry.name,
			Method: zip.Deflate, CompressedSize64: uint64(len(bomb)), UncompressedSize64: 1000}, data: bomb})), nil, CodeNotZip},
		{"too many entries", rezip(t, good), &Limits{MaxEntries: 3, MaxJSONSize: 1 << 20, MaxScanSize: 1 << 20, MaxTotalSize: 1 << 30, MaxRatio: 100}, CodeTooManyFiles},
		{"no manifest", rezip(t, good[1:]), nil, CodeNoManifest},
		{"newer format version", rezip(t, withManifest(t, good, func(m *Manifest) { m.FormatVersion = 2 })), nil, CodeNewerVersion},
		{"version zero", rezip(t, withManifest(t, good, func(m *Manifest) { m.FormatVersion = 0 })), nil, CodeBadVersion},
		{"another format", rezip(t, withManifest(t, good, func(m *Manifest) { m.Format = "something-else" })), nil, CodeBadManifest},
		{"altered filing", rezip(t, replaceData(good, filingEntry.name, flipByte(filingEntry.data))), nil, CodeHashMismatch},
		{"altered scan", rezip(t, replaceData(good, scanEntry.name, flipByte(scanEntry.data))), nil, CodeHashMismatch},
		{"truncated scan", rezip(t, replaceData(good, scanEntry.name, scanEntry.data[:100])), nil, CodeSizeMismatch},
		{"manifest lists a missing entry", rezip(t, withManifest(t, good, func(m *Manifest) {
			m.Entries = append(m.Entries, Entry{Name: scansDir + strings.Repeat("ef", 32), Size: 1, SHA256: strings.Repeat("ef", 32)})
		})), nil, CodeMissing},
		{"scan missing", rezip(t, withManifest(t, without(good, scanEntry.name), nil)), nil, CodeMissingScan},
		{"scan under a wrong name", rezip(t, withManifest(t, renamed(good, scanEntry.name, scansDir+strings.Repeat("0", 64)), nil)), nil, CodeHashMismatch},
		{"filing with an unknown field", rezip(t, withManifest(t, replaceData(good, filingEntry.name,
			bytes.Replace(filingEntry.data, []byte(`"kind"`), []byte(`"kindd"`), 1)), nil)), nil, CodeBadFiling},
		{"filing listed twice", rezip(t, withManifest(t, good, func(m *Manifest) { m.Filings = append(m.Filings, m.Filings[0]) })), nil, CodeBadManifest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			limits := DefaultLimits
			if c.limits != nil {
				limits = *c.limits
			}
			_, err := Read(bytes.NewReader(c.bundle), int64(len(c.bundle)), limits)
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a bundle error %s", err, c.code)
			}
			if be.Code != c.code {
				t.Errorf("code = %s (%v), want %s", be.Code, err, c.code)
			}
			zh, en := be.Message("zh"), be.Message("en")
			if zh == "" || en == "" || zh == en || !containsHan(zh) {
				t.Errorf("messages: zh %q en %q", zh, en)
			}
			// Importing it through the file path leaves the store untouched.
			path := filepath.Join(t.TempDir(), "bad.icpf")
			os.WriteFile(path, c.bundle, 0o600)
			dst := openStore(t, "pw")
			if _, err := ImportFile(path, dst, ImportOptions{SecretsPassphrase: filing.NewSecret("x"), Limits: limits}); err == nil {
				t.Fatal("ImportFile accepted it")
			}
			assertEmpty(t, dst)
		})
	}
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func withManifestRaw(t testing.TB, good []zentry, raw zentry) []zentry {
	var out []zentry
	for _, e := range good {
		if e.name == raw.header.Name {
			out = append(out, raw)
			continue
		}
		out = append(out, e)
	}
	return out
}

func replaceData(entries []zentry, name string, data []byte) []zentry {
	out := append([]zentry{}, entries...)
	for i := range out {
		if out[i].name == name {
			out[i].data = data
		}
	}
	return out
}

func without(entries []zentry, name string) []zentry {
	var out []zentry
	for _, e := range entries {
		if e.name != name {
			out = append(out, e)
		}
	}
	return out
}

func renamed(entries []zentry, from, to string) []zentry {
	out := append([]zentry{}, entries...)
	for i := range out {
		if out[i].name == from {
			out[i].name = to
		}
	}
	return out
}

func flipByte(b []byte) []byte {
	c := append([]byte{}, b...)
	c[len(c)/2] ^= 0x01
	return c
}

// tinyBundle is a valid bundle small enough for the fuzzer to mutate
// quickly: one filing with one 16-byte scan.
func tinyBundle(t testing.TB) []byte {
	content := []byte("\xff\xd8\xff\xe0 tiny scan!")
	sum := sha256.Sum256(content)
	app := sampleApp(1)
	app.ID = "f1"
	app.Documents = []filing.Document{{Slot: "subject_certificate", Attachment: &filing.Attachment{
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), MediaType: "image/jpeg", OriginalName: "a.jpg"}}}
	js, _ := json.Marshal(app)
	m, _ := json.Marshal(Manifest{Format: FormatName, FormatVersion: FormatVersion,
		Filings: []Filing{{ID: "f1", Entry: "filings/f1.json"}}})
	return rezip(t, withManifest(t, []zentry{{name: manifestName, data: m},
		{name: "filings/f1.json", data: js}, {name: scansDir + hex.EncodeToString(sum[:]), data: content}}, nil))
}

func TestTinyBundleIsValid(t *testing.T) {
	data := tinyBundle(t)
	b, err := Read(bytes.NewReader(data), int64(len(data)), DefaultLimits)
	if err != nil || len(b.Apps) != 1 {
		t.Fatalf("the fuzz seed is not a valid bundle: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(tinyBundle(f))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Read(bytes.NewReader(data), int64(len(data)), DefaultLimits)
		if err != nil {
			var be *Error
			if !errors.As(err, &be) || be.Message("zh") == "" || be.Message("en") == "" {
				t.Fatalf("error without a message: %v", err)
			}
			return
		}
		// Whatever passes must be fully consistent.
		for _, app := range b.Apps {
			for _, a := range attachmentsOf(app) {
				if _, ok := b.entries[scansDir+a.SHA256]; !ok {
					t.Fatalf("accepted a filing whose scan is missing")
				}
			}
		}
	})
}
