package thumbnail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestMoveKeepsThumbnails(t *testing.T) {
	dir := t.TempDir()
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	s := newTestService(t, Options{CacheDir: cacheDir})
	old := writeFile(t, dir, "before.jpg", encodeJPEG(t, photo(320, 240, 8), 90))
	bad := writeFile(t, dir, "broken.png", []byte("not a png"))
	for _, size := range []Size{Normal, Large} {
		if res, err := s.Generate(context.Background(), old, size); err != nil || res.Kind != KindThumbnail {
			t.Fatalf("%v %v", err, res.Kind)
		}
	}
	s.Generate(context.Background(), bad, Normal)

	renamed := filepath.Join(dir, "after é.jpg")
	badRenamed := filepath.Join(dir, "still broken.png")
	for _, r := range []Rename{{old, renamed}, {bad, badRenamed}} {
		if err := os.Rename(r.Old, r.New); err != nil {
			t.Fatal(err)
		}
		if err := s.Move(r.Old, r.New); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []Size{Normal, Large} {
		if _, err := os.Stat(s.cache.path(FileURI(old), size)); !os.IsNotExist(err) {
			t.Errorf("%d: old thumbnail still there (%v)", size, err)
		}
		data, err := os.ReadFile(s.cache.path(FileURI(renamed), size))
		if err != nil {
			t.Fatalf("%d: no thumbnail under the new name: %v", size, err)
		}
		if text, _ := pngText(data); text[keyURI] != FileURI(renamed) {
			t.Errorf("%d: Thumb::URI %q, want %q", size, text[keyURI], FileURI(renamed))
		}
		checkMode(t, s.cache.path(FileURI(renamed), size), 0o600)
	}
	if _, ok := s.Lookup(renamed, Large); !ok {
		t.Error("in-memory thumbnail did not follow the rename")
	}
	fresh := newTestService(t, Options{CacheDir: cacheDir})
	if res, _ := fresh.Generate(context.Background(), renamed, Large); res.Origin != FromCache {
		t.Errorf("moved thumbnail not valid for the new path: origin %v", res.Origin)
	}
	if res, _ := fresh.Generate(context.Background(), badRenamed, Normal); res.Kind != KindFailed || !errors.Is(res.Err, ErrFailedBefore) {
		t.Errorf("recorded failure did not follow the rename: %v %v", res.Kind, res.Err)
	}
	if err := s.Move(filepath.Join(dir, "never.jpg"), filepath.Join(dir, "seen.jpg")); err != nil {
		t.Errorf("moving a file without thumbnails: %v", err)
	}
}

func TestMoveAllForDirectoryRename(t *testing.T) {
	root := t.TempDir()
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	s := newTestService(t, Options{CacheDir: cacheDir})
	oldDir, newDir := filepath.Join(root, "2023 trip"), filepath.Join(root, "2023 Trip (Italy)")
	os.Mkdir(oldDir, 0o755)
	var renames []Rename
	for i := range 3 {
		name := fmt.Sprintf("img%d.jpg", i)
		p := writeFile(t, oldDir, name, encodeJPEG(t, photo(200, 150, uint64(i)), 80))
		if _, err := s.Generate(context.Background(), p, Normal); err != nil {
			t.Fatal(err)
		}
		renames = append(renames, Rename{p, filepath.Join(newDir, name)})
	}
	if err := os.Rename(oldDir, newDir); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveAll(renames); err != nil {
		t.Fatal(err)
	}
	fresh := newTestService(t, Options{CacheDir: cacheDir})
	for _, r := range renames {
		if res, _ := fresh.Generate(context.Background(), r.New, Normal); res.Origin != FromCache {
			t.Errorf("%s: origin %v, want the moved cache entry", r.New, res.Origin)
		}
	}
}

// An exchange (RENAME_EXCHANGE) swaps the thumbnails: on disk, each rewritten for
// the other URI and still valid for the file now there; in memory too. A file with
// no thumbnail leaves the other path without one.
func TestSwapExchangesThumbnails(t *testing.T) {
	dir := t.TempDir()
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	s := newTestService(t, Options{CacheDir: cacheDir})
	a := writeFile(t, dir, "a.jpg", encodeJPEG(t, photo(320, 240, 1), 90))
	b := writeFile(t, dir, "b.jpg", encodeJPEG(t, photo(200, 300, 2), 90))
	for _, p := range []string{a, b} {
		if res, err := s.Generate(context.Background(), p, Normal); err != nil || res.Kind != KindThumbnail {
			t.Fatalf("%s: %v %v", p, err, res.Kind)
		}
	}
	imgA, _ := s.Lookup(a, Normal)
	imgB, _ := s.Lookup(b, Normal)
	// Exchange the files the way RENAME_EXCHANGE does (through a third name here).
	tmp := filepath.Join(dir, "t")
	for _, r := range [][2]string{{a, tmp}, {b, a}, {tmp, b}} {
		if err := os.Rename(r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Swap(a, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Lookup(b, Normal); got != imgA {
		t.Error("in memory, b does not have a's thumbnail")
	}
	if got, _ := s.Lookup(a, Normal); got != imgB {
		t.Error("in memory, a does not have b's thumbnail")
	}
	fresh := newTestService(t, Options{CacheDir: cacheDir})
	for _, p := range []string{a, b} {
		data, err := os.ReadFile(s.cache.path(FileURI(p), Normal))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if text, _ := pngText(data); text[keyURI] != FileURI(p) {
			t.Errorf("%s: Thumb::URI %q", p, text[keyURI])
		}
		// Valid for the file now at p (its MTime and Size), so served from the cache.
		if res, err := fresh.Generate(context.Background(), p, Normal); err != nil || res.Origin != FromCache {
			t.Errorf("%s: after the swap the thumbnail is not valid: %v %v", p, err, res.Origin)
		}
	}
	entries, err := os.ReadDir(filepath.Dir(s.cache.path(FileURI(a), Normal)))
	if err != nil || len(entries) != 2 {
		t.Errorf("the cache holds %d files (%v), want the two thumbnails and nothing left over", len(entries), err)
	}

	// Only one side has a thumbnail.
	c := writeFile(t, dir, "c.txt", []byte("no thumbnail"))
	if err := s.Swap(a, c); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.cache.path(FileURI(a), Normal)); !os.IsNotExist(err) {
		t.Errorf("a kept a thumbnail although c had none (%v)", err)
	}
	if _, err := os.Stat(s.cache.path(FileURI(c), Normal)); err != nil {
		t.Errorf("c did not get a's thumbnail: %v", err)
	}
}
