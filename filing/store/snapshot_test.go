package store

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
)

// damage overwrites the database's MANIFEST, the way a torn write or a
// bad sector would, so that Open fails.
func damage(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, dbDirName, "MANIFEST"), []byte("not a manifest at all, just garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRestoreDamagedStoreFromSnapshot(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	var ids []string
	for i := 0; i < 5; i++ {
		info, _ := s.NewDraft(sampleApp(i))
		ids = append(ids, info.ID)
	}
	s.PutRecord("outbox", "sub-1", []byte("queued"))
	if err := s.Close(); err != nil { // Close snapshots what changed
		t.Fatal(err)
	}
	snaps, err := ListSnapshots(dir)
	if err != nil || len(snaps) != 1 || !snaps[0].Encrypted {
		t.Fatalf("snapshots after close: %+v, %v", snaps, err)
	}

	damage(t, dir)
	_, err = Open(Options{Dir: dir})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("open of a damaged store: %v", err)
	}
	var se *Error
	errors.As(err, &se)
	if !strings.Contains(se.Message("zh"), "快照") || !strings.Contains(se.Message("en"), "snapshot") {
		t.Errorf("message does not offer snapshots: %q / %q", se.Message("zh"), se.Message("en"))
	}
	// The reason is carried for the details line and written to the log.
	if se.Detail() == "" {
		t.Error("ErrDamaged without a reason")
	}
	if log, _ := os.ReadFile(filepath.Join(LogDir(dir), logFileName)); !strings.Contains(string(log), "store will not open: ") {
		t.Errorf("reason not in the log:\n%s", log)
	}
	if UnfinishedOpens(dir) != 1 || NeedsRecovery(dir) {
		t.Errorf("after one failed open: UnfinishedOpens %d, NeedsRecovery %v", UnfinishedOpens(dir), NeedsRecovery(dir))
	}

	if err := RestoreSnapshot(Options{Dir: dir}, snaps[0].Name); err != nil {
		t.Fatal(err)
	}
	if UnfinishedOpens(dir) != 0 {
		t.Error("unfinished opens still counted after restore")
	}
	s = openTemp(t, Options{Dir: dir})
	list, _ := s.ListDrafts()
	if len(list) != 5 {
		t.Fatalf("%d drafts after restore, want 5", len(list))
	}
	for i, id := range ids {
		app, _, err := s.LoadDraft(id)
		if err != nil || app.Subject.Name != sampleApp(i).Subject.Name {
			t.Errorf("draft %d after restore: %v", i, err)
		}
	}
	if v, _ := s.GetRecord("outbox", "sub-1"); string(v) != "queued" {
		t.Errorf("record after restore: %q", v)
	}
	// The damaged database was moved aside, not deleted.
	matches, _ := filepath.Glob(filepath.Join(dir, damagedPrefix+"*"))
	if len(matches) != 1 {
		t.Errorf("moved-aside stores: %v", matches)
	}
}

func TestTamperedSnapshotIsRefusedAndChangesNothing(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	s.NewDraft(sampleApp(1))
	s.Close()
	snaps, _ := ListSnapshots(dir)
	path := filepath.Join(dir, snapshotDirName, snaps[0].Name)
	data, _ := os.ReadFile(path)
	data[len(snapMagic)+20] ^= 0xff
	os.WriteFile(path, data, 0o600)

	if err := RestoreSnapshot(Options{Dir: dir}, snaps[0].Name); !errors.Is(err, ErrDamaged) {
		t.Fatalf("restore of a tampered snapshot: %v", err)
	}
	s = openTemp(t, Options{Dir: dir})
	if list, _ := s.ListDrafts(); len(list) != 1 {
		t.Errorf("store changed by a refused restore: %d drafts", len(list))
	}
	for _, name := range []string{"../meta.json", "snap-x/../../y", "other.icps"} {
		if err := RestoreSnapshot(Options{Dir: dir}, name); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrAlreadyOpen) {
			t.Errorf("RestoreSnapshot(%q) = %v", name, err)
		}
	}
	if err := RestoreSnapshot(Options{Dir: dir}, snaps[0].Name); !errors.Is(err, ErrAlreadyOpen) {
		t.Errorf("restore while open: %v", err)
	}
}

func TestSnapshotsRollAndRestoreTheChosenOne(t *testing.T) {
	clock := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir, SnapshotKeep: 3, Now: func() time.Time { return clock }})
	var names []string
	for i := 0; i < 5; i++ {
		clock = clock.Add(time.Minute)
		s.NewDraft(sampleApp(i))
		info, err := s.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, info.Name)
	}
	s.Close() // nothing changed since the last snapshot: no new one
	snaps, _ := ListSnapshots(dir)
	if len(snaps) != 3 || snaps[0].Name != names[4] || snaps[2].Name != names[2] {
		t.Fatalf("kept %+v, want the newest 3 of %v", snaps, names)
	}
	// Going back to the oldest kept snapshot gives the drafts of that moment.
	if err := RestoreSnapshot(Options{Dir: dir}, names[2]); err != nil {
		t.Fatal(err)
	}
	s = openTemp(t, Options{Dir: dir})
	if list, _ := s.ListDrafts(); len(list) != 3 {
		t.Errorf("%d drafts after restoring snapshot 3, want 3", len(list))
	}
}

func TestEncryptedStore(t *testing.T) {
	dir := t.TempDir()
	pass := filing.NewSecret("store passphrase")
	s := openTemp(t, Options{Dir: dir, Passphrase: pass, EncryptStore: true})
	const marker = "UNIQUE-MARKER-深圳原型"
	for i := 0; i < 50; i++ {
		app := sampleApp(i)
		app.Subject.Remark = marker
		if _, err := s.NewDraft(app); err != nil {
			t.Fatal(err)
		}
	}
	if grepDir(t, dir, marker) {
		t.Error("marker in plain text while open")
	}
	s.Close()
	if grepDir(t, dir, marker) || grepDir(t, dir, "330106198503152417") {
		t.Error("plain text on disk after close (database or snapshot)")
	}
	snaps, _ := ListSnapshots(dir)
	if len(snaps) != 1 || !snaps[0].Encrypted {
		t.Errorf("snapshots = %+v", snaps)
	}
	cases := []struct {
		name string
		pass string
		want error
	}{
		{"no passphrase", "", ErrPassphraseRequired},
		{"wrong passphrase", "nope", ErrWrongPassphrase},
	}
	for _, c := range cases {
		if _, err := Open(Options{Dir: dir, Passphrase: filing.NewSecret(c.pass)}); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Restoring an encrypted snapshot needs the passphrase, and works with it.
	damage(t, dir)
	if err := RestoreSnapshot(Options{Dir: dir}, snaps[0].Name); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("restore without passphrase: %v", err)
	}
	if err := RestoreSnapshot(Options{Dir: dir, Passphrase: pass}, snaps[0].Name); err != nil {
		t.Fatal(err)
	}
	s = openTemp(t, Options{Dir: dir, Passphrase: pass})
	if list, _ := s.ListDrafts(); len(list) != 50 {
		t.Errorf("%d drafts after restoring the encrypted snapshot", len(list))
	}
	if grepDir(t, dir, marker) {
		t.Error("plain text on disk after restore")
	}
}

// TestEncryptedStoreReopensFlushedTables has a table flushed (Close
// flushes the memtable) and opened again: with encryption and
// IndexCacheSize 0, Badger panics there in its own goroutine.
func TestEncryptedStoreReopensFlushedTables(t *testing.T) {
	dir := t.TempDir()
	pass := filing.NewSecret("pw")
	s := openTemp(t, Options{Dir: dir, Passphrase: pass, EncryptStore: true, SnapshotInterval: -1})
	value := []byte(strings.Repeat("加密", 10_000)) // 60 KB: stays in the LSM tree, below ValueThreshold
	const n = 20
	for i := 0; i < n; i++ {
		if err := s.PutRecord("bulk", strconv.Itoa(i), value); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = openTemp(t, Options{Dir: dir, Passphrase: pass})
	all, err := s.ListRecords("bulk")
	if err != nil || len(all) != n {
		t.Fatalf("%d of %d records after reopen: %v", len(all), n, err)
	}
	sst, _ := filepath.Glob(filepath.Join(dir, dbDirName, "*.sst"))
	if len(sst) == 0 {
		t.Error("no table was flushed; the test did not reach a flush")
	}
}

func TestEncryptStoreNeedsAPassphrase(t *testing.T) {
	_, err := Open(Options{Dir: t.TempDir(), EncryptStore: true})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("EncryptStore without passphrase: %v", err)
	}
}

func TestDeleteAllData(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "data")
	s := openTemp(t, Options{Dir: dir, Passphrase: filing.NewSecret("pw")})
	s.NewDraft(sampleApp(1))
	s.PutAttachment(strings.NewReader("a scan"), "scan.jpg", "image/jpeg")
	os.WriteFile(filepath.Join(LogDir(dir), "gui.log"), []byte("a log line"), 0o600)
	// A window that crashed leaves its single-instance address behind.
	os.WriteFile(filepath.Join(dir, "instance.addr"), []byte("127.0.0.1:1"), 0o600)
	if err := DeleteAllData(dir); !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("DeleteAllData while open: %v", err)
	}
	s.Close()
	// A file the app did not make is left alone, and so is the directory holding it.
	os.WriteFile(filepath.Join(parent, "unrelated.txt"), []byte("keep"), 0o600)
	if err := DeleteAllData(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("data directory still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(parent, "unrelated.txt")); err != nil {
		t.Errorf("unrelated file removed: %v", err)
	}
	// Deleting again, or a directory that never existed, is fine.
	if err := DeleteAllData(dir); err != nil {
		t.Errorf("second DeleteAllData: %v", err)
	}
}

func TestDeleteAllDataKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	s.NewDraft(sampleApp(1))
	s.Close()
	os.WriteFile(filepath.Join(dir, "notes-of-the-user.txt"), []byte("mine"), 0o600)
	if err := DeleteAllData(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "notes-of-the-user.txt" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left %v, want only the user's file", names)
	}
}

// Cached values (derived data such as kept check reports) live beside the
// records but are left out of snapshots, and writing only them is not a
// change that calls for a snapshot.
func TestCachedValuesAreLeftOutOfSnapshots(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	if err := s.PutRecord("outbox", "sub-1", []byte("queued")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"b/2", "a/1"} {
		if err := s.PutCached("scan-reports", k, []byte("report "+k)); err != nil {
			t.Fatal(err)
		}
	}
	if s.dirty {
		t.Error("writing the cache marked the store as changed")
	}
	if got, err := s.GetCached("scan-reports", "a/1"); err != nil || string(got) != "report a/1" {
		t.Errorf("GetCached = %q, %v", got, err)
	}
	if _, err := s.GetRecord("scan-reports", "a/1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a cached value shows as a record: %v", err)
	}
	if keys, err := s.CachedKeys("scan-reports"); err != nil || strings.Join(keys, ",") != "a/1,b/2" {
		t.Errorf("CachedKeys = %q, %v", keys, err)
	}
	if err := s.DeleteCached("scan-reports", "b/2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetCached("scan-reports", "b/2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after DeleteCached: %v", err)
	}
	if err := s.PutRecord("outbox", "sub-2", []byte("queued")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // snapshots: sub-2 changed the store
		t.Fatal(err)
	}
	snaps, err := ListSnapshots(dir)
	if err != nil || len(snaps) != 2 {
		t.Fatalf("snapshots: %+v, %v", snaps, err)
	}
	if err := RestoreSnapshot(Options{Dir: dir}, snaps[0].Name); err != nil { // newest first
		t.Fatal(err)
	}
	s = openTemp(t, Options{Dir: dir})
	if got, err := s.GetRecord("outbox", "sub-2"); err != nil || string(got) != "queued" {
		t.Fatalf("the restored snapshot lacks a record: %q, %v", got, err)
	}
	if keys, _ := s.CachedKeys("scan-reports"); len(keys) != 0 {
		t.Errorf("the snapshot carried cached values: %q", keys)
	}
}
