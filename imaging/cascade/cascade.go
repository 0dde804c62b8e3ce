// Package cascade embeds the pigo (PICO) cascades the photo checks run, so
// the app finds faces offline with no file beside the binary. The files are
// byte-for-byte copies from github.com/esimov/pigo v1.4.6 (cascade/); see
// LICENSE and README.md for where they come from and under which terms.
package cascade

import _ "embed"

// Facefinder is PICO's frontal-face cascade (pigo cascade/facefinder),
// read with pigo.NewPigo().Unpack.
//
//go:embed facefinder
var Facefinder []byte

// Puploc is the pupil-localisation cascade (pigo cascade/puploc), an
// ensemble of regression trees that moves a start point onto a pupil.
//
//go:embed puploc
var Puploc []byte
