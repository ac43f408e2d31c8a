package thumbnail

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // registers GIF for image.Decode (the first frame is decoded)
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"

	_ "golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// maxSide is the longest side a header may claim before it is refused
// outright; the memory budget then bounds what the pixels may take.
const maxSide = 1 << 16

// bytesPerPixel estimates what a decoded pixel of model m costs, with room
// for the decoder's own buffers.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 2
	case color.YCbCrModel, color.NYCbCrAModel:
		return 3
	case color.Gray16Model, color.Alpha16Model:
		return 3
	case color.RGBA64Model, color.NRGBA64Model:
		return 9
	}
	if _, ok := m.(color.Palette); ok {
		return 2
	}
	return 5
}

// safely runs a decoder, turning a panic on hostile input into an error.
func safely(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: decoder panicked: %v", what, r)
		}
	}()
	return fn()
}

// checkConfig refuses images whose header promises an absurd size.
func checkConfig(cfg image.Config, what string) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("%s: empty image (%dx%d)", what, cfg.Width, cfg.Height)
	}
	if cfg.Width > maxSide || cfg.Height > maxSide {
		return fmt.Errorf("%s: %dx%d: %w", what, cfg.Width, cfg.Height, ErrTooLarge)
	}
	return nil
}

// decodeFile fully decodes the image file at path (any registered format)
// within the memory budget and shrinks it to size.
func (g *generator) decodeFile(ctx context.Context, path string, size Size) (*image.NRGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return g.decode(ctx, f, size)
}

// decodeBytes is decodeFile for an image held in memory (cover art, a
// helper's output).
func (g *generator) decodeBytes(ctx context.Context, data []byte, size Size) (*image.NRGBA, error) {
	return g.decode(ctx, bytes.NewReader(data), size)
}

// imageSource is what decode reads: a file or bytes in memory.
type imageSource interface {
	io.ReadSeeker
	io.ReaderAt
}

// decode reads the header, reserves the decoded size from the memory budget,
// then decodes and shrinks the image.
func (g *generator) decode(ctx context.Context, r imageSource, size Size) (*image.NRGBA, error) {
	var cfg image.Config
	var format string
	if err := safely("read header", func() (err error) {
		cfg, format, err = image.DecodeConfig(bufio.NewReader(r))
		return err
	}); err != nil {
		return nil, fmt.Errorf("read image header: %w", err)
	}
	if err := checkConfig(cfg, format); err != nil {
		return nil, err
	}
	release, err := g.budget.acquire(ctx, int64(cfg.Width)*int64(cfg.Height)*bytesPerPixel(cfg.ColorModel),
		fmt.Sprintf("decode %dx%d %s", cfg.Width, cfg.Height, format))
	if err != nil {
		return nil, err
	}
	defer release()
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var img image.Image
	if err := safely(format, func() (err error) {
		if format == "tiff" {
			img, err = tiff.Decode(r) // reads strips through ReaderAt, not all at once
			return err
		}
		img, _, err = image.Decode(bufio.NewReader(r))
		return err
	}); err != nil {
		return nil, fmt.Errorf("decode %s: %w", format, err)
	}
	return scaleDown(img, size), nil
}
