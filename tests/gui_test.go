package tests

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hoard/library"
)

// TestGUIEndToEnd runs the real hoard-gui under Xvfb on a library of real images:
// it waits for the window, screenshots it (tests/artifacts/gui-*.png), selects a
// thumbnail and tags it through the inspector with xdotool, searches, and checks the
// index changed. It also records cold start, query time and memory.
func TestGUIEndToEnd(t *testing.T) {
	needX(t)
	gui := binary(t, "hoard-gui")
	cli := binary(t, "hoard")
	tmp := t.TempDir()
	photos := filepath.Join(tmp, "photos")
	db := filepath.Join(tmp, "library.db")
	writePhotos(t, photos, 14)
	includeWithCLI(t, cli, db, photos, "holiday")

	g := startGUI(t, gui, db)
	x, shot, click, log, layout := g.x, g.shot, g.click, g.log, uiLayout(g.ww, g.wh)
	time.Sleep(2 * time.Second) // thumbnails are made on worker goroutines
	shot("gui-start.png")

	// Select the first thumbnail: the grid starts after the sidebar split (19%).
	click(layout.firstCellX, layout.firstCellY, "1")
	time.Sleep(700 * time.Millisecond)
	shot("gui-selected.png")

	// Right-click shows the context menu; a click elsewhere dismisses it.
	click(layout.firstCellX, layout.firstCellY, "3")
	time.Sleep(500 * time.Millisecond)
	shot("gui-menu.png")
	click(layout.firstCellX+3*layout.cellW, layout.firstCellY+3*layout.cellH, "1")
	time.Sleep(300 * time.Millisecond)

	// Type a tag into the inspector's entry and press Enter.
	click(layout.tagEntryX, layout.tagEntryY, "1")
	time.Sleep(300 * time.Millisecond)
	x("type", "--delay", "40", "sunset")
	time.Sleep(500 * time.Millisecond)
	shot("gui-typing-tag.png")
	x("key", "Escape") // close the suggestions, if any
	x("key", "Return")
	lib, err := library.Open(context.Background(), db, library.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	waitUntil(t, 10*time.Second, "the tag in the index", func() bool {
		res, err := lib.Search(context.Background(), "sunset", library.SearchOptions{})
		return err == nil && res.Count() == 1
	})
	time.Sleep(700 * time.Millisecond)
	shot("gui-tagged.png")

	// Search for it in the box at the top.
	click(layout.searchX, layout.searchY, "1")
	before := strings.Count(log.String(), "grid updated")
	x("type", "--delay", "40", "sunset")
	waitUntil(t, 10*time.Second, "the grid to answer", func() bool {
		return strings.Contains(log.String(), `query "sunset": 1 results`)
	})
	time.Sleep(700 * time.Millisecond)
	shot("gui-search.png")
	queryTimes := regexp.MustCompile(`grid updated (\d+) ms after typing`).FindAllStringSubmatch(log.String(), -1)
	var ms []string
	for _, m := range queryTimes[before:] {
		ms = append(ms, m[1])
	}
	t.Logf("query-to-grid per keystroke (ms): %s", strings.Join(ms, " "))

	// A change made by the CLI while the window is open shows up (DataVersion poll),
	// without touching the window.
	cliStart := time.Now()
	tagWithCLI(t, cli, db, filepath.Join(photos, "photo-03.jpg"), "sunset")
	t.Logf("hoard tag took %v", time.Since(cliStart).Round(time.Millisecond))
	waitUntil(t, 30*time.Second, "the refresh after the CLI change", func() bool {
		return strings.Contains(log.String(), `query "sunset": 2 results`)
	})
	time.Sleep(700 * time.Millisecond)
	shot("gui-after-cli.png")

	// Ctrl+A selects every result; the inspector shows what they share.
	click(layout.firstCellX, layout.firstCellY, "1")
	x("key", "ctrl+a")
	time.Sleep(700 * time.Millisecond)
	shot("gui-select-all.png")

	// A file that vanished from disk gets a badge, and the inspector offers Locate….
	cleared := strings.Count(log.String(), `query "": 14 results`)
	click(layout.searchX, layout.searchY, "1")
	x("key", "ctrl+a")
	x("key", "BackSpace")
	waitUntil(t, 10*time.Second, "the cleared search", func() bool {
		return strings.Count(log.String(), `query "": 14 results`) > cleared
	})
	refreshes := strings.Count(log.String(), `query "": 14 results`)
	gone := filepath.Join(photos, "photo-05.jpg")
	if err := os.Rename(gone, filepath.Join(tmp, "elsewhere.jpg")); err != nil {
		t.Fatal(err)
	}
	writer, err := library.Open(context.Background(), db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writer.ApplyUnlink(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	writer.Close()
	waitUntil(t, 10*time.Second, "the refresh after the unlink", func() bool {
		return strings.Count(log.String(), `query "": 14 results`) > refreshes
	})
	// photo-05 is the tenth cell (newest first): row 2, column 1.
	click(layout.firstCellX+layout.cellW, layout.firstCellY+2*layout.cellH, "1")
	time.Sleep(time.Second)
	shot("gui-missing.png")

	rss := residentKB(t, g.cmd.Process.Pid)
	t.Logf("resident memory: %d MB", rss/1024)
	if m := regexp.MustCompile(`first grid page shown (\d+) ms`).FindStringSubmatch(log.String()); m != nil {
		t.Logf("cold start to first grid page (in-process): %s ms", m[1])
	}
}

// layoutPoints are where the test clicks, derived from the window size and the
// browser's fixed splits (sidebar 19%, inspector the last 26% of the rest).
type layoutPoints struct {
	firstCellX, firstCellY int
	tagEntryX, tagEntryY   int
	searchX, searchY       int
	cellW, cellH           int // grid pitch
}

func uiLayout(w, h int) layoutPoints {
	sidebar := int(float64(w) * 0.19)
	rest := w - sidebar
	inspectorX := sidebar + int(float64(rest)*0.74)
	return layoutPoints{
		firstCellX: sidebar + 90, firstCellY: 140,
		tagEntryX: inspectorX + (w-inspectorX)/2 - 20, tagEntryY: tagEntryY,
		searchX: w / 3, searchY: 28,
		cellW: 156, cellH: 180,
	}
}

// tagEntryY is the inspector's add-tag entry for a single selected file with one tag
// (preview, name, five detail rows, a separator, "Tags", one row of chips) in the
// default 1200×760 window; gui-selected.png shows where it is.
const tagEntryY = 662

func writePhotos(t *testing.T, dir string, n int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		img := scene(i, 480, 320)
		var p string
		var err error
		if i%2 == 0 {
			p = filepath.Join(dir, fmt.Sprintf("photo-%02d.png", i))
			err = writeImage(p, func(w io.Writer) error { return png.Encode(w, img) })
		} else {
			p = filepath.Join(dir, fmt.Sprintf("photo-%02d.jpg", i))
			err = writeImage(p, func(w io.Writer) error { return jpeg.Encode(w, img, &jpeg.Options{Quality: 85}) })
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func writeImage(path string, encode func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := encode(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// scene paints a little landscape: a sky gradient, a sun and hills, in a hue that
// differs per image, so thumbnails are easy to tell apart in a screenshot.
func scene(i, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	hue := float64(i) / 14
	sky := hsv(hue, 0.45, 0.95)
	ground := hsv(hue+0.35, 0.6, 0.55)
	sunX, sunY, sunR := w/4+(i*37)%(w/2), h/4, h/8
	for y := range h {
		for x := range w {
			c := sky
			c.R = uint8(float64(c.R) * (0.7 + 0.3*float64(y)/float64(h)))
			hill := float64(h)*0.62 + 30*sin(float64(x)/60+float64(i))
			if float64(y) > hill {
				c = ground
			} else if (x-sunX)*(x-sunX)+(y-sunY)*(y-sunY) < sunR*sunR {
				c = color.NRGBA{R: 0xff, G: 0xe0, B: 0x70, A: 0xff}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func sin(x float64) float64 {
	// a cheap sine, enough for hills
	for x > 3.14159 {
		x -= 2 * 3.14159
	}
	for x < -3.14159 {
		x += 2 * 3.14159
	}
	return x - x*x*x/6 + x*x*x*x*x/120
}

func hsv(h, s, v float64) color.NRGBA {
	h -= float64(int(h))
	i := int(h * 6)
	f := h*6 - float64(i)
	p, q, u := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch i % 6 {
	case 0:
		r, g, b = v, u, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, u
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = u, p, v
	default:
		r, g, b = v, p, q
	}
	return color.NRGBA{R: uint8(r * 255), G: uint8(g * 255), B: uint8(b * 255), A: 0xff}
}

// includeWithCLI indexes dir with `hoard include -t tag`; while the CLI's include is
// not there it falls back to package library.
func includeWithCLI(t *testing.T, cli, db, dir, tag string) {
	t.Helper()
	out, err := exec.Command(cli, "--db", db, "include", "-t", tag, dir).CombinedOutput()
	if err == nil {
		return
	}
	t.Logf("hoard include failed (%v: %s); including with package library", err, out)
	lib, err := library.Open(context.Background(), db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if _, err := lib.Include(context.Background(), []string{dir}, library.IncludeOptions{Tags: []string{tag}}, nil); err != nil {
		t.Fatal(err)
	}
}

func tagWithCLI(t *testing.T, cli, db, path, tag string) {
	t.Helper()
	out, err := exec.Command(cli, "--db", db, "tag", "-t", tag, path).CombinedOutput()
	if err == nil {
		return
	}
	t.Logf("hoard tag failed (%v: %s); tagging with package library", err, out)
	lib, err := library.Open(context.Background(), db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	f, err := lib.FileByPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.TagFiles(context.Background(), []int64{f.ID}, []string{tag}, library.TagOptions{Create: true}); err != nil {
		t.Fatal(err)
	}
}

// TestGUIFirstRun opens the window on a library that does not exist yet: it is
// created, and the welcome state points at Import (tests/artifacts/gui-empty.png).
func TestGUIFirstRun(t *testing.T) {
	needX(t)
	gui := binary(t, "hoard-gui")
	db := filepath.Join(t.TempDir(), "new", "library.db")
	g := startGUI(t, gui, db)
	time.Sleep(500 * time.Millisecond)
	g.shot("gui-empty.png")
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the library was not created: %v", err)
	}
	if !strings.Contains(g.log.String(), "(0 results)") {
		t.Errorf("first page not empty:\n%s", g.log.String())
	}
}

// TestGUILightTheme shows the window in the light theme with namespaced tags, to see
// that the namespace colours read on both (tests/artifacts/gui-light.png).
func TestGUILightTheme(t *testing.T) {
	needX(t)
	gui := binary(t, "hoard-gui")
	tmp := t.TempDir()
	photos := filepath.Join(tmp, "photos")
	db := filepath.Join(tmp, "library.db")
	writePhotos(t, photos, 6)
	lib, err := library.Open(context.Background(), db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tags := []string{"artist:ann", "character:bob", "series:seaside", "meta:wallpaper", "place:beach", "sunset"}
	if _, err := lib.Include(context.Background(), []string{photos}, library.IncludeOptions{Tags: tags}, nil); err != nil {
		t.Fatal(err)
	}
	lib.Close()
	g := startGUI(t, gui, db, "FYNE_THEME=light")
	layout := uiLayout(g.ww, g.wh)
	time.Sleep(time.Second)
	g.click(layout.firstCellX, layout.firstCellY, "1")
	time.Sleep(time.Second)
	g.shot("gui-light.png")
}
