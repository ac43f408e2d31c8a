package thumbnail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Rename is one path change the index applied.
type Rename struct {
	Old, New string
}

// Move carries the cached thumbnails of oldPath (every size, and a recorded
// failure) over to newPath's cache name, rewriting their Thumb::URI, so a
// renamed file keeps its thumbnails. Thumbnails made by other programs move
// too. Nothing cached is not an error.
func (s *Service) Move(oldPath, newPath string) error {
	oldPath, newPath, err := absPaths(oldPath, newPath)
	if err != nil {
		return fmt.Errorf("move thumbnails: %w", err)
	}
	oldURI, newURI := FileURI(oldPath), FileURI(newPath)
	var errs []error
	for _, size := range allSizes {
		errs = append(errs, moveThumb(s.cache.path(oldURI, size), s.cache.path(newURI, size), newURI))
	}
	errs = append(errs, moveThumb(s.cache.failPath(oldURI), s.cache.failPath(newURI), newURI))
	s.mem.rename(oldPath, newPath)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("move thumbnails of %s: %w", oldPath, err)
	}
	return nil
}

// MoveAll is Move for many renames, such as every indexed file under a
// renamed directory. It moves all it can and returns the errors joined.
func (s *Service) MoveAll(renames []Rename) error {
	var errs []error
	for _, r := range renames {
		errs = append(errs, s.Move(r.Old, r.New))
	}
	return errors.Join(errs...)
}

// moveThumb rewrites the thumbnail at src for newURI into dst and removes src.
func moveThumb(src, dst, newURI string) error {
	data, err := readThumb(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	out, err := rewriteURI(data, newURI)
	if err != nil {
		// Not a thumbnail we can carry over; drop it rather than leave junk.
		return errors.Join(fmt.Errorf("%s: %w", filepath.Base(src), err), os.Remove(src))
	}
	if err := writeAtomic(dst, out); err != nil {
		return err
	}
	if err := os.Remove(src); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove old thumbnail: %w", err)
	}
	return nil
}

// rewriteURI returns the PNG in data with its Thumb::URI text set to uri,
// every other chunk kept byte for byte.
func rewriteURI(data []byte, uri string) ([]byte, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, errors.New("not a PNG file")
	}
	var out bytes.Buffer
	out.Grow(len(data) + len(uri))
	out.Write(pngSignature)
	p := data[len(pngSignature):]
	found := false
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p)
		if uint64(n)+12 > uint64(len(p)) {
			return nil, errors.New("png chunk runs past the end of the file")
		}
		typ, body := string(p[4:8]), p[8:8+n]
		if typ == "tEXt" && bytes.HasPrefix(body, []byte(keyURI+"\x00")) {
			writeChunk(&out, "tEXt", []byte(keyURI+"\x00"+uri))
			found = true
		} else {
			out.Write(p[:12+n])
		}
		p = p[12+n:]
	}
	if !found {
		return nil, errors.New("thumbnail has no Thumb::URI")
	}
	return out.Bytes(), nil
}

// Swap exchanges the thumbnails of a and b, for a RENAME_EXCHANGE of two files:
// each file's content, and so its thumbnail, now lives at the other's path. The
// memory cache swaps its entries; on disk each thumbnail is rewritten for the other
// URI (through a temporary name, so neither is lost halfway).
func (s *Service) Swap(a, b string) error {
	a, b, err := absPaths(a, b)
	if err != nil {
		return fmt.Errorf("swap thumbnails: %w", err)
	}
	uriA, uriB := FileURI(a), FileURI(b)
	var errs []error
	swap := func(pa, pb string) {
		tmp := pb + ".swap"
		errs = append(errs,
			moveThumb(pa, tmp, uriB), // a's thumbnail, for b, aside
			moveThumb(pb, pa, uriA),  // b's thumbnail to a
		)
		if err := os.Rename(tmp, pb); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, size := range allSizes {
		swap(s.cache.path(uriA, size), s.cache.path(uriB, size))
	}
	swap(s.cache.failPath(uriA), s.cache.failPath(uriB))
	s.mem.swap(a, b)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("swap thumbnails of %s and %s: %w", a, b, err)
	}
	return nil
}

// absPaths is absPath of both a and b.
func absPaths(a, b string) (string, string, error) {
	a, err := absPath(a)
	if err != nil {
		return "", "", err
	}
	b, err = absPath(b)
	return a, b, err
}
