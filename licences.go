package main

import _ "embed"

//go:embed imaging/cascade/LICENSE
var pigoLicence string

// thirdPartyLicences are shown in About beside the bundled font's OFL.
func thirdPartyLicences() map[string]string {
	return map[string]string{"pigo (MIT)": pigoLicence}
}
