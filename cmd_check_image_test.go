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

func writeJPEG(t *testing.T, dir, name string, spec testgen.DocSpec) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, testgen.Document(spec), &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return p
}

// check-image: exit 0 when nothing fails, 1 when a file fails, 2 for bad
// input; --json is machine-readable and --fix writes a fixed copy.
func TestCheckImageCommand(t *testing.T) {
	dir := t.TempDir()
	good := writeJPEG(t, dir, "id.jpg", testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.PlainDark, W: 2400, H: 1800, Seed: 1})
	grey := writeJPEG(t, dir, "grey.jpg", testgen.DocSpec{Shape: testgen.IDCard, Surface: testgen.PlainDark, W: 2400, H: 1800, Grey: true, Seed: 2})
	pdf := filepath.Join(dir, "scan.jpg")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errs := runCLI("check-image", "--kind", "id_front", "--lang", "en", good)
	if code != 0 {
		t.Errorf("a good ID scan: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI("check-image", "--kind", "id_front", "--json", good, grey)
	if code != 1 {
		t.Errorf("a greyscale copy must fail: exit %d\n%s", code, out)
	}
	if !json.Valid([]byte(out)) || !strings.Contains(out, grey) {
		t.Errorf("--json output is not JSON naming the files:\n%s", out)
	}
	code, out, _ = runCLI("check-image", "--kind", "id_front", pdf)
	if code != 1 || !strings.Contains(out, "JPG") {
		t.Errorf("a renamed PDF: exit %d, message:\n%s", code, out)
	}
	if code, _, errs := runCLI("check-image", "--kind", "passport_photo", good); code != 2 || errs == "" {
		t.Errorf("an unknown kind: exit %d", code)
	}
	if code, _, _ := runCLI("check-image", "--kind", "id_front", filepath.Join(dir, "missing.jpg")); code != 2 {
		t.Errorf("a missing file: exit %d", code)
	}
	if _, _, errs := runCLI("check-image", "-h"); !strings.Contains(errs, "id_front") || !strings.Contains(errs, "photo") {
		t.Errorf("--help does not list the kinds:\n%s", errs)
	}
}
