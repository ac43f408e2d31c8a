package gui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
)

// newFolder writes n small PNGs into a new folder under the harness's dir.
func (h *harness) newFolder(name string, n int) string {
	h.t.Helper()
	dir := filepath.Join(h.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.t.Fatal(err)
	}
	for i := range n {
		writePNG(h.t, filepath.Join(dir, fmt.Sprintf("img%05d.png", i)), color.NRGBA{R: uint8(i), G: uint8(i >> 8), B: 7, A: 255})
	}
	return dir
}

// importDone waits for the dialog's import to end and returns its outcome.
func (h *harness) importDone(d *importDialog) (library.IncludeResult, error) {
	h.t.Helper()
	type outcome struct {
		res library.IncludeResult
		err error
	}
	var got *outcome
	d.finished = func(res library.IncludeResult, err error) { got = &outcome{res, err} }
	h.waitFor("the import", func() bool { return got != nil })
	return got.res, got.err
}

func TestImportDialogFlow(t *testing.T) {
	h := newHarness(t, []testFile{{name: "old.png", tags: []string{"holiday"}}})
	dir := h.newFolder("trip", 3)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := h.b.showImportDialog([]string{dir, h.paths["old.png"]})
	if len(d.paths) != 2 {
		t.Fatalf("prefilled paths %q", d.paths)
	}
	h.waitFor("the dry-run count", func() bool { return strings.Contains(d.preview.Text, "found") })
	if want := "5 files found: 4 new, 1 already in the library."; d.preview.Text != want {
		t.Errorf("preview %q, want %q", d.preview.Text, want)
	}
	if n := h.count(""); n != 1 {
		t.Fatalf("the dry run changed the library: %d files", n)
	}

	// Tags with autocomplete: "hol" offers holiday.
	test.Type(d.tags, "hol")
	h.waitFor("suggestions", func() bool { return d.tags.suggesting() })
	if d.tags.items[0].text != "holiday" {
		t.Errorf("first suggestion %q", d.tags.items[0].text)
	}
	d.tags.pick(0)
	test.Type(d.tags, ", trip2024")
	d.rules.SetText("mime")
	h.waitFor("the count after the edits", func() bool { return d.counted == d.edits && strings.Contains(d.preview.Text, "found") })

	d.onStart()
	if !d.running || d.start.Visible() {
		t.Fatal("the dialog does not show the import running")
	}
	res, err := h.importDone(d)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 4 || res.Updated+res.Unchanged != 1 {
		t.Errorf("result %+v", res)
	}
	if n := h.count("holiday trip2024"); n != 5 {
		t.Errorf("holiday trip2024 matches %d files, want 5", n)
	}
	if n := h.count("kind:image"); n != 4 {
		t.Errorf("the mime rule tagged %d files kind:image, want 4 (the PNGs)", n)
	}
	if d.close.Text != "Close" || !strings.Contains(h.b.status.work.Text, "Imported: 4 added") {
		t.Errorf("summary not shown: button %q, status %q", d.close.Text, h.b.status.work.Text)
	}
	h.waitQuery("", 5)
	d.onClose()
	if h.b.importing != nil {
		t.Error("the dialog is still open after Close")
	}
}

func TestImportDialogBadInput(t *testing.T) {
	h := newHarness(t, nil)
	dir := h.newFolder("x", 1)
	d := h.b.showImportDialog([]string{dir})
	d.rules.SetText("nosuchrule")
	h.waitFor("the rule error", func() bool { return strings.Contains(d.preview.Text, "neither a rule kind") })
	if !d.start.Disabled() {
		t.Error("Import enabled with a bad rule")
	}
	d.rules.SetText("")
	d.strict.SetChecked(true)
	d.tags.SetText("unknowntag")
	h.waitFor("the strict error", func() bool { return d.counted == d.edits && d.preview.Importance == widget.DangerImportance })
	if !d.start.Disabled() {
		t.Errorf("Import enabled for an unknown tag in strict mode (preview %q)", d.preview.Text)
	}
}

func TestImportDialogCancel(t *testing.T) {
	h := newHarness(t, nil)
	dir := h.newFolder("many", 6000)
	d := h.b.showImportDialog([]string{dir})
	h.waitFor("the dry-run count", func() bool { return strings.Contains(d.preview.Text, "found") })
	d.onStart()
	h.waitFor("indexing to start", func() bool { return d.prog.indexed() > 0 })
	d.onClose() // Cancel
	res, err := h.importDone(d)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("import ended with %v, want cancelled (res %+v)", err, res)
	}
	got := h.count("")
	if got != res.Added || got == 0 || got == 6000 {
		t.Errorf("after Cancel: %d files in the library, result says %d added", got, res.Added)
	}
	rep, err := h.lib.Check(context.Background(), library.CheckOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problems() != 0 {
		t.Errorf("the library is not consistent after Cancel: %+v", rep.Findings[:min(5, len(rep.Findings))])
	}
	// Importing again finishes the job.
	d.dlg.Hide()
	d = h.b.showImportDialog([]string{dir})
	d.onStart()
	if _, err := h.importDone(d); err != nil {
		t.Fatal(err)
	}
	if n := h.count(""); n != 6000 {
		t.Errorf("after importing again: %d files, want 6000", n)
	}
}
