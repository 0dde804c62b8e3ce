package gui

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
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

// langChildEnv carries the preference to a child test process: Fyne's
// choice of language is global and made once per process.
const langChildEnv = "ICPFILING_TEST_LANG_CHILD"

// A language chosen in Settings (or with --lang) is shown whatever locale
// the system reports, Fyne's own dialog words included; with no choice the
// system's decides, and a system without a usable locale gets Chinese.
// Each case is a fresh process with the system locale in its environment,
// which is where Fyne reads it on Linux; the mechanism does not depend on
// where it comes from, which is what makes it work on Windows and macOS.
func TestChosenLanguageWinsOverTheSystem(t *testing.T) {
	if pref, ok := os.LookupEnv(langChildEnv); ok {
		if err := LoadTranslations(strings.TrimPrefix(pref, "-")); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("\nRESULT %s|%s|%s\n", Language(), lang.L("Cancel"), lang.L("Yes"))
		return
	}
	zh, en := "zh|取消|是", "en|Cancel|Yes"
	for _, c := range []struct {
		env  []string
		pref string
		want string
	}{
		{[]string{"LANG=en_US.UTF-8"}, "zh", zh},
		{[]string{"LANG=zh_CN.UTF-8"}, "en", en},
		{[]string{"LANG=zh_CN.UTF-8"}, "", zh},
		{[]string{"LANG=en_US.UTF-8"}, "", en},
		{[]string{"LANG=C"}, "", zh},
		{[]string{"LANG=C.UTF-8"}, "", zh}, // Debian's default in containers
		{[]string{"LANGUAGE=zh_CN:zh", "LANG=C"}, "", zh},
		{[]string{"LANGUAGE=en_US", "LC_ALL=C.UTF-8"}, "", zh}, // the C library ignores LANGUAGE under C
		{[]string{"LANG=C"}, "en", en},
		{nil, "", zh},
		{nil, "en", en},
		// A list of languages, the first one Fyne has words of its own for.
		{[]string{"LANGUAGE=de_DE:en_US", "LANG=de_DE.UTF-8"}, "zh", zh},
		{[]string{"LC_ALL=zh_TW.UTF-8"}, "en", en},
		{[]string{"LANGUAGE=zh_CN:zh", "LANG=zh_CN.UTF-8"}, "en", en},
	} {
		name := fmt.Sprintf("%v pref=%q", c.env, c.pref)
		cmd := exec.Command(os.Args[0], "-test.run=^TestChosenLanguageWinsOverTheSystem$", "-test.count=1")
		cmd.Env = []string{langChildEnv + "=-" + c.pref, "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
		cmd.Env = append(cmd.Env, c.env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		// earlylocale ran before Fyne read the locale, or Fyne complains.
		if strings.Contains(string(out), "Error parsing user locale") {
			t.Errorf("%s: Fyne read the locale before it was made usable:\n%s", name, out)
		}
		_, got, ok := strings.Cut(string(out), "\nRESULT ")
		got, _, _ = strings.Cut(got, "\n")
		if !ok || got != c.want {
			t.Errorf("%s: got %q, want %q", name, got, c.want)
		}
	}
}
