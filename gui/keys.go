package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// installShortcuts binds the window's keys. They reach the canvas only when no entry
// has the focus, so Ctrl+A in the search box still selects its text.
func (b *browser) installShortcuts() {
	c := b.win.Canvas()
	// The driver reports Ctrl+A as the standard SelectAll shortcut, not a custom one.
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { b.selectAll() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { c.Focus(b.search.entry) })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { b.editTags() })
	c.SetOnTypedKey(b.onKey)
}

func (b *browser) onKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		b.openSelection()
	case fyne.KeyEscape:
		b.selectNone()
	case fyne.KeyDelete:
		b.confirmRemove()
	case fyne.KeyLeft:
		b.moveCursor(-1)
	case fyne.KeyRight:
		b.moveCursor(1)
	case fyne.KeyUp:
		b.moveCursor(-max(b.grid.view.ColumnCount(), 1))
	case fyne.KeyDown:
		b.moveCursor(max(b.grid.view.ColumnCount(), 1))
	}
}

// moveCursor selects the cell d steps from the last clicked one and scrolls it into
// view.
func (b *browser) moveCursor(d int) {
	if b.results == nil || b.results.count == 0 {
		return
	}
	from := b.selection.anchor
	if from < 0 {
		from = 0
		d = 0
	}
	to := min(max(from+d, 0), b.results.count-1)
	b.click(to, 0)
	b.grid.view.ScrollTo(to)
}

// focusFirst leaves the search box for the grid: the first result is selected, so
// Enter opens it.
func (g *grid) focusFirst() {
	b := g.b
	if b.results == nil || b.results.count == 0 {
		return
	}
	b.win.Canvas().Unfocus()
	if b.selection.count() == 0 {
		b.click(0, 0)
	}
}
