// Package imaging checks document scans and the website owner's backdrop
// photo on the applicant's machine before anything is uploaded, and applies
// the fixes a machine can make. Files are opened guarded (header first,
// format and pixel caps before any pixel buffer, EXIF orientation applied to
// a small working image; a JPEG is decoded only as large as the checks
// need, by imaging/internal/jpeg, a fork of image/jpeg); documents are checked for colour, resolution,
// outline, skew, blur, glare and exposure; photos for one centred face,
// upper body, clothing colour, backdrop, exposure, sharpness and roll. Every
// check carries a verdict, the measured value, the threshold and a message
// in Chinese and English. It never imports Fyne or the rule pack: callers
// pass the pack's limits and background as Limits and Background.
package imaging
