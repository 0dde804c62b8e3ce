package main

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// iconPNG is the app icon (drawn by tools/icon). It is set on the app at
// start-up so the window and task bar show it in every build: a plain
// `go build` binary, and the packaged one whose build does not inject
// FyneApp.toml's metadata.
//
//go:embed assets/icon.png
var iconPNG []byte

func appIcon() fyne.Resource { return fyne.NewStaticResource("icon.png", iconPNG) }
