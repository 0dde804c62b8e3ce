//go:build !cgo || ci || wasm || js || android || ios || mobile

package gui

import "fyne.io/fyne/v2"

// screenSize is unknown without the desktop driver; the window keeps its
// default size and the platform fits it to the screen.
func screenSize(fyne.App) (fyne.Size, bool) { return fyne.Size{}, false }
