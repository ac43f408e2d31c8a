package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/assets"
)

// welcome covers the grid when there is nothing to show: a first-run welcome that
// points at Import, or a plain "no match" for a query.
type welcome struct {
	first   fyne.CanvasObject
	noMatch fyne.CanvasObject
	content *fyne.Container
}

func newWelcome(b *browser) *welcome {
	w := &welcome{}
	logo := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.IconPNG))
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(96))
	title := widget.NewLabelWithStyle("Your hoard is empty", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	body := widget.NewLabel("Import a folder to index its files where they are.\nNothing is copied or moved; tag them here afterwards.")
	body.Alignment = fyne.TextAlignCenter
	body.Importance = widget.LowImportance
	start := widget.NewButtonWithIcon("Import a folder…", theme.FolderOpenIcon(), b.onImport)
	start.Importance = widget.HighImportance
	w.first = container.NewCenter(container.NewVBox(logo, title, body, container.NewCenter(start)))

	none := widget.NewLabelWithStyle("No files match this search", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	hint := widget.NewLabel("Remove a term, or click a tag on the left.")
	hint.Alignment = fyne.TextAlignCenter
	hint.Importance = widget.LowImportance
	w.noMatch = container.NewCenter(container.NewVBox(widget.NewIcon(theme.SearchIcon()), none, hint))

	w.content = container.NewStack(w.first, w.noMatch)
	w.content.Hide()
	return w
}

// update shows the right state for a result set.
func (w *welcome) update(rs *resultSet) {
	switch {
	case rs.count > 0:
		w.content.Hide()
		return
	case rs.query == "":
		w.first.Show()
		w.noMatch.Hide()
	default:
		w.first.Hide()
		w.noMatch.Show()
	}
	w.content.Show()
}
