package thumbnail

import (
	"bufio"
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// memEnv names the folder of large images the child process thumbnails.
const memEnv = "HOARD_THUMB_MEMORY_DIR"

// TestGeneratorMemory thumbnails many large images (12 MP JPEGs and 12 MP
// PNGs, which need a full decode) in a child process with default options,
// and checks its peak heap and peak RSS stay under 300 MB. A child keeps
// the fixture generation out of the peak.
func TestGeneratorMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("thumbnails hundreds of large images")
	}
	dir := t.TempDir()
	files, err := camera12MP()
	if err != nil {
		t.Fatal(err)
	}
	var pngData bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&pngData, photo(4000, 3000, 9)); err != nil {
		t.Fatal(err)
	}
	pngFile := writeFile(t, dir, "big.png.src", pngData.Bytes())
	// Distinct paths (hard links) so every one is a new thumbnail.
	n := 0
	for i := range 40 {
		src := files["no-exif-thumb"]
		ext := ".jpg"
		if i%4 == 0 {
			src, ext = pngFile, ".png"
		}
		if err := os.Link(src, filepath.Join(dir, fmt.Sprintf("img%03d%s", i, ext))); err != nil {
			t.Fatal(err)
		}
		n++
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGeneratorMemoryChild$", "-test.v")
	cmd.Env = append(os.Environ(), memEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var heap, rss, made int64
	var secs float64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if _, err := fmt.Sscanf(strings.TrimSpace(sc.Text()), "memory: thumbnails=%d peak-heap-MB=%d peak-rss-MB=%d seconds=%g", &made, &heap, &rss, &secs); err == nil {
			break
		}
	}
	if made != int64(n) {
		t.Fatalf("child made %d thumbnails of %d:\n%s", made, n, out)
	}
	t.Logf("%d large images: peak heap %d MB, peak RSS %d MB, %.1f s", n, heap, rss, secs)
	if heap >= 300 || rss >= 300 {
		t.Errorf("peak heap %d MB / RSS %d MB, want under 300 MB", heap, rss)
	}
}

func TestGeneratorMemoryChild(t *testing.T) {
	dir := os.Getenv(memEnv)
	if dir == "" {
		t.Skip("run by TestGeneratorMemory")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewService(Options{CacheDir: filepath.Join(t.TempDir(), "thumbnails"), Workers: runtime.NumCPU()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse+ms.StackInuse)
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	made := 0
	var mu sync.Mutex
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".src") {
			continue
		}
		wg.Add(1)
		s.Request(filepath.Join(dir, e.Name()), Large, 0, func(r Result, err error) {
			defer wg.Done()
			if err != nil || r.Kind != KindThumbnail {
				t.Errorf("%s: %v %v %s", e.Name(), err, r.Kind, r.Reason)
				return
			}
			mu.Lock()
			made++
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	fmt.Printf("memory: thumbnails=%d peak-heap-MB=%d peak-rss-MB=%d seconds=%.1f\n", made, peak>>20, peakRSS()>>20, elapsed.Seconds())
}

// peakRSS is the process's peak resident set (VmHWM) in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
