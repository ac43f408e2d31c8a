package gui

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// suggestion is one autocomplete choice: what the list shows and what the entry holds
// once it is picked.
type suggestion struct {
	label  string // e.g. "artist:someone"
	detail string // e.g. "42" (files)
	text   string // the entry's whole text after picking
	cursor int    // byte offset of the cursor after picking
}

// completionEntry is an Entry with an autocomplete list under it. suggest is called on
// the UI goroutine after each edit with the text and the cursor's byte offset; it
// computes suggestions however it likes (off the UI goroutine) and calls show with them.
//
// While the list is open it holds the keyboard focus (a Fyne pop-up is an overlay with
// its own focus) and forwards typing to the entry, keeping Up, Down, Enter, Tab and
// Escape for itself.
type completionEntry struct {
	widget.Entry
	suggest func(text string, cursor int, show func([]suggestion))

	items []suggestion
	list  *suggestionList
	popup *widget.PopUp
	quiet bool // set while the text is changed by code, not typing
	edits int  // bumped on each edit, so late suggestions for old text are dropped
}

func newCompletionEntry(placeholder string) *completionEntry {
	e := &completionEntry{}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	e.list = newSuggestionList(e)
	return e
}

// edited is wired to OnChanged by the owner (which may do more on change).
func (e *completionEntry) edited(text string) {
	if e.quiet || e.suggest == nil {
		return
	}
	e.edits++
	n := e.edits
	e.suggest(text, e.cursorByte(), func(items []suggestion) {
		if n != e.edits {
			return
		}
		e.showSuggestions(items)
	})
}

// setText replaces the text without asking for suggestions.
func (e *completionEntry) setText(s string, cursor int) {
	e.quiet = true
	e.SetText(s)
	e.quiet = false
	e.CursorRow = 0
	e.CursorColumn = utf8.RuneCountInString(s[:min(max(cursor, 0), len(s))])
	e.Refresh()
}

// cursorByte is the cursor's byte offset in the (single-line) text.
func (e *completionEntry) cursorByte() int {
	col := 0
	for i := range e.Text {
		if col == e.CursorColumn {
			return i
		}
		col++
	}
	return len(e.Text)
}

func (e *completionEntry) showSuggestions(items []suggestion) {
	// A suggestion that would change nothing (the word is already complete) is noise.
	kept := items[:0]
	for _, s := range items {
		if s.text != e.Text {
			kept = append(kept, s)
		}
	}
	e.items = kept
	if len(e.items) == 0 {
		e.hideSuggestions()
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(e)
	if c == nil {
		return
	}
	e.list.Refresh()
	e.list.UnselectAll()
	e.list.current = -1
	if e.popup == nil {
		e.popup = widget.NewPopUp(container.NewPadded(e.list), c)
	}
	rows := min(len(e.items), 8)
	h := float32(rows)*e.list.rowHeight() + 2*4
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
	e.popup.Resize(fyne.NewSize(e.Size().Width, h))
	e.popup.ShowAtPosition(pos.AddXY(0, e.Size().Height))
	c.Focus(e.list)
}

func (e *completionEntry) hideSuggestions() {
	if e.popup != nil && e.popup.Visible() {
		e.popup.Hide()
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
			c.Focus(e)
		}
	}
}

// suggesting reports whether the list is open.
func (e *completionEntry) suggesting() bool {
	return e.popup != nil && e.popup.Visible()
}

// pick applies suggestion i.
func (e *completionEntry) pick(i int) {
	if i < 0 || i >= len(e.items) {
		return
	}
	s := e.items[i]
	e.hideSuggestions()
	e.items = nil
	e.edits++
	e.quiet = true
	e.SetText(s.text) // OnChanged runs (the owner may search), suggestions do not
	e.quiet = false
	e.CursorColumn = utf8.RuneCountInString(s.text[:min(s.cursor, len(s.text))])
	e.Refresh()
}

// suggestionList is the list in the pop-up.
type suggestionList struct {
	widget.List
	e       *completionEntry
	current int
}

func newSuggestionList(e *completionEntry) *suggestionList {
	l := &suggestionList{e: e, current: -1}
	l.Length = func() int { return len(e.items) }
	l.CreateItem = func() fyne.CanvasObject {
		detail := widget.NewLabel("")
		detail.TextStyle.Italic = true
		label := widget.NewLabel("")
		label.Truncation = fyne.TextTruncateEllipsis
		return container.NewBorder(nil, nil, nil, detail, label)
	}
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		row := o.(*fyne.Container)
		row.Objects[0].(*widget.Label).SetText(e.items[i].label)
		row.Objects[1].(*widget.Label).SetText(e.items[i].detail)
	}
	l.OnSelected = func(i widget.ListItemID) {
		if i != l.current { // chosen with the mouse
			e.pick(i)
		}
	}
	l.ExtendBaseWidget(l)
	return l
}

func (l *suggestionList) rowHeight() float32 {
	return widget.NewLabel("Ag").MinSize().Height
}

// TypedKey moves through the list and picks; other keys edit the entry.
func (l *suggestionList) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyDown:
		l.move(1)
	case fyne.KeyUp:
		l.move(-1)
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyTab:
		if l.current >= 0 {
			l.e.pick(l.current)
			return
		}
		l.e.hideSuggestions()
		if k.Name != fyne.KeyTab {
			l.e.TypedKey(k)
		}
	case fyne.KeyEscape:
		l.e.hideSuggestions()
	default:
		l.e.TypedKey(k)
	}
}

// TypedShortcut hands copy, paste, select-all and the like to the entry.
func (l *suggestionList) TypedShortcut(s fyne.Shortcut) {
	l.e.TypedShortcut(s)
}

// TypedRune types into the entry.
func (l *suggestionList) TypedRune(r rune) {
	l.e.TypedRune(r)
}

func (l *suggestionList) move(d int) {
	n := len(l.e.items)
	if n == 0 {
		return
	}
	l.current = (l.current + d + n) % n
	l.Select(l.current)
	l.ScrollTo(l.current)
}
