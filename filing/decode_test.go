package filing

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestDecodeExampleApplication(t *testing.T) {
	data, err := os.ReadFile("../testdata/example-application.json")
	if err != nil {
		t.Fatal(err)
	}
	app, err := DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	if n := Blocking(Validate(app, DefaultPack(), today)); n != 0 {
		t.Errorf("the documented example has %d blocking findings:\n%s", n, dump(Validate(app, DefaultPack(), today)))
	}
}

func TestDecodeApplicationErrors(t *testing.T) {
	cases := []struct {
		name, input string
		line, col   int
		want        string
	}{
		{"empty", "  \n", 0, 0, "empty"},
		{"syntax", "{\n  \"kind\": \"new_access\",\n  \"province\" \"33\"\n}", 3, 14, "syntax"},
		{"wrong type", "{\n  \"websites\": [{\"domain\": 42}]\n}", 2, 29, "websites.domain"},
		{"unknown field", "{\n  \"provnce\": \"33\"\n}", 2, 4, "unknown field \"provnce\""},
		{"truncated", "{\n  \"kind\": \"new_access\",", 2, 24, "truncated"},
		{"newer format", `{"schema_version": 99}`, 0, 0, "newer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeApplication([]byte(tc.input))
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want an InputError, got %v", err)
			}
			if ie.Line != tc.line || ie.Column != tc.col || !strings.Contains(ie.EN, tc.want) {
				t.Errorf("got line %d col %d %q", ie.Line, ie.Column, ie.EN)
			}
			if ie.ZH == "" {
				t.Error("no Chinese message")
			}
		})
	}
}

func FuzzDecodeApplication(f *testing.F) {
	if data, err := os.ReadFile("../testdata/example-application.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"websites":[{}]}`))
	pack := DefaultPack()
	f.Fuzz(func(t *testing.T, data []byte) {
		app, err := DecodeApplication(data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("not an InputError: %v", err)
			}
			return
		}
		// Whatever decodes must validate without panicking.
		Validate(app, pack, today)
	})
}
