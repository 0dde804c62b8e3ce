//go:build windows || darwin

package store

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	oskeyring "github.com/zalando/go-keyring"

	"github.com/icpfiling/icpfiling/internal/testconfig"
)

// TestOSCredentialStoreKeepsTheDataKey: on Windows (Credential Manager)
// and macOS (Keychain) the data key goes to the OS credential store, not
// to a key file, and DeleteAllData removes it there. Every other test
// runs with the credential store replaced (testconfig.Isolate), so this
// one runs itself again in a process that has the real one; it stores
// under a temporary directory's path and removes what it stored.
func TestOSCredentialStoreKeepsTheDataKey(t *testing.T) {
	if os.Getenv(testconfig.RealCredentialStoreEnv) != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v")
		cmd.Env = append(os.Environ(), testconfig.RealCredentialStoreEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
			t.Fatalf("with the real credential store: %v\n%s", err, out)
		}
		return
	}
	dir := osTempDir(t)
	t.Cleanup(func() { _ = oskeyring.Delete(keyringService, dir) })
	s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveDraft(sampleApp(3)); err != nil {
		t.Error(err)
	}
	if s.KeyLocation() != KeyInCredentialStore {
		t.Errorf("data key kept in %q, want the credential store", s.KeyLocation())
	}
	s.Close()
	if _, err := oskeyring.Get(keyringService, dir); err != nil {
		t.Fatalf("data key not in the credential store: %v", err)
	}
	if path, _ := keyFilePath(Options{}, dir); exists(path) {
		t.Error("a key file was written although the credential store took the key")
	}
	if s, err = Open(Options{Dir: dir, SnapshotInterval: -1}); err != nil {
		t.Fatalf("reopen with the key from the credential store: %v", err)
	}
	s.Close()
	if err := DeleteAllData(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := oskeyring.Get(keyringService, dir); !errors.Is(err, oskeyring.ErrNotFound) {
		t.Errorf("after DeleteAllData the credential store still answers: %v", err)
	}
}
