package thumbnail

import (
	"context"
	"fmt"
	"image"
	"strings"
	"time"
)

// generator turns one file into a thumbnail image; it knows nothing of the
// cache.
type generator struct {
	budget  *memBudget
	tools   tools
	timeout time.Duration
}

// goImageTypes are the image types decoded in Go besides JPEG.
var goImageTypes = map[string]bool{
	"image/png":      true,
	"image/gif":      true,
	"image/webp":     true,
	"image/bmp":      true,
	"image/x-ms-bmp": true,
	"image/tiff":     true,
}

// make returns the thumbnail of the file at path, whose type is mime.
// Errors wrapping ErrUnsupported or ErrNotInstalled mean "use an icon".
func (g *generator) make(ctx context.Context, path, mime string, size Size) (*image.NRGBA, error) {
	switch {
	case mime == "image/jpeg":
		return g.jpegThumb(ctx, path, size)
	case goImageTypes[mime]:
		return g.decodeFile(ctx, path, size)
	case strings.HasPrefix(mime, "video/"):
		return g.videoThumb(ctx, path, size)
	case mime == "application/pdf":
		return g.pdfThumb(ctx, path, size)
	case strings.HasPrefix(mime, "audio/"):
		return g.audioThumb(ctx, path, size)
	}
	return nil, fmt.Errorf("%s: %w", mime, ErrUnsupported)
}
