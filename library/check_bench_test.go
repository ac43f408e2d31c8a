package library

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// benchLibrary indexes n generated 4 KiB files (100 per folder) in a temp folder.
func benchLibrary(b *testing.B, n int) (*Library, string) {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	body := make([]byte, 4096)
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%04d", i/100))
		if i%100 == 0 {
			if err := os.Mkdir(sub, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		binary.LittleEndian.PutUint64(body, uint64(i))
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%06d.bin", i)), body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	l, err := Open(ctx, filepath.Join(b.TempDir(), "library.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	start := time.Now()
	res, err := l.Include(ctx, []string{dir}, IncludeOptions{Tags: []string{"bench"}}, nil)
	if err != nil || res.Added != n {
		b.Fatalf("include: %+v %v", res, err)
	}
	b.Logf("indexed %d files in %v", n, time.Since(start))
	return l, dir
}

// BenchmarkCheckUnchanged100k is the fast path the issue budgets at ≤ 2 s: a check of
// an unchanged 100,000-file library, which must read no file contents.
func BenchmarkCheckUnchanged100k(b *testing.B) {
	const n = 100_000
	l, _ := benchLibrary(b, n)
	ctx := context.Background()
	cpu := processCPU()
	for b.Loop() {
		rep, err := l.Check(ctx, CheckOptions{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if rep.OK != n || rep.HashedFiles != 0 || rep.Problems() != 0 {
			b.Fatalf("report: ok %d, hashed %d, problems %d", rep.OK, rep.HashedFiles, rep.Problems())
		}
	}
	// CPU time says what the check costs when other work shares the machine.
	b.ReportMetric(float64((processCPU()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// processCPU is the user + system time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
}

// BenchmarkCheckFull100k re-hashes the same library (--full).
func BenchmarkCheckFull100k(b *testing.B) {
	const n = 100_000
	l, _ := benchLibrary(b, n)
	ctx := context.Background()
	for b.Loop() {
		rep, err := l.Check(ctx, CheckOptions{Full: true}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if rep.OK != n || rep.HashedFiles != n {
			b.Fatalf("report: ok %d, hashed %d", rep.OK, rep.HashedFiles)
		}
	}
}
