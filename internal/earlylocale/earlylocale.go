// Package earlylocale gives Fyne a usable locale before Fyne reads it.
//
// Fyne's lang package picks the UI language in its init, before main
// runs, and on a system whose locale is unset, C or POSIX (common on
// servers and in containers) it logs "Error parsing user locale C" to
// stderr, on every command the binary runs, and falls back to English. Go
// initialises packages in import-path order among those whose imports are
// done (the language spec, since Go 1.21). This package imports only what
// Fyne's locale reader (github.com/jeandeaual/go-locale) imports on Unix,
// and its path sorts before that one's, so its init runs first. Windows
// and macOS take the locale from the OS, never "C".
package earlylocale

import (
	"os"
	"strings"
)

func init() { Prepare() }

// Prepare gives a system without a usable locale Chinese, the product's
// first language. A language chosen in Settings or with --lang is applied
// later, by the GUI's translations.
func Prepare() {
	if usable() {
		return
	}
	_ = os.Unsetenv("LC_ALL")
	_ = os.Unsetenv("LC_MESSAGES")
	_ = os.Setenv("LANG", "zh_CN.UTF-8")
	_ = os.Setenv("LANGUAGE", "zh_CN")
}

// usable says whether the locale of messages (LC_ALL, else LC_MESSAGES,
// else LANG) names a language. LANGUAGE does not count on its own: the C
// library ignores it while that locale is C, and so must we.
func usable() bool {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		return v != "C" && v != "POSIX" && !strings.HasPrefix(v, "C.")
	}
	return false
}
