package gui

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"hoard/library"
	"hoard/library/query"
)

// benchLibrary opens the 1,000,000-file corpus that `make bench` builds in .bench/
// (or HOARD_BENCH_DB), read-only; the benchmarks skip without it.
func benchLibrary(b *testing.B) *library.Library {
	b.Helper()
	path := os.Getenv("HOARD_BENCH_DB")
	if path == "" {
		path = filepath.Join("..", ".bench", "lib1m.db")
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no benchmark library at %s (run the library benchmarks once, or set HOARD_BENCH_DB)", path)
	}
	lib, err := library.Open(context.Background(), path, library.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	return lib
}

// BenchmarkQueryToFirstPage is the library side of "a query typed in the box updates
// the grid": what the searcher does before it hands the results to the UI goroutine
// (evaluate the query, read the rows of the first page).
func BenchmarkQueryToFirstPage(b *testing.B) {
	lib := benchLibrary(b)
	ctx := context.Background()
	opts := library.SearchOptions{DefaultSort: query.Sort{Key: query.SortAdded, Desc: true}}
	for _, q := range []string{"", "tag1", "tag1 tag2", "tag1 -tag2", "artist:*", "tag5 | tag7 sort:name"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				res, err := lib.Search(ctx, q, opts)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := loadPage(ctx, lib, res, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScrollPage is reading one more page of rows deep in a million results, as
// scrolling does.
func BenchmarkScrollPage(b *testing.B) {
	lib := benchLibrary(b)
	ctx := context.Background()
	res, err := lib.Search(ctx, "", library.SearchOptions{DefaultSort: query.Sort{Key: query.SortAdded, Desc: true}})
	if err != nil {
		b.Fatal(err)
	}
	p := 0
	for b.Loop() {
		p = (p + 97) % (res.Count() / pageSize)
		if _, err := loadPage(ctx, lib, res, p); err != nil {
			b.Fatal(err)
		}
	}
}
