// Package assets holds the resources bundled into the binaries. It has no
// Fyne import so credctl can use it too; the GUI wraps the bytes in a
// fyne.StaticResource.
package assets

import _ "embed"

// IconPNG is the application icon (512×512), rendered from icon.svg.
//
//go:embed icon.png
var IconPNG []byte
