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

func runDrafts(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"drafts"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// draftsFixture stores the example application, with both passwords and
// a scan, in a fresh data directory protected by a passphrase file.
func draftsFixture(t *testing.T) (dir, passFile, id string) {
	t.Helper()
	dir = t.TempDir()
	passFile = filepath.Join(t.TempDir(), "pass")
	os.WriteFile(passFile, []byte("store passphrase\n"), 0o600)
	data, err := os.ReadFile("testdata/example-application.json")
	if err != nil {
		t.Fatal(err)
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.Options{Dir: dir, Passphrase: filing.NewSecret("store passphrase")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.PutAttachment(strings.NewReader("\xff\xd8\xff\xe0 licence scan"), "营业执照.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	app.Documents = []filing.Document{{Slot: "subject_certificate", Attachment: &a}}
	app.Photo = filing.Photo{}
	app.Product.ConsolePassword = filing.NewSecret("console-secret-pw")
	info, err := st.SaveDraft(app)
	if err != nil {
		t.Fatal(err)
	}
	return dir, passFile, info.ID
}

func TestDraftsShowMasksIdentityAndSecrets(t *testing.T) {
	dir, passFile, id := draftsFixture(t)
	for _, args := range [][]string{
		{"show", id, "--data-dir", dir, "--passphrase-file", passFile},
		{"show", id, "--data-dir", dir, "--passphrase-file", passFile, "--json"},
		{"show", id, "--data-dir", dir, "--passphrase-file", passFile, "--lang", "en"},
		{"list", "--data-dir", dir, "--passphrase-file", passFile, "--json"},
	} {
		code, out, errOut := runDrafts(t, args...)
		if code != exitClean {
			t.Fatalf("%v: exit %d, %s", args, code, errOut)
		}
		for _, secret := range []string{"330106198503152417", "330106199007125238", "13800138000", "13900139000", "13700137000",
			"91330106MA27U8L9X1", "example-password", "console-secret-pw"} {
			if strings.Contains(out, secret) {
				t.Errorf("%v printed %q:\n%s", args, secret, out)
			}
		}
		if args[0] == "show" && (!strings.Contains(out, "2417") || !strings.Contains(out, "L9X1")) {
			t.Errorf("%v: the last 4 characters are missing:\n%s", args, out)
		}
	}
	// The passphrase seals the store's data key: without it nothing opens.
	for _, args := range [][]string{{"show", id}, {"list"}} {
		code, out, errOut := runDrafts(t, append(args, "--data-dir", dir, "--lang", "en")...)
		if code != exitUnreadable || out != "" || !strings.Contains(errOut, "--passphrase-file") {
			t.Errorf("%v without the passphrase: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	_, out, _ := runDrafts(t, "show", id, "--data-dir", dir, "--passphrase-file", passFile)
	if !strings.Contains(out, "**************2417") || !strings.Contains(out, "已加密保存") || !strings.Contains(out, "完好") {
		t.Errorf("show output:\n%s", out)
	}
}

func TestDraftsExportImportDeleteUndo(t *testing.T) {
	dir, passFile, id := draftsFixture(t)
	bundlePass := filepath.Join(t.TempDir(), "bundle-pass")
	os.WriteFile(bundlePass, []byte("for the agency"), 0o600)
	out := filepath.Join(t.TempDir(), "clients.icpf")
	code, stdout, stderr := runDrafts(t, "export", "--data-dir", dir, "--out", out, "--with-secrets",
		"--passphrase-file", passFile, "--bundle-passphrase-file", bundlePass)
	if code != exitClean || !strings.Contains(stdout, "已导出 1 份申请、1 个扫描件、2 个密码") {
		t.Fatalf("export: %d %s %s", code, stdout, stderr)
	}

	other := t.TempDir()
	code, stdout, stderr = runDrafts(t, "import", out, "--data-dir", other, "--passphrase-file", passFile,
		"--bundle-passphrase-file", bundlePass, "--lang", "en")
	if code != exitClean || !strings.Contains(stdout, "imported 1 filings, 1 scans") {
		t.Fatalf("import: %d %s %s", code, stdout, stderr)
	}
	code, stdout, _ = runDrafts(t, "list", "--data-dir", other, "--passphrase-file", passFile, "--json")
	var list []store.DraftInfo
	if code != exitClean || json.Unmarshal([]byte(stdout), &list) != nil || len(list) != 1 || list[0].ID != id ||
		len(list[0].StoredSecrets) != 2 {
		t.Fatalf("list after import: %s", stdout)
	}

	if code, _, stderr = runDrafts(t, "delete", id, "--data-dir", other, "--passphrase-file", passFile); code != exitClean {
		t.Fatalf("delete: %s", stderr)
	}
	if _, stdout, _ = runDrafts(t, "list", "--data-dir", other, "--passphrase-file", passFile); !strings.Contains(stdout, "共 0 份草稿") {
		t.Errorf("list after delete: %s", stdout)
	}
	if _, stdout, _ = runDrafts(t, "list", "--deleted", "--data-dir", other, "--passphrase-file", passFile); !strings.Contains(stdout, id) {
		t.Errorf("deleted list: %s", stdout)
	}
	if code, _, stderr = runDrafts(t, "delete", "--undo", id, "--data-dir", other, "--passphrase-file", passFile); code != exitClean {
		t.Fatalf("undo: %s", stderr)
	}
	if _, stdout, _ = runDrafts(t, "list", "--search", "示例科技", "--data-dir", other, "--passphrase-file", passFile); !strings.Contains(stdout, id) {
		t.Errorf("search after undo: %s", stdout)
	}
	if code, _, _ = runDrafts(t, "delete", "no-such-draft", "--data-dir", other, "--passphrase-file", passFile); code != exitBlocked {
		t.Errorf("delete of a missing draft: exit %d", code)
	}
}

func TestDraftsImportOfABadBundleChangesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.icpf")
	os.WriteFile(bad, []byte("PK\x03\x04 not a zip"), 0o600)
	code, _, stderr := runDrafts(t, "import", bad, "--data-dir", dir)
	if code != exitUnreadable || !strings.Contains(stderr, "没有导入任何内容") || !strings.Contains(stderr, "不是有效的导出包") {
		t.Errorf("exit %d, %s", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused bundle created %d entries in the data directory", len(entries))
	}
}

func TestDraftsDeleteAllData(t *testing.T) {
	dir, _, _ := draftsFixture(t)
	if code, _, stderr := runDrafts(t, "delete", "--all-data", "--data-dir", dir); code != exitUnreadable || !strings.Contains(stderr, "--yes") {
		t.Errorf("without --yes: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal("data deleted without confirmation")
	}
	if code, _, stderr := runDrafts(t, "delete", "--all-data", "--yes", "--data-dir", dir); code != exitClean {
		t.Fatalf("exit %d %s", code, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("data directory still there: %v", err)
	}
}

func TestDraftsUsage(t *testing.T) {
	cases := [][]string{{}, {"frobnicate"}, {"show"}, {"export", "--data-dir", "x"}, {"list", "--lang", "fr"}}
	for _, args := range cases {
		if code, _, _ := runDrafts(t, args...); code != exitUnreadable {
			t.Errorf("%v: exit %d, want %d", args, code, exitUnreadable)
		}
	}
}
