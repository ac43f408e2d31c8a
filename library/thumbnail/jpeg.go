package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"
)

// jpegThumb makes a thumbnail of the JPEG at path, taking the cheapest route
// that still gives a full-size thumbnail:
//  1. the EXIF thumbnail, when it is at least size pixels and has the
//     picture's aspect ratio (some cameras letterbox it);
//  2. the DC-only 1/8-scale decode, when 1/8 of the picture is still at
//     least size pixels;
//  3. a full decode, within the memory budget.
//
// EXIF orientation is applied to the result.
func (g *generator) jpegThumb(ctx context.Context, path string, size Size) (*image.NRGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	// The headers and the EXIF block with its thumbnail come first (APP1 is
	// at most 64 KiB): read only those while the EXIF thumbnail may do.
	head := make([]byte, min(fi.Size(), jpegHeadBytes))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	triedEXIF := false
	if h, err := parseJPEGHeader(head); err == nil && h.exif != nil {
		ex, _ := parseEXIF(h.exif) // broken EXIF only costs orientation and thumbnail
		if img := exifThumbnail(ex.Thumbnail, h, size); img != nil {
			return orient(scaleDown(img, size), ex.Orientation), nil
		}
		triedEXIF = true
	}

	release, err := g.budget.acquire(ctx, fi.Size(), "read file")
	if err != nil {
		return nil, err
	}
	defer release()
	data := make([]byte, fi.Size())
	copy(data, head)
	if _, err := io.ReadFull(f, data[len(head):]); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	h, err := parseJPEGHeader(data)
	if err != nil {
		return nil, err
	}
	var ex exifInfo
	if h.exif != nil {
		ex, _ = parseEXIF(h.exif)
	}
	if triedEXIF {
		ex.Thumbnail = nil
	}
	img, err := g.jpegScaled(ctx, data, h, ex, size)
	if err != nil {
		return nil, err
	}
	return orient(img, ex.Orientation), nil
}

// jpegHeadBytes is how much of a JPEG is read before deciding whether its
// EXIF thumbnail is enough.
const jpegHeadBytes = 256 << 10

func (g *generator) jpegScaled(ctx context.Context, data []byte, h *jpegHeader, ex exifInfo, size Size) (*image.NRGBA, error) {
	if img := exifThumbnail(ex.Thumbnail, h, size); img != nil {
		return scaleDown(img, size), nil
	}
	if err := checkConfig(image.Config{Width: h.width, Height: h.height}, "jpeg"); err != nil {
		return nil, err
	}
	var dcErr error
	if dcDecodable(h) && (max(h.width, h.height)+7)/8 >= int(size) {
		img, err := g.jpegDC(ctx, data, h)
		if err == nil {
			return scaleDown(img, size), nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		dcErr = err // try the full decoder before giving up
	}
	bpp := int64(3)
	if len(h.comps) == 4 {
		bpp = 5
	}
	release, err := g.budget.acquire(ctx, int64(h.width)*int64(h.height)*bpp,
		fmt.Sprintf("decode %dx%d jpeg", h.width, h.height))
	if err != nil {
		return nil, errors.Join(dcErr, err)
	}
	defer release()
	var img image.Image
	if err := safely("jpeg", func() (err error) {
		img, err = jpeg.Decode(bytes.NewReader(data))
		return err
	}); err != nil {
		return nil, errors.Join(dcErr, fmt.Errorf("decode jpeg: %w", err))
	}
	return scaleDown(img, size), nil
}

// jpegDC runs the DC-only decoder within the memory budget.
func (g *generator) jpegDC(ctx context.Context, data []byte, h *jpegHeader) (image.Image, error) {
	mx, my := h.mcus()
	var n int64
	for _, c := range h.comps {
		n += int64(mx*c.h) * int64(my*c.v)
	}
	// Every block takes at least one bit, so a file with fewer bits than
	// blocks is truncated or lies about its size: refuse it before
	// allocating planes for the size it claims.
	if int64(len(data))*8 < n {
		return nil, fmt.Errorf("%d bytes cannot hold %d blocks: %w", len(data), n, errTruncated)
	}
	release, err := g.budget.acquire(ctx, n, "jpeg DC planes")
	if err != nil {
		return nil, err
	}
	defer release()
	var img image.Image
	err = safely("jpeg DC decoder", func() (err error) {
		img, err = decodeJPEGDC(data, h)
		return err
	})
	return img, err
}

// exifThumbnail decodes the embedded EXIF thumbnail when it can stand in for
// the picture at size, else returns nil.
func exifThumbnail(t []byte, h *jpegHeader, size Size) image.Image {
	if len(t) == 0 {
		return nil
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(t))
	if err != nil || max(cfg.Width, cfg.Height) < int(size) || cfg.Width > 2048 || cfg.Height > 2048 {
		return nil
	}
	// Same aspect ratio within 2%, or the thumbnail has bars or is cropped.
	ar, tr := float64(h.width)/float64(h.height), float64(cfg.Width)/float64(cfg.Height)
	if tr < ar*0.98 || tr > ar*1.02 {
		return nil
	}
	var img image.Image
	if err := safely("exif thumbnail", func() (err error) {
		img, err = jpeg.Decode(bytes.NewReader(t))
		return err
	}); err != nil {
		return nil
	}
	return img
}
