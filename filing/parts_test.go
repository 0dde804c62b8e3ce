package filing

import (
	"os"
	"strings"
	"testing"
)

func TestAttachmentPartsProblem(t *testing.T) {
	part := func(h byte) Attachment {
		return Attachment{SHA256: strings.Repeat(string(h), 64), Size: 1, MediaType: "image/jpeg"}
	}
	nested := part('c')
	nested.Parts = []Attachment{part('d'), part('e')}
	cases := []struct {
		name  string
		parts []Attachment
		want  string // a word of the English message; "" for none
	}{
		{"none", nil, ""},
		{"two", []Attachment{part('a'), part('b')}, ""},
		{"six", []Attachment{part('a'), part('b'), part('c'), part('d'), part('e'), part('f')}, ""},
		{"one", []Attachment{part('a')}, "1 parts"},
		{"seven", []Attachment{part('a'), part('b'), part('c'), part('d'), part('e'), part('f'), part('0')}, "7 parts"},
		{"no hash", []Attachment{part('a'), {OriginalName: "x.jpg"}}, "Part 2"},
		{"nested", []Attachment{part('a'), nested}, "itself stitched"},
	}
	for _, c := range cases {
		a := Attachment{SHA256: strings.Repeat("9", 64), Parts: c.parts}
		zh, en := a.PartsProblem()
		if (en == "") != (c.want == "") || !strings.Contains(en, c.want) || (zh == "") != (en == "") {
			t.Errorf("%s: %q / %q, want %q", c.name, zh, en, c.want)
		}
		if files := a.Files(); len(files) != 1+len(c.parts) {
			t.Errorf("%s: Files() = %d, want %d", c.name, len(files), 1+len(c.parts))
		}
	}
}

// A stitched scan with too many parts is a blocking finding on its slot.
func TestValidateRefusesBadParts(t *testing.T) {
	data, err := os.ReadFile("../testdata/example-application.json")
	if err != nil {
		t.Fatal(err)
	}
	app, err := DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	d := &app.Documents[0]
	att := *d.Attachment
	for range 7 {
		att.Parts = append(att.Parts, Attachment{SHA256: strings.Repeat("a", 64), Size: 1, MediaType: "image/jpeg"})
	}
	d.Attachment = &att
	field := "documents." + d.Slot
	found := false
	for _, f := range Validate(app, DefaultPack(), today) {
		if strings.HasPrefix(f.Field, field) && f.Severity == Block && strings.Contains(f.EN, "7 parts") {
			found = true
		}
	}
	if !found {
		t.Errorf("no blocking finding for a scan stitched from 7 parts on %s", field)
	}
}
