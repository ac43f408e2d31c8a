package thumbnail

import (
	"encoding/binary"
	"errors"
)

// exifInfo is what thumbnailing needs from a JPEG's EXIF block.
type exifInfo struct {
	Orientation int    // 1–8, 0 when absent
	Thumbnail   []byte // the embedded JPEG thumbnail (a sub-slice), nil when absent
}

// parseEXIF reads orientation and the embedded thumbnail from an APP1 EXIF
// payload (starting at "Exif\0\0"). It checks every offset against the
// payload, since camera files and hostile files alike get these wrong.
func parseEXIF(app1 []byte) (exifInfo, error) {
	var info exifInfo
	if len(app1) < 6 || string(app1[:6]) != "Exif\x00\x00" {
		return info, errors.New("exif: no Exif header")
	}
	t := app1[6:]
	if len(t) < 8 {
		return info, errors.New("exif: short TIFF header")
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return info, errors.New("exif: bad byte order")
	}
	if bo.Uint16(t[2:]) != 42 {
		return info, errors.New("exif: bad TIFF magic")
	}
	ifd0 := bo.Uint32(t[4:])
	next, err := walkIFD(t, bo, ifd0, func(tag, typ uint16, count uint32, val []byte) {
		if tag == 0x0112 && typ == 3 && count >= 1 {
			info.Orientation = int(bo.Uint16(val))
		}
	})
	if err != nil {
		return info, err
	}
	if next == 0 {
		return info, nil
	}
	var off, n uint32
	if _, err := walkIFD(t, bo, next, func(tag, typ uint16, count uint32, val []byte) {
		if count != 1 || (typ != 3 && typ != 4) {
			return
		}
		v := uint32(bo.Uint16(val))
		if typ == 4 {
			v = bo.Uint32(val)
		}
		switch tag {
		case 0x0201:
			off = v
		case 0x0202:
			n = v
		}
	}); err != nil {
		return info, nil // IFD0 was fine; a broken IFD1 only costs the thumbnail
	}
	if off > 0 && n > 0 && uint64(off)+uint64(n) <= uint64(len(t)) {
		info.Thumbnail = t[off : off+n : off+n]
	}
	return info, nil
}

// walkIFD calls fn for each entry of the IFD at off (with its 4-byte inline
// value field) and returns the offset of the next IFD.
func walkIFD(t []byte, bo binary.ByteOrder, off uint32, fn func(tag, typ uint16, count uint32, val []byte)) (uint32, error) {
	if uint64(off)+2 > uint64(len(t)) {
		return 0, errors.New("exif: IFD offset out of range")
	}
	n := uint64(bo.Uint16(t[off:]))
	end := uint64(off) + 2 + 12*n
	if end+4 > uint64(len(t)) {
		return 0, errors.New("exif: IFD runs past the block")
	}
	for i := range n {
		e := t[uint64(off)+2+12*i:]
		fn(bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:]), e[8:12])
	}
	next := bo.Uint32(t[end:])
	if uint64(next) >= uint64(len(t)) || next == off {
		next = 0
	}
	return next, nil
}
