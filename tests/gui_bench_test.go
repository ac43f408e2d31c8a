package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGUIMillionFiles measures the window on a large library: cold start to the first
// grid page, query-to-grid time per keystroke, and resident memory. It needs a
// generated library (the library benchmarks build .bench/lib1m.db: 1,000,000 files,
// 100,000 tags) named by HOARD_GUI_BENCH_DB, and runs on a copy of it. The files of
// that corpus do not exist, so cells show the broken-image icon.
func TestGUIMillionFiles(t *testing.T) {
	src := os.Getenv("HOARD_GUI_BENCH_DB")
	if src == "" {
		t.Skip("set HOARD_GUI_BENCH_DB to a generated library (e.g. .bench/lib1m.db) to measure the window at scale")
	}
	needX(t)
	gui := binary(t, "hoard-gui")
	db := filepath.Join(t.TempDir(), "library.db")
	if out, err := exec.Command("cp", "--reflink=auto", src, db).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", src, err, out)
	}
	// A cold start: the copy is in the page cache, the way a second launch would be.
	// No tracker and no start-up check: the corpus's files do not exist, and this
	// measures the window alone.
	g := startGUI(t, gui, db, "HOARD_GUI_NO_TRACKER=1")
	lay := uiLayout(g.ww, g.wh)
	if m := regexp.MustCompile(`first grid page shown (\d+) ms after start \((\d+) results\)`).FindStringSubmatch(g.log.String()); m != nil {
		t.Logf("cold start to first grid page: %s ms in-process, %v from exec (%s results)", m[1], g.firstPaint.Round(time.Millisecond), m[2])
	}
	time.Sleep(time.Second)
	t.Logf("resident memory after start: %d MB", residentKB(t, g.cmd.Process.Pid)/1024)
	g.shot("gui-1m-start.png")

	// Type a query a key at a time; each parseable prefix is searched.
	g.click(lay.searchX, lay.searchY, "1")
	for _, q := range []string{"tag1", " -tag2"} {
		g.x("type", "--delay", "120", q)
	}
	waitUntil(t, 30*time.Second, "the last query", func() bool {
		return strings.Contains(g.log.String(), `query "tag1 -tag2"`)
	})
	time.Sleep(time.Second)
	g.shot("gui-1m-query.png")
	var ms []string
	for _, m := range regexp.MustCompile(`query "([^"]*)": (\d+) results, grid updated (\d+) ms`).FindAllStringSubmatch(g.log.String(), -1) {
		ms = append(ms, m[1]+"="+m[3]+"ms("+m[2]+")")
	}
	t.Logf("query-to-grid: %s", strings.Join(ms, " "))

	// Scroll deep into the results with the wheel and see memory stay bounded.
	g.x("key", "Escape") // close the suggestions
	g.x("key", "ctrl+a")
	g.x("key", "BackSpace")
	waitUntil(t, 30*time.Second, "the cleared query", func() bool {
		return strings.Count(g.log.String(), `query "": 1000000 results`) >= 2
	})
	g.x("mousemove", strconv.Itoa(g.wx+lay.firstCellX+100), strconv.Itoa(g.wy+300))
	start := time.Now()
	g.x("click", "--repeat", "200", "--delay", "5", "5")
	t.Logf("200 wheel steps delivered in %v", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second)
	g.shot("gui-1m-scrolled.png")
	t.Logf("resident memory after scrolling: %d MB", residentKB(t, g.cmd.Process.Pid)/1024)
}
