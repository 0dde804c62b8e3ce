// Package testpack makes rule packs for tests: the built-in pack at
// another revision, edited, sealed and signed, as a publisher would ship
// it.
package testpack

import (
	"encoding/json"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
)

// Signed is the built-in pack at revision rev with edit applied (nil: no
// edit), sealed and signed by key.
func Signed(t testing.TB, key filing.SigningKey, rev int, edit func(pack map[string]any)) []byte {
	t.Helper()
	var sealed struct {
		Pack map[string]any `json:"pack"`
	}
	if err := json.Unmarshal(filing.DefaultPackBytes(), &sealed); err != nil {
		t.Fatal(err)
	}
	sealed.Pack["revision"] = rev
	if edit != nil {
		edit(sealed.Pack)
	}
	raw, err := json.Marshal(sealed.Pack)
	if err != nil {
		t.Fatal(err)
	}
	unsigned, err := filing.Seal(raw)
	if err != nil {
		t.Fatal(err)
	}
	out, err := filing.SignPack(unsigned, key)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// MinHan is an edit: a site name needs n Han characters (the check
// name.min_han), a rule whose change shows in a filing's findings.
func MinHan(n int) func(map[string]any) {
	return func(p map[string]any) {
		for _, c := range p["checks"].([]any) {
			if c := c.(map[string]any); c["id"] == "name.min_han" {
				c["value"] = n
			}
		}
	}
}

// Key is a new signing key named name.
func Key(t testing.TB, name string) filing.SigningKey {
	t.Helper()
	k, err := filing.GenerateSigningKey(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
