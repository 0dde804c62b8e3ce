package store

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	oskeyring "github.com/zalando/go-keyring"

	"github.com/icpfiling/icpfiling/filing"
)

// rawDataKeyRecord is what the place the data key is kept holds for dir.
func rawDataKeyRecord(t *testing.T, s *Store) []byte {
	t.Helper()
	if s.keyPlace == KeyInCredentialStore {
		v, err := oskeyring.Get(keyringService, s.dir)
		if err != nil {
			t.Fatal(err)
		}
		return []byte(v)
	}
	path, err := keyFilePath(s.opts, s.dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// holdsKey says whether raw carries key in plain, as bytes or in the
// base64 that JSON gives []byte.
func holdsKey(raw, key []byte) bool {
	return bytes.Contains(raw, key) || bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString(key)))
}

func TestPassphraseWrapsDataKey(t *testing.T) {
	tests := []struct {
		name    string
		keyring bool
		place   KeyPlace
	}{
		{"key file", false, KeyInFile},
		{"credential store", true, KeyInCredentialStore},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.keyring {
				oskeyring.MockInit()
				defer oskeyring.MockInitWithError(errors.New("no credential store in tests"))
			}
			dir := t.TempDir()
			pass := filing.NewSecret("correct horse")
			s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			app := exampleApp(t)
			if _, err := s.SaveDraft(app); err != nil {
				t.Fatal(err)
			}
			key := append([]byte(nil), s.dataKey...)
			if s.KeyLocation() != tc.place || !holdsKey(rawDataKeyRecord(t, s), key) {
				t.Fatalf("before a passphrase: place %q, key in its record: %v", s.KeyLocation(), holdsKey(rawDataKeyRecord(t, s), key))
			}
			if err := s.SetPassphrase(filing.Secret{}, pass); err != nil {
				t.Fatal(err)
			}
			if raw := rawDataKeyRecord(t, s); holdsKey(raw, key) || !bytes.Contains(raw, []byte(`"version":2`)) {
				t.Errorf("the key's record still holds the key in plain: %s", raw)
			}
			if !strings.Contains(s.KeyLocationText("en"), "sealed with the store passphrase") {
				t.Errorf("Settings text: %q", s.KeyLocationText("en"))
			}
			s.Close()

			if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrPassphraseRequired) {
				t.Errorf("open without the passphrase: %v", err)
			}
			if _, err := Open(Options{Dir: dir, Passphrase: filing.NewSecret("wrong")}); !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("open with a wrong passphrase: %v", err)
			}
			if UnfinishedOpens(dir) != 0 {
				t.Error("a refused passphrase was counted as a crashed open")
			}
			s = openTemp(t, Options{Dir: dir, Passphrase: pass})
			got, _, err := s.LoadDraft(app.ID)
			if err != nil || got.Subject.Owner.IDNumber != app.Subject.Owner.IDNumber {
				t.Errorf("draft after reopen: %v", err)
			}
			s.Close()
			assertNoPersonalNumbers(t, dir)
		})
	}
}

func TestNewStoreWithPassphraseNeverKeepsThePlainKey(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir, Passphrase: filing.NewSecret("from the start")})
	if raw := rawDataKeyRecord(t, s); holdsKey(raw, s.dataKey) || !s.keySealed {
		t.Errorf("new store's key record: %s", raw)
	}
}

func TestPassphraseChangeRewrapsAndRemoveUnwraps(t *testing.T) {
	dir := t.TempDir()
	a, b := filing.NewSecret("passphrase A"), filing.NewSecret("passphrase B")
	s := openTemp(t, Options{Dir: dir, Passphrase: a})
	app := sampleApp(1)
	app.FilingPassword = filing.NewSecret("MIIT-pw-123")
	if _, err := s.SaveDraft(app); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSecret("backend_token", filing.NewSecret("tok-789")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassphrase(a, b); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(Options{Dir: dir, Passphrase: a}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("open with the old passphrase: %v", err)
	}
	s = openTemp(t, Options{Dir: dir, Passphrase: b})
	if got, _, err := s.LoadDraft(app.ID); err != nil || got.FilingPassword.Reveal() != "MIIT-pw-123" {
		t.Fatalf("after the change: %v", err)
	}

	if err := s.RemovePassphrase(a); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("remove with a wrong passphrase: %v", err)
	}
	if err := s.RemovePassphrase(b); err != nil {
		t.Fatal(err)
	}
	if s.HasPassphrase() || !s.Locked() || !holdsKey(rawDataKeyRecord(t, s), s.dataKey) {
		t.Errorf("after removal: has=%v locked=%v", s.HasPassphrase(), s.Locked())
	}
	s.Close()
	// Without a passphrase nothing keeps secrets: they went with it.
	s = openTemp(t, Options{Dir: dir})
	got, info, err := s.LoadDraft(app.ID)
	if err != nil || got.FilingPassword.IsSet() || len(info.StoredSecrets) != 0 || got.Subject.Name != app.Subject.Name {
		t.Errorf("draft after removal: %v, stored %v", err, info.StoredSecrets)
	}
	if err := s.SetPassphrase(filing.Secret{}, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSecret("backend_token"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the token outlived the passphrase: %v", err)
	}
	if _, _, err := s.LoadDraft(app.ID); err != nil {
		t.Errorf("draft under a new passphrase: %v", err)
	}
}

// A store whose passphrase was set before keys were sealed (an older
// build, or a setting cut short) opens locked; unlocking seals its key.
func TestUnlockSealsAnUnsealedKey(t *testing.T) {
	dir := t.TempDir()
	pass := filing.NewSecret("older build")
	s := openTemp(t, Options{Dir: dir, Passphrase: pass})
	if _, err := keepDataKey(s.opts, dir, s.keyPlace, encodeDataKey(dir, s.dataKey, nil)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTemp(t, Options{Dir: dir})
	if !s.Locked() || !s.HasPassphrase() {
		t.Fatalf("unsealed store: locked=%v has=%v", s.Locked(), s.HasPassphrase())
	}
	if err := s.Unlock(pass); err != nil {
		t.Fatal(err)
	}
	if holdsKey(rawDataKeyRecord(t, s), s.dataKey) {
		t.Error("Unlock left the key unsealed")
	}
	s.Close()
	if _, err := Open(Options{Dir: dir}); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("open without the passphrase after Unlock: %v", err)
	}
}

// passphraseCycleChild sets, changes and removes the passphrase in a loop,
// printing a line after each step, until it is killed.
func passphraseCycleChild(dir string) int {
	a, b := filing.NewSecret("cycle A"), filing.NewSecret("cycle B")
	var s *Store
	var err error
	var used filing.Secret
	for _, p := range []filing.Secret{{}, a, b} {
		if s, err = Open(Options{Dir: dir, SnapshotInterval: -1, Passphrase: p}); err == nil {
			used = p
			break
		}
	}
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	if s.HasPassphrase() {
		// Cut short earlier: start over from no passphrase.
		err = s.RemovePassphrase(used)
		if errors.Is(err, ErrWrongPassphrase) {
			if err = s.RemovePassphrase(a); errors.Is(err, ErrWrongPassphrase) {
				err = s.RemovePassphrase(b)
			}
		}
		if err != nil {
			fmt.Println("reset:", err)
			return 4
		}
	}
	out := bufio.NewWriter(os.Stdout)
	step := func(name string, err error) {
		if err != nil {
			fmt.Fprintln(out, name+":", err)
			out.Flush()
			os.Exit(4)
		}
		fmt.Fprintln(out, "done", name)
		out.Flush()
	}
	for {
		step("set", s.SetPassphrase(filing.Secret{}, a))
		step("change", s.SetPassphrase(a, b))
		step("remove", s.RemovePassphrase(b))
	}
}

// Killed at any point of setting, changing or removing the passphrase, the
// store opens afterwards with one of the passphrases (or none), with its
// drafts.
func TestPassphraseRewrapSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir, SnapshotInterval: -1})
	app := sampleApp(1)
	if _, err := s.SaveDraft(app); err != nil {
		t.Fatal(err)
	}
	s.Close()
	candidates := []filing.Secret{{}, filing.NewSecret("cycle A"), filing.NewSecret("cycle B")}
	kills := 8
	if testing.Short() {
		kills = 4
	}
	for i := 0; i < kills; i++ {
		cmd := helper(t, "passphrase-cycle", dir)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Killed after a different number of steps each time, so the kill
		// lands in set, change and remove.
		r := bufio.NewScanner(stdout)
		for n := 0; n < 1+i%4 && r.Scan(); n++ {
			if !strings.HasPrefix(r.Text(), "done ") {
				t.Fatalf("child: %s", r.Text())
			}
		}
		cmd.Process.Kill()
		cmd.Wait()

		opened := 0
		var errs []string
		for _, p := range candidates {
			s, err := Open(Options{Dir: dir, SnapshotInterval: -1, Passphrase: p})
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			// Opening with a passphrase on a store without one would set
			// it; only a store that had one counts for the passphrases.
			if got, _, err := s.LoadDraft(app.ID); err != nil || got.Subject.Name != app.Subject.Name {
				t.Errorf("kill %d: draft %v", i, err)
			}
			opened++
			s.Close()
			break
		}
		if opened == 0 {
			t.Fatalf("kill %d: no passphrase opens the store: %v", i, errs)
		}
	}
}
