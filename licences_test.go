package main

import (
	"os/exec"
	"strings"
	"testing"
)

// Every module the app is built from must have its licence in About: a new
// dependency without `go run ./tools/licences` fails here.
func TestEveryModuleHasItsLicence(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list not available: %v", err)
	}
	lic := thirdPartyLicences()
	seen := map[string]bool{}
	for _, mod := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if mod == "" || seen[mod] {
			continue
		}
		seen[mod] = true
		text, ok := lic[mod]
		if !ok {
			t.Errorf("no licence for %s in THIRD_PARTY_LICENSES.txt; run: go run ./tools/licences", mod)
			continue
		}
		if len(text) < 100 {
			t.Errorf("licence of %s is only %q", mod, text)
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d modules listed; go list output wrong?", len(seen))
	}
	for _, want := range []string{"pigo face cascade (MIT)", "Go standard library and runtime"} {
		if _, ok := lic[want]; !ok {
			t.Errorf("About lacks %q", want)
		}
	}
}
