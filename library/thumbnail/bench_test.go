package thumbnail

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// camera12MP holds 12-megapixel camera-like JPEGs, made once per test
// process: with a 160×120 EXIF thumbnail (what most cameras embed) and
// without one.
var camera12MP = sync.OnceValues(func() (map[string]string, error) {
	dir, err := os.MkdirTemp("", "hoard-bench-")
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for i, v := range []struct {
		name   string
		thumbW int
	}{{"exif-thumb", 160}, {"no-exif-thumb", 0}} {
		p := filepath.Join(dir, v.name+".jpg")
		data, err := makeCameraJPEG(4000, 3000, 1, v.thumbW, uint64(i))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err
		}
		files[v.name] = p
	}
	return files, nil
})

// cpuTime is the user+system CPU time this process has used. The shared
// build machine is often loaded far beyond its two cores, so benchmarks
// report CPU time per thumbnail next to wall time: on an idle machine the
// throughput of N cores is N / (CPU seconds per thumbnail).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds CPU ms per op and the implied per-core rate to b.
func reportCPU(b *testing.B, start time.Duration, ops int) {
	per := (cpuTime() - start).Seconds() / float64(ops)
	b.ReportMetric(per*1000, "cpu-ms/op")
	b.ReportMetric(1/per, "ops/cpu-s")
}

func benchGenerator() *generator {
	return &generator{budget: newMemBudget(192 << 20), tools: findTools(), timeout: 20 * time.Second}
}

// BenchmarkJPEG12MP measures one 12 MP camera JPEG to a thumbnail on one
// goroutine, without the disk cache.
func BenchmarkJPEG12MP(b *testing.B) {
	files, err := camera12MP()
	if err != nil {
		b.Fatal(err)
	}
	g := benchGenerator()
	for _, name := range []string{"exif-thumb", "no-exif-thumb"} {
		for _, size := range []Size{Normal, Large} {
			b.Run(fmt.Sprintf("%s/%d", name, size), func(b *testing.B) {
				cpu, n := cpuTime(), 0
				for b.Loop() {
					if _, err := g.jpegThumb(context.Background(), files[name], size); err != nil {
						b.Fatal(err)
					}
					n++
				}
				reportCPU(b, cpu, n)
			})
		}
	}
}

// BenchmarkJPEG12MPService measures thumbnails per second through the
// Service with one worker per CPU, cache writes included.
func BenchmarkJPEG12MPService(b *testing.B) {
	files, err := camera12MP()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"exif-thumb", "no-exif-thumb"} {
		b.Run(fmt.Sprintf("%s/%d-workers", name, runtime.GOMAXPROCS(0)), func(b *testing.B) {
			// Hard links give distinct paths (and cache names) for one file.
			const batch = 32
			dir := b.TempDir()
			paths := make([]string, batch)
			for i := range paths {
				paths[i] = filepath.Join(dir, fmt.Sprintf("img%02d.jpg", i))
				if err := os.Link(files[name], paths[i]); err != nil {
					b.Fatal(err)
				}
			}
			start, cpu := time.Now(), cpuTime()
			n := 0
			for b.Loop() {
				s, err := NewService(Options{CacheDir: filepath.Join(b.TempDir(), "thumbnails"), Workers: runtime.GOMAXPROCS(0)})
				if err != nil {
					b.Fatal(err)
				}
				var wg sync.WaitGroup
				for _, p := range paths {
					wg.Add(1)
					s.Request(p, Large, 0, func(r Result, err error) {
						if err != nil || r.Kind != KindThumbnail {
							b.Errorf("%s: %v %v %s", p, err, r.Kind, r.Reason)
						}
						wg.Done()
					})
				}
				wg.Wait()
				s.Close()
				n += batch
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "thumbs/s")
			reportCPU(b, cpu, n)
		})
	}
}

// BenchmarkDCDecode measures the DC-only decoder alone on a 12 MP JPEG held
// in memory.
func BenchmarkDCDecode(b *testing.B) {
	files, err := camera12MP()
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(files["no-exif-thumb"])
	if err != nil {
		b.Fatal(err)
	}
	cpu, n := cpuTime(), 0
	for b.Loop() {
		h, err := parseJPEGHeader(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := decodeJPEGDC(data, h); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, cpu, n)
}

// BenchmarkStdlibJPEGDecode is the yardstick: image/jpeg's full decode of
// the same 12 MP file.
func BenchmarkStdlibJPEGDecode(b *testing.B) {
	files, err := camera12MP()
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(files["no-exif-thumb"])
	if err != nil {
		b.Fatal(err)
	}
	cpu, n := cpuTime(), 0
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, cpu, n)
}

// BenchmarkCachedThumbnail measures a cached large thumbnail to a
// screen-ready image: read the PNG, check its Thumb:: keys against the
// file, decode it. This is what the grid pays per cell on a cold start.
func BenchmarkCachedThumbnail(b *testing.B) {
	dir := b.TempDir()
	src := writeFile(b, dir, "p.jpg", encodeJPEG(b, photo(1024, 768, 3), 90))
	s, err := NewService(Options{CacheDir: filepath.Join(dir, "thumbnails"), Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Generate(context.Background(), src, Large); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(src)
	if err != nil {
		b.Fatal(err)
	}
	uri, st := FileURI(src), stampOf(fi)
	cpu, n := cpuTime(), 0
	for b.Loop() {
		img, _, err := s.cache.load(uri, st, Large)
		if err != nil || img == nil {
			b.Fatal("cached thumbnail not loaded", err)
		}
		n++
	}
	reportCPU(b, cpu, n)
}

// BenchmarkLookup measures the in-memory hit the grid makes while drawing.
func BenchmarkLookup(b *testing.B) {
	dir := b.TempDir()
	src := writeFile(b, dir, "p.jpg", encodeJPEG(b, photo(640, 480, 3), 90))
	s, err := NewService(Options{CacheDir: filepath.Join(dir, "thumbnails"), Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Generate(context.Background(), src, Large); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := s.Lookup(src, Large); !ok {
			b.Fatal("not in memory")
		}
	}
}
