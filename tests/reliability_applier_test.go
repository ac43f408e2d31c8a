package tests

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"hoard/library"
)

// TestReliabilityApplierLagging: a watcher that runs behind the disk (a busy machine, a
// burst of renames) applies each event after later renames already happened. An editor
// saves a.txt atomically and the user then renames it to b.txt: when the save is
// applied the file is no longer at a.txt, so its recheck marks the entry missing; the
// rename that follows proves the file is at b.txt, so the entry must end present there,
// with its tags.
func TestReliabilityApplierLagging(t *testing.T) {
	ctx := context.Background()
	h := newHoardCLI(t)
	dir := filepath.Join(h.dir, "files")
	a, tmp, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "a.txt.tmp"), filepath.Join(dir, "b.txt")
	writeFile(t, a, []byte("old"))
	h.ok("include", "-t", "keep", a)
	writeFile(t, tmp, []byte("new content"))
	mv(t, tmp, a)
	mv(t, a, b)

	l, err := library.Open(ctx, h.db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ap := l.NewApplier()
	for _, ev := range []library.FSEvent{{Rename: true, Old: tmp, New: a}, {Rename: true, Old: a, New: b}} {
		if _, err := ap.Apply(ctx, []library.FSEvent{ev}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := l.FileByPath(ctx, b)
	if err != nil {
		t.Fatalf("no entry at %s: %v", b, err)
	}
	if f.Missing || f.TagCount != 1 || f.Size != int64(len("new content")) {
		t.Fatalf("entry at %s: missing=%v tags=%d size=%d; want present, 1 tag, the saved content's size", b, f.Missing, f.TagCount, f.Size)
	}
	if _, err := os.Stat(b); err != nil {
		t.Fatal(err)
	}
}
