package thumbnail

import (
	"errors"
	"image"
)

// Size is a thumbnail size in pixels: the longest side of the box a
// thumbnail fits in. Each has its own folder in the cache.
type Size int

// The sizes of the Thumbnail Managing Standard.
const (
	Normal  Size = 128
	Large   Size = 256
	XLarge  Size = 512
	XXLarge Size = 1024
)

// dir returns the cache folder name of s, or "" when s is not a standard size.
func (s Size) dir() string {
	switch s {
	case Normal:
		return "normal"
	case Large:
		return "large"
	case XLarge:
		return "x-large"
	case XXLarge:
		return "xx-large"
	}
	return ""
}

// Kind says what a Result holds.
type Kind int

const (
	// KindThumbnail: Result.Image holds the thumbnail.
	KindThumbnail Kind = iota
	// KindIcon: no thumbnail can be made for this type (or the tool that
	// would make it is not installed); show the theme icon for Result.MIME.
	KindIcon
	// KindFailed: the file could not be thumbnailed (corrupt, hostile, too
	// large, timed out); show a placeholder. Result.Reason says why, and the
	// failure is remembered in the cache so it is not retried until the file
	// changes.
	KindFailed
)

func (k Kind) String() string {
	switch k {
	case KindThumbnail:
		return "thumbnail"
	case KindIcon:
		return "icon"
	case KindFailed:
		return "failed"
	}
	return "unknown"
}

// Origin says where a thumbnail came from.
type Origin int

const (
	// FromMemory: the in-memory LRU.
	FromMemory Origin = iota
	// FromCache: a valid PNG in the freedesktop cache (ours or another program's).
	FromCache
	// Generated: made now from the file and written to the cache.
	Generated
)

func (o Origin) String() string {
	switch o {
	case FromMemory:
		return "memory"
	case FromCache:
		return "cache"
	case Generated:
		return "generated"
	}
	return "unknown"
}

// Result is the outcome of thumbnailing one file at one size.
type Result struct {
	Kind   Kind
	Image  image.Image // *image.NRGBA or *image.RGBA; nil unless Kind is KindThumbnail
	MIME   string      // the detected type, for picking an icon
	Origin Origin
	Reason string // why there is no thumbnail (KindIcon, KindFailed)
	Err    error  // the cause behind Reason; errors.Is(Err, ErrNotInstalled) etc.
}

// Sentinel causes found in Result.Err.
var (
	// ErrNotInstalled: the external tool for this type (ffmpegthumbnailer or
	// ffmpeg, pdftoppm) is not installed.
	ErrNotInstalled = errors.New("thumbnailer not installed")
	// ErrUnsupported: no thumbnailer handles this type.
	ErrUnsupported = errors.New("no thumbnailer for this file type")
	// ErrTooLarge: decoding would exceed the memory budget.
	ErrTooLarge = errors.New("image too large to decode within the memory budget")
	// ErrTimeout: an external thumbnailer ran past its time limit and was killed.
	ErrTimeout = errors.New("thumbnailer timed out")
	// ErrFailedBefore: the cache records an earlier failure for this file
	// version, so it was not retried.
	ErrFailedBefore = errors.New("thumbnailing failed before")
)
