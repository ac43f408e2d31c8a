package tests

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestGUIScrollFrameTime measures frame pacing while the wheel scrolls a grid whose
// thumbnails are all in the on-disk cache (issue 6: "scrolling a fully cached grid
// stays responsive"). HOARD_GUI_SCROLL_N images are made, included with the CLI and
// thumbnailed with `hoard thumbs`; the window logs every pass of its render loop
// (HOARD_GUI_FRAMES) and every UI-goroutine wait over 50 ms (HOARD_GUI_TRACE), and the
// test scrolls down then up at a steady rate. Figures: gui/BENCH_NOTES.md.
func TestGUIScrollFrameTime(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HOARD_GUI_SCROLL_N"))
	if n <= 0 {
		t.Skip("set HOARD_GUI_SCROLL_N (e.g. 2000) to measure scrolling a fully cached grid")
	}
	clicks, delay := envInt("HOARD_GUI_SCROLL_CLICKS", 300), envInt("HOARD_GUI_SCROLL_DELAY_MS", 15)
	needX(t)
	gui, cli := binary(t, "hoard-gui"), binary(t, "hoard")
	tmp := t.TempDir()
	photos, db, cache := filepath.Join(tmp, "photos"), filepath.Join(tmp, "library.db"), filepath.Join(tmp, "cache")
	frames := filepath.Join(tmp, "frames")

	start := time.Now()
	writePhotos(t, photos, n)
	includeWithCLI(t, cli, db, photos, "scroll")
	thumbs := exec.Command(cli, "--db", db, "thumbs", "--size", "normal")
	thumbs.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	if out, err := thumbs.CombinedOutput(); err != nil {
		t.Fatalf("hoard thumbs: %v\n%s", err, out)
	}
	t.Logf("%d images made, included and thumbnailed in %v", n, time.Since(start).Round(time.Millisecond))

	g := startGUI(t, gui, db, "HOARD_GUI_NO_TRACKER=1", "XDG_CACHE_HOME="+cache, "HOARD_GUI_FRAMES="+frames)
	lay := uiLayout(g.ww, g.wh)
	time.Sleep(2 * time.Second) // the first page's thumbnails, then an idle window
	g.x("mousemove", "--sync", strconv.Itoa(g.wx+lay.firstCellX+100), strconv.Itoa(g.wy+300))
	idle := phase(g, "idle", func() { time.Sleep(2 * time.Second) })
	// Each wheel click scrolls 25 px; the screenshot is taken the moment the last
	// click down is delivered, outside the measured phases.
	wheel := func(button string) func() {
		return func() { g.x("click", "--repeat", strconv.Itoa(clicks), "--delay", strconv.Itoa(delay), button) }
	}
	down := phase(g, "down", wheel("5"))
	g.shot("gui-scroll-mid.png")
	up := phase(g, "up", wheel("4"))
	g.shot("gui-scroll-top.png")
	t.Logf("resident memory after scrolling: %d MB", residentKB(t, g.cmd.Process.Pid)/1024)

	g.stop() // the frame log is written when the window closes
	times := readFrameTimes(t, frames)
	t.Logf("window %dx%d, %d images, %d wheel clicks each way with %d ms between them", g.ww, g.wh, n, clicks, delay)
	for _, p := range []scrollPhase{idle, down, up} {
		t.Logf("%-4s %6v: %s; UI waits over 50 ms: %d", p.name, p.end.Sub(p.start).Round(time.Millisecond), summarize(frameGaps(times, p.start, p.end)), p.waits)
	}
	both := append(frameGaps(times, down.start, down.end), frameGaps(times, up.start, up.end)...)
	t.Logf("scrolling (down+up): %s; UI waits over 50 ms: %d", summarize(both), down.waits+up.waits)
}

type scrollPhase struct {
	name       string
	start, end time.Time
	waits      int // "ui: waited" lines logged during the phase
}

func phase(g *guiSession, name string, run func()) scrollPhase {
	before := strings.Count(g.log.String(), "ui: waited")
	p := scrollPhase{name: name, start: time.Now()}
	run()
	p.end = time.Now()
	p.waits = strings.Count(g.log.String(), "ui: waited") - before
	return p
}

func readFrameTimes(t *testing.T, path string) []time.Time {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("frame log: %v (does hoard-gui honour HOARD_GUI_FRAMES?)", err)
	}
	defer f.Close()
	var times []time.Time
	s := bufio.NewScanner(f)
	for s.Scan() {
		us, err := strconv.ParseInt(s.Text(), 10, 64)
		if err != nil {
			t.Fatalf("frame log line %q: %v", s.Text(), err)
		}
		times = append(times, time.UnixMicro(us))
	}
	if len(times) < 2 {
		t.Fatalf("frame log has %d lines", len(times))
	}
	return times
}

// frameGaps returns the times between consecutive frames in [from, to].
func frameGaps(times []time.Time, from, to time.Time) []time.Duration {
	var gaps []time.Duration
	var prev time.Time
	for _, tm := range times {
		if tm.Before(from) || tm.After(to) {
			continue
		}
		if !prev.IsZero() {
			gaps = append(gaps, tm.Sub(prev))
		}
		prev = tm
	}
	return gaps
}

// gapSummary is the distribution of the time between consecutive frames.
type gapSummary struct {
	frames             int
	p50, p95, p99, max time.Duration
}

func summarize(gaps []time.Duration) gapSummary {
	if len(gaps) == 0 {
		return gapSummary{}
	}
	gaps = slices.Sorted(slices.Values(gaps))
	rank := func(p float64) time.Duration { return gaps[min(len(gaps)-1, int(p*float64(len(gaps))))] }
	return gapSummary{frames: len(gaps), p50: rank(0.50), p95: rank(0.95), p99: rank(0.99), max: gaps[len(gaps)-1]}
}

func (s gapSummary) String() string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	return fmt.Sprintf("%d frames, gap p50 %s / p95 %s / p99 %s / max %s ms", s.frames, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max))
}

func envInt(name string, fallback int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return fallback
}
