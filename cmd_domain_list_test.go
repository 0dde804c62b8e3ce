package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runDomainList(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"domain-list"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// applicationIn writes the example application moved to a province.
func applicationIn(t *testing.T, province string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/example-application.json")
	if err != nil {
		t.Fatal(err)
	}
	var app map[string]any
	if err := json.Unmarshal(data, &app); err != nil {
		t.Fatal(err)
	}
	app["province"] = province
	data, _ = json.Marshal(app)
	path := filepath.Join(t.TempDir(), "app.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDomainListCommand(t *testing.T) {
	dir, passFile, id := draftsFixture(t)
	out := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		file   string // written, when code is 0
		stdout string
		stderr []string
	}{
		{"draft to PDF", []string{"--draft", id, "--data-dir", dir, "--passphrase-file", passFile, "--out", filepath.Join(out, "d.pdf"), "--as-of", "2026-11-26"},
			exitClean, "d.pdf", "domain_list.separate-page", nil},
		{"file to PNG", []string{applicationIn(t, "33"), "--out", filepath.Join(out, "f.png"), "--lang", "en"},
			exitClean, "f.png", "stitch the scan into one image", nil},
		{"Beijing: registrar column left to fill in", []string{applicationIn(t, "11"), "--out", filepath.Join(out, "b.pdf")},
			exitClean, "b.pdf", "注册商", nil},
		{"Sichuan wants the domains on the form", []string{applicationIn(t, "51"), "--out", filepath.Join(out, "s.pdf")},
			exitBlocked, "", "", []string{"不另附域名清单", "no separate domain list", "domain_list.on-form"}},
		{"Hunan wants them in the domain field", []string{applicationIn(t, "43"), "--out", filepath.Join(out, "h.pdf")},
			exitBlocked, "", "", []string{"域名栏", "domain field"}},
		{"neither draft nor file", []string{"--out", filepath.Join(out, "x.pdf")}, exitUnreadable, "", "", []string{"usage:"}},
		{"both draft and file", []string{applicationIn(t, "33"), "--draft", id, "--out", filepath.Join(out, "x.pdf")}, exitUnreadable, "", "", []string{"usage:"}},
		{"no --out", []string{applicationIn(t, "33")}, exitUnreadable, "", "", []string{"usage:"}},
		{"unknown draft", []string{"--draft", "nope", "--data-dir", dir, "--passphrase-file", passFile, "--out", filepath.Join(out, "x.pdf")}, exitUnreadable, "", "", nil},
		{"not a PDF or PNG", []string{applicationIn(t, "33"), "--out", filepath.Join(out, "x.jpg")}, exitUnreadable, "", "", []string{".pdf"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runDomainList(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout %q lacks %q", stdout, tc.stdout)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q lacks %q", stderr, s)
				}
			}
			if tc.file == "" {
				return
			}
			data, err := os.ReadFile(filepath.Join(out, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(tc.file, ".pdf") {
				if !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data, []byte("/FontFile2")) {
					t.Errorf("%s is not a PDF with an embedded font", tc.file)
				}
				return
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(data))
			if err != nil || cfg.Width != 2480 || cfg.Height != 3508 {
				t.Errorf("%s: %dx%d (%v), want 2480x3508", tc.file, cfg.Width, cfg.Height, err)
			}
		})
	}
	if leftovers, _ := filepath.Glob(filepath.Join(out, "x.*")); len(leftovers) != 0 {
		t.Errorf("failed runs left files behind: %q", leftovers)
	}
}
