package main

import (
	_ "embed"
	"strings"
)

//go:embed imaging/cascade/LICENSE
var pigoLicence string

// thirdPartyModules is the licence of every Go module compiled in, made by
// tools/licences (run it again after changing dependencies; a test checks).
//
//go:embed THIRD_PARTY_LICENSES.txt
var thirdPartyModules string

// thirdPartyLicences are shown in About beside the bundled font's OFL: the
// pigo face cascade shipped in imaging/cascade, and one entry per Go
// module (and the Go standard library).
func thirdPartyLicences() map[string]string {
	m := map[string]string{"pigo face cascade (MIT)": pigoLicence}
	for name, text := range splitModuleLicences(thirdPartyModules) {
		m[name] = text
	}
	return m
}

// splitModuleLicences cuts the generated file at its "==== module version
// ====" headings.
func splitModuleLicences(all string) map[string]string {
	m := map[string]string{}
	parts := strings.Split(all, "\n==== ")
	for _, p := range parts[1:] {
		head, body, ok := strings.Cut(p, " ====\n")
		if !ok {
			continue
		}
		m[head] = strings.TrimSpace(body)
	}
	return m
}
