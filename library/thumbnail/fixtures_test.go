package thumbnail

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// photo draws a w×h picture with what makes camera JPEGs expensive to
// decode: smooth gradients, hard edges and sensor-like noise.
func photo(w, h int, seed uint64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 1))
	cx, cy := float64(w)*0.6, float64(h)*0.4
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			d := math.Hypot(float64(x)-cx, float64(y)-cy) / float64(w)
			r := 200*fx + 30*math.Sin(float64(x)/37)
			g := 180*fy + 40*math.Cos(float64(y)/23)
			b := 255 * (1 - d)
			if (x/97+y/131)%2 == 0 { // hard-edged tiles
				r, g = g, r
			}
			n := rng.NormFloat64() * 10
			i := img.PixOffset(x, y)
			img.Pix[i] = clamp8(r + n)
			img.Pix[i+1] = clamp8(g + n)
			img.Pix[i+2] = clamp8(b + n)
			img.Pix[i+3] = 255
		}
	}
	return img
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, v)))
}

// encodeJPEG encodes img with Go's encoder (4:2:0 YCbCr).
func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// exifAPP1 builds an APP1 EXIF payload with an orientation and, when thumb
// is not nil, an embedded JPEG thumbnail in IFD1, as cameras write them.
func exifAPP1(orientation int, thumb []byte) []byte {
	le := binary.LittleEndian
	var t []byte
	t = append(t, 'I', 'I', 42, 0, 8, 0, 0, 0)
	// IFD0: one entry (Orientation), then the offset of IFD1.
	t = le.AppendUint16(t, 1)
	t = le.AppendUint16(t, 0x0112)
	t = le.AppendUint16(t, 3)
	t = le.AppendUint32(t, 1)
	t = le.AppendUint16(t, uint16(orientation))
	t = le.AppendUint16(t, 0)
	if thumb == nil {
		t = le.AppendUint32(t, 0)
	} else {
		ifd1 := uint32(len(t) + 4)
		t = le.AppendUint32(t, ifd1)
		t = le.AppendUint16(t, 2)
		dataOff := ifd1 + 2 + 2*12 + 4
		for _, e := range [][2]uint32{{0x0201, dataOff}, {0x0202, uint32(len(thumb))}} {
			t = le.AppendUint16(t, uint16(e[0]))
			t = le.AppendUint16(t, 4)
			t = le.AppendUint32(t, 1)
			t = le.AppendUint32(t, e[1])
		}
		t = le.AppendUint32(t, 0)
		t = append(t, thumb...)
	}
	return append([]byte("Exif\x00\x00"), t...)
}

// withAPP1 inserts an APP1 segment right after a JPEG's SOI marker.
func withAPP1(jpg, payload []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xff, 0xe1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(payload)+2))
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// makeCameraJPEG returns a w×h camera-like JPEG; thumbW > 0 embeds an EXIF
// thumbnail that wide with the picture's aspect ratio.
func makeCameraJPEG(w, h, orientation, thumbW int, seed uint64) ([]byte, error) {
	img := photo(w, h, seed)
	var main, thumb bytes.Buffer
	if err := jpeg.Encode(&main, img, &jpeg.Options{Quality: 92}); err != nil {
		return nil, err
	}
	var thumbData []byte
	if thumbW > 0 {
		if err := jpeg.Encode(&thumb, scaleDown(img, Size(thumbW)), &jpeg.Options{Quality: 85}); err != nil {
			return nil, err
		}
		thumbData = thumb.Bytes()
	}
	return withAPP1(main.Bytes(), exifAPP1(orientation, thumbData)), nil
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// newTestService returns a Service whose cache lives in a temporary folder.
func newTestService(t testing.TB, opts Options) *Service {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(t.TempDir(), "thumbnails")
	}
	s, err := NewService(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// meanDiff is the mean absolute difference of two same-size images' RGB.
func meanDiff(a, b image.Image) float64 {
	bd := a.Bounds()
	var sum float64
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			c1 := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			c2 := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			sum += math.Abs(float64(c1.R)-float64(c2.R)) + math.Abs(float64(c1.G)-float64(c2.G)) + math.Abs(float64(c1.B)-float64(c2.B))
		}
	}
	return sum / float64(3*bd.Dx()*bd.Dy())
}
