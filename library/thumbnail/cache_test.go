package thumbnail

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestGenerateWritesStandardThumbnail(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "a photo #1.jpg", encodeJPEG(t, photo(800, 600, 1), 90))
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	s := newTestService(t, Options{CacheDir: cacheDir})

	res, err := s.Generate(context.Background(), src, Large)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindThumbnail || res.Origin != Generated || res.MIME != "image/jpeg" {
		t.Fatalf("got %v from %v (%s), want a generated image/jpeg thumbnail: %s", res.Kind, res.Origin, res.MIME, res.Reason)
	}
	if got := res.Image.Bounds(); got != image.Rect(0, 0, 256, 192) {
		t.Errorf("thumbnail bounds %v, want 256×192", got)
	}

	uri := "file://" + filepath.ToSlash(dir) + "/a%20photo%20%231.jpg"
	path := filepath.Join(cacheDir, "large", CacheName(uri))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no thumbnail at %s: %v", path, err)
	}
	checkMode(t, path, 0o600)
	checkMode(t, filepath.Dir(path), 0o700|os.ModeDir)
	// IHDR: 8-bit RGBA, whatever the picture.
	if depth, ctype := data[24], data[25]; depth != 8 || ctype != 6 {
		t.Errorf("PNG bit depth %d colour type %d, want 8 and 6 (RGBA)", depth, ctype)
	}
	fi, _ := os.Stat(src)
	text, err := pngText(data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Thumb::URI":      uri,
		"Thumb::MTime":    strconv.FormatInt(fi.ModTime().Unix(), 10),
		"Thumb::Size":     strconv.FormatInt(fi.Size(), 10),
		"Thumb::Mimetype": "image/jpeg",
	}
	for k, v := range want {
		if text[k] != v {
			t.Errorf("%s = %q, want %q", k, text[k], v)
		}
	}
	if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 256 {
		t.Errorf("cached PNG does not decode to a 256-wide image: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cacheDir, "normal", CacheName(uri))); !os.IsNotExist(err) {
		t.Errorf("a large request also wrote a normal thumbnail (err %v)", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("cache folder holds %d files, want 1 (temp files left?)", len(entries))
	}

	if res, _ := s.Generate(context.Background(), src, Large); res.Origin != FromMemory || res.MIME != "image/jpeg" {
		t.Errorf("second request came from %v (%q), want memory (image/jpeg)", res.Origin, res.MIME)
	}
	if img, ok := s.Lookup(src, Large); !ok || img.Bounds().Dx() != 256 {
		t.Errorf("Lookup after Generate = %v, %v", img, ok)
	}
	if _, ok := s.Lookup(src, Normal); ok {
		t.Error("Lookup found a size never made")
	}
	s2 := newTestService(t, Options{CacheDir: cacheDir})
	if res, _ := s2.Generate(context.Background(), src, Large); res.Origin != FromCache {
		t.Errorf("a new service got the thumbnail from %v, want the disk cache", res.Origin)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & (os.ModePerm | os.ModeDir); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

// foreignThumbnail writes a thumbnail the way another program would: an
// RGB PNG from a different encoder, MTime but no Size.
func foreignThumbnail(t *testing.T, path, uri string, mtime int64, c color.Color) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 128, 96))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := range 96 {
		for x := range 128 {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var chunks bytes.Buffer
	writeChunk(&chunks, "tEXt", []byte("Thumb::URI\x00"+uri))
	writeChunk(&chunks, "tEXt", []byte("Thumb::MTime\x00"+strconv.FormatInt(mtime, 10)))
	writeChunk(&chunks, "tEXt", []byte("Software\x00GNOME::ThumbnailFactory"))
	out := append(append(append([]byte{}, data[:33]...), chunks.Bytes()...), data[33:]...)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestReusesAnotherProgramsThumbnail(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "b.jpg", encodeJPEG(t, photo(300, 200, 2), 90))
	fi, _ := os.Stat(src)
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	uri := FileURI(src)
	green := color.RGBA{0, 200, 0, 255}
	path := filepath.Join(cacheDir, "normal", CacheName(uri))

	t.Run("valid", func(t *testing.T) {
		foreignThumbnail(t, path, uri, fi.ModTime().Unix(), green)
		s := newTestService(t, Options{CacheDir: cacheDir})
		res, err := s.Generate(context.Background(), src, Normal)
		if err != nil {
			t.Fatal(err)
		}
		if res.Origin != FromCache {
			t.Fatalf("thumbnail came from %v, want the other program's cache entry", res.Origin)
		}
		if r, g, b, _ := res.Image.At(10, 10).RGBA(); r>>8 != 0 || g>>8 != 200 || b>>8 != 0 {
			t.Errorf("pixel %d,%d,%d, want the other program's green", r>>8, g>>8, b>>8)
		}
	})
	t.Run("stale", func(t *testing.T) {
		foreignThumbnail(t, path, uri, fi.ModTime().Unix()-100, green)
		s := newTestService(t, Options{CacheDir: cacheDir})
		res, err := s.Generate(context.Background(), src, Normal)
		if err != nil {
			t.Fatal(err)
		}
		if res.Origin != Generated {
			t.Fatalf("a thumbnail with the wrong MTime was used (origin %v)", res.Origin)
		}
		data, _ := os.ReadFile(path)
		if text, _ := pngText(data); text["Thumb::MTime"] != strconv.FormatInt(fi.ModTime().Unix(), 10) {
			t.Errorf("stale cache entry not replaced: MTime %q", text["Thumb::MTime"])
		}
	})
	t.Run("file changed", func(t *testing.T) {
		s := newTestService(t, Options{CacheDir: cacheDir})
		if _, err := s.Generate(context.Background(), src, Normal); err != nil {
			t.Fatal(err)
		}
		// Same mtime, different size: the standard's Thumb::Size catches it.
		f, _ := os.OpenFile(src, os.O_APPEND|os.O_WRONLY, 0)
		f.Write([]byte{0})
		f.Close()
		os.Chtimes(src, time.Time{}, fi.ModTime())
		s2 := newTestService(t, Options{CacheDir: cacheDir})
		if res, _ := s2.Generate(context.Background(), src, Normal); res.Origin != Generated {
			t.Errorf("thumbnail of a file whose size changed came from %v", res.Origin)
		}
	})
}

func TestCacheRefusesOversizedThumbnailFile(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "c.jpg", encodeJPEG(t, photo(300, 200, 3), 90))
	fi, _ := os.Stat(src)
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	path := filepath.Join(cacheDir, "normal", CacheName(FileURI(src)))
	foreignThumbnail(t, path, FileURI(src), fi.ModTime().Unix(), color.Black)
	// Append a 12 MiB text chunk after IEND: a hostile or broken cache file.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:], 12<<20)
	copy(hdr[4:], "tEXt")
	f.Write(hdr[:])
	f.Write(make([]byte, 12<<20))
	f.Close()
	s := newTestService(t, Options{CacheDir: cacheDir})
	res, err := s.Generate(context.Background(), src, Normal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindThumbnail || res.Origin != Generated {
		t.Errorf("got %v from %v, want a fresh thumbnail in place of the oversized file", res.Kind, res.Origin)
	}
}

func TestNormalFromCachedLarge(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "d.jpg", encodeJPEG(t, photo(300, 200, 4), 90))
	fi, _ := os.Stat(src)
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	uri := FileURI(src)
	// Another program made only a large one, in a colour the file does not have.
	foreignThumbnail(t, filepath.Join(cacheDir, "large", CacheName(uri)), uri, fi.ModTime().Unix(), color.RGBA{0, 200, 0, 255})
	s := newTestService(t, Options{CacheDir: cacheDir})
	res, err := s.Generate(context.Background(), src, Normal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Origin != FromCache || res.Image.Bounds().Dx() != 128 {
		t.Fatalf("got %v from %v, want the large thumbnail scaled to 128", res.Image.Bounds(), res.Origin)
	}
	if r, g, _, _ := res.Image.At(5, 5).RGBA(); r>>8 != 0 || g>>8 != 200 {
		t.Errorf("normal thumbnail was not made from the cached large one")
	}
	if _, err := os.Stat(filepath.Join(cacheDir, "normal", CacheName(uri))); err != nil {
		t.Errorf("scaled-down thumbnail not stored: %v", err)
	}
}

func TestNoThumbnailsOfThumbnails(t *testing.T) {
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	s := newTestService(t, Options{CacheDir: cacheDir})
	src := writeFile(t, t.TempDir(), "e.jpg", encodeJPEG(t, photo(300, 200, 5), 90))
	if _, err := s.Generate(context.Background(), src, Normal); err != nil {
		t.Fatal(err)
	}
	cached := filepath.Join(cacheDir, "normal", CacheName(FileURI(src)))
	res, err := s.Generate(context.Background(), cached, Normal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindIcon {
		t.Errorf("a cached thumbnail was thumbnailed: %v", res.Kind)
	}
}
