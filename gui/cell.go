package gui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
	"hoard/library/thumbnail"
)

// thumbCell is one grid cell: a thumbnail (or a type icon while it is made), the file
// name and a badge for a missing file. It handles every mouse event itself — Fyne gives
// all of them to the widget that handles one — so click, ctrl/shift-click, double-click
// and right-click each do their own thing.
type thumbCell struct {
	widget.BaseWidget
	g *grid

	index   int
	pressed bool // MouseDown already selected; the Tapped that follows does nothing
	path    string
	file    library.File
	ticket  *thumbnail.Ticket

	back  *canvas.Rectangle
	img   *canvas.Image
	icon  *widget.Icon
	badge *widget.Icon
	name  *widget.Label
}

func newThumbCell(g *grid) *thumbCell {
	c := &thumbCell{g: g, index: -1}
	c.back = canvas.NewRectangle(color.Transparent)
	c.back.CornerRadius = theme.InputRadiusSize()
	c.img = canvas.NewImageFromImage(nil)
	c.img.FillMode = canvas.ImageFillContain
	c.img.ScaleMode = canvas.ImageScaleSmooth
	c.icon = widget.NewIcon(theme.FileImageIcon())
	c.badge = widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	c.badge.Hide()
	c.name = widget.NewLabel("")
	c.name.Alignment = fyne.TextAlignCenter
	// Names come shortened to fit (see textFitter): Fyne's ellipsis is too slow for
	// a grid of new names.
	c.name.Truncation = fyne.TextTruncateOff
	c.ExtendBaseWidget(c)
	return c
}

func (c *thumbCell) CreateRenderer() fyne.WidgetRenderer {
	iconBox := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(48), c.icon))
	// The missing-file badge sits on the thumbnail's top-right corner.
	badge := container.NewVBox(container.NewHBox(layout.NewSpacer(), container.NewGridWrap(fyne.NewSquareSize(28), c.badge)))
	picture := container.NewGridWrap(fyne.NewSquareSize(thumbSide), container.NewStack(iconBox, c.img, badge))
	body := container.NewBorder(container.NewCenter(picture), nil, nil, nil, c.name)
	return widget.NewSimpleRenderer(container.NewStack(c.back, container.NewPadded(body)))
}

// MinSize is fixed, so GridWrap lays out a regular grid.
func (c *thumbCell) MinSize() fyne.Size {
	return fyne.NewSize(cellWidth, cellHeight)
}

// bindPending shows an empty cell whose row is still being read.
func (c *thumbCell) bindPending(i int) {
	c.index = i
	c.setPath("")
	c.file = library.File{}
	c.name.SetText("")
	c.badge.Hide()
	c.setSelected(false)
}

// bind shows file f at index i: its thumbnail if the service has it in memory,
// otherwise a type icon and a request for the thumbnail.
func (c *thumbCell) bind(i int, f library.File, selected bool) {
	c.index = i
	c.file = f
	c.name.SetText(c.g.nameFit().fit(f.Name(), nameWidth()))
	if f.Missing {
		c.badge.Show()
		c.img.Translucency = 0.55 // a missing file's cached thumbnail, faded
	} else {
		c.badge.Hide()
		c.img.Translucency = 0
	}
	c.img.Refresh()
	c.setSelected(selected)
	if f.Path == c.path {
		return
	}
	c.setPath(f.Path)
	if img, ok := c.g.b.thumbs.Lookup(f.Path, thumbnail.Normal); ok {
		c.showImage(img)
		return
	}
	c.showIcon(iconForMIME(f.MIME))
	if f.Missing {
		return
	}
	path := f.Path
	c.ticket = c.g.b.thumbs.Request(path, thumbnail.Normal, priorityVisible, func(r thumbnail.Result, err error) {
		c.g.b.do(func() { c.thumbnailReady(path, r, err) })
	})
}

// Thumbnail request priorities: cells on screen before the inspector's prefetches.
const (
	priorityVisible   = 10
	priorityInspector = 20
)

// setPath moves the cell to another file, cancelling the request for the one it
// showed before (it scrolled away).
func (c *thumbCell) setPath(p string) {
	if c.ticket != nil {
		c.ticket.Cancel()
		c.ticket = nil
	}
	if p == "" {
		c.showIcon(nil)
	}
	c.path = p
}

func (c *thumbCell) thumbnailReady(path string, r thumbnail.Result, err error) {
	if path != c.path {
		return
	}
	c.ticket = nil
	switch {
	case err != nil || r.Kind == thumbnail.KindFailed:
		c.showIcon(theme.BrokenImageIcon())
	case r.Kind == thumbnail.KindIcon:
		c.showIcon(iconForMIME(r.MIME))
	default:
		c.showImage(r.Image)
	}
}

func (c *thumbCell) showImage(img image.Image) {
	c.icon.Hide()
	c.img.Image = img
	c.img.Show()
	c.img.Refresh()
}

func (c *thumbCell) showIcon(res fyne.Resource) {
	c.img.Hide()
	c.img.Image = nil
	if res == nil {
		c.icon.Hide()
		return
	}
	c.icon.SetResource(res)
	c.icon.Show()
}

func (c *thumbCell) setSelected(on bool) {
	fill := color.Color(color.Transparent)
	if on {
		fill = theme.Color(theme.ColorNameSelection)
	}
	if c.back.FillColor != fill {
		c.back.FillColor = fill
		c.back.Refresh()
	}
}

// MouseDown selects at once with a primary click (ctrl toggles, shift extends):
// Fyne holds Tapped back for the double-click delay on a widget that also takes
// double taps, and selection should not lag.
func (c *thumbCell) MouseDown(e *desktop.MouseEvent) {
	if e.Button != desktop.MouseButtonPrimary || c.file.ID == 0 {
		return
	}
	c.pressed = true
	c.takeKeyboard()
	c.g.b.click(c.index, e.Modifier)
}

// MouseUp is part of desktop.Mouseable; the press did the work.
func (c *thumbCell) MouseUp(*desktop.MouseEvent) {}

// Tapped selects when no MouseDown came first (touch, the test driver).
func (c *thumbCell) Tapped(*fyne.PointEvent) {
	if c.pressed {
		c.pressed = false
		return
	}
	if c.file.ID != 0 {
		c.takeKeyboard()
		c.g.b.click(c.index, modifiers())
	}
}

// takeKeyboard moves the keyboard from an entry to the grid, so Ctrl+A, Enter,
// Delete and the arrows act on the files after a click on one.
func (c *thumbCell) takeKeyboard() {
	c.g.b.win.Canvas().Unfocus()
}

// TappedSecondary opens the context menu for the selection, selecting this cell
// first when it is not part of it (as file managers do).
func (c *thumbCell) TappedSecondary(e *fyne.PointEvent) {
	if c.file.ID == 0 {
		return
	}
	if !c.g.b.selection.has(c.file.ID) {
		c.g.b.click(c.index, 0)
	}
	c.g.b.showContextMenu(e.AbsolutePosition)
}

// DoubleTapped opens the file in the system viewer.
func (c *thumbCell) DoubleTapped(*fyne.PointEvent) {
	if c.file.ID == 0 {
		return
	}
	if !c.g.b.selection.has(c.file.ID) {
		c.g.b.click(c.index, 0)
	}
	c.g.b.openSelection()
}

// iconForMIME is the theme icon for a file type, shown until (or instead of) a thumbnail.
func iconForMIME(mime string) fyne.Resource {
	switch library.MediaClass(mime) {
	case "image":
		return theme.FileImageIcon()
	case "video":
		return theme.FileVideoIcon()
	case "audio":
		return theme.FileAudioIcon()
	case "document":
		return theme.FileTextIcon()
	}
	return theme.FileIcon()
}
