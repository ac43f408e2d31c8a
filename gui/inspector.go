package gui

import (
	"fmt"
	"image"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
	"hoard/library/thumbnail"
)

// previewSide is the inspector's preview box, filled from the 256 px ("large") cache.
const previewSide = 232

// inspector is the right pane: what the selection is and how it is tagged, with an
// entry that tags every selected file at once.
type inspector struct {
	b *browser

	hint     *widget.Label
	preview  *canvas.Image
	icon     *widget.Icon
	title    *widget.Label
	details  *widget.Form
	path     *widget.Label
	size     *widget.Label
	kind     *widget.Label
	dims     *widget.Label
	added    *widget.Label
	missing  fyne.CanvasObject
	tagsHead *widget.Label
	chips    *fyne.Container
	addEntry *completionEntry
	body     fyne.CanvasObject
	content  fyne.CanvasObject

	gen    int // bumped on every show, so late answers for an old selection are dropped
	ticket *thumbnail.Ticket
	files  []library.File // the selection as last shown (up to inspectLimit)
	tags   []library.FileTag
}

// inspectLimit is how many selected files the inspector reads to find shared tags.
const inspectLimit = 2000

func newInspector(b *browser) *inspector {
	in := &inspector{b: b}
	in.hint = widget.NewLabel("Select a file to see its details and tags.\nCtrl-click or Shift-click to select several.")
	in.hint.Alignment = fyne.TextAlignCenter
	in.hint.Importance = widget.LowImportance
	in.hint.Wrapping = fyne.TextWrapWord
	in.preview = canvas.NewImageFromImage(nil)
	in.preview.FillMode = canvas.ImageFillContain
	in.icon = widget.NewIcon(theme.FileImageIcon())
	in.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	in.title.Wrapping = fyne.TextWrapBreak
	in.path = wrapLabel()
	in.size = widget.NewLabel("")
	in.kind = widget.NewLabel("")
	in.dims = widget.NewLabel("")
	in.added = widget.NewLabel("")
	in.details = widget.NewForm(
		widget.NewFormItem("Folder", in.path),
		widget.NewFormItem("Size", in.size),
		widget.NewFormItem("Type", in.kind),
		widget.NewFormItem("Dimensions", in.dims),
		widget.NewFormItem("Added", in.added),
	)
	in.missing = in.buildMissing()
	in.tagsHead = widget.NewLabelWithStyle("Tags", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	in.chips = container.New(layout.NewRowWrapLayout())
	in.addEntry = newCompletionEntry("Add tag…")
	in.addEntry.suggest = in.suggest
	in.addEntry.OnChanged = in.addEntry.edited
	in.addEntry.OnSubmitted = in.onAddTag
	addButton := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { in.onAddTag(in.addEntry.Text) })

	previewBox := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(previewSide),
		container.NewStack(container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(64), in.icon)), in.preview)))
	in.body = container.NewVBox(
		previewBox,
		in.title,
		in.missing,
		in.details,
		widget.NewSeparator(),
		in.tagsHead,
		in.chips,
		container.NewBorder(nil, nil, nil, addButton, in.addEntry),
	)
	in.content = container.NewStack(
		container.NewVScroll(container.NewPadded(in.body)),
		container.NewPadded(container.NewVBox(layout.NewSpacer(), in.hint, layout.NewSpacer())),
	)
	in.body.Hide()
	return in
}

func wrapLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapBreak
	return l
}

// buildMissing is the notice for a file that is no longer where the index says, with
// its two ways out.
func (in *inspector) buildMissing() fyne.CanvasObject {
	note := widget.NewLabel("This file is missing from disk.")
	note.Importance = widget.WarningImportance
	note.Wrapping = fyne.TextWrapWord
	locate := widget.NewButtonWithIcon("Locate…", theme.SearchIcon(), func() { in.b.locateSelected() })
	remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { in.b.confirmRemove() })
	box := container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, note),
		container.NewGridWithColumns(2, locate, remove))
	box.Hide()
	return box
}

// inspection is what the inspector reads for a selection, off the UI goroutine.
type inspection struct {
	files []library.File
	tags  []library.FileTag // one file: all its tags; several: the direct tags they share
	total int
}

// show displays the current selection.
func (in *inspector) show() {
	in.gen++
	gen := in.gen
	sel := in.b.selection
	if sel.count() == 0 {
		in.cancelPreview()
		in.files, in.tags = nil, nil
		in.body.Hide()
		in.hint.Show()
		return
	}
	ids := sel.list(inspectLimit)
	total := sel.count()
	background(in.b.do, func() (inspection, error) {
		return inspect(in.b, ids, total)
	}, func(r inspection, err error) {
		if gen != in.gen {
			return
		}
		if err != nil {
			in.b.status.showError("Could not read the selection", err)
			return
		}
		in.fill(r)
	})
}

func inspect(b *browser, ids []int64, total int) (inspection, error) {
	r := inspection{total: total}
	files, err := b.lib.FilesByIDs(b.ctx, ids)
	if err != nil {
		return r, err
	}
	r.files = files
	if len(files) == 1 {
		r.tags, err = b.lib.FileTags(b.ctx, files[0].ID)
		return r, err
	}
	// Several: the direct tags every one of them has (those can be removed from all).
	counts := map[string]int{}
	var order []library.FileTag
	for _, f := range files {
		tags, err := b.lib.FileTags(b.ctx, f.ID)
		if err != nil {
			return r, err
		}
		for _, t := range tags {
			if t.Implied {
				continue
			}
			if counts[t.Name] == 0 {
				order = append(order, t)
			}
			counts[t.Name]++
		}
	}
	for _, t := range order {
		if counts[t.Name] == len(files) {
			r.tags = append(r.tags, t)
		}
	}
	return r, nil
}

func (in *inspector) fill(r inspection) {
	in.files, in.tags = r.files, r.tags
	if len(r.files) == 0 {
		in.body.Hide()
		in.hint.Show()
		return
	}
	in.hint.Hide()
	in.body.Show()
	f := r.files[0]
	if r.total == 1 {
		in.title.SetText(f.Name())
		in.path.SetText(folderOf(f.Path))
		in.size.SetText(humanSize(f.Size))
		in.kind.SetText(orDash(f.MIME))
		if f.Width > 0 && f.Height > 0 {
			in.dims.SetText(fmt.Sprintf("%d × %d", f.Width, f.Height))
		} else {
			in.dims.SetText("—")
		}
		in.added.SetText(f.Added.Local().Format(time.DateTime))
		in.details.Show()
		in.tagsHead.SetText("Tags")
	} else {
		var bytes int64
		for _, f := range r.files {
			bytes += f.Size
		}
		in.title.SetText(fmt.Sprintf("%d files selected", r.total))
		in.size.SetText(humanSize(bytes))
		in.details.Hide()
		in.tagsHead.SetText("Tags they all have")
	}
	if f.Missing && r.total == 1 {
		in.missing.Show()
	} else {
		in.missing.Hide()
	}
	in.fillChips(r.tags)
	in.showPreview(f)
}

// fillChips shows a chip per tag: direct tags with a remove button, implied ones
// marked as such (they go away with the tag that implies them).
func (in *inspector) fillChips(tags []library.FileTag) {
	in.chips.RemoveAll()
	for _, t := range tags {
		in.chips.Add(newTagChip(t, in.onRemoveTag))
	}
	if len(tags) == 0 {
		none := widget.NewLabel("No tags yet")
		none.Importance = widget.LowImportance
		in.chips.Add(none)
	}
	in.chips.Refresh()
}

func (in *inspector) showPreview(f library.File) {
	in.cancelPreview()
	if img, ok := in.b.thumbs.Lookup(f.Path, thumbnail.Large); ok {
		in.setPreview(img, nil)
		return
	}
	in.setPreview(nil, iconForMIME(f.MIME))
	if f.Missing {
		in.setPreview(nil, theme.QuestionIcon())
		return
	}
	path, gen := f.Path, in.gen
	in.ticket = in.b.thumbs.Request(path, thumbnail.Large, priorityInspector, func(r thumbnail.Result, err error) {
		in.b.do(func() {
			if gen != in.gen {
				return
			}
			in.ticket = nil
			switch {
			case err != nil || r.Kind == thumbnail.KindFailed:
				in.setPreview(nil, theme.BrokenImageIcon())
			case r.Kind == thumbnail.KindIcon:
				in.setPreview(nil, iconForMIME(r.MIME))
			default:
				in.setPreview(r.Image, nil)
			}
		})
	})
}

func (in *inspector) setPreview(img image.Image, icon fyne.Resource) {
	in.preview.Image = img
	in.preview.Refresh()
	if icon != nil {
		in.icon.SetResource(icon)
		in.icon.Show()
	} else {
		in.icon.Hide()
	}
}

func (in *inspector) cancelPreview() {
	if in.ticket != nil {
		in.ticket.Cancel()
		in.ticket = nil
	}
}

// suggest offers tag names (with counts) for the add-tag entry.
func (in *inspector) suggest(text string, _ int, show func([]suggestion)) {
	prefix := strings.TrimSpace(text)
	if prefix == "" {
		show(nil)
		return
	}
	background(in.b.do, func() ([]library.Tag, error) {
		return in.b.lib.SearchTags(in.b.ctx, prefix, 8)
	}, func(tags []library.Tag, err error) {
		var items []suggestion
		if err == nil {
			for _, t := range tags {
				items = append(items, suggestion{label: t.Name, detail: fmt.Sprint(t.Count), text: t.Name, cursor: len(t.Name)})
			}
		}
		show(items)
	})
}

// onAddTag tags every selected file with the entry's tag (created if new).
func (in *inspector) onAddTag(text string) {
	name := strings.TrimSpace(text)
	if name == "" || in.b.selection.count() == 0 {
		return
	}
	if _, err := library.NormalizeTagName(name); err != nil {
		in.b.status.showError("Cannot use that tag", err)
		return
	}
	in.addEntry.setText("", 0)
	in.b.tagSelection([]string{name})
}

func (in *inspector) onRemoveTag(name string) {
	in.b.untagSelection([]string{name})
}

// tagSelection tags all selected files at once.
func (b *browser) tagSelection(names []string) {
	ids := b.selection.list(0)
	b.status.showWork(fmt.Sprintf("Tagging %s…", plural(len(ids), "file", "files")))
	background(b.do, func() (int, error) {
		return b.lib.TagFiles(b.ctx, ids, names, library.TagOptions{Create: true, Source: library.SourceManual})
	}, func(n int, err error) {
		if err != nil {
			b.status.showError("Tagging failed", err)
			return
		}
		b.status.showDone(fmt.Sprintf("Tagged %s with %s", plural(len(ids), "file", "files"), strings.Join(names, ", ")))
		b.changed()
	})
}

// untagSelection removes tags from all selected files.
func (b *browser) untagSelection(names []string) {
	ids := b.selection.list(0)
	background(b.do, func() (int, error) {
		return b.lib.UntagFiles(b.ctx, ids, names)
	}, func(n int, err error) {
		if err != nil {
			b.status.showError("Removing the tag failed", err)
			return
		}
		b.status.showDone(fmt.Sprintf("Removed %s from %s", strings.Join(names, ", "), plural(len(ids), "file", "files")))
		b.changed()
	})
}

func folderOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i > 0 {
		return path[:i]
	}
	return "/"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// humanSize writes a byte count the way file managers do (1000-based).
func humanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// singleMissing reports whether the inspector shows one file that is missing.
func (in *inspector) singleMissing() bool {
	return len(in.files) == 1 && in.files[0].Missing
}
