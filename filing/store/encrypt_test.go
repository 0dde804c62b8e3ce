package store

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	oskeyring "github.com/zalando/go-keyring"

	"github.com/icpfiling/icpfiling/filing"
)

// The ID and mobile numbers of the two people in the example filing.
var personalNumbers = []string{"330106198503152417", "13800138000", "330106199007125238", "13900139000"}

func exampleApp(t testing.TB) *filing.Application {
	t.Helper()
	data, err := os.ReadFile("../../testdata/example-application.json")
	if err != nil {
		t.Fatal(err)
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range personalNumbers {
		if !strings.Contains(string(data), n) {
			t.Fatalf("the example no longer holds %s; update personalNumbers", n)
		}
	}
	return app
}

// assertNoPersonalNumbers reads every file under dir, recursively, as raw
// bytes, and fails for each personal number found.
func assertNoPersonalNumbers(t *testing.T, dir string) {
	t.Helper()
	files := 0
	walkFiles(dir, func(string) { files++ })
	if files < 5 {
		t.Fatalf("only %d files under %s: the test looked at nothing", files, dir)
	}
	for _, n := range personalNumbers {
		if grepDir(t, dir, n) {
			t.Errorf("%s readable in the data directory", n)
		}
	}
}

// makePlainStore builds a data directory the way builds before encryption
// at rest left it: a plain Badger database with files 0644, a plain
// snapshot, meta.json format 1.
func makePlainStore(t *testing.T, dir string, fill func(s *Store)) {
	t.Helper()
	old := umask(0o022)
	defer umask(old)
	opts := Options{Dir: dir, SnapshotInterval: -1}
	if err := opts.fill(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeMeta(dir, storeMeta{Format: 1, MemTableSize: memTableSize}); err != nil {
		t.Fatal(err)
	}
	log, err := openEngineLog(LogDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer log.close()
	db, err := badger.Open(badgerOptions(filepath.Join(dir, dbDirName), memTableSize, nil, log))
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{opts: opts, dir: dir, db: db, log: log, fs: osFS{}}
	fill(s)
	if _, err := s.writeSnapshot(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if !grepDir(t, dir, personalNumbers[0]) {
		t.Fatal("the plain store does not hold the ID number: the migration test would prove nothing")
	}
}

func TestNewStoreHoldsNoPersonalDataInPlainBytes(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	app := exampleApp(t)
	if _, err := s.SaveDraft(app); err != nil {
		t.Fatal(err)
	}
	// While open: the write-ahead log and value log are covered too.
	assertNoPersonalNumbers(t, dir)
	if _, err := s.Snapshot(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	assertNoPersonalNumbers(t, dir)

	s = openTemp(t, Options{Dir: dir})
	got, _, err := s.LoadDraft(app.ID)
	if err != nil || got.Subject.Owner.IDNumber != app.Subject.Owner.IDNumber {
		t.Fatalf("draft after reopen: %v", err)
	}
	if s.KeyLocation() != KeyInFile || !strings.Contains(s.KeyLocationText("zh"), "本机密钥文件") {
		t.Errorf("key location %q: %s", s.KeyLocation(), s.KeyLocationText("zh"))
	}
	// The key is outside the data directory, private to the user.
	path, _ := keyFilePath(s.opts, dir)
	if inside(path, dir) {
		t.Errorf("key file %s inside the data directory", path)
	}
	if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("key file: %v %v", fi, err)
	}
}

func TestMigrationEncryptsPlainStoreAndSnapshots(t *testing.T) {
	dir := t.TempDir()
	app := exampleApp(t)
	makePlainStore(t, dir, func(s *Store) {
		if _, err := s.SaveDraft(app); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 30; i++ {
			if _, err := s.NewDraft(sampleApp(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutRecord("outbox", "sub-1", []byte("queued")); err != nil {
			t.Fatal(err)
		}
	})
	var calls [][2]int
	s := openTemp(t, Options{Dir: dir, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if len(calls) < 2 || calls[0][0] != 0 || calls[len(calls)-1][0] != calls[len(calls)-1][1] || calls[0][1] < 33 {
		t.Errorf("progress calls %v", calls)
	}
	got, _, err := s.LoadDraft(app.ID)
	if err != nil || got.Subject.Owner.Mobile != app.Subject.Owner.Mobile {
		t.Fatalf("migrated draft: %v", err)
	}
	if list, _ := s.ListDrafts(); len(list) != 31 {
		t.Errorf("%d drafts after migration, want 31", len(list))
	}
	if v, _ := s.GetRecord("outbox", "sub-1"); string(v) != "queued" {
		t.Errorf("record after migration: %q", v)
	}
	snaps, _ := ListSnapshots(dir)
	if len(snaps) != 1 || !snaps[0].Encrypted {
		t.Errorf("snapshots after migration: %+v", snaps)
	}
	assertNoPersonalNumbers(t, dir)
	assertPrivate(t, dir)
	s.Close()
	assertNoPersonalNumbers(t, dir)

	// The migrated snapshot restores.
	damage(t, dir)
	if err := RestoreSnapshot(Options{Dir: dir}, snaps[0].Name); err != nil {
		t.Fatal(err)
	}
	s = openTemp(t, Options{Dir: dir})
	if list, _ := s.ListDrafts(); len(list) != 31 {
		t.Errorf("%d drafts after restoring the migrated snapshot", len(list))
	}
	for _, n := range []string{encryptingDir, plainDir, encryptingSnapDir, plainSnapDir} {
		if exists(filepath.Join(dir, n)) {
			t.Errorf("%s left behind", n)
		}
	}
}

// assertPrivate checks every file is 0600 and every directory 0700.
func assertPrivate(t *testing.T, dir string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", path, info.Mode().Perm(), want)
		}
		return nil
	})
}

func TestEveryFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	for i := 0; i < 50; i++ {
		app := sampleApp(i)
		app.Subject.Remark = strings.Repeat("x", 60_000) // fills the memtable: tables and value log files
		if _, err := s.NewDraft(app); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PutAttachment(strings.NewReader("a scan"), "scan.jpg", "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if sst, _ := filepath.Glob(filepath.Join(dir, dbDirName, "*.sst")); len(sst) == 0 {
		t.Error("no table written: the test saw only part of Badger's files")
	}
	assertPrivate(t, dir)
}

// A kill during the migration (here: at each progress report, in a child
// process) leaves a store that opens, migrated or not, with everything.
func TestKilledMigrationLeavesTheStoreUsable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	for _, killAt := range []int{0, 1, 2} { // progress reports seen before the kill
		dir := t.TempDir()
		app := exampleApp(t)
		makePlainStore(t, dir, func(s *Store) {
			s.SaveDraft(app)
			for i := 0; i < 1200; i++ {
				s.PutRecord("bulk", strconv.Itoa(i), []byte("v"))
			}
		})
		cmd := helper(t, "migrate", dir)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		seen := 0
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "progress") {
				if seen == killAt {
					cmd.Process.Kill()
					break
				}
				seen++
			}
		}
		cmd.Wait()
		s, err := Open(Options{Dir: dir})
		if err != nil {
			t.Fatalf("kill at report %d: open: %v", killAt, err)
		}
		got, _, err := s.LoadDraft(app.ID)
		recs, _ := s.ListRecords("bulk")
		if err != nil || got.Subject.Owner.IDNumber != app.Subject.Owner.IDNumber || len(recs) != 1200 {
			t.Errorf("kill at report %d: draft %v, %d records", killAt, err, len(recs))
		}
		s.Close()
		assertNoPersonalNumbers(t, dir)
	}
}

func TestDataKeyInCredentialStore(t *testing.T) {
	oskeyring.MockInit()
	defer oskeyring.MockInitWithError(errors.New("no credential store in tests"))
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	if _, err := s.SaveDraft(exampleApp(t)); err != nil {
		t.Fatal(err)
	}
	if s.KeyLocation() != KeyInCredentialStore || !strings.Contains(s.KeyLocationText("zh"), "系统凭据管理器") {
		t.Errorf("key location %q", s.KeyLocation())
	}
	if path, _ := keyFilePath(s.opts, dir); exists(path) {
		t.Error("a key file was written although the credential store took the key")
	}
	s.Close()
	assertNoPersonalNumbers(t, dir)
	if _, err := oskeyring.Get(keyringService, dir); err != nil {
		t.Fatalf("key not in the credential store: %v", err)
	}
	s = openTemp(t, Options{Dir: dir})
	if list, _ := s.ListDrafts(); len(list) != 1 {
		t.Errorf("%d drafts after reopen", len(list))
	}
	s.Close()

	// Without its key the store does not open, and says why.
	oskeyring.Delete(keyringService, dir)
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrKeyMissing) {
		t.Errorf("open without the key: %v", err)
	}
	if UnfinishedOpens(dir) != 0 {
		t.Error("a missing key was counted as a crashed open")
	}
}

func TestDeleteAllDataRemovesTheDataKey(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	path, _ := keyFilePath(s.opts, dir)
	s.Close()
	if !exists(path) {
		t.Fatal("no key file")
	}
	if err := DeleteAllData(dir); err != nil {
		t.Fatal(err)
	}
	if exists(path) {
		t.Error("the key file outlived DeleteAllData")
	}
}
