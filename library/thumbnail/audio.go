package thumbnail

import (
	"context"
	"fmt"
	"image"
	"os"

	"github.com/dhowden/tag"
)

// maxCoverArt caps the tag bytes an audio file may make us hold.
const maxCoverArt = 32 << 20

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
		m, err := tag.ReadFrom(f)
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
