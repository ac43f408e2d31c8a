package gui

import (
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

// center is the window position of o's middle.
func center(o fyne.CanvasObject) fyne.Position {
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return at.AddXY(o.Size().Width/2, o.Size().Height/2)
}

func fileURIs(paths ...string) []fyne.URI {
	var out []fyne.URI
	for _, p := range paths {
		out = append(out, storage.NewFileURI(p))
	}
	return out
}

// dropFile writes a new PNG outside the library for dropping.
func (h *harness) dropFile(name string) string {
	h.t.Helper()
	dir := filepath.Join(h.dir, "outside")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	writePNG(h.t, p, color.NRGBA{R: uint8(len(name) * 20), G: 90, B: 200, A: 255})
	return p
}

func TestDropOnWindowOpensImportDialog(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png", tags: []string{"cat"}}})
	p := h.dropFile("new.png")
	dir := h.newFolder("folder", 2)
	h.b.onDropped(center(h.b.grid.view), fileURIs(p, dir))
	d := h.b.importing
	if d == nil {
		t.Fatal("no import dialog after a drop on the grid")
	}
	if len(d.paths) != 2 || d.paths[0] != p || d.paths[1] != dir {
		t.Errorf("dialog lists %q, want [%s %s]", d.paths, p, dir)
	}
	// A second drop while it is open adds to it.
	q := h.dropFile("more.png")
	h.b.onDropped(fyne.NewPos(5, 5), fileURIs(q))
	if h.b.importing != d || len(d.paths) != 3 {
		t.Errorf("a drop on the open dialog: %d paths", len(d.paths))
	}
	if n := h.count(""); n != 1 {
		t.Errorf("a drop on the window imported at once (%d files); it should wait for the dialog", n)
	}
}

func TestDropOnSidebarTag(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png", tags: []string{"cat"}}, {name: "b.png", tags: []string{"dog"}}})
	h.waitFor("the sidebar", func() bool { return len(h.b.sidebar.rows) >= 2 })
	test.LaidOutObjects(h.w.Content()) // lay the list out
	var row *tagRow
	for _, r := range h.b.sidebar.rowWidgets {
		if r.row.tag.Name == "dog" && contains(h.b.sidebar.list, center(r)) { // not a recycled row
			row = r
		}
	}
	if row == nil {
		t.Fatal("no sidebar row shows dog")
	}
	if got := h.b.dropTargetAt(center(row)); got.tag != "dog" {
		t.Fatalf("hit test on the dog row: %+v", got)
	}
	p := h.dropFile("new.png")
	h.b.onDropped(center(row), fileURIs(p))
	if h.b.importing != nil {
		t.Error("a drop on a tag opened the dialog")
	}
	h.waitFor("the tagged import", func() bool { return h.count("dog") == 2 })
}

func TestDropOnInspectorTagEntry(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png"}})
	h.b.click(0, 0)
	h.waitFor("the inspector", func() bool { return h.b.inspector.body.Visible() })
	entry := h.b.inspector.addEntry
	entry.setText("fresh", 5)
	test.LaidOutObjects(h.w.Content())
	if got := h.b.dropTargetAt(center(entry)); !got.entry || got.tag != "fresh" {
		t.Fatalf("hit test on the add-tag entry: %+v", got)
	}
	p := h.dropFile("new.png")
	h.b.onDropped(center(entry), fileURIs(p))
	h.waitFor("the tagged import", func() bool { return h.count("fresh") == 1 })
	if n := h.count(""); n != 2 {
		t.Errorf("%d files after the drop, want 2", n)
	}
	if n := h.count("fresh"); n != 1 {
		t.Errorf("fresh on %d files; only the dropped one should get it", n)
	}
}

func TestDropIgnoresNonFiles(t *testing.T) {
	h := newHarness(t, nil)
	u, err := storage.ParseURI("https://example.com/x.png")
	if err != nil {
		t.Fatal(err)
	}
	h.b.onDropped(fyne.NewPos(10, 10), []fyne.URI{u})
	if h.b.importing != nil || h.b.status.work.Text == "" {
		t.Errorf("a web URI: dialog %v, status %q", h.b.importing != nil, h.b.status.work.Text)
	}
}
