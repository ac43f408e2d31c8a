package thumbnail

import (
	"image"
	"image/color"
	"image/draw"
)

// fitSize returns the dimensions of a w×h image scaled to fit in a box of
// size×size, keeping its aspect ratio and never enlarging it.
func fitSize(w, h int, size Size) (int, int) {
	s := int(size)
	if w <= s && h <= s {
		return max(w, 1), max(h, 1)
	}
	if w >= h {
		return s, max(1, (h*s+w/2)/w)
	}
	return max(1, (w*s+h/2)/h), s
}

// scaleDown shrinks src to fit in size×size with an area-averaging (box)
// filter, which is both fast and free of aliasing for the large reduction
// factors thumbnails need. Every source pixel is read exactly once.
func scaleDown(src image.Image, size Size) *image.NRGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := fitSize(sw, sh, size)
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))

	xmap := make([]int32, sw)
	for x := range sw {
		xmap[x] = int32(x * dw / sw * 4)
	}
	row := make([]uint8, 4*sw)  // one source row, premultiplied RGBA
	acc := make([]uint32, 4*dw) // sums for one destination row
	count := make([]uint32, dw) // source columns per destination column
	for x := range sw {
		count[xmap[x]/4]++
	}
	readRow := rowReader(src)

	sy := 0
	for dy := range dh {
		syEnd := (dy + 1) * sh / dh
		clear(acc)
		rows := uint32(0)
		for ; sy < syEnd; sy++ {
			readRow(row, b.Min.Y+sy)
			for x := range sw {
				i, p := xmap[x], row[4*x:4*x+4:4*x+4]
				acc[i] += uint32(p[0])
				acc[i+1] += uint32(p[1])
				acc[i+2] += uint32(p[2])
				acc[i+3] += uint32(p[3])
			}
			rows++
		}
		out := dst.Pix[dy*dst.Stride : dy*dst.Stride+4*dw]
		for dx := range dw {
			n := count[dx] * max(rows, 1)
			a := (acc[4*dx+3] + n/2) / n
			out[4*dx+3] = uint8(a)
			if a == 0 {
				continue
			}
			// Un-premultiply: colour sums divided by alpha sums.
			as := acc[4*dx+3]
			out[4*dx] = uint8(min(255, (acc[4*dx]*255+as/2)/as))
			out[4*dx+1] = uint8(min(255, (acc[4*dx+1]*255+as/2)/as))
			out[4*dx+2] = uint8(min(255, (acc[4*dx+2]*255+as/2)/as))
		}
	}
	return dst
}

// rowReader returns a function that writes row y of src into dst as
// premultiplied 8-bit RGBA, with fast paths for the types decoders return.
func rowReader(src image.Image) func(dst []uint8, y int) {
	b := src.Bounds()
	switch m := src.(type) {
	case *image.YCbCr:
		return func(dst []uint8, y int) {
			for x := b.Min.X; x < b.Max.X; x++ {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				i := 4 * (x - b.Min.X)
				dst[i], dst[i+1], dst[i+2], dst[i+3] = r, g, bl, 255
			}
		}
	case *image.NRGBA:
		return func(dst []uint8, y int) {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for i := 0; i < 4*b.Dx(); i += 4 {
				a := uint32(p[i+3])
				dst[i] = uint8(uint32(p[i]) * a / 255)
				dst[i+1] = uint8(uint32(p[i+1]) * a / 255)
				dst[i+2] = uint8(uint32(p[i+2]) * a / 255)
				dst[i+3] = uint8(a)
			}
		}
	case *image.RGBA:
		return func(dst []uint8, y int) {
			copy(dst, m.Pix[m.PixOffset(b.Min.X, y):])
		}
	case *image.Gray:
		return func(dst []uint8, y int) {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range b.Dx() {
				v := p[x]
				dst[4*x], dst[4*x+1], dst[4*x+2], dst[4*x+3] = v, v, v, 255
			}
		}
	case *image.Paletted:
		pal := make([][4]uint8, 256)
		for i, c := range m.Palette {
			r, g, bl, a := c.RGBA()
			pal[i] = [4]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
		}
		return func(dst []uint8, y int) {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range b.Dx() {
				copy(dst[4*x:4*x+4], pal[p[x]][:])
			}
		}
	default:
		return func(dst []uint8, y int) {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := src.At(x, y).RGBA()
				i := 4 * (x - b.Min.X)
				dst[i], dst[i+1], dst[i+2], dst[i+3] = uint8(r>>8), uint8(g>>8), uint8(bl>>8), uint8(a>>8)
			}
		}
	}
}

// screenReady returns img as a type a toolkit can upload without converting
// pixel by pixel (*image.NRGBA or *image.RGBA).
func screenReady(img image.Image) image.Image {
	switch img.(type) {
	case *image.NRGBA, *image.RGBA:
		return img
	}
	b := img.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}
