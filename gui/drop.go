package gui

import (
	"strings"

	"fyne.io/fyne/v2"
)

// dropTarget is what lies under a drop: a sidebar tag, the inspector's add-tag entry,
// or the window in general.
type dropTarget struct {
	tag   string // include the files and tag them with this at once
	entry bool   // the inspector's add-tag entry (tag is its text, maybe empty)
}

// onDropped handles files and folders dragged onto the window (Window.SetOnDropped):
// onto a sidebar tag they are included and tagged at once; onto the inspector's
// add-tag entry they get the tag typed there; anywhere else the import dialog opens
// with them listed (or, when it is open, lists them too).
func (b *browser) onDropped(pos fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u != nil && u.Scheme() == "file" && u.Path() != "" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		b.status.showError("Cannot import that", errNotFiles)
		return
	}
	if b.importing != nil {
		for _, p := range paths {
			b.importing.addPath(p)
		}
		return
	}
	t := b.dropTargetAt(pos)
	b.logf("drop: %s at %.0f,%.0f onto %s", plural(len(paths), "path", "paths"), pos.X, pos.Y, t)
	switch {
	case t.tag != "":
		b.importPaths(paths, []string{t.tag})
	default:
		b.showImportDialog(paths)
	}
}

func (t dropTarget) String() string {
	switch {
	case t.tag != "" && t.entry:
		return "the add-tag entry (" + t.tag + ")"
	case t.tag != "":
		return "tag " + t.tag
	case t.entry:
		return "the empty add-tag entry"
	}
	return "the window"
}

type dropError string

func (e dropError) Error() string { return string(e) }

const errNotFiles = dropError("only files and folders can be dropped here")

// dropTargetAt hit-tests a window position against the sidebar's tag rows and the
// inspector's add-tag entry.
func (b *browser) dropTargetAt(pos fyne.Position) dropTarget {
	in := b.inspector
	if in.body.Visible() && in.addEntry.Visible() && contains(in.addEntry, pos) {
		return dropTarget{entry: true, tag: strings.TrimSpace(in.addEntry.Text)}
	}
	if contains(b.sidebar.list, pos) {
		for _, r := range b.sidebar.rowWidgets {
			if r.Visible() && r.row.heading == "" && r.row.tag.Name != "" && contains(r, pos) {
				return dropTarget{tag: r.row.tag.Name}
			}
		}
	}
	return dropTarget{}
}

// contains reports whether o, as laid out on its canvas, covers the window position.
func contains(o fyne.CanvasObject, pos fyne.Position) bool {
	d := fyne.CurrentApp().Driver()
	if d.CanvasForObject(o) == nil {
		return false
	}
	at := d.AbsolutePositionForObject(o)
	s := o.Size()
	return pos.X >= at.X && pos.Y >= at.Y && pos.X < at.X+s.Width && pos.Y < at.Y+s.Height
}
