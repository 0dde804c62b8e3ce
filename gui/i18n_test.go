package gui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var literalL = regexp.MustCompile(`lang\.L\("((?:[^"\\]|\\.)*)"`)

// Every string the GUI passes to lang.L has a Chinese and an English entry,
// and the two files have the same keys.
func TestTranslationsComplete(t *testing.T) {
	load := func(name string) map[string]string {
		data, err := os.ReadFile(filepath.Join("translations", name))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	zh, en := load("zh_Hans.json"), load("en.json")
	for k, v := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
		if strings.TrimSpace(v) == "" {
			t.Errorf("zh_Hans.json: empty text for %q", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh_Hans.json lacks %q", k)
		}
	}
	files, _ := filepath.Glob("*.go")
	var used []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literalL.FindAllStringSubmatch(string(src), -1) {
			used = append(used, m[1])
		}
	}
	sort.Strings(used)
	if len(used) == 0 {
		t.Fatal("found no lang.L calls: the scan is broken")
	}
	for _, k := range used {
		if _, ok := zh[k]; !ok {
			t.Errorf("%q has no Chinese translation", k)
		}
	}
}

func mustRead(path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return data
}
