package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

// newerPack writes the built-in pack at revision rev, with the minimum
// number of Han characters of a site name set to minHan, sealed but not
// signed.
func newerPack(t *testing.T, rev, minHan int) string {
	t.Helper()
	data, err := os.ReadFile("filing/rules/pack.json")
	if err != nil {
		t.Fatal(err)
	}
	var sealed struct {
		Pack map[string]any `json:"pack"`
	}
	if err := json.Unmarshal(data, &sealed); err != nil {
		t.Fatal(err)
	}
	sealed.Pack["revision"] = rev
	for _, c := range sealed.Pack["checks"].([]any) {
		if c := c.(map[string]any); c["id"] == "name.min_han" {
			c["value"] = minHan
		}
	}
	out, _ := json.MarshalIndent(map[string]any{"sha256": "", "pack": sealed.Pack}, "", "  ")
	path := filepath.Join(t.TempDir(), "pack.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// keygen makes a signing key pair and returns the private key file and
// the public key's fingerprint.
func keygen(t *testing.T) (key, fingerprint string) {
	t.Helper()
	key = filepath.Join(t.TempDir(), "agency.key")
	code, out, errs := runCLI("rules", "keygen", "--out", key, "--name", "Example Agency", "--lang", "en")
	if code != 0 {
		t.Fatalf("keygen: %d %s %s", code, out, errs)
	}
	start := strings.Index(out, "(")
	return key, out[start+1 : start+17]
}

func TestRulesKeygenSealTrustUpdate(t *testing.T) {
	key, fp := keygen(t)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(key + ".pub"); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI("rules", "keygen", "--out", key, "--lang", "en"); code != 2 || !strings.Contains(errs, "exists") {
		t.Errorf("keygen over an existing key: %d %s", code, errs)
	}

	pack := newerPack(t, 3, 4)
	if code, out, errs := runCLI("rules", "seal", pack, "--key", key, "--lang", "en"); code != 0 || !strings.Contains(out, fp) {
		t.Fatalf("seal --key: %d %s %s", code, out, errs)
	}
	// Without --data-dir only the built-in publisher keys are trusted.
	if code, _, errs := runCLI("rules", "check", pack, "--lang", "en"); code != 1 || !strings.Contains(errs, "not trusted") {
		t.Errorf("check with an unknown signer: %d %s", code, errs)
	}
	dir := t.TempDir()
	if code, out, errs := runCLI("rules", "update", "--from", pack, "--data-dir", dir, "--lang", "en"); code != 1 || !strings.Contains(errs, "not trusted") || !strings.Contains(errs, "revision 2") {
		t.Errorf("update from an untrusted signer: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCLI("rules", "trust", key+".pub", "--data-dir", dir, "--lang", "en"); code != 0 || !strings.Contains(out, fp) {
		t.Fatalf("trust: %d %s %s", code, out, errs)
	}
	if code, out, errs := runCLI("rules", "check", pack, "--data-dir", dir, "--lang", "en"); code != 0 || !strings.Contains(out, "signed by Example Agency ("+fp+")") {
		t.Errorf("check with a trusted signer: %d %s %s", code, out, errs)
	}
	code, out, errs := runCLI("rules", "update", "--from", pack, "--data-dir", dir, "--lang", "en")
	if code != 0 || !strings.Contains(out, "revision 2 → 3") || !strings.Contains(out, "changed  name.min_han") {
		t.Fatalf("update: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI("rules", "update", "--from", pack, "--data-dir", dir, "--lang", "en"); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("update again: %d %s", code, out)
	}
	// Same revision, other content: refused, named.
	other := newerPack(t, 3, 5)
	runCLI("rules", "seal", other, "--key", key)
	if code, _, errs := runCLI("rules", "update", "--from", other, "--data-dir", dir, "--lang", "en"); code != 1 || !strings.Contains(errs, "same revision") {
		t.Errorf("same revision, other content: %d %s", code, errs)
	}

	// validate uses the data directory's pack; --rules still wins for one run.
	code, out, _ = runCLI("validate", example, "--data-dir", dir, "--json", "--as-of", "2026-11-26")
	if !strings.Contains(out, `"pack_revision": 3`) {
		t.Errorf("validate --data-dir: %d %s", code, out)
	}
	if _, out, _ := runCLI("validate", example, "--json", "--as-of", "2026-11-26"); !strings.Contains(out, `"pack_revision": 2`) {
		t.Errorf("validate without a data directory: %s", out)
	}

	if code, out, _ := runCLI("rules", "trust", "--list", "--data-dir", dir, "--lang", "en"); code != 0 || !strings.Contains(out, fp+"  trusted  Example Agency") || !strings.Contains(out, "built-in publisher") {
		t.Errorf("trust --list: %d %s", code, out)
	}
	if code, out, errs := runCLI("rules", "trust", "--remove", fp, "--data-dir", dir, "--lang", "en"); code != 0 || !strings.Contains(out, "revision 2") {
		t.Errorf("trust --remove: %d %s %s", code, out, errs)
	}
}

func TestRulesUpdateFromTheBackend(t *testing.T) {
	key, _ := keygen(t)
	pack := newerPack(t, 3, 4)
	runCLI("rules", "seal", pack, "--key", key)

	// The backend refuses to serve a pack it cannot verify.
	unsigned := newerPack(t, 4, 4)
	runCLI("rules", "seal", unsigned)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unsigned", []string{"--rules", unsigned}, "not signed"},
		{"signer not given", []string{"--rules", pack}, "not trusted"},
	} {
		var out, errb bytes.Buffer
		args := append([]string{"--data-dir", t.TempDir(), "--lang", "en"}, tc.args...)
		if code := runBackend(t.Context(), args, &out, &errb, nil); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%s: backend exited %d: %s", tc.name, code, errb.String())
		}
	}

	url, tokenFile := startBackendCmd(t, "--rules", pack, "--trust", key+".pub")
	dir := t.TempDir()
	runCLI("rules", "trust", key+".pub", "--data-dir", dir)
	code, out, errs := runCLI("rules", "update", "--backend", url, "--token-file", tokenFile, "--data-dir", dir, "--lang", "en")
	if code != 0 || !strings.Contains(out, "revision 2 → 3") {
		t.Fatalf("update from the backend: %d %s %s", code, out, errs)
	}
	// The second time the backend answers 304 to the kept ETag.
	if code, out, errs := runCLI("rules", "update", "--backend", url, "--token-file", tokenFile, "--data-dir", dir, "--lang", "en"); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("update again: %d %s %s", code, out, errs)
	}
}

// A draft checked under the built-in pack shows in the drafts list what
// the next revision adds to its findings.
func TestDraftsListSaysRulesUpdated(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(store.Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	filing.MarkChecked(app, filing.DefaultPack())
	if _, err := st.NewDraft(app); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, out, _ := runCLI("drafts", "list", "--data-dir", dir, "--lang", "en"); strings.Contains(out, "rules updated") {
		t.Fatalf("rules updated before any update:\n%s", out)
	}

	key, _ := keygen(t)
	pack := newerPack(t, 3, 20) // the example's site name has 8 Han characters
	runCLI("rules", "seal", pack, "--key", key)
	runCLI("rules", "trust", key+".pub", "--data-dir", dir)
	if code, out, errs := runCLI("rules", "update", "--from", pack, "--data-dir", dir); code != 0 {
		t.Fatalf("update: %d %s %s", code, out, errs)
	}
	if _, out, _ := runCLI("drafts", "list", "--data-dir", dir, "--lang", "en"); !strings.Contains(out, "rules updated: 1 new problem\n") {
		t.Errorf("drafts list:\n%s", out)
	}
	if _, out, _ := runCLI("drafts", "list", "--data-dir", dir); !strings.Contains(out, "规则已更新：1 处新问题") {
		t.Errorf("drafts list (zh):\n%s", out)
	}
	_, out, _ := runCLI("drafts", "list", "--data-dir", dir, "--json")
	var rows []struct {
		ID           string `json:"id"`
		RulesUpdated bool   `json:"rules_updated"`
		NewProblems  int    `json:"new_problems"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 || !rows[0].RulesUpdated || rows[0].NewProblems != 1 || rows[0].ID == "" {
		t.Errorf("drafts list --json: %v %s", err, out)
	}
}
