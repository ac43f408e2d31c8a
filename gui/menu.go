package gui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
)

// openLimit caps how many files one Open starts viewers for.
const openLimit = 10

// contextMenu is the right-click menu for the selection.
func (b *browser) contextMenu() *fyne.Menu {
	n := b.selection.count()
	open := fyne.NewMenuItem("Open", b.openSelection)
	open.Icon = theme.FileApplicationIcon()
	show := fyne.NewMenuItem("Show in folder", b.showSelectionInFolder)
	show.Icon = theme.FolderOpenIcon()
	cp := fyne.NewMenuItem("Copy path", b.copySelectionPaths)
	cp.Icon = theme.ContentCopyIcon()
	if n > 1 {
		cp.Label = fmt.Sprintf("Copy %d paths", n)
	}
	edit := fyne.NewMenuItem("Edit tags", b.editTags)
	edit.Icon = theme.DocumentCreateIcon()
	edit.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault}
	remove := fyne.NewMenuItem("Remove from library…", b.confirmRemove)
	remove.Icon = theme.DeleteIcon()
	items := []*fyne.MenuItem{open, show, cp, fyne.NewMenuItemSeparator(), edit}
	if n == 1 && b.inspector.singleMissing() {
		locate := fyne.NewMenuItem("Locate…", b.locateSelected)
		locate.Icon = theme.SearchIcon()
		items = append(items, locate)
	}
	items = append(items, fyne.NewMenuItemSeparator(), remove)
	return fyne.NewMenu("", items...)
}

func (b *browser) showContextMenu(pos fyne.Position) {
	widget.ShowPopUpMenuAtPosition(b.contextMenu(), b.win.Canvas(), pos)
}

// withSelectedFiles reads up to limit selected files off the UI goroutine, then calls fn
// on it (limit <= 0: all).
func (b *browser) withSelectedFiles(limit int, fn func([]library.File)) {
	ids := b.selection.list(limit)
	if len(ids) == 0 {
		return
	}
	background(b.do, func() ([]library.File, error) {
		return b.lib.FilesByIDs(b.ctx, ids)
	}, func(files []library.File, err error) {
		if err != nil {
			b.status.showError("Could not read the selection", err)
			return
		}
		fn(files)
	})
}

// openSelection opens the selected files (up to openLimit) in their viewers.
func (b *browser) openSelection() {
	b.withSelectedFiles(openLimit, func(files []library.File) {
		paths := pathsOf(files)
		b.runOpener("Could not open the file", func() error {
			var errs []error
			for _, p := range paths {
				errs = append(errs, b.opener.Open(p))
			}
			return errors.Join(errs...)
		})
	})
}

func (b *browser) showSelectionInFolder() {
	b.withSelectedFiles(openLimit, func(files []library.File) {
		paths := pathsOf(files)
		b.runOpener("Could not show the folder", func() error { return b.opener.ShowInFolder(paths) })
	})
}

// runOpener calls the desktop off the UI goroutine (D-Bus may take a moment).
func (b *browser) runOpener(what string, call func() error) {
	background(b.do, func() (struct{}, error) { return struct{}{}, call() }, func(_ struct{}, err error) {
		if err != nil {
			b.status.showError(what, err)
		}
	})
}

func (b *browser) copySelectionPaths() {
	b.withSelectedFiles(0, func(files []library.File) {
		fyne.CurrentApp().Clipboard().SetContent(strings.Join(pathsOf(files), "\n"))
		b.status.showDone(fmt.Sprintf("Copied %s", plural(len(files), "path", "paths")))
	})
}

// editTags puts the keyboard in the inspector's add-tag entry.
func (b *browser) editTags() {
	b.win.Canvas().Focus(b.inspector.addEntry)
}

// confirmRemove asks, then removes the selected entries from the index. Files on disk
// are never touched.
func (b *browser) confirmRemove() {
	ids := b.selection.list(0)
	if len(ids) == 0 {
		return
	}
	msg := fmt.Sprintf("Remove %s from the library?\nThe files stay on disk; only their entries and tags go.", plural(len(ids), "file", "files"))
	d := dialog.NewConfirm("Remove from library", msg, func(ok bool) {
		if ok {
			b.removeFiles(ids)
		}
	}, b.win)
	d.SetConfirmText("Remove")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

func (b *browser) removeFiles(ids []int64) {
	background(b.do, func() (int, error) {
		return b.lib.RemoveFiles(b.ctx, ids)
	}, func(n int, err error) {
		if err != nil {
			b.status.showError("Removing failed", err)
			return
		}
		b.selection.clear()
		b.status.showDone(fmt.Sprintf("Removed %s from the library", plural(n, "file", "files")))
		b.changed()
	})
}

// locateSelected lets the user point at where a missing file went; the index entry
// (and its tags) move there.
func (b *browser) locateSelected() {
	files := b.inspector.files
	if len(files) != 1 {
		return
	}
	old := files[0].Path
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		newPath := r.URI().Path()
		r.Close()
		b.relocate(old, newPath)
	}, b.win)
	d.Show()
}

// relocate moves the index entry at old (and its tags) to newPath, where the user
// found the file.
func (b *browser) relocate(old, newPath string) {
	background(b.do, func() ([]library.Change, error) {
		if _, err := b.lib.ApplyRename(b.ctx, old, newPath, false); err != nil {
			return nil, err
		}
		return b.lib.Recheck(b.ctx, newPath)
	}, func(_ []library.Change, err error) {
		if err != nil {
			b.status.showError("Could not relocate the file", err)
			return
		}
		b.status.showDone("Found " + newPath)
		b.changed()
	})
}

func pathsOf(files []library.File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}
