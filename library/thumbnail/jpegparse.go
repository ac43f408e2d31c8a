package thumbnail

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// jpegComponent is one colour component of a frame.
type jpegComponent struct {
	id     uint8
	h, v   int // sampling factors
	tq     uint8
	bw, bh int // blocks per row and column, padded to whole MCUs
	dc     []uint8
}

// jpegHeader is what the markers before the first scan say about a JPEG.
type jpegHeader struct {
	width, height int
	precision     int
	sof           uint8 // 0xc0 baseline, 0xc1 extended, 0xc2 progressive, …
	comps         []jpegComponent
	hmax, vmax    int
	exif          []byte // APP1 payload starting "Exif\0\0", nil when absent
	adobe         bool
	adobeXform    uint8
	jfif          bool
	firstScan     int // offset of the first SOS marker
}

var errNotJPEG = errors.New("jpeg: missing SOI marker")

// jpegSegments walks the marker segments of data from the start, calling fn
// with each marker and its payload (without the length field). It stops at
// the first SOS (passing its offset), at EOI, or when fn returns false.
func jpegSegments(data []byte, fn func(marker byte, payload []byte, at int) bool) error {
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		return errNotJPEG
	}
	p := 2
	for {
		// Markers may be preceded by any number of 0xFF fill bytes.
		for p < len(data) && data[p] != 0xff {
			p++
		}
		for p < len(data) && data[p] == 0xff {
			p++
		}
		if p >= len(data) {
			return errors.New("jpeg: no image data before the end of the file")
		}
		m := data[p]
		at := p - 1
		p++
		if m == 0xd9 {
			return errors.New("jpeg: end of image before any scan")
		}
		if m == 0x01 || (m >= 0xd0 && m <= 0xd7) { // no payload
			continue
		}
		if p+2 > len(data) {
			return errors.New("jpeg: truncated segment length")
		}
		n := int(binary.BigEndian.Uint16(data[p:]))
		if n < 2 || p+n > len(data) {
			return fmt.Errorf("jpeg: segment %#x runs past the end of the file", m)
		}
		if !fn(m, data[p+2:p+n], at) || m == 0xda {
			return nil
		}
		p += n
	}
}

// parseJPEGHeader reads the frame header, EXIF and colour transform of a JPEG
// without touching its image data.
func parseJPEGHeader(data []byte) (*jpegHeader, error) {
	h := &jpegHeader{firstScan: -1}
	var ferr error
	err := jpegSegments(data, func(m byte, b []byte, at int) bool {
		switch {
		case m == 0xe0 && len(b) >= 5 && string(b[:5]) == "JFIF\x00":
			h.jfif = true
		case m == 0xe1 && len(b) >= 6 && string(b[:6]) == "Exif\x00\x00" && h.exif == nil:
			h.exif = b
		case m == 0xee && len(b) >= 12 && string(b[:5]) == "Adobe":
			h.adobe, h.adobeXform = true, b[11]
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			if h.sof != 0 {
				ferr = errors.New("jpeg: more than one frame header")
				return false
			}
			h.sof = m
			ferr = h.parseSOF(b)
			return ferr == nil
		case m == 0xda:
			h.firstScan = at
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return nil, err
	}
	if h.sof == 0 {
		return nil, errors.New("jpeg: no frame header")
	}
	return h, nil
}

func (h *jpegHeader) parseSOF(b []byte) error {
	if len(b) < 6 {
		return errors.New("jpeg: short frame header")
	}
	h.precision = int(b[0])
	h.height = int(binary.BigEndian.Uint16(b[1:]))
	h.width = int(binary.BigEndian.Uint16(b[3:]))
	nc := int(b[5])
	if nc == 0 || nc > 4 || len(b) < 6+3*nc {
		return errors.New("jpeg: bad component count")
	}
	if h.width == 0 || h.height == 0 {
		return errors.New("jpeg: zero image size")
	}
	h.comps = make([]jpegComponent, nc)
	h.hmax, h.vmax = 1, 1
	for i := range h.comps {
		c := &h.comps[i]
		c.id = b[6+3*i]
		c.h, c.v = int(b[7+3*i]>>4), int(b[7+3*i]&15)
		c.tq = b[8+3*i]
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return errors.New("jpeg: bad sampling factor or table")
		}
		h.hmax, h.vmax = max(h.hmax, c.h), max(h.vmax, c.v)
	}
	return nil
}

// mcus returns the number of MCUs across and down an interleaved scan.
func (h *jpegHeader) mcus() (int, int) {
	return (h.width + 8*h.hmax - 1) / (8 * h.hmax), (h.height + 8*h.vmax - 1) / (8 * h.vmax)
}
