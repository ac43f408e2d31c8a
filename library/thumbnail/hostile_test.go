package thumbnail

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// pngWithHeader returns a PNG whose IHDR claims w×h followed by a tiny
// IDAT: a decompression bomb's header without the bomb.
func pngWithHeader(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.Write(pngSignature)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	writeChunk(&buf, "IHDR", ihdr[:])
	writeChunk(&buf, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	writeChunk(&buf, "IEND", nil)
	return buf.Bytes()
}

// jpegWithSize rewrites the frame header of a real JPEG to claim w×h.
func jpegWithSize(t *testing.T, data []byte, w, h uint16) []byte {
	t.Helper()
	out := append([]byte{}, data...)
	for i := 2; i+9 < len(out); i++ {
		if out[i] == 0xff && out[i+1] == 0xc0 {
			binary.BigEndian.PutUint16(out[i+5:], h)
			binary.BigEndian.PutUint16(out[i+7:], w)
			return out
		}
	}
	t.Fatal("no SOF0 marker")
	return nil
}

// pngWithTextChunk puts an n-byte tEXt chunk before a small PNG's pixels.
func pngWithTextChunk(t *testing.T, n int) []byte {
	t.Helper()
	var small bytes.Buffer
	if err := png.Encode(&small, halves(64, 32)); err != nil {
		t.Fatal(err)
	}
	data := small.Bytes()
	body := append([]byte("Comment\x00"), bytes.Repeat([]byte("A"), n)...)
	var chunk bytes.Buffer
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(body)))
	chunk.Write(l[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte("tEXt"))
	crc.Write(body)
	chunk.WriteString("tEXt")
	chunk.Write(body)
	binary.BigEndian.PutUint32(l[:], crc.Sum32())
	chunk.Write(l[:])
	return append(append(append([]byte{}, data[:33]...), chunk.Bytes()...), data[33:]...)
}

func TestHostileFiles(t *testing.T) {
	goodJPEG := encodeJPEG(t, photo(640, 480, 5), 90)
	goodPNG := encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, photo(300, 200, 6)) })
	badHuffman := append([]byte{}, goodJPEG...)
	if i := bytes.Index(badHuffman, []byte{0xff, 0xc4}); i > 0 {
		for j := i + 5; j < i+21; j++ {
			badHuffman[j] = 0xff // code counts that cannot form a Huffman code
		}
	}
	tests := []struct {
		name string
		file string
		data []byte
	}{
		{"zero-byte jpeg", "empty.jpg", nil},
		{"zero-byte png", "empty.png", nil},
		{"truncated jpeg", "cut.jpg", goodJPEG[:len(goodJPEG)/2]},
		{"jpeg header only", "head.jpg", goodJPEG[:600]},
		{"truncated png", "cut.png", goodPNG[:len(goodPNG)/2]},
		{"60000x60000 png", "bomb.png", pngWithHeader(60000, 60000)},
		{"20000x20000 png", "bomb2.png", pngWithHeader(20000, 20000)},
		{"60000x60000 jpeg", "bomb.jpg", jpegWithSize(t, goodJPEG, 60000, 60000)},
		{"bad huffman table", "huff.jpg", badHuffman},
		{"garbage named jpg", "junk.jpg", bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0x00, 0x13}, 1000)},
		{"jpeg named png", "lie.png", goodJPEG[:len(goodJPEG)/3]},
	}
	cacheDir := filepath.Join(t.TempDir(), "thumbnails")
	s := newTestService(t, Options{CacheDir: cacheDir, MemoryBudget: 128 << 20})
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, dir, tt.file, tt.data)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := s.Generate(context.Background(), path, Large)
			if err != nil {
				t.Fatalf("Generate returned an error for a bad file: %v", err)
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 150<<20 {
				t.Errorf("allocated %d MiB for a hostile file", grew>>20)
			}
			if res.Kind != KindFailed || res.Reason == "" || res.Image != nil {
				t.Fatalf("got %v (%q), want a failure with a reason", res.Kind, res.Reason)
			}
			t.Logf("reason: %s", res.Reason)
			if _, err := os.Stat(filepath.Join(cacheDir, "fail", "hoard-1", CacheName(FileURI(path)))); err != nil {
				t.Errorf("failure not recorded: %v", err)
			}
			again, err := s.Generate(context.Background(), path, Large)
			if err != nil || again.Kind != KindFailed || !errors.Is(again.Err, ErrFailedBefore) {
				t.Errorf("second attempt: %v %v %v, want the recorded failure", again.Kind, again.Err, err)
			}
			if again.MIME != res.MIME || again.Reason != res.Reason {
				t.Errorf("recorded failure says %q (%s), first attempt %q (%s)", again.Reason, again.MIME, res.Reason, res.MIME)
			}
		})
	}
}

func TestTooLargeIsTooLarge(t *testing.T) {
	s := newTestService(t, Options{})
	path := writeFile(t, t.TempDir(), "bomb.png", pngWithHeader(60000, 60000))
	res, err := s.Generate(context.Background(), path, Normal)
	if err != nil || !errors.Is(res.Err, ErrTooLarge) {
		t.Errorf("got %v %v, want ErrTooLarge", res.Err, err)
	}
}

func TestFailureRetriedAfterChange(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "later.png", nil)
	s := newTestService(t, Options{})
	if res, _ := s.Generate(context.Background(), path, Normal); res.Kind != KindFailed {
		t.Fatalf("empty file: %v", res.Kind)
	}
	good := encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, halves(64, 32)) })
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, time.Time{}, time.Now().Add(time.Hour))
	if res, _ := s.Generate(context.Background(), path, Normal); res.Kind != KindThumbnail {
		t.Errorf("fixed file still fails: %v %s", res.Kind, res.Reason)
	}
}

func TestHugeTextChunkInSource(t *testing.T) {
	// 24 MiB of text before the pixels: decoded in bounded memory.
	path := writeFile(t, t.TempDir(), "text.png", pngWithTextChunk(t, 24<<20))
	s := newTestService(t, Options{})
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := s.Generate(context.Background(), path, Normal)
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 16<<20 {
		t.Errorf("allocated %d MiB to skip a text chunk", grew>>20)
	}
	if res.Kind != KindThumbnail {
		t.Errorf("got %v: %s", res.Kind, res.Reason)
	}
}

func TestSafelyRecoversPanics(t *testing.T) {
	err := safely("test decoder", func() error {
		var img *image.NRGBA
		_ = img.Pix[0] // nil dereference, as a buggy decoder might
		return nil
	})
	if err == nil {
		t.Fatal("panic not turned into an error")
	}
}

func TestUnknownTypeGetsIcon(t *testing.T) {
	s := newTestService(t, Options{})
	path := writeFile(t, t.TempDir(), "notes.txt", []byte("hello\n"))
	res, err := s.Generate(context.Background(), path, Normal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindIcon || res.MIME != "text/plain" || !errors.Is(res.Err, ErrUnsupported) {
		t.Errorf("got %v %q %v, want an icon for text/plain", res.Kind, res.MIME, res.Err)
	}
}
