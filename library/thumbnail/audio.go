package thumbnail

import (
	"context"
	"fmt"
	"image"
	"io"
	"os"

	"github.com/dhowden/tag"
)

// maxCoverArt caps the cover art an audio file may make us decode, and
// maxTagRead the bytes the tag reader may read (it copies each frame it
// reads, whatever the frame's header claims).
const (
	maxCoverArt = 32 << 20
	maxTagRead  = 64 << 20
)

// cappedReader fails reads once left bytes have been read; seeks are free.
type cappedReader struct {
	rs   io.ReadSeeker
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("audio tags: read more than %d MiB: %w", maxTagRead>>20, ErrTooLarge)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rs.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedReader) Seek(off int64, whence int) (int64, error) {
	return c.rs.Seek(off, whence)
}

// audioThumb makes a thumbnail from the cover art in an audio file's tags
// (ID3v2, MP4, FLAC, Ogg).
func (g *generator) audioThumb(ctx context.Context, path string, size Size) (*image.NRGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pic *tag.Picture
	if err := safely("audio tags", func() error {
		m, err := tag.ReadFrom(&cappedReader{rs: f, left: maxTagRead})
		if err != nil {
			return err
		}
		pic = m.Picture()
		return nil
	}); err != nil {
		return nil, fmt.Errorf("audio: read tags: %w: %w", err, ErrUnsupported)
	}
	if pic == nil || len(pic.Data) == 0 {
		return nil, fmt.Errorf("audio: no cover art: %w", ErrUnsupported)
	}
	if len(pic.Data) > maxCoverArt {
		return nil, fmt.Errorf("audio: cover art of %d bytes: %w", len(pic.Data), ErrTooLarge)
	}
	return g.decodeBytes(ctx, pic.Data, size)
}
