package thumbnail

import (
	"bytes"
	"context"
	"image/gif"
	"image/png"
	"os"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// The parsers below read hostile bytes straight from disk; they must return
// errors, never panic or loop.

func FuzzDCDecode(f *testing.F) {
	img := photo(48, 40, 1)
	f.Add(encodeJPEG(f, img, 90))
	f.Add(encodeJPEG(f, grayOf(img), 50))
	f.Add(withAPP1(encodeJPEG(f, img, 75), exifAPP1(6, encodeJPEG(f, img, 60))))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseJPEGHeader(data)
		if err != nil || !dcDecodable(h) {
			return
		}
		if h.width*h.height > 1<<22 {
			return // the generator refuses these before allocating
		}
		img, err := decodeJPEGDC(data, h)
		if err == nil {
			if b := img.Bounds(); b.Dx() != (h.width+7)/8 || b.Dy() != (h.height+7)/8 {
				t.Fatalf("bounds %v for %dx%d", b, h.width, h.height)
			}
			scaleDown(img, Normal)
		}
	})
}

func FuzzParseEXIF(f *testing.F) {
	f.Add(exifAPP1(6, nil))
	f.Add(exifAPP1(3, []byte{0xff, 0xd8, 0xff, 0xd9}))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := parseEXIF(data)
		if err == nil && len(info.Thumbnail) > len(data) {
			t.Fatal("thumbnail longer than the block")
		}
	})
}

func FuzzPNGText(f *testing.F) {
	var buf bytes.Buffer
	png.Encode(&buf, halves(4, 4))
	f.Add(buf.Bytes())
	if data, err := encodePNG(halves(4, 4), thumbMeta{URI: "file:///x", MTime: 1, Size: 2}.text()); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if text, err := pngText(data); err == nil {
			parseMeta(text)
		}
		rewriteURI(data, "file:///y")
	})
}

// FuzzDecodeBytes runs hostile bytes through the Go decoders behind the
// memory budget and panic recovery.
func FuzzDecodeBytes(f *testing.F) {
	src := halves(16, 8)
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return png.Encode(b, src) },
		func(b *bytes.Buffer) error { return gif.Encode(b, src, nil) },
		func(b *bytes.Buffer) error { return bmp.Encode(b, src) },
		func(b *bytes.Buffer) error { return tiff.Encode(b, src, &tiff.Options{Compression: tiff.Deflate}) },
	} {
		var buf bytes.Buffer
		if err := enc(&buf); err == nil {
			f.Add(buf.Bytes())
		}
	}
	if webp, err := os.ReadFile("testdata/tiny.webp"); err == nil {
		f.Add(webp)
	}
	g := &generator{budget: newMemBudget(64 << 20)}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := g.decodeBytes(context.Background(), data, Normal)
		if err == nil && (img.Rect.Dx() > int(Normal) || img.Rect.Dy() > int(Normal)) {
			t.Fatalf("thumbnail %v larger than the size", img.Rect)
		}
	})
}
