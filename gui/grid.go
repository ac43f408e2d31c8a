package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Cell geometry: a 128 px thumbnail (the freedesktop "normal" size) and a name line.
const (
	thumbSide  = 128
	cellWidth  = thumbSide + 24
	cellHeight = thumbSide + 48
)

// grid is the middle pane: a virtualized GridWrap that creates only the cells on
// screen and binds them to result rows as they scroll by.
type grid struct {
	b    *browser
	view *widget.GridWrap
	fit  *textFitter // cell names; UI goroutine only
}

// nameFit returns the fitter for cell names at the theme's text size.
func (g *grid) nameFit() *textFitter {
	if g.fit == nil || g.fit.size != theme.TextSize() {
		g.fit = newTextFitter(theme.TextSize(), fyne.TextStyle{})
	}
	return g.fit
}

// nameWidth is the room for a name under a thumbnail: the cell less its padding and
// the label's.
func nameWidth() float32 {
	return cellWidth - 2*theme.Padding() - 2*theme.InnerPadding()
}

func newGrid(b *browser) *grid {
	g := &grid{b: b}
	g.view = widget.NewGridWrap(g.length, g.create, g.update)
	return g
}

func (g *grid) length() int {
	if g.b.results == nil {
		return 0
	}
	return g.b.results.count
}

func (g *grid) create() fyne.CanvasObject {
	return newThumbCell(g)
}

// update binds a cell to result index i. It does no I/O: a row not loaded yet asks
// for its page, a thumbnail not in memory is requested from the service.
func (g *grid) update(i widget.GridWrapItemID, o fyne.CanvasObject) {
	c := o.(*thumbCell)
	rs := g.b.results
	f, ok := rs.file(i)
	if !ok {
		g.b.ensurePage(i / pageSize)
		c.bindPending(i)
		return
	}
	c.bind(i, f, g.b.selection.has(f.ID))
}

// refreshRange redraws the cells of indexes [first, first+n) that are on screen.
func (g *grid) refreshRange(first, n int) {
	lo := g.firstVisible()
	hi := lo + g.visibleCount()
	for i := max(first, lo); i < min(first+n, hi); i++ {
		g.view.RefreshItem(i)
	}
}

// rowHeight is a grid row's height, padding included.
func (g *grid) rowHeight() float32 {
	return cellHeight + theme.Padding()
}

// firstVisible is the index of the first cell on screen.
func (g *grid) firstVisible() int {
	row := int(g.view.GetScrollOffset() / g.rowHeight())
	return row * max(g.view.ColumnCount(), 1)
}

// visibleCount is how many cells fit on screen (a row extra for partial rows).
func (g *grid) visibleCount() int {
	rows := int(g.view.Size().Height/g.rowHeight()) + 2
	return rows * max(g.view.ColumnCount(), 1)
}

// modifiers returns the keyboard modifiers held now (none on drivers that cannot say).
func modifiers() fyne.KeyModifier {
	if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
		return d.CurrentKeyModifiers()
	}
	return 0
}
