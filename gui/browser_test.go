package gui

import (
	"context"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

var (
	red   = color.NRGBA{R: 0xd0, G: 0x30, B: 0x30}
	green = color.NRGBA{R: 0x30, G: 0xa0, B: 0x40}
	blue  = color.NRGBA{R: 0x30, G: 0x50, B: 0xd0}
)

func petFiles() []testFile {
	return []testFile{
		{name: "alpha.png", tags: []string{"cat"}, rgb: red},
		{name: "beta.png", tags: []string{"dog"}, rgb: green},
		{name: "gamma.png", tags: []string{"cat", "dog", "artist:ann"}, rgb: blue},
	}
}

func TestTypingAQuery(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)

	test.Type(h.b.search.entry, "cat")
	h.waitQuery("cat", 2)
	test.Type(h.b.search.entry, " -dog")
	h.waitQuery("cat -dog", 1)
	if got := h.b.status.results.Text; got != "1 file" {
		t.Errorf("status says %q, want 1 file", got)
	}

	cases := []struct {
		name, query, want string
	}{
		{"unclosed paren", "(cat", "Column 1"},
		{"unknown tag", "zebra", "zebra"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.b.search.setQuery(tc.query)
			h.waitFor("problem mentioning "+tc.want, func() bool {
				return h.b.search.problem.Visible() && strings.Contains(h.b.search.problem.Text, tc.want)
			})
			if h.b.results.query != "cat -dog" {
				t.Errorf("grid left the last good results for %q", h.b.results.query)
			}
		})
	}
	h.b.search.setQuery("dog")
	h.waitQuery("dog", 2)
	if h.b.search.problem.Visible() {
		t.Error("problem still shown after a good query")
	}
}

func TestAutocompleteOffersTagsWithCounts(t *testing.T) {
	h := newHarness(t, petFiles())
	e := h.b.search.entry
	test.Type(e, "ca")
	h.waitFor("suggestions", func() bool { return len(e.items) > 0 && e.suggesting() })
	first := e.items[0]
	if first.label != "cat" || first.detail != "2" {
		t.Fatalf("first suggestion %q (%s), want cat (2)", first.label, first.detail)
	}
	e.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	e.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.Text != "cat" {
		t.Fatalf("entry holds %q after picking, want cat", e.Text)
	}
	if e.suggesting() {
		t.Error("suggestions still open after picking")
	}
	h.waitQuery("cat", 2)

	// A namespaced tag completes inside a longer query, leaving the rest alone.
	h.b.search.setQuery("dog ar")
	e.CursorColumn = len("dog ar")
	e.edited(e.Text)
	h.waitFor("namespace suggestion", func() bool {
		return len(e.items) > 0 && e.items[0].label == "artist:ann"
	})
	e.pick(0)
	if e.Text != "dog artist:ann" {
		t.Errorf("entry holds %q, want %q", e.Text, "dog artist:ann")
	}
	h.waitQuery("dog artist:ann", 1)
}

func TestSelectingWithClicksAndKeys(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)
	b := h.b

	h.w.Canvas().Focus(b.search.entry)
	test.Tap(h.cell(0))
	if b.selection.count() != 1 {
		t.Fatalf("tap selected %d, want 1", b.selection.count())
	}
	if h.w.Canvas().Focused() != nil {
		t.Errorf("the search box kept the keyboard after a click on a file")
	}
	b.click(2, fyne.KeyModifierShift)
	if b.selection.count() != 3 {
		t.Errorf("shift-click selected %d, want 3", b.selection.count())
	}
	b.click(1, fyne.KeyModifierControl)
	if b.selection.count() != 2 || b.selection.has(b.results.res.IDs(1, 1)[0]) {
		t.Errorf("ctrl-click did not toggle index 1 off")
	}
	b.onKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if b.selection.count() != 0 {
		t.Errorf("escape left %d selected", b.selection.count())
	}
	h.w.Canvas().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutSelectAll{}) // what the driver sends for Ctrl+A
	if b.selection.count() != 3 {
		t.Errorf("ctrl+A selected %d, want 3", b.selection.count())
	}
	h.settle()
	if got := b.status.selected.Text; got != "3 selected" {
		t.Errorf("status says %q", got)
	}

	// Right-click on an unselected cell selects it and opens the menu; a left click
	// afterwards still selects.
	b.selectNone()
	test.TapSecondary(h.cell(1))
	if b.selection.count() != 1 || !b.selection.has(b.results.res.IDs(1, 1)[0]) {
		t.Errorf("right-click did not select its cell")
	}
	if len(h.w.Canvas().Overlays().List()) == 0 {
		t.Errorf("right-click showed no menu")
	}
	h.w.Canvas().Overlays().Top().Hide()
	test.Tap(h.cell(2))
	if b.selection.count() != 1 || !b.selection.has(b.results.res.IDs(2, 1)[0]) {
		t.Errorf("left click after a right click did not select")
	}
}

func TestTaggingTheSelection(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)
	h.b.selectAll()
	in := h.b.inspector
	h.waitFor("inspector", func() bool { return in.body.Visible() })
	if got := in.title.Text; got != "3 files selected" {
		t.Errorf("inspector title %q", got)
	}
	test.Type(in.addEntry, "favourite")
	in.addEntry.OnSubmitted(in.addEntry.Text)
	h.waitFor("tagged in the index", func() bool { return h.count("favourite") == 3 })
	h.waitFor("chip shown", func() bool { return chipNamed(in, "favourite") != nil })
	if in.addEntry.Text != "" {
		t.Errorf("entry kept %q after tagging", in.addEntry.Text)
	}
	h.waitFor("sidebar lists the new tag", func() bool {
		for _, r := range h.b.sidebar.rows {
			if r.tag.Name == "favourite" && r.tag.Count == 3 {
				return true
			}
		}
		return false
	})
}

func TestRemovingATagAndImpliedTags(t *testing.T) {
	h := newHarness(t, petFiles())
	if _, err := h.lib.CreateTag(context.Background(), "animal"); err != nil {
		t.Fatal(err)
	}
	if err := h.lib.Imply(context.Background(), "cat", "animal"); err != nil {
		t.Fatal(err)
	}
	h.waitQuery("", 3)
	h.b.click(h.indexOf("gamma.png"), 0)
	in := h.b.inspector
	h.waitFor("chips", func() bool { return chipNamed(in, "cat") != nil })
	if in.title.Text != "gamma.png" || in.dims.Text != "64 × 48" {
		t.Errorf("inspector shows %q, %q", in.title.Text, in.dims.Text)
	}
	implied := chipNamed(in, "animal")
	if implied == nil || !hasText(implied, "implied") || findButton(implied) != nil {
		t.Errorf("implied tag not shown as implied (without a remove button)")
	}
	test.Tap(findButton(chipNamed(in, "cat")))
	h.waitFor("untagged in the index", func() bool { return h.count("cat") == 1 })
	h.waitFor("chip gone", func() bool { return chipNamed(in, "cat") == nil })
	if chipNamed(in, "dog") == nil {
		t.Error("the other tags went too")
	}
}

func TestContextMenuActions(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)
	b := h.b
	b.click(h.indexOf("beta.png"), 0)
	path := h.paths["beta.png"]
	menu := b.contextMenu()

	menuItem(t, menu, "Open").Action()
	h.waitFor("open", func() bool { o, _ := h.opener.calls(); return len(o) == 1 })
	if o, _ := h.opener.calls(); o[0] != path {
		t.Errorf("opened %q, want %q", o[0], path)
	}
	menuItem(t, menu, "Show in folder").Action()
	h.waitFor("show", func() bool { _, s := h.opener.calls(); return len(s) == 1 })
	if _, s := h.opener.calls(); len(s[0]) != 1 || s[0][0] != path {
		t.Errorf("showed %q, want [%q]", s[0], path)
	}
	menuItem(t, menu, "Copy path").Action()
	h.waitFor("clipboard", func() bool { return fyne.CurrentApp().Clipboard().Content() == path })

	menuItem(t, menu, "Edit tags").Action()
	if h.w.Canvas().Focused() != b.inspector.addEntry {
		t.Errorf("Edit tags focused %T", h.w.Canvas().Focused())
	}

	// Enter opens too (when no entry has the keyboard).
	h.w.Canvas().Unfocus()
	b.onKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("second open", func() bool { o, _ := h.opener.calls(); return len(o) == 2 })

	menuItem(t, menu, "Remove from library…").Action()
	confirm := overlayButton(h.w.Canvas(), "Remove")
	if confirm == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(confirm)
	h.waitQuery("", 2)
	if h.count("") != 2 {
		t.Errorf("index holds %d files, want 2", h.count(""))
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the file itself is gone: %v", err)
	}
}

func TestSidebarAddsTagsToTheQuery(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitFor("sidebar", func() bool { return len(h.b.sidebar.rows) > 0 })
	var headings []string
	for _, r := range h.b.sidebar.rows {
		if r.heading != "" {
			headings = append(headings, r.heading)
		}
	}
	if strings.Join(headings, ",") != "general,artist" {
		t.Errorf("namespace headings %v", headings)
	}
	var catRow *tagRow
	h.b.sidebar.list.Refresh()
	for _, o := range test.LaidOutObjects(h.b.sidebar.list) {
		if r, ok := o.(*tagRow); ok && r.row.tag.Name == "cat" {
			catRow = r
		}
	}
	if catRow == nil {
		t.Fatal("no row for cat")
	}
	test.Tap(catRow)
	h.waitQuery("cat", 2)
	h.b.search.addTerm("dog", true) // what ctrl-click does
	h.waitQuery("cat -dog", 1)

	h.b.sidebar.filter.SetText("art")
	if len(h.b.sidebar.rows) != 2 || h.b.sidebar.rows[1].tag.Name != "artist:ann" {
		t.Errorf("filtered rows %+v", h.b.sidebar.rows)
	}
}

func TestEmptyLibraryWelcomes(t *testing.T) {
	h := newHarness(t, nil)
	h.waitQuery("", 0)
	if !h.b.welcome.content.Visible() || !h.b.welcome.first.Visible() {
		t.Error("no welcome for an empty library")
	}
}

func TestRefreshAfterAnotherProcessChanges(t *testing.T) {
	h := newHarness(t, petFiles())
	h.b.search.setQuery("dog")
	h.waitQuery("dog", 2)
	// The CLI would be another process; another connection is the same to SQLite.
	other, err := openOther(h)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	res, err := other.Search(context.Background(), "cat -dog", libraryOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.TagFiles(context.Background(), res.IDs(0, 1), []string{"dog"}, tagOptions()); err != nil {
		t.Fatal(err)
	}
	h.waitFor("refresh", func() bool { return h.b.results.count == 3 })
}

func TestThumbnailsReachTheCells(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)
	h.waitFor("thumbnail", func() bool {
		c := h.cell(0)
		return c.img.Visible() && c.img.Image != nil
	})
}

// chipNamed finds the inspector chip of a tag.
func chipNamed(in *inspector, name string) fyne.CanvasObject {
	for _, o := range in.chips.Objects {
		for _, d := range test.LaidOutObjects(o) {
			if t, ok := d.(*canvas.Text); ok && t.Text == name {
				return o
			}
		}
	}
	return nil
}

func hasText(o fyne.CanvasObject, s string) bool {
	for _, d := range test.LaidOutObjects(o) {
		if t, ok := d.(*canvas.Text); ok && t.Text == s {
			return true
		}
	}
	return false
}

func findButton(o fyne.CanvasObject) *widget.Button {
	if o == nil {
		return nil
	}
	for _, d := range test.LaidOutObjects(o) {
		if b, ok := d.(*widget.Button); ok {
			return b
		}
	}
	return nil
}

func overlayButton(c fyne.Canvas, text string) *widget.Button {
	for _, ov := range c.Overlays().List() {
		for _, d := range test.LaidOutObjects(ov) {
			if b, ok := d.(*widget.Button); ok && b.Text == text {
				return b
			}
		}
	}
	return nil
}

func menuItem(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("menu has no %q", label)
	return nil
}

func TestMissingFileShowsABadgeAndCanBeLocated(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)
	old := h.paths["beta.png"]
	moved := filepath.Join(h.dir, "found-again.png")
	if err := os.Rename(old, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := h.lib.ApplyUnlink(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	h.b.refresh()
	h.waitFor("missing entry", func() bool {
		f, ok := h.b.results.file(h.indexOf("beta.png"))
		return ok && f.Missing
	})
	i := h.indexOf("beta.png")
	if !h.cell(i).badge.Visible() {
		t.Error("no badge on the missing file")
	}
	h.b.click(i, 0)
	h.waitFor("inspector", func() bool { return h.b.inspector.singleMissing() })
	if !h.b.inspector.missing.Visible() {
		t.Error("inspector does not say the file is missing")
	}
	menuItem(t, h.b.contextMenu(), "Locate…")

	h.b.relocate(old, moved)
	h.waitFor("entry at its new path", func() bool {
		for i := range h.b.results.count {
			if f, ok := h.b.results.file(i); ok && f.Path == moved && !f.Missing {
				return true
			}
		}
		return false
	})
	if h.count("dog") != 2 {
		t.Error("the relocated file lost its tags")
	}
}

func TestImportFolderReportsAndRefreshes(t *testing.T) {
	h := newHarness(t, nil)
	h.waitQuery("", 0)
	dir := filepath.Join(h.dir, "new")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Join(dir, "one.png"), red)
	writePNG(t, filepath.Join(dir, "two.png"), green)
	h.b.importPaths([]string{dir}, []string{"imported"})
	h.waitQuery("", 2)
	if h.b.welcome.content.Visible() {
		t.Error("welcome still shown after an import")
	}
	if got := h.b.status.work.Text; !strings.Contains(got, "2 added") {
		t.Errorf("status says %q", got)
	}
	if h.count("imported") != 2 {
		t.Errorf("import tags missing")
	}
}

func TestWindowSizeIsRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("x"))
	w.Resize(fyne.NewSize(900, 640))
	saveSize(a, w)
	w2 := test.NewTempWindow(t, widget.NewLabel("y"))
	restoreSize(a, w2)
	if got := w2.Canvas().Size(); got.Width != 900 || got.Height != 640 {
		t.Errorf("restored %v, want 900x640", got)
	}
}

func TestArrowKeysMoveTheSelection(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)
	b := h.b
	b.onKey(&fyne.KeyEvent{Name: fyne.KeyRight}) // nothing selected: the first cell
	if b.selection.anchor != 0 || b.selection.count() != 1 {
		t.Fatalf("anchor %d, %d selected", b.selection.anchor, b.selection.count())
	}
	b.onKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	b.onKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	b.onKey(&fyne.KeyEvent{Name: fyne.KeyRight}) // stops at the last
	if b.selection.anchor != 2 || !b.selection.has(b.results.res.IDs(2, 1)[0]) {
		t.Errorf("anchor %d after moving right past the end", b.selection.anchor)
	}
	b.onKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	if b.selection.anchor != 1 || b.selection.count() != 1 {
		t.Errorf("anchor %d, %d selected after left", b.selection.anchor, b.selection.count())
	}
}

func TestMousePressSelectsWithoutWaitingForTheTap(t *testing.T) {
	h := newHarness(t, petFiles())
	h.waitQuery("", 3)
	c := h.cell(1)
	c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, Modifier: fyne.KeyModifierControl})
	if h.b.selection.count() != 1 {
		t.Fatalf("press selected %d", h.b.selection.count())
	}
	test.Tap(c) // the tap that follows the press must not toggle it off again
	if h.b.selection.count() != 1 {
		t.Errorf("the tap after the press changed the selection to %d", h.b.selection.count())
	}
	c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonSecondary})
	if h.b.selection.count() != 1 {
		t.Errorf("a right press changed the selection")
	}
}
