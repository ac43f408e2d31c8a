// Package assets holds Hoard's embedded resources: the application icon (SVG source
// and the 256 px PNG the window and the launcher use).
package assets

import _ "embed"

// IconPNG is the 256×256 application icon.
//
//go:embed icon.png
var IconPNG []byte

// IconSVG is the icon's source, installed into the hicolor theme's scalable folder.
//
//go:embed icon.svg
var IconSVG []byte
