//go:build cgo && !ci && !wasm && !js && !android && !ios && !mobile

package gui

import (
	"reflect"
	"strings"

	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// screenSize is the size of the primary screen, in Fyne's units, when the
// app runs on the desktop (GLFW) driver: Fyne has no API for it. It is
// asked after the first window is made, when Fyne has started GLFW, on the
// main goroutine, which Fyne's driver keeps on the main thread.
func screenSize(a fyne.App) (size fyne.Size, ok bool) {
	if !strings.Contains(reflect.TypeOf(a.Driver()).String(), "glfw") {
		return fyne.Size{}, false
	}
	defer func() {
		// GLFW not started or no monitor: keep the default size.
		if recover() != nil {
			size, ok = fyne.Size{}, false
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return fyne.Size{}, false
	}
	mode := m.GetVideoMode()
	if mode == nil || mode.Width <= 0 || mode.Height <= 0 {
		return fyne.Size{}, false
	}
	scale := a.Settings().Scale()
	if scale <= 0 {
		scale = 1
	}
	return fyne.NewSize(float32(mode.Width)/scale, float32(mode.Height)/scale), true
}
