package gui

import "fyne.io/fyne/v2"

// textFitter shortens names to a width with an ellipsis in the middle, so the end of
// a file name (its number, its extension) stays visible. It measures with per-rune
// advances it keeps: Fyne's own ellipsis shapes the whole string from scratch several
// times per label (a new HarfBuzz font each time, about a millisecond), and a grid
// page of new names did that for every cell inside one frame. Summed advances ignore
// kerning, so the result keeps a few pixels to spare.
type textFitter struct {
	size     float32
	style    fyne.TextStyle
	adv      map[rune]float32
	ellipsis float32
}

const (
	ellipsis  = "…"
	fitMargin = 4 // pixels kept free for kerning and rounding
)

func newTextFitter(size float32, style fyne.TextStyle) *textFitter {
	f := &textFitter{size: size, style: style, adv: map[rune]float32{}}
	f.ellipsis = fyne.MeasureText(ellipsis, size, style).Width
	return f
}

func (f *textFitter) advance(r rune) float32 {
	if a, ok := f.adv[r]; ok {
		return a
	}
	a := fyne.MeasureText(string(r), f.size, f.style).Width
	f.adv[r] = a
	return a
}

// width is s's width as the sum of its runes' advances.
func (f *textFitter) width(s string) float32 {
	var w float32
	for _, r := range s {
		w += f.advance(r)
	}
	return w
}

// fit returns s if it fits in max, else its start and end around an ellipsis: the
// end gets up to 40% of the room, the start the rest.
func (f *textFitter) fit(s string, max float32) string {
	max -= fitMargin
	if f.width(s) <= max {
		return s
	}
	room := max - f.ellipsis
	if room <= 0 {
		return ellipsis
	}
	runes := []rune(s)
	tail, tailW := len(runes), float32(0)
	for tail > 0 {
		a := f.advance(runes[tail-1])
		if tailW+a > room*0.4 {
			break
		}
		tailW += a
		tail--
	}
	head, headW := 0, float32(0)
	for head < tail {
		a := f.advance(runes[head])
		if headW+a > room-tailW {
			break
		}
		headW += a
		head++
	}
	return string(runes[:head]) + ellipsis + string(runes[tail:])
}
