package thumbnail

import (
	"encoding/binary"
	"errors"
)

// lutBits is the width of the fast Huffman lookup: codes up to this long are
// decoded with one table read, longer ones with the canonical-code walk.
const lutBits = 10

// huffTable is one JPEG Huffman table, prepared for decoding.
type huffTable struct {
	lut [1 << lutBits]uint16 // (code length << 8) | symbol; 0 = not in the table
	// skipLUT serves the DC-only decoder's AC loop; see buildSkip.
	skipLUT [1 << skipBits]uint16
	maxCode [18]int32 // largest code of each length, -1 when none
	valPtr  [17]int32 // index in vals of the first code of each length
	minCode [17]int32
	vals    [256]uint8
	present bool
}

var errBadHuffman = errors.New("jpeg: bad Huffman table")

// build fills the table from a DHT segment's 16 counts and symbols; ac
// tables also get the skip table.
func (h *huffTable) build(counts []byte, symbols []byte, ac bool) error {
	total := 0
	for _, c := range counts {
		total += int(c)
	}
	if total == 0 || total > 256 || total != len(symbols) {
		return errBadHuffman
	}
	*h = huffTable{present: true}
	copy(h.vals[:], symbols)
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		if code+n > 1<<l {
			return errBadHuffman // more codes than this length has room for
		}
		h.valPtr[l] = k
		h.minCode[l] = code
		if n == 0 {
			h.maxCode[l] = -1
		} else {
			for i := range n {
				if l <= lutBits {
					// Every lutBits-wide pattern that starts with this code maps to it.
					c := (code + i) << (lutBits - l)
					for j := range int32(1) << (lutBits - l) {
						h.lut[c+j] = uint16(l)<<8 | uint16(symbols[k+i])
					}
				}
			}
			code += n
			k += n
			h.maxCode[l] = code - 1
		}
		code <<= 1
	}
	h.maxCode[17] = 0x7fffffff
	if ac {
		h.buildSkip()
	}
	return nil
}

// skipBits is the window of the skip table: wide enough for two or three
// typical AC symbols; 14 measured faster than 12 or 13 (32 KiB per table).
const skipBits = 14

// Fields of a skipLUT entry.
const (
	skipBitsMask  = 31      // bits 0–4: bits consumed
	skipStepShift = 5       // bits 5–10: coefficient positions advanced
	skipStepMask  = 63      //
	skipEOB       = 1 << 11 // the run ends with an end-of-block code
)

// buildSkip fills skipLUT. For each skipBits-wide window it records the run
// of whole AC symbols (code plus value bits) the window starts with: the
// bits they take, the coefficient positions they advance, and whether the
// run ends the block. The first symbol's value bits may reach past the
// window; later symbols must fit in it. A DC-only decode then skips about
// two coefficients per lookup. 0 means the first code is longer than the
// window.
func (h *huffTable) buildSkip() {
	for w := range uint32(1 << skipBits) {
		var used, step int
		var entry uint16
		for n := 0; n < 4; n++ {
			l, sym, ok := h.codeAt(w<<used&(1<<skipBits-1), skipBits-used)
			if !ok {
				break
			}
			run, size := int(sym>>4), int(sym&15)
			adv := run + 1 // a ZRL (run 15, size 0) moves sixteen as well
			if size == 0 && run != 15 {
				adv = 0 // EOB
			}
			if n > 0 && (used+l+size > skipBits || step+adv > skipStepMask) {
				break
			}
			used += l + size
			step += adv
			if adv == 0 {
				entry = skipEOB
				break
			}
		}
		if used > 0 {
			h.skipLUT[w] = entry | uint16(step)<<skipStepShift | uint16(used)
		}
	}
}

// codeAt finds the Huffman code at the top of a skipBits-wide window of
// which avail bits are usable.
func (h *huffTable) codeAt(window uint32, avail int) (int, uint8, bool) {
	if e := h.lut[window>>(skipBits-lutBits)]; e != 0 {
		if l := int(e >> 8); l <= avail {
			return l, uint8(e), true
		}
		return 0, 0, false
	}
	for l := lutBits + 1; l <= min(avail, 16); l++ {
		code := int32(window >> (skipBits - l))
		if code <= h.maxCode[l] {
			return l, h.vals[h.valPtr[l]+code-h.minCode[l]], true
		}
	}
	return 0, 0, false
}

// bitReader reads a JPEG entropy-coded segment that is already cut out of the
// file, undoing the 0xFF00 byte stuffing. At a marker or the end it feeds
// zero bits and counts them, so corrupt data ends in an error, not a hang.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint64 // bits left-aligned
	n      uint   // valid bits in acc
	zeros  int    // zero bytes fed past a marker or the end
	marker bool   // stopped at a marker (a restart marker, or the segment end)
}

func (r *bitReader) fill() {
	// Fast path: eight bytes without 0xFF (no stuffing, no marker) are
	// loaded with one read.
	if !r.marker && r.pos+8 <= len(r.data) {
		w := binary.BigEndian.Uint64(r.data[r.pos:])
		if v := ^w; (v-0x0101010101010101)&^v&0x8080808080808080 == 0 {
			k := (64 - r.n) / 8 // whole bytes that fit
			r.acc |= w >> (64 - 8*k) << (64 - 8*k - r.n)
			r.n += 8 * k
			r.pos += int(k)
			return
		}
	}
	for r.n <= 56 {
		var b byte
		if r.marker || r.pos >= len(r.data) {
			r.zeros++
		} else {
			b = r.data[r.pos]
			if b == 0xff {
				if r.pos+1 < len(r.data) && r.data[r.pos+1] == 0 {
					r.pos += 2
				} else {
					r.marker = true
					b = 0
					r.zeros++
				}
			} else {
				r.pos++
			}
		}
		r.acc |= uint64(b) << (56 - r.n)
		r.n += 8
	}
}

// decode reads one Huffman-coded symbol.
func (r *bitReader) decode(h *huffTable) (uint8, error) {
	if r.n < 32 {
		r.fill()
	}
	if e := h.lut[r.acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		r.acc <<= l
		r.n -= l
		return uint8(e), nil
	}
	for l := lutBits + 1; l <= 16; l++ {
		code := int32(r.acc >> (64 - uint(l)))
		if code <= h.maxCode[l] {
			r.acc <<= uint(l)
			r.n -= uint(l)
			return h.vals[h.valPtr[l]+code-h.minCode[l]], nil
		}
	}
	return 0, errBadHuffman
}

// receive reads s (≤ 16) raw bits as a signed JPEG coefficient value.
func (r *bitReader) receive(s uint8) int32 {
	if s == 0 {
		return 0
	}
	if r.n < uint(s) {
		r.fill()
	}
	v := int32(r.acc >> (64 - uint(s)))
	r.acc <<= uint(s)
	r.n -= uint(s)
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// skip drops s (≤ 16) bits: an AC coefficient value a DC-only decode ignores.
// decode has left at least 32 - 16 bits in the buffer, so no refill is needed.
func (r *bitReader) skip(s uint8) {
	r.acc <<= uint(s)
	r.n -= uint(s)
}

// restart moves past the next RSTn marker and clears the bit buffer.
func (r *bitReader) restart() {
	for r.pos+1 < len(r.data) {
		if r.data[r.pos] == 0xff && r.data[r.pos+1] >= 0xd0 && r.data[r.pos+1] <= 0xd7 {
			r.pos += 2
			break
		}
		r.pos++
	}
	r.acc, r.n, r.marker = 0, 0, false
}
