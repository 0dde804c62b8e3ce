package filing

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func revision(n int) func(map[string]any) {
	return func(p map[string]any) { p["revision"] = n }
}

func newKey(t *testing.T, name string) SigningKey {
	t.Helper()
	k, err := GenerateSigningKey(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignVerifyRoundTrip(t *testing.T) {
	key := newKey(t, "Example Agency")
	// Through the key files, as keygen writes them and seal reads them.
	priv, err := ParseSigningKey(MarshalSigningKey(key))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(MarshalPublicKey(key.Public()))
	if err != nil {
		t.Fatal(err)
	}
	if pub.Fingerprint() != key.Public().Fingerprint() || len(pub.Fingerprint()) != 16 || pub.Name != "Example Agency" {
		t.Fatalf("public key %q %s, want %s", pub.Name, pub.Fingerprint(), key.Public().Fingerprint())
	}
	signed, err := SignPack(mutatePack(t, revision(3)), priv)
	if err != nil {
		t.Fatal(err)
	}
	p, signer, err := VerifyPack(signed, []PublicKey{pub})
	if err != nil {
		t.Fatal(err)
	}
	if p.Revision != 3 || signer.Fingerprint() != pub.Fingerprint() || p.SignedBy() != pub.Fingerprint() {
		t.Errorf("revision %d signer %s claim %s", p.Revision, signer.Label(), p.SignedBy())
	}
	// Re-indenting keeps the signature valid: it covers the content.
	var compact bytes.Buffer
	if err := json.Compact(&compact, signed); err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyPack(compact.Bytes(), []PublicKey{pub}); err != nil {
		t.Errorf("a re-indented signed pack: %v", err)
	}
}

func TestVerifyPackRefuses(t *testing.T) {
	key, other := newKey(t, "publisher"), newKey(t, "someone else")
	trusted := []PublicKey{key.Public()}
	sign := func(data []byte, k SigningKey) []byte {
		out, err := SignPack(data, k)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	good := sign(mutatePack(t, revision(3)), key)
	// Changed after signing, the checksum recomputed so only the signature
	// can tell: the signature of one pack on another's content.
	var forged map[string]json.RawMessage
	if err := json.Unmarshal(sign(mutatePack(t, revision(4)), key), &forged); err != nil {
		t.Fatal(err)
	}
	var goodFields map[string]json.RawMessage
	_ = json.Unmarshal(good, &goodFields)
	forged["signature"] = goodFields["signature"]
	swapped, _ := json.Marshal(forged)
	// Changed after signing without resealing: the checksum tells.
	edited := bytes.Replace(good, []byte(`"revision": 3`), []byte(`"revision": 9`), 1)
	if bytes.Equal(edited, good) {
		t.Fatal("the edit did not apply")
	}
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"unsigned", "not signed", mutatePack(t, revision(3))},
		{"untrusted key", "not trusted", sign(mutatePack(t, revision(3)), other)},
		{"signature of other content", "signature does not match", swapped},
		{"edited after signing", "checksum", edited},
		{"unknown schema", "schema 2;", sign(mutatePack(t, func(p map[string]any) { p["schema"] = 2 }), key)},
		{"a required check missing", "check name.min_han is missing", sign(mutatePack(t, func(p map[string]any) {
			var kept []any
			for _, c := range p["checks"].([]any) {
				if c.(map[string]any)["id"] != "name.min_han" {
					kept = append(kept, c)
				}
			}
			p["checks"] = kept
		}), key)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := VerifyPack(tc.data, trusted)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			pe, ok := err.(*PackError)
			if !ok || pe.ZH == "" || pe.ZH == pe.EN {
				t.Errorf("the reason is not given in Chinese and English: %#v", err)
			}
		})
	}
}

func TestPublisherKeysAreBuiltIn(t *testing.T) {
	keys := PublisherKeys()
	if len(keys) == 0 {
		t.Fatal("no publisher key is built in")
	}
	for _, k := range keys {
		if k.Name == "" || len(k.Key) != 32 {
			t.Errorf("publisher key %q: %d bytes", k.Name, len(k.Key))
		}
	}
	if p := DefaultPack(); p.Signed() || !p.IsDefault() {
		t.Errorf("the built-in pack: signed %v, default %v", p.Signed(), p.IsDefault())
	}
}

func TestParseKeyFilesRefuseTheOtherKind(t *testing.T) {
	k := newKey(t, "x")
	if _, err := ParsePublicKey(MarshalSigningKey(k)); err == nil {
		t.Error("a private key file was read as a public key")
	}
	if _, err := ParseSigningKey(MarshalPublicKey(k.Public())); err == nil {
		t.Error("a public key file was read as a private key")
	}
}

func TestDiffPacks(t *testing.T) {
	old := DefaultPack()
	next, err := ParsePack(mutatePack(t, func(p map[string]any) {
		p["revision"] = 3
		checks := p["checks"].([]any)
		for _, c := range checks {
			c := c.(map[string]any)
			switch c["id"] {
			case "name.min_han":
				c["value"] = 4
			case "format.email":
				c["until"] = "2027-01-01"
			}
		}
		p["checks"] = append(checks, map[string]any{"id": "zz.new", "source": "ALI19", "confidence": "M",
			"from": "2027-01-01", "zh": "新规则", "en": "a new rule"})
		words := p["site_name_words"].([]any)
		p["site_name_words"] = words[1:]
	}))
	if err != nil {
		t.Fatal(err)
	}
	removed := old.NameWords[0].ID
	d := DiffPacks(old, next)
	got := strings.Join(d.Added, ",") + "|" + strings.Join(d.Ended, ",") + "|" + strings.Join(d.Removed, ",") + "|" + strings.Join(d.Changed, ",")
	if want := "zz.new|format.email|" + removed + "|name.min_han"; got != want || d.FromRevision != old.Revision || d.ToRevision != 3 {
		t.Errorf("diff %s (%d→%d), want %s", got, d.FromRevision, d.ToRevision, want)
	}
	if !DiffPacks(old, old).Empty() {
		t.Error("a pack differs from itself")
	}
}

func TestNewFindingsUnderANewerPack(t *testing.T) {
	old := DefaultPack()
	// The newer pack asks for more Han characters in a site name.
	next, err := ParsePack(mutatePack(t, func(p map[string]any) {
		p["revision"] = 3
		for _, c := range p["checks"].([]any) {
			if c := c.(map[string]any); c["id"] == "name.min_han" {
				c["value"] = 20
			}
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	app := completeApp()
	MarkChecked(app, old)
	if RulesUpdated(app, old) || !RulesUpdated(app, next) {
		t.Fatalf("checked under %d: updated for old %v, for next %v", app.CheckedUnder, RulesUpdated(app, old), RulesUpdated(app, next))
	}
	got := NewFindings(app, old, next, today)
	if len(got) != 1 || got[0].Rule != "name.min_han" || got[0].Field != "websites[0].name" {
		t.Errorf("new findings %+v, want the one of name.min_han", got)
	}
	if n := NewFindings(app, old, old, today); len(n) != 0 {
		t.Errorf("the same pack gives new findings: %+v", n)
	}
	if RulesUpdated(&Application{}, next) {
		t.Error("a filing never checked counts as updated")
	}
}
