// Package imaging will check document scans and the backdrop verification
// photo on the applicant's machine (guarded decoding, size and format,
// blur, glare, framing, clothing colour) and apply one-click fixes. It never
// imports Fyne. The checks arrive with the image-checks issue; until then
// the package holds no code, so nothing can call a check that does not exist.
package imaging
