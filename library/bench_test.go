package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"lukechampine.com/blake3"

	"hoard/library/query"
)

// benchDir holds the generated corpora, kept between runs (`make bench` reuses them).
func benchDir(b *testing.B) string {
	dir := os.Getenv("HOARD_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join("..", ".bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// synthetic opens (building once) a generated library of the given size.
func synthetic(b *testing.B, name string, spec SyntheticSpec) *Library {
	b.Helper()
	path := filepath.Join(benchDir(b), name)
	ctx := context.Background()
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".tmp"
		os.Remove(tmp)
		l, err := Open(ctx, tmp, Options{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := l.BuildSynthetic(ctx, spec, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := l.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			b.Fatal(err)
		}
		if _, err := l.db.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		l.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %s in %v", name, time.Since(start))
	}
	l, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// Spec of the 1M corpus: 1,000,000 files, 100,000 tags, 10,000,000 taggings.
var spec1M = SyntheticSpec{Files: 1_000_000, Tags: 100_000, PerFile: 10, Seed: 1, PathsPrefix: "/srv/bench"}

func lib1M(b *testing.B) *Library { return synthetic(b, "lib1m.db", spec1M) }

func BenchmarkFindCount3Terms1M(b *testing.B) {
	l := lib1M(b)
	ctx := context.Background()
	for _, q := range []string{"tag1 tag2 -tag3", "tag5 | tag51 tag501", "tag21 tag33 tag47"} {
		b.Run(q, func(b *testing.B) {
			n := 0
			for b.Loop() {
				r, err := l.Search(ctx, q, SearchOptions{})
				if err != nil {
					b.Fatal(err)
				}
				n = r.Count()
			}
			b.ReportMetric(float64(n), "results")
		})
	}
}

func BenchmarkFindFirst1000Paths1M(b *testing.B) {
	l := lib1M(b)
	ctx := context.Background()
	for _, q := range []string{"tag1 tag2 -tag3", "tag21 tag33"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				r, err := l.Search(ctx, q, SearchOptions{DefaultSort: query.Sort{Key: query.SortName}})
				if err != nil {
					b.Fatal(err)
				}
				files, err := r.Files(ctx, 0, 1000)
				if err != nil || len(files) == 0 {
					b.Fatal(err, len(files))
				}
			}
		})
	}
}

func BenchmarkTag100kFiles(b *testing.B) {
	l := synthetic(b, "lib100k.db", SyntheticSpec{Files: 100_000, Tags: 10_000, PerFile: 5, Seed: 2, PathsPrefix: "/srv/bench100k"})
	ctx := context.Background()
	ids := make([]int64, 100_000)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)
		if n, err := l.TagFiles(ctx, ids, []string{name}, TagOptions{Create: true}); err != nil || n != len(ids) {
			b.Fatal(n, err)
		}
		b.StopTimer()
		if err := l.DeleteTag(ctx, name); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// smallFiles makes (once) n files of size bytes under the bench dir.
func smallFiles(b *testing.B, n, size int) string {
	dir := filepath.Join(benchDir(b), fmt.Sprintf("files-%d-%d", n, size))
	done := dir + ".done"
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	buf := make([]byte, size)
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i%100))
		if i < 100 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		for j := range buf {
			buf[j] = byte(i*31 + j)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%06d.dat", i)), buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	os.WriteFile(done, nil, 0o644)
	return dir
}

func BenchmarkInclude100kSmallFiles(b *testing.B) {
	dir := smallFiles(b, 100_000, 4096)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		l, err := Open(ctx, filepath.Join(b.TempDir(), "inc.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := l.Include(ctx, []string{dir}, IncludeOptions{Tags: []string{"bench"}}, nil)
		if err != nil || res.Added != 100_000 {
			b.Fatal(res.Added, err)
		}
		b.ReportMetric(float64(res.Added)/time.Since(start).Seconds(), "files/s")
		b.StopTimer()
		l.Close()
		b.StartTimer()
	}
}

// BenchmarkHashLargeFile compares ReadFacts on a 512 MiB file with BLAKE3 alone on the
// same bytes in memory.
func BenchmarkHashLargeFile(b *testing.B) {
	const size = 512 << 20
	path := filepath.Join(benchDir(b), "large.bin")
	if st, err := os.Stat(path); err != nil || st.Size() != size {
		buf := make([]byte, size)
		for i := range buf {
			buf[i] = byte(i * 7 >> 3)
		}
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("blake3-in-memory", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			h := blake3.New(32, nil)
			for off := 0; off < len(data); off += 4 << 20 {
				h.Write(data[off:min(off+4<<20, len(data))])
			}
			h.Sum(nil)
		}
	})
	data = nil
	runtime.GC()
	b.Run("ReadFacts", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := ReadFacts(context.Background(), path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRenameFolder100k renames a folder holding 100,000 indexed entries (one
// UPDATE over a range of the path index) and back.
func BenchmarkRenameFolder100k(b *testing.B) {
	l := synthetic(b, "lib100k.db", SyntheticSpec{Files: 100_000, Tags: 10_000, PerFile: 5, Seed: 2, PathsPrefix: "/srv/bench100k"})
	ctx := context.Background()
	for b.Loop() {
		c, err := l.ApplyRename(ctx, "/srv/bench100k", "/srv/bench100k-renamed", false)
		if err != nil || len(c) != 1 || c[0].Files != 100_000 {
			b.Fatal(c, err)
		}
		b.StopTimer()
		if _, err := l.ApplyRename(ctx, "/srv/bench100k-renamed", "/srv/bench100k", false); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkApplyFileRename is the index's share of rename-to-index latency: one
// tracker event applied in its own transaction.
func BenchmarkApplyFileRename(b *testing.B) {
	l := synthetic(b, "lib100k.db", SyntheticSpec{Files: 100_000, Tags: 10_000, PerFile: 5, Seed: 2, PathsPrefix: "/srv/bench100k"})
	ctx := context.Background()
	a := l.NewApplier()
	f, err := l.FileByID(ctx, 777)
	if err != nil {
		b.Fatal(err)
	}
	cur := f.Path
	i := 0
	for b.Loop() {
		i++
		next := fmt.Sprintf("%s.r%d", f.Path, i)
		if c, err := a.Apply(ctx, []FSEvent{{Rename: true, Old: cur, New: next, What: KindFile}}); err != nil || len(c) != 1 {
			b.Fatal(c, err)
		}
		cur = next
	}
	a.Apply(ctx, []FSEvent{{Rename: true, Old: cur, New: f.Path}})
}
