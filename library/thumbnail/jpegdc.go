package thumbnail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
)

// The DC-only decoder makes a 1/8-scale image of a JPEG from each 8×8
// block's DC coefficient, which is exactly the block's mean. It still has to
// Huffman-decode every AC coefficient (to find where the next block starts)
// but skips dequantisation, the inverse DCT, upsampling and colour
// conversion of the full image, which is most of a full decode's time and
// all of its memory. Progressive JPEGs are cheaper still: only their DC
// scans are read.

var errTruncated = errors.New("jpeg: image data is truncated")

// dcDecodable reports whether decodeJPEGDC can handle the JPEG of h.
func dcDecodable(h *jpegHeader) bool {
	if h.precision != 8 || (h.sof != 0xc0 && h.sof != 0xc1 && h.sof != 0xc2) {
		return false
	}
	switch len(h.comps) {
	case 1:
		return true
	case 3:
		if h.adobe && h.adobeXform == 0 {
			return false // RGB
		}
		if !h.jfif && !h.adobe && h.comps[0].id == 'R' && h.comps[1].id == 'G' && h.comps[2].id == 'B' {
			return false
		}
		_, ok := subsampleRatio(h)
		return ok
	}
	return false
}

func subsampleRatio(h *jpegHeader) (image.YCbCrSubsampleRatio, bool) {
	if h.comps[1].h != 1 || h.comps[1].v != 1 || h.comps[2].h != 1 || h.comps[2].v != 1 {
		return 0, false
	}
	switch [2]int{h.comps[0].h, h.comps[0].v} {
	case [2]int{1, 1}:
		return image.YCbCrSubsampleRatio444, true
	case [2]int{2, 1}:
		return image.YCbCrSubsampleRatio422, true
	case [2]int{2, 2}:
		return image.YCbCrSubsampleRatio420, true
	case [2]int{1, 2}:
		return image.YCbCrSubsampleRatio440, true
	case [2]int{4, 1}:
		return image.YCbCrSubsampleRatio411, true
	case [2]int{4, 2}:
		return image.YCbCrSubsampleRatio410, true
	}
	return 0, false
}

// dcDecoder holds the tables of one DC-only decode.
type dcDecoder struct {
	h        *jpegHeader
	q0       [4]int32 // DC quantiser of each table
	qSeen    [4]bool
	dcTables [4]huffTable
	acTables [4]huffTable
	restart  int
}

// decodeJPEGDC returns the 1/8-scale image of the JPEG in data, whose
// header h has passed dcDecodable.
func decodeJPEGDC(data []byte, h *jpegHeader) (image.Image, error) {
	d := &dcDecoder{h: h}
	mx, my := h.mcus()
	for i := range h.comps {
		c := &h.comps[i]
		c.bw, c.bh = mx*c.h, my*c.v
		c.dc = make([]uint8, c.bw*c.bh)
		// Blocks a scan never reaches stay mid-grey rather than black.
		for j := range c.dc {
			c.dc[j] = 128
		}
	}
	p := 2
	scans := 0
	for {
		for p < len(data) && data[p] != 0xff {
			p++
		}
		for p < len(data) && data[p] == 0xff {
			p++
		}
		if p >= len(data) {
			break
		}
		m := data[p]
		p++
		if m == 0xd9 {
			break
		}
		if m == 0x01 || (m >= 0xd0 && m <= 0xd7) {
			continue
		}
		if p+2 > len(data) {
			return nil, errTruncated
		}
		n := int(binary.BigEndian.Uint16(data[p:]))
		if n < 2 || p+n > len(data) {
			return nil, errTruncated
		}
		seg := data[p+2 : p+n]
		p += n
		var err error
		switch m {
		case 0xdb:
			err = d.parseDQT(seg)
		case 0xc4:
			err = d.parseDHT(seg)
		case 0xdd:
			if len(seg) < 2 {
				return nil, errors.New("jpeg: short DRI segment")
			}
			d.restart = int(binary.BigEndian.Uint16(seg))
		case 0xda:
			end := entropyEnd(data, p)
			err = d.scan(seg, data[p:end])
			p = end
			scans++
		}
		if err != nil {
			return nil, err
		}
	}
	if scans == 0 {
		return nil, errTruncated
	}
	return d.image(), nil
}

// entropyEnd returns the offset of the marker that ends the entropy-coded
// data starting at p (restart markers and stuffed 0xFF00 belong to the data).
func entropyEnd(data []byte, p int) int {
	for {
		i := bytes.IndexByte(data[p:], 0xff)
		if i < 0 || p+i+1 >= len(data) {
			return len(data)
		}
		p += i + 1
		if c := data[p]; c != 0 && (c < 0xd0 || c > 0xd7) {
			return p - 1
		}
	}
}

func (d *dcDecoder) parseDQT(b []byte) error {
	for len(b) > 0 {
		pq, tq := b[0]>>4, b[0]&15
		size := 1 + 64*(1+int(pq))
		if tq > 3 || pq > 1 || len(b) < size {
			return errors.New("jpeg: bad quantisation table")
		}
		if pq == 0 {
			d.q0[tq] = int32(b[1])
		} else {
			d.q0[tq] = int32(binary.BigEndian.Uint16(b[1:]))
		}
		d.qSeen[tq] = true
		b = b[size:]
	}
	return nil
}

func (d *dcDecoder) parseDHT(b []byte) error {
	for len(b) > 0 {
		if len(b) < 17 {
			return errBadHuffman
		}
		tc, th := b[0]>>4, b[0]&15
		if tc > 1 || th > 3 {
			return errBadHuffman
		}
		counts := b[1:17]
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if len(b) < 17+total {
			return errBadHuffman
		}
		t := &d.dcTables[th]
		if tc == 1 {
			t = &d.acTables[th]
		}
		if err := t.build(counts, b[17:17+total], tc == 1); err != nil {
			return err
		}
		b = b[17+total:]
	}
	return nil
}

// scanComp is one component of a scan with its tables.
type scanComp struct {
	c      *jpegComponent
	dc, ac *huffTable
	q0     int32
	pred   int32
}

// scan decodes the DC coefficients of one scan, whose header is hdr and
// whose entropy-coded data is ecs.
func (d *dcDecoder) scan(hdr, ecs []byte) error {
	if len(hdr) < 1 {
		return errors.New("jpeg: short scan header")
	}
	ns := int(hdr[0])
	if ns < 1 || ns > 4 || len(hdr) < 1+2*ns+3 {
		return errors.New("jpeg: bad scan header")
	}
	ss, se, ah, al := hdr[1+2*ns], hdr[2+2*ns], hdr[3+2*ns]>>4, hdr[3+2*ns]&15
	progressive := d.h.sof == 0xc2
	if progressive && (ss != 0 || ah != 0) {
		return nil // AC or refinement scan: the DC image does not need it
	}
	if !progressive && (ss != 0 || se != 63 || ah != 0 || al != 0) {
		return errors.New("jpeg: bad sequential scan parameters")
	}
	comps := make([]scanComp, ns)
	for i := range comps {
		id, tables := hdr[1+2*i], hdr[2+2*i]
		var c *jpegComponent
		for j := range d.h.comps {
			if d.h.comps[j].id == id {
				c = &d.h.comps[j]
			}
		}
		if c == nil || tables>>4 > 3 || tables&15 > 3 || !d.qSeen[c.tq] {
			return errors.New("jpeg: scan names an unknown component or table")
		}
		sc := scanComp{c: c, dc: &d.dcTables[tables>>4], ac: &d.acTables[tables&15], q0: d.q0[c.tq] << al}
		if !sc.dc.present || (!progressive && !sc.ac.present) {
			return errors.New("jpeg: scan uses an undefined Huffman table")
		}
		comps[i] = sc
	}
	r := &bitReader{data: ecs}
	if ns == 1 {
		return d.scanSingle(r, &comps[0], progressive)
	}
	return d.scanInterleaved(r, comps, progressive)
}

// block decodes one block's coefficients and stores its DC value at i.
func (d *dcDecoder) block(r *bitReader, sc *scanComp, i int, dcOnly bool) error {
	s, err := r.decode(sc.dc)
	if err != nil {
		return err
	}
	if s > 16 {
		return errBadHuffman
	}
	sc.pred += r.receive(s)
	if !dcOnly {
		if err := skipAC(r, sc.ac); err != nil {
			return err
		}
	}
	v := (sc.pred*sc.q0+4)>>3 + 128
	sc.c.dc[i] = uint8(min(max(v, 0), 255))
	return nil
}

// checkRestart handles the restart interval after mcu MCUs and reports
// reading past the data.
func (d *dcDecoder) checkRestart(r *bitReader, mcu, total int, comps []scanComp) error {
	if int(r.zeros)*8-int(r.n) > 64 {
		return errTruncated
	}
	if d.restart > 0 && mcu%d.restart == 0 && mcu < total {
		r.restart()
		r.zeros = 0
		for i := range comps {
			comps[i].pred = 0
		}
	}
	return nil
}

func (d *dcDecoder) scanInterleaved(r *bitReader, comps []scanComp, dcOnly bool) error {
	mx, my := d.h.mcus()
	total := mx * my
	mcu := 0
	for y := range my {
		for x := range mx {
			for ci := range comps {
				sc := &comps[ci]
				c := sc.c
				for v := range c.v {
					row := (y*c.v + v) * c.bw
					for h := range c.h {
						if err := d.block(r, sc, row+x*c.h+h, dcOnly); err != nil {
							return fmt.Errorf("jpeg: MCU %d: %w", mcu, err)
						}
					}
				}
			}
			mcu++
			if err := d.checkRestart(r, mcu, total, comps); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *dcDecoder) scanSingle(r *bitReader, sc *scanComp, dcOnly bool) error {
	c := sc.c
	cw := (d.h.width*c.h + d.h.hmax - 1) / d.h.hmax
	ch := (d.h.height*c.v + d.h.vmax - 1) / d.h.vmax
	bx, by := (cw+7)/8, (ch+7)/8
	total := bx * by
	mcu := 0
	comps := []scanComp{*sc}
	for y := range by {
		for x := range bx {
			if err := d.block(r, &comps[0], y*c.bw+x, dcOnly); err != nil {
				return fmt.Errorf("jpeg: block %d: %w", mcu, err)
			}
			mcu++
			if err := d.checkRestart(r, mcu, total, comps); err != nil {
				return err
			}
		}
	}
	return nil
}

// image wraps the DC planes as an image of ceil(width/8)×ceil(height/8).
func (d *dcDecoder) image() image.Image {
	h := d.h
	rect := image.Rect(0, 0, (h.width+7)/8, (h.height+7)/8)
	if len(h.comps) == 1 {
		return &image.Gray{Pix: h.comps[0].dc, Stride: h.comps[0].bw, Rect: rect}
	}
	ratio, _ := subsampleRatio(h)
	return &image.YCbCr{
		Y: h.comps[0].dc, Cb: h.comps[1].dc, Cr: h.comps[2].dc,
		YStride: h.comps[0].bw, CStride: h.comps[1].bw,
		SubsampleRatio: ratio,
		Rect:           rect,
	}
}

// skipAC reads past one block's AC coefficients without computing them.
// It keeps the bit buffer in locals: this loop is most of a DC-only decode.
func skipAC(r *bitReader, t *huffTable) error {
	acc, n := r.acc, r.n
	lut := &t.skipLUT
	for k := 1; k < 64; {
		if n < 32 {
			r.acc, r.n = acc, n
			r.fill()
			acc, n = r.acc, r.n
		}
		e := lut[acc>>(64-skipBits)]
		// A run must end inside the block: when the last coefficient (63)
		// is coded the block has no EOB and the next bits are the next
		// block's. Runs that do not fit are taken one symbol at a time below.
		end := k + int(e>>skipStepShift)&skipStepMask
		if e&skipEOB != 0 {
			end++
		}
		if e != 0 && end <= 64 {
			bits := uint(e & skipBitsMask)
			acc <<= bits
			n -= bits
			if e&skipEOB != 0 {
				break
			}
			k = end
			continue
		}
		r.acc, r.n = acc, n
		rs, err := r.decode(t)
		if err != nil {
			return err
		}
		run, size := rs>>4, rs&15
		if size == 0 && run != 15 {
			return nil
		}
		r.skip(size)
		acc, n = r.acc, r.n
		k += int(run) + 1 // a ZRL (run 15, size 0) moves sixteen
	}
	r.acc, r.n = acc, n
	return nil
}
