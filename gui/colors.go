package gui

import (
	"hash/fnv"
	"image/color"

	"fyne.io/fyne/v2/theme"
)

// Namespace colours, chosen to read on both the light and the dark theme. Well-known
// booru namespaces get their customary hue; others get one from their name's hash, so
// a namespace keeps its colour from run to run.
var (
	namespaceColors = map[string]color.NRGBA{
		"artist":    {R: 0xe0, G: 0x7b, B: 0x39, A: 0xff}, // orange
		"creator":   {R: 0xe0, G: 0x7b, B: 0x39, A: 0xff},
		"character": {R: 0x3c, G: 0xa5, B: 0x5c, A: 0xff}, // green
		"series":    {R: 0xa3, G: 0x5c, B: 0xd6, A: 0xff}, // purple
		"copyright": {R: 0xa3, G: 0x5c, B: 0xd6, A: 0xff},
		"meta":      {R: 0x8a, G: 0x8f, B: 0x98, A: 0xff}, // grey
		"rating":    {R: 0xd6, G: 0x4f, B: 0x5c, A: 0xff}, // red
		"year":      {R: 0x2f, G: 0x9c, B: 0xb5, A: 0xff}, // teal
	}
	namespacePalette = []color.NRGBA{
		{R: 0x4a, G: 0x90, B: 0xd9, A: 0xff}, // blue
		{R: 0xc9, G: 0x8b, B: 0x1e, A: 0xff}, // amber
		{R: 0x2f, G: 0x9c, B: 0xb5, A: 0xff}, // teal
		{R: 0xd1, G: 0x5e, B: 0x9b, A: 0xff}, // pink
		{R: 0x6b, G: 0x8e, B: 0x23, A: 0xff}, // olive
		{R: 0x7b, G: 0x68, B: 0xee, A: 0xff}, // slate
	}
)

// namespaceColor is the colour of tags in namespace ns; plain tags use the theme's
// primary colour.
func namespaceColor(ns string) color.Color {
	if ns == "" {
		return theme.Color(theme.ColorNamePrimary)
	}
	if c, ok := namespaceColors[ns]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(ns))
	return namespacePalette[h.Sum32()%uint32(len(namespacePalette))]
}

// tinted is c at the given opacity (0–255), for chip backgrounds.
func tinted(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}
