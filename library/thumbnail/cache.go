package thumbnail

import (
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// stamp is what a thumbnail's validity depends on: the file's modification
// time in whole seconds and its size in bytes.
type stamp struct {
	MTime int64
	Size  int64
}

func stampOf(fi os.FileInfo) stamp {
	return stamp{MTime: fi.ModTime().Unix(), Size: fi.Size()}
}

// cache is one freedesktop thumbnail folder ($XDG_CACHE_HOME/thumbnails).
type cache struct {
	root    string
	failDir string // fail/hoard-<version>
}

func newCache(root, version string) *cache {
	return &cache{root: root, failDir: filepath.Join("fail", "hoard-"+version)}
}

// DefaultCacheDir returns $XDG_CACHE_HOME/thumbnails, or ~/.cache/thumbnails.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "thumbnails"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("thumbnail cache folder: %w", err)
	}
	return filepath.Join(home, ".cache", "thumbnails"), nil
}

// path returns where the thumbnail of uri at size s lives.
func (c *cache) path(uri string, s Size) string {
	return filepath.Join(c.root, s.dir(), CacheName(uri))
}

func (c *cache) failPath(uri string) string {
	return filepath.Join(c.root, c.failDir, CacheName(uri))
}

// readThumb reads a cached PNG, refusing files too big to be a thumbnail.
func readThumb(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxThumbFile {
		return nil, fmt.Errorf("%s: larger than %d bytes, not a thumbnail", path, maxThumbFile)
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// validMeta reads and checks a cached PNG's metadata against the file.
func validMeta(data []byte, uri string, st stamp) (thumbMeta, error) {
	text, err := pngText(data)
	if err != nil {
		return thumbMeta{}, err
	}
	m, err := parseMeta(text)
	if err != nil {
		return m, err
	}
	if m.URI != uri {
		return m, fmt.Errorf("thumbnail is for %q", m.URI)
	}
	if m.MTime != st.MTime {
		return m, errors.New("thumbnail is out of date (Thumb::MTime differs)")
	}
	if m.HasSize && m.Size != st.Size {
		return m, errors.New("thumbnail is out of date (Thumb::Size differs)")
	}
	return m, nil
}

// load returns the cached thumbnail of uri at size s when one exists and is
// valid for st; made by Hoard or any other program that follows the standard.
// A missing file is (nil, nil).
func (c *cache) load(uri string, st stamp, s Size) (image.Image, thumbMeta, error) {
	data, err := readThumb(c.path(uri, s))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, thumbMeta{}, nil
	}
	if err != nil {
		return nil, thumbMeta{}, fmt.Errorf("read cached thumbnail: %w", err)
	}
	m, err := validMeta(data, uri, st)
	if err != nil {
		return nil, m, nil // stale or foreign: regenerate
	}
	img, err := decodePNG(data)
	if err != nil {
		return nil, m, nil // a broken cache file is replaced, not fatal
	}
	return img, m, nil
}

// failure returns the reason and MIME type recorded by an earlier failure
// for this version of the file, if any.
func (c *cache) failure(uri string, st stamp) (reason, mime string, failed bool) {
	data, err := readThumb(c.failPath(uri))
	if err != nil {
		return "", "", false
	}
	m, err := validMeta(data, uri, st)
	if err != nil {
		return "", "", false
	}
	text, _ := pngText(data)
	return text[keyFailReason], m.MIME, true
}

const keyFailReason = "Hoard::FailReason"

// store writes img as the thumbnail of uri at size s.
func (c *cache) store(uri string, st stamp, mime string, s Size, img *image.NRGBA) error {
	m := thumbMeta{URI: uri, MTime: st.MTime, Size: st.Size, MIME: mime}
	data, err := encodePNG(img, m.text())
	if err != nil {
		return err
	}
	return writeAtomic(c.path(uri, s), data)
}

// storeFailure records that uri could not be thumbnailed, as the standard's
// fail folder does: a 1×1 PNG carrying the file's URI, MTime and Size.
func (c *cache) storeFailure(uri string, st stamp, mime, reason string) error {
	m := thumbMeta{URI: uri, MTime: st.MTime, Size: st.Size, MIME: mime}
	text := append(m.text(), [2]string{keyFailReason, latin1Safe(reason)})
	data, err := encodePNG(image.NewNRGBA(image.Rect(0, 0, 1, 1)), text)
	if err != nil {
		return err
	}
	return writeAtomic(c.failPath(uri), data)
}

// latin1Safe keeps a reason storable in a tEXt chunk (Latin-1, no NUL).
func latin1Safe(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r == 0 || r > 0xff {
			r = '?'
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// writeAtomic writes data to path through a temporary file in the same
// folder, so readers never see a half-written thumbnail. Folders are 0700 and
// files 0600, as the standard requires.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("thumbnail cache: %w", err)
	}
	f, err := os.CreateTemp(dir, ".hoard-*.png.tmp") // CreateTemp uses mode 0600
	if err != nil {
		return fmt.Errorf("thumbnail cache: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("thumbnail cache: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("thumbnail cache: %w", err)
	}
	return nil
}
