package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const example = "testdata/example-application.json"

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// writeEdited writes the example with some text replaced, to a temp file.
func writeEdited(t *testing.T, old, new string) string {
	t.Helper()
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("example has no %q", old)
	}
	p := filepath.Join(t.TempDir(), "app.json")
	if err := os.WriteFile(p, bytes.Replace(data, []byte(old), []byte(new), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidateCommand(t *testing.T) {
	cases := []struct {
		name       string
		args       func(t *testing.T) []string
		code       int
		stdout     []string
		stderr     []string
		stdoutNone []string
	}{
		{"complete example passes", func(t *testing.T) []string { return []string{"validate", example, "--as-of", "2026-11-26"} },
			0, []string{"[提示]", "阻断 0"}, nil, []string{"[阻断]", "example-password"}},
		{"flags before the file, in English", func(t *testing.T) []string {
			return []string{"validate", "--lang", "en", "--as-of", "2026-11-26", example}
		}, 0, []string{"0 blocking"}, nil, nil},
		{"a blocking finding exits 1", func(t *testing.T) []string {
			return []string{"validate", writeEdited(t, `"name": "示例科技官方网站"`, `"name": "示例"`), "--as-of", "2026-11-26"}
		}, 1, []string{"[阻断]", "websites[0].name", "至少需要 3 个汉字", "name.min_han", "ALI19"}, nil, nil},
		{"dated rule: two domains are fine before 2019-04-22 only as a format error", func(t *testing.T) []string {
			return []string{"validate", writeEdited(t, `"domain": "example.com"`, `"domain": "example.com,example.net"`), "--as-of", "2026-11-26", "--lang", "en"}
		}, 1, []string{"Since 2019-04-22"}, nil, nil},
		{"broken JSON names the position", func(t *testing.T) []string {
			return []string{"validate", writeEdited(t, `"kind": "new_access",`, `"kind": "new_access"`)}
		}, 2, nil, []string{"第 5 行第 3 列"}, nil},
		{"unknown field is named", func(t *testing.T) []string {
			return []string{"validate", writeEdited(t, `"province": "33"`, `"provnce": "33"`), "--lang", "en"}
		}, 2, nil, []string{"unknown field \"provnce\"", "line 5"}, nil},
		{"missing file", func(t *testing.T) []string { return []string{"validate", "no-such-file.json"} }, 2, nil, []string{"无法读取文件"}, nil},
		{"bad date", func(t *testing.T) []string { return []string{"validate", example, "--as-of", "2026-13-01"} }, 2, nil, []string{"--as-of"}, nil},
		{"bad language", func(t *testing.T) []string { return []string{"validate", example, "--lang", "fr"} }, 2, nil, []string{"--lang"}, nil},
		{"no file", func(t *testing.T) []string { return []string{"validate"} }, 2, nil, []string{"usage"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(tc.args(t)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:%s\nstderr:%s", code, tc.code, out, errs)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errs)
				}
			}
			for _, s := range tc.stdoutNone {
				if strings.Contains(out, s) {
					t.Errorf("stdout contains %q", s)
				}
			}
		})
	}
}

func TestValidateJSON(t *testing.T) {
	code, out, _ := runCLI("validate", writeEdited(t, `"mobile": "13900139000"`, `"mobile": "1390013900"`), "--json", "--as-of", "2026-11-26")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		AsOf     string `json:"as_of"`
		Blocking int    `json:"blocking"`
		Findings []struct {
			Rule, Severity, Field, ZH, EN, Source string
			Step                                  int
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.AsOf != "2026-11-26" || got.Blocking != 1 {
		t.Errorf("as_of %s blocking %d", got.AsOf, got.Blocking)
	}
	found := false
	for _, f := range got.Findings {
		if f.Rule == "format.mobile" && f.Severity == "block" && f.Field == "websites[0].owner.mobile" && f.Step == 4 && f.ZH != "" && f.EN != "" && f.Source != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("format.mobile finding missing:\n%s", out)
	}
	if strings.Contains(out, "1390013900") {
		t.Error("the JSON output repeats the phone number")
	}
}

func TestRulesCommand(t *testing.T) {
	pack := "filing/rules/pack.json"
	if code, out, errs := runCLI("rules", "check", pack); code != 0 || !strings.Contains(out, "revision 2") {
		t.Errorf("built-in pack: exit %d %s %s", code, out, errs)
	}
	data, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(t.TempDir(), "pack.json")
	newer := bytes.Replace(data, []byte(`"revision": 2,`), []byte(`"revision": 3,`), 1)
	if err := os.WriteFile(edited, newer, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI("rules", "check", edited, "--lang", "en"); code != 1 || !strings.Contains(errs, "checksum") {
		t.Errorf("edited pack not refused: %d %s", code, errs)
	}
	if code, out, errs := runCLI("rules", "seal", edited); code != 0 {
		t.Fatalf("seal: %d %s %s", code, out, errs)
	}
	// Sealed but not signed: whole, but nobody vouches for it (cmd_rules_test.go signs).
	if code, out, errs := runCLI("rules", "check", edited, "--lang", "en"); code != 1 || !strings.Contains(errs, "not signed") {
		t.Errorf("sealed, unsigned newer pack: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI("validate", example, "--rules", edited, "--as-of", "2026-11-26"); code != 0 {
		t.Errorf("validate with a newer pack: %d %s", code, out)
	}
	older := bytes.Replace(data, []byte(`"revision": 2,`), []byte(`"revision": 1,`), 1)
	if err := os.WriteFile(edited, older, 0o600); err != nil {
		t.Fatal(err)
	}
	runCLI("rules", "seal", edited)
	if code, _, errs := runCLI("validate", example, "--rules", edited); code != 2 || !strings.Contains(errs, "规则包") {
		t.Errorf("an older or invalid pack was used: %d %s", code, errs)
	}
}

func TestVersionFlag(t *testing.T) {
	if code, out, _ := runCLI("--version"); code != 0 || !strings.HasPrefix(out, "icpfiling ") {
		t.Errorf("--version: %d %q", code, out)
	}
	if code, _, errs := runCLI("frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: %d %q", code, errs)
	}
}
