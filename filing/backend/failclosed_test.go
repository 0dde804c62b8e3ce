package backend

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// TestNewRefusesNoTokenUnlessMeant: an empty or whitespace-only token
// fails closed; serving without one takes NoAuth.
func TestNewRefusesNoTokenUnlessMeant(t *testing.T) {
	for _, tc := range []struct {
		name   string
		token  string
		noAuth bool
		ok     bool
	}{
		{"empty", "", false, false},
		{"whitespace", " \n\t ", false, false},
		{"empty, NoAuth", "", true, true},
		{"a token", "tok-123", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{Dir: t.TempDir(), Token: tc.token, NoAuth: tc.noAuth})
			if (err == nil) != tc.ok {
				t.Fatalf("New: %v, want ok=%v", err, tc.ok)
			}
			t.Logf("token %q, NoAuth %v: starts %v (%v)", tc.token, tc.noAuth, err == nil, err)
		})
	}
}

// TestAuthSchemeIsCaseInsensitive: RFC 7235 makes the scheme
// case-insensitive; a wrong scheme or token, or none, is refused.
func TestAuthSchemeIsCaseInsensitive(t *testing.T) {
	ts := start(t, t.TempDir(), nil)
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"Bearer " + testToken, http.StatusOK},
		{"bearer " + testToken, http.StatusOK},
		{"BEARER " + testToken, http.StatusOK},
		{"bEaReR   " + testToken + " ", http.StatusOK},
		{"Basic " + testToken, http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer wrong-token", http.StatusUnauthorized},
		{testToken, http.StatusUnauthorized},
		{"", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.url+"/v1/rules", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.header, resp.StatusCode, tc.want)
		}
		t.Logf("Authorization %q: %d", strings.Replace(tc.header, testToken, "<token>", 1), resp.StatusCode)
	}
}

// TestSecretsInTheApplicationPartKeptOnlyAsHMAC: a client that puts the
// passwords into the application JSON itself (besides the secrets part)
// has them kept only as salted HMACs: no file of the data directory holds
// them in clear, the stored application carries the mask, and a retry of
// the same request replays instead of storing a second filing.
func TestSecretsInTheApplicationPartKeptOnlyAsHMAC(t *testing.T) {
	dir := t.TempDir()
	ts := start(t, dir, nil)
	fx := newFixture(t, 4<<10, 7)
	const inApp, inAppConsole, inSecrets = "Plain-in-app-4711", "Console-in-app-0815", "Pw-secrets-part-42"
	var m map[string]any
	if err := json.Unmarshal(fx.js, &m); err != nil {
		t.Fatal(err)
	}
	m["filing_password"] = inApp
	m["product"].(map[string]any)["console_password"] = inAppConsole
	fx.js, _ = json.Marshal(m)
	ctype, body := encode(t, fx.parts(inSecrets))
	status, _, b := ts.post(t, key1, ctype, body)
	if status != http.StatusCreated {
		t.Fatalf("status %d: %s", status, b)
	}
	// The same request again (a retry under the same key) replays.
	if status, hdr, b := ts.post(t, key1, ctype, body); status != http.StatusOK || hdr.Get(api.HeaderReplayed) != "true" {
		t.Fatalf("retry: %d %s", status, b)
	}
	if n := ts.Stats().Stored.Load(); n != 1 {
		t.Fatalf("stored %d filings", n)
	}
	t.Logf("passwords in the application part, sent twice: %d stored, %d replayed", ts.Stats().Stored.Load(), ts.Stats().Replayed.Load())
	var rec record
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, secret := range []string{inApp, inAppConsole, inSecrets} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds a password in clear", path)
			}
		}
		switch d.Name() {
		case "filing.json":
			if err := json.Unmarshal(data, &rec); err != nil {
				t.Fatal(err)
			}
		case "application.json":
			if !bytes.Contains(data, []byte(`"filing_password":"******"`)) {
				t.Errorf("the stored application lost the mark that a password was given: %s", data)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Dir: dir, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"filing_password": inSecrets, "console_password": inAppConsole} {
		h := rec.Secrets[name]
		if !strings.HasPrefix(h, "hmac-sha256:") || !s.disk.secretMatches(h, want) {
			t.Errorf("secret %s kept as %q, want the HMAC of the value sent", name, h)
		}
	}
}
