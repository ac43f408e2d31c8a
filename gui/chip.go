package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
)

// newTagChip draws a tag as a rounded chip tinted with its namespace colour. A direct
// tag gets a remove button; an implied one is outlined, italic and says "implied".
func newTagChip(t library.FileTag, remove func(name string)) fyne.CanvasObject {
	col := namespaceColor(library.TagNamespace(t.Name))
	back := canvas.NewRectangle(tinted(col, 0x38))
	back.CornerRadius = theme.InputRadiusSize() * 2
	back.StrokeColor = tinted(col, 0xc0)
	back.StrokeWidth = 1
	text := canvas.NewText(t.Name, theme.Color(theme.ColorNameForeground))
	text.TextSize = theme.TextSize() * 0.95
	pad := theme.InnerPadding() / 2
	var row fyne.CanvasObject
	if t.Implied {
		back.FillColor = tinted(col, 0x10)
		text.TextStyle.Italic = true
		note := canvas.NewText("implied", theme.Color(theme.ColorNamePlaceHolder))
		note.TextSize = theme.CaptionTextSize()
		row = container.NewHBox(text, container.NewCenter(note))
	} else {
		name := t.Name
		x := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { remove(name) })
		x.Importance = widget.LowImportance
		row = container.NewHBox(text, container.NewGridWrap(fyne.NewSquareSize(text.MinSize().Height+pad), x))
	}
	return container.NewStack(back, container.New(layout.NewCustomPaddedLayout(pad, pad, 2*pad, 2*pad), container.NewCenter(row)))
}
