package thumbnail

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"strconv"
	"strings"
)

// Keys of the tEXt chunks the Thumbnail Managing Standard defines.
const (
	keyURI      = "Thumb::URI"
	keyMTime    = "Thumb::MTime"
	keySize     = "Thumb::Size"
	keyMimetype = "Thumb::Mimetype"
	keySoftware = "Software"
)

// maxThumbFile caps how much of a cached thumbnail is read: a real one is a few
// hundred KiB, so anything bigger is broken or hostile.
const maxThumbFile = 8 << 20

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// thumbMeta is what a cached thumbnail says about the file it was made from.
type thumbMeta struct {
	URI     string
	MTime   int64
	HasSize bool
	Size    int64
	MIME    string
}

// text returns the tEXt pairs to store, in a fixed order.
func (m thumbMeta) text() [][2]string {
	kv := [][2]string{
		{keyURI, m.URI},
		{keyMTime, strconv.FormatInt(m.MTime, 10)},
		{keySize, strconv.FormatInt(m.Size, 10)},
	}
	if m.MIME != "" {
		kv = append(kv, [2]string{keyMimetype, m.MIME})
	}
	return append(kv, [2]string{keySoftware, "Hoard"})
}

// encodePNG writes img as an 8-bit RGBA PNG (colour type 6, as the standard
// asks, even when the image is opaque) with the given tEXt chunks.
func encodePNG(img *image.NRGBA, text [][2]string) ([]byte, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w <= 0 || h <= 0 {
		return nil, errors.New("encode png: empty image")
	}
	var buf bytes.Buffer
	buf.Write(pngSignature)

	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 8 // bit depth
	ihdr[9] = 6 // colour type RGBA
	writeChunk(&buf, "IHDR", ihdr[:])

	for _, kv := range text {
		if strings.IndexByte(kv[0], 0) >= 0 || strings.IndexByte(kv[1], 0) >= 0 {
			return nil, fmt.Errorf("encode png: NUL in text chunk %q", kv[0])
		}
		writeChunk(&buf, "tEXt", []byte(kv[0]+"\x00"+kv[1]))
	}

	var idat bytes.Buffer
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	stride := 4 * w
	prev := make([]byte, stride)
	row := make([]byte, 1+stride)
	for y := range h {
		cur := img.Pix[y*img.Stride : y*img.Stride+stride]
		// The Up filter: within a few percent of Paeth's size on thumbnails,
		// and far cheaper to undo, which is what every grid redraw from the
		// cache pays (see BenchmarkCachedThumbnail).
		row[0] = 2
		for i := range cur {
			row[1+i] = cur[i] - prev[i]
		}
		if _, err := zw.Write(row); err != nil {
			return nil, fmt.Errorf("encode png: %w", err)
		}
		prev = cur
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	writeChunk(&buf, "IDAT", idat.Bytes())
	writeChunk(&buf, "IEND", nil)
	return buf.Bytes(), nil
}

func writeChunk(buf *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	buf.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	buf.WriteString(typ)
	buf.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	buf.Write(n[:])
}

// pngText returns the tEXt chunks of a PNG held in data. It walks the chunk
// list itself (image/png drops text) and stops at the first IDAT, where the
// standard's keys must already have appeared.
func pngText(data []byte) (map[string]string, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, errors.New("not a PNG file")
	}
	text := map[string]string{}
	p := data[len(pngSignature):]
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p)
		typ := string(p[4:8])
		if uint64(n)+12 > uint64(len(p)) {
			return nil, fmt.Errorf("png chunk %q runs past the end of the file", typ)
		}
		body := p[8 : 8+n]
		switch typ {
		case "tEXt":
			if k, v, ok := bytes.Cut(body, []byte{0}); ok {
				text[string(k)] = latin1(v)
			}
		case "IDAT", "IEND":
			return text, nil
		}
		p = p[12+n:]
	}
	return text, nil
}

// latin1 converts tEXt's ISO 8859-1 to a Go string.
func latin1(b []byte) string {
	for _, c := range b {
		if c >= 0x80 {
			r := make([]rune, len(b))
			for i, c := range b {
				r[i] = rune(c)
			}
			return string(r)
		}
	}
	return string(b)
}

// parseMeta reads the standard's keys from a thumbnail's text chunks.
func parseMeta(text map[string]string) (thumbMeta, error) {
	m := thumbMeta{URI: text[keyURI], MIME: text[keyMimetype]}
	if m.URI == "" {
		return m, errors.New("thumbnail has no Thumb::URI")
	}
	mt, ok := text[keyMTime]
	if !ok {
		return m, errors.New("thumbnail has no Thumb::MTime")
	}
	// Some writers store fractional seconds; the standard compares whole ones.
	mt, _, _ = strings.Cut(strings.TrimSpace(mt), ".")
	v, err := strconv.ParseInt(mt, 10, 64)
	if err != nil {
		return m, fmt.Errorf("thumbnail Thumb::MTime: %w", err)
	}
	m.MTime = v
	if s, ok := text[keySize]; ok {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return m, fmt.Errorf("thumbnail Thumb::Size: %w", err)
		}
		m.Size, m.HasSize = v, true
	}
	return m, nil
}

// decodePNG decodes a cached thumbnail held in data into a screen-ready image.
func decodePNG(data []byte) (image.Image, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode thumbnail: %w", err)
	}
	if cfg.Width > 4096 || cfg.Height > 4096 {
		return nil, fmt.Errorf("decode thumbnail: %dx%d is too big for a thumbnail", cfg.Width, cfg.Height)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode thumbnail: %w", err)
	}
	return screenReady(img), nil
}
