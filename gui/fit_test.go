package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestTextFitter(t *testing.T) {
	test.NewTempApp(t)
	f := newTextFitter(theme.TextSize(), fyne.TextStyle{})
	max := nameWidth()
	if got := f.fit("cat.jpg", max); got != "cat.jpg" {
		t.Errorf("a short name changed: %q", got)
	}
	for _, name := range []string{
		"IMG_20230412_the_very_long_holiday_picture_of_the_beach.jpg",
		"WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW.png",
		"iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii.png",
		"写真・夏休み・海辺の写真・とても長い名前のファイル.jpeg",
		"name with spaces and a newline\nin it, long enough to be cut.mp4",
		"bad-\xff\xfe-bytes-in-a-name-long-enough-to-need-cutting.flac",
		"AVAfaToTyWaVAYaWoTe kerning pairs AVAfaToTyWaVAYaWoTe.txt",
	} {
		got := f.fit(name, max)
		if !strings.Contains(got, ellipsis) {
			t.Errorf("%q: not shortened: %q", name, got)
			continue
		}
		// Measured the way Fyne draws it, the result fits.
		if w := fyne.MeasureText(got, theme.TextSize(), fyne.TextStyle{}).Width; w > max {
			t.Errorf("%q → %q is %.1f wide, room is %.1f", name, got, w, max)
		}
		head, tail, _ := strings.Cut(got, ellipsis)
		if head == "" || tail == "" {
			t.Errorf("%q → %q: want both its start and its end", name, got)
		}
		if !strings.HasPrefix(string([]rune(name)), head) || !strings.HasSuffix(name, tail) {
			t.Errorf("%q → %q: not the name's start and end", name, got)
		}
	}
	if got := f.fit("anything long enough", f.ellipsis); got != ellipsis {
		t.Errorf("no room: %q", got)
	}
}
