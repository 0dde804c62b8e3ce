package filing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrintsItsValue(t *testing.T) {
	const value = "s3cr3t-Pa55"
	s := NewSecret(value)
	p := Product{ConsolePassword: s}
	app := &Application{FilingPassword: s, Product: p}

	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("saving", "password", s, "product", p)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("saving", "password", s)
	js, err := json.Marshal(app)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", p), "%#v": fmt.Sprintf("%#v", app),
		"%s": fmt.Sprintf("%s", s), "%q": fmt.Sprintf("%q", s), "%x": fmt.Sprintf("%x", s),
		"%d": fmt.Sprintf("%d", s), "error": errors.New(fmt.Sprint("bad password ", s)).Error(),
		"json": string(js), "slog": logged.String(),
	}
	for how, out := range outputs {
		if strings.Contains(out, value) || strings.Contains(out, fmt.Sprintf("%x", value)) {
			t.Errorf("%s prints the secret: %s", how, out)
		}
	}
	if s.Reveal() != value {
		t.Error("Reveal lost the value")
	}
}

func TestSecretJSON(t *testing.T) {
	var app Application
	if err := json.Unmarshal([]byte(`{"filing_password":"abc"}`), &app); err != nil {
		t.Fatal(err)
	}
	if app.FilingPassword.Reveal() != "abc" {
		t.Fatal("a plain value in an input file is read")
	}
	out, _ := json.Marshal(app)
	var back Application
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.FilingPassword.IsSet() {
		t.Error("the mask was read back as a password")
	}
	var empty Secret
	if b, _ := json.Marshal(empty); string(b) != `""` || empty.String() != "" {
		t.Errorf("an unset secret prints %s", b)
	}
}
