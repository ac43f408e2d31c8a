package thumbnail

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// blockMeans returns the 1/8-scale image a perfect DC decode of img gives:
// the mean of each 8×8 block.
func blockMeans(img image.Image) *image.NRGBA {
	b := img.Bounds()
	w, h := (b.Dx()+7)/8, (b.Dy()+7)/8
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for by := range h {
		for bx := range w {
			var r, g, bl, n uint32
			for y := by * 8; y < min(by*8+8, b.Dy()); y++ {
				for x := bx * 8; x < min(bx*8+8, b.Dx()); x++ {
					c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
					r, g, bl, n = r+uint32(c.R), g+uint32(c.G), bl+uint32(c.B), n+1
				}
			}
			out.SetNRGBA(bx, by, color.NRGBA{uint8(r / n), uint8(g / n), uint8(bl / n), 255})
		}
	}
	return out
}

// writePPM writes img as a binary PPM for cjpeg.
func writePPM(t *testing.T, path string, img *image.NRGBA) {
	t.Helper()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "P6\n%d %d\n255\n", img.Rect.Dx(), img.Rect.Dy())
	for i := 0; i < len(img.Pix); i += 4 {
		buf.Write(img.Pix[i : i+3])
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// libjpegVariants makes JPEGs the Go encoder cannot (other subsampling,
// progressive, restart intervals) with libjpeg-turbo's cjpeg and jpegtran.
func libjpegVariants(t *testing.T, img *image.NRGBA) map[string][]byte {
	t.Helper()
	if _, err := exec.LookPath("cjpeg"); err != nil {
		t.Log("cjpeg not installed (apt package libjpeg-turbo-progs): libjpeg variants skipped")
		return nil
	}
	dir := t.TempDir()
	ppm := filepath.Join(dir, "in.ppm")
	writePPM(t, ppm, img)
	run := func(name string, args ...string) []byte {
		out, err := exec.Command(name, args...).Output()
		if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		return out
	}
	base := filepath.Join(dir, "base.jpg")
	if err := os.WriteFile(base, run("cjpeg", "-quality", "90", ppm), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"cjpeg 4:4:4":          run("cjpeg", "-quality", "90", "-sample", "1x1", ppm),
		"cjpeg 4:2:2":          run("cjpeg", "-quality", "90", "-sample", "2x1", ppm),
		"cjpeg 4:4:0":          run("cjpeg", "-quality", "90", "-sample", "1x2", ppm),
		"cjpeg grayscale":      run("cjpeg", "-quality", "90", "-grayscale", ppm),
		"cjpeg optimized":      run("cjpeg", "-quality", "90", "-optimize", ppm),
		"progressive":          run("jpegtran", "-progressive", base),
		"restart every MCU":    run("jpegtran", "-restart", "1B", base),
		"restart every 3 rows": run("jpegtran", "-restart", "3", base),
		"progressive restart":  run("jpegtran", "-progressive", "-restart", "2B", base),
	}
}

func TestDCDecodeMatchesBlockMeans(t *testing.T) {
	img := photo(1001, 757, 7) // not a multiple of the MCU size
	gray := image.NewGray(img.Rect)
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			gray.Set(x, y, img.At(x, y))
		}
	}
	cases := map[string][]byte{
		"go 4:2:0": encodeJPEG(t, img, 90),
		"go gray":  encodeJPEG(t, gray, 90),
		// At quality 100 many noisy blocks code coefficient 63 and so end
		// without an EOB, which the skip table must not run past.
		"go q100": encodeJPEG(t, img, 100),
	}
	for name, data := range libjpegVariants(t, img) {
		cases[name] = data
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			h, err := parseJPEGHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			if !dcDecodable(h) {
				t.Fatalf("DC decoder refuses %s (sof %#x, %d components)", name, h.sof, len(h.comps))
			}
			got, err := decodeJPEGDC(data, h)
			if err != nil {
				t.Fatal(err)
			}
			if want := image.Rect(0, 0, 126, 95); got.Bounds() != want {
				t.Fatalf("bounds %v, want %v", got.Bounds(), want)
			}
			full, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				// Go's decoder refuses progressive JPEGs with restart markers;
				// jpegtran kept the coefficients, so the base is the reference.
				t.Logf("image/jpeg: %v; comparing with the base JPEG", err)
				full, err = jpeg.Decode(bytes.NewReader(cases["cjpeg optimized"]))
				if err != nil {
					t.Fatal(err)
				}
			}
			// Luma must match closely; colour less so, since a 4:2:0 DC image
			// averages chroma over 16×16 pixels instead of 8×8.
			want := blockMeans(full)
			t.Logf("luma diff %.2f, colour diff %.2f", meanDiff(grayOf(got), grayOf(want)), meanDiff(got, want))
			if d := meanDiff(grayOf(got), grayOf(want)); d > 1.0 {
				t.Errorf("DC luma differs from the block means of a full decode by %.2f", d)
			}
			if d := meanDiff(got, want); d > 8 {
				t.Errorf("DC colour differs from the block means of a full decode by %.2f per channel", d)
			}
		})
	}
}

func grayOf(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

func TestDCDecodeRejectsTruncated(t *testing.T) {
	data := encodeJPEG(t, photo(640, 480, 3), 90)
	for _, cut := range []int{len(data) / 2, len(data) - 300} {
		h, err := parseJPEGHeader(data[:cut])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeJPEGDC(data[:cut], h); err == nil {
			t.Errorf("cut at %d of %d: no error", cut, len(data))
		}
	}
}
