package thumbnail

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/png"
	"os"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// halves returns a w×h image whose left half is red and right half blue.
func halves(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, image.Rect(0, 0, w/2, h), image.NewUniform(color.NRGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(w/2, 0, w, h), image.NewUniform(color.NRGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
	return img
}

func encodeWith(t *testing.T, enc func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := enc(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 > 200 && g>>8 < 60 && b>>8 < 60
}

func isBlue(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 < 60 && g>>8 < 60 && b>>8 > 200
}

func TestImageFormats(t *testing.T) {
	src := halves(400, 200)
	webp, err := os.ReadFile("testdata/tiny.webp")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		data    []byte
		w, h    int
		leftRed bool // left edge red and right edge blue
	}{
		{"png", "a.png", encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, src) }), 128, 64, true},
		{"gif", "a.gif", encodeWith(t, func(b *bytes.Buffer) error { return gif.Encode(b, src, nil) }), 128, 64, true},
		{"bmp", "a.bmp", encodeWith(t, func(b *bytes.Buffer) error { return bmp.Encode(b, src) }), 128, 64, true},
		{"tiff", "a.tiff", encodeWith(t, func(b *bytes.Buffer) error { return tiff.Encode(b, src, nil) }), 128, 64, true},
		{"jpeg", "a.jpg", encodeJPEG(t, src, 90), 128, 64, true},
		{"webp", "a.webp", webp, 64, 48, false},
		{"png without extension", "noext", encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, src) }), 128, 64, true},
	}
	s := newTestService(t, Options{})
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Generate(context.Background(), writeFile(t, dir, tt.file, tt.data), Normal)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != KindThumbnail {
				t.Fatalf("got %v: %s", res.Kind, res.Reason)
			}
			if got := res.Image.Bounds(); got.Dx() != tt.w || got.Dy() != tt.h {
				t.Errorf("thumbnail %v, want %d×%d", got, tt.w, tt.h)
			}
			if tt.leftRed {
				if l, r := res.Image.At(2, tt.h/2), res.Image.At(tt.w-3, tt.h/2); !isRed(l) || !isBlue(r) {
					t.Errorf("left %v right %v, want red and blue", l, r)
				}
			}
		})
	}
}

func TestJPEGOrientation(t *testing.T) {
	// Stored landscape, left half red; orientation 6 means "rotate 90°
	// clockwise to view", which puts the stored left side on top.
	dir := t.TempDir()
	data := withAPP1(encodeJPEG(t, halves(400, 200), 90), exifAPP1(6, nil))
	s := newTestService(t, Options{})
	res, err := s.Generate(context.Background(), writeFile(t, dir, "rot.jpg", data), Normal)
	if err != nil || res.Kind != KindThumbnail {
		t.Fatalf("%v %v %s", err, res.Kind, res.Reason)
	}
	if got := res.Image.Bounds(); got.Dx() != 64 || got.Dy() != 128 {
		t.Fatalf("thumbnail %v, want portrait 64×128", got)
	}
	if top, bottom := res.Image.At(32, 2), res.Image.At(32, 125); !isRed(top) || !isBlue(bottom) {
		t.Errorf("top %v bottom %v, want red above blue", top, bottom)
	}
}

func TestOrientAllEight(t *testing.T) {
	// A 2×1 image: red then blue. Where red lands for each orientation.
	img := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	img.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	img.SetNRGBA(1, 0, color.NRGBA{0, 0, 255, 255})
	want := map[int]image.Point{1: {0, 0}, 2: {1, 0}, 3: {1, 0}, 4: {0, 0}, 5: {0, 0}, 6: {0, 0}, 7: {0, 1}, 8: {0, 1}}
	for o, p := range want {
		got := orient(img, o)
		if !isRed(got.At(p.X, p.Y)) {
			t.Errorf("orientation %d: red not at %v in %v", o, p, got.Rect)
		}
	}
}

func TestEXIFThumbnail(t *testing.T) {
	dir := t.TempDir()
	main := encodeJPEG(t, photo(2400, 1800, 4), 90)
	green := image.NewNRGBA(image.Rect(0, 0, 160, 120))
	draw.Draw(green, green.Rect, image.NewUniform(color.NRGBA{0, 200, 0, 255}), image.Point{}, draw.Src)
	letterboxed := image.NewNRGBA(image.Rect(0, 0, 160, 160))
	draw.Draw(letterboxed, letterboxed.Rect, image.NewUniform(color.NRGBA{0, 200, 0, 255}), image.Point{}, draw.Src)
	isGreen := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return r>>8 < 30 && g>>8 > 170 && b>>8 < 30
	}
	tests := []struct {
		name      string
		thumb     *image.NRGBA
		size      Size
		wantGreen bool
	}{
		{"big enough for normal", green, Normal, true},
		{"too small for large", green, Large, false},
		{"wrong aspect ratio", letterboxed, Normal, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := withAPP1(main, exifAPP1(1, encodeJPEG(t, tt.thumb, 90)))
			s := newTestService(t, Options{})
			res, err := s.Generate(context.Background(), writeFile(t, dir, tt.name+".jpg", data), tt.size)
			if err != nil || res.Kind != KindThumbnail {
				t.Fatalf("%v %v %s", err, res.Kind, res.Reason)
			}
			if got := isGreen(res.Image.At(5, 5)); got != tt.wantGreen {
				t.Errorf("used the EXIF thumbnail: %v, want %v", got, tt.wantGreen)
			}
		})
	}
}
