package main

import (
	"encoding/json"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

// compose: exit 0 when the composite fits and every part is legible, 1
// with the reasons when a part is too small or the parts cannot fit, 2
// for a part that cannot be read or a wrong option; the JPEG written is
// under the slot's limit.
func TestComposeCommand(t *testing.T) {
	dir := t.TempDir()
	card := writeJPEG(t, dir, "id.jpg", testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.Flatbed, DPI: 300, Seed: 1})
	letter := writeJPEG(t, dir, "letter.jpg", testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 1240, Seed: 2})
	small := writeJPEG(t, dir, "small.jpg", testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.Scanner, W: 500, Seed: 3})
	out := filepath.Join(dir, "out.jpg")

	code, stdout, stderr := runCLI("compose", "--out", out, "--slot", "website_owner_id", "--lang", "en", card, letter)
	if code != 0 || !strings.Contains(stdout, "part 2 letter.jpg") || !strings.Contains(stdout, "every part stays legible") {
		t.Fatalf("a card and a letter: exit %d\n%s%s", code, stdout, stderr)
	}
	assertJPEGUnder(t, out, 4<<20)

	code, stdout, _ = runCLI("compose", "--out", out, "--json", "--grid", card, small)
	var res struct {
		Out      string
		Bytes    int
		Problems []struct{ ID, ZH, EN string }
		Parts    []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 1 || len(res.Parts) != 2 {
		t.Fatalf("a part too small: exit %d, %v\n%s", code, err, stdout)
	}
	if len(res.Problems) == 0 || res.Problems[0].ID != "compose.resolution" || !strings.Contains(res.Problems[0].ZH, "第 2 部分（small.jpg）") {
		t.Errorf("problems %+v: want the small part named", res.Problems)
	}

	code, stdout, _ = runCLI("compose", "--out", out, "--limit", "100000", card, letter)
	if code != 1 || !strings.Contains(stdout, "不宜直接上传") {
		t.Errorf("a 100 KB limit: exit %d\n%s", code, stdout)
	}
	assertJPEGUnder(t, out, 100000)

	pdf := filepath.Join(dir, "scan.jpg")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"a PDF part", []string{"--out", out, card, pdf}},
		{"one part", []string{"--out", out, card}},
		{"no --out", []string{card, letter}},
		{"--out is an input", []string{"--out", card, card, letter}},
		{"an unknown slot", []string{"--out", out, "--slot", "passport", card, letter}},
		{"a missing file", []string{"--out", out, card, filepath.Join(dir, "missing.jpg")}},
	} {
		if code, _, errs := runCLI(append([]string{"compose"}, c.args...)...); code != 2 || errs == "" {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, errs)
		}
	}
}

func assertJPEGUnder(t *testing.T, path string, limit int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if st.Size() >= limit {
		t.Errorf("%s is %d bytes, limit %d", path, st.Size(), limit)
	}
	if _, err := jpeg.DecodeConfig(f); err != nil {
		t.Errorf("%s: %v", path, err)
	}
}
