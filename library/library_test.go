package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"hoard/library/query"
)

func openTest(t *testing.T) *Library {
	t.Helper()
	l, err := Open(context.Background(), filepath.Join(t.TempDir(), "library.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func findPaths(t *testing.T, l *Library, q string) []string {
	t.Helper()
	r, err := l.Search(context.Background(), q, SearchOptions{DefaultSort: query.Sort{Key: query.SortName}})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	err = r.Each(context.Background(), func(f File) error {
		out = append(out, filepath.Base(f.Path))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIncludeTagAndSearch(t *testing.T) {
	ctx := context.Background()
	l := openTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a cat.txt":        "meow",
		"dog.txt":          "woof",
		"both.txt":         "meow woof",
		"sub/new\nline":    "odd",
		"sub/\xff\xfe.bin": "bytes",
	})
	res, err := l.Include(ctx, []string{dir}, IncludeOptions{Tags: []string{"pets"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 5 || res.Tagged != 5 {
		t.Fatalf("include: %+v", res)
	}
	f, err := l.FileByPath(ctx, filepath.Join(dir, "sub/\xff\xfe.bin"))
	if err != nil {
		t.Fatalf("non-UTF-8 path did not round trip: %v", err)
	}
	if len(f.Hash) != 32 || f.Size != 5 {
		t.Fatalf("facts: %+v", f)
	}
	id := func(name string) int64 {
		f, err := l.FileByPath(ctx, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	if _, err := l.TagFiles(ctx, []int64{id("a cat.txt"), id("both.txt")}, []string{"Cat"}, TagOptions{Create: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.TagFiles(ctx, []int64{id("dog.txt"), id("both.txt")}, []string{"dog"}, TagOptions{Create: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.CreateTag(ctx, "animal"); err != nil {
		t.Fatal(err)
	}
	if err := l.Imply(ctx, "cat", "animal"); err != nil {
		t.Fatal(err)
	}
	if err := l.Imply(ctx, "animal", "cat"); !errors.Is(err, ErrCycle) {
		t.Fatalf("cycle not refused: %v", err)
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"cat", []string{"a cat.txt", "both.txt"}},
		{"CAT dog", []string{"both.txt"}},
		{"cat | dog", []string{"a cat.txt", "both.txt", "dog.txt"}},
		{"pets -cat", []string{"dog.txt", "new\nline", "\xff\xfe.bin"}},
		{"animal", []string{"a cat.txt", "both.txt"}},
		{"c*", []string{"a cat.txt", "both.txt"}},
		{"tags=1", []string{"new\nline", "\xff\xfe.bin"}},
		{"ext:txt size>4", []string{"both.txt"}},
		{"path:*/sub/*", []string{"new\nline", "\xff\xfe.bin"}},
		{"sort:size-desc limit:1", []string{"both.txt"}},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			got := findPaths(t, l, c.q)
			if !strings.HasPrefix(c.q, "sort") {
				sort.Strings(got)
				sort.Strings(c.want)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	var ut *UnknownTagError
	if _, err := l.Search(ctx, "cta", SearchOptions{}); !errors.As(err, &ut) || len(ut.Nearest) == 0 || ut.Nearest[0] != "Cat" {
		t.Fatalf("unknown tag error: %v", err)
	}
	// Tags of many files at once are each file's tags, implied ones included.
	ids := []int64{id("a cat.txt"), id("dog.txt"), id("both.txt"), id("sub/new\nline")}
	many, err := l.FileTagsOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, fid := range ids {
		one, err := l.FileTags(ctx, fid)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(many[fid], one) {
			t.Errorf("file %d: FileTagsOf %+v, FileTags %+v", fid, many[fid], one)
		}
	}
	if got := many[id("both.txt")]; len(got) != 4 || got[3].Name != "animal" || !got[3].Implied {
		t.Errorf("both.txt: %+v, want Cat, dog, pets and animal (implied)", got)
	}
	// Re-including changes nothing and adds the new tag only.
	res, err = l.Include(ctx, []string{dir}, IncludeOptions{Tags: []string{"pets", "more"}}, nil)
	if err != nil || res.Added != 0 || res.Unchanged != 5 || res.Tagged != 5 {
		t.Fatalf("re-include: %+v %v", res, err)
	}
}

func TestRenames(t *testing.T) {
	ctx := context.Background()
	l := openTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d/x": "1", "d/y": "2", "a.jpg": "3", "b": "4"})
	if _, err := l.Include(ctx, []string{dir}, IncludeOptions{Tags: []string{"t"}}, nil); err != nil {
		t.Fatal(err)
	}
	j := func(p string) string { return filepath.Join(dir, p) }
	mustRename := func(a, b string) {
		t.Helper()
		if err := os.Rename(j(a), j(b)); err != nil {
			t.Fatal(err)
		}
		if _, err := l.ApplyRename(ctx, j(a), j(b), false); err != nil {
			t.Fatal(err)
		}
	}
	mustRename("d", "e")
	if got := findPaths(t, l, "path:"+j("e")+"/*"); !slices.Equal(got, []string{"x", "y"}) {
		t.Fatalf("dir rename: %q", got)
	}
	// A file moved with its folder is found by its exact new path, and renames again.
	mustRename("e/x", "e/z")
	if _, err := l.FileByPath(ctx, j("e/z")); err != nil {
		t.Fatalf("rename after a folder rename: %v", err)
	}
	// atomic save: unindexed temp renamed over an indexed path keeps tags
	writeFiles(t, dir, map[string]string{"a.jpg.tmp": "new content"})
	mustRename("a.jpg.tmp", "a.jpg")
	f, err := l.FileByPath(ctx, j("a.jpg"))
	if err != nil || f.Size != int64(len("new content")) || f.TagCount != 1 {
		t.Fatalf("atomic save: %+v %v", f, err)
	}
	// indexed over indexed: mover takes the path, the other becomes missing
	mustRename("b", "a.jpg")
	if got := findPaths(t, l, "missing"); !slices.Equal(got, []string{"a.jpg"}) {
		t.Fatalf("displaced: %q", got)
	}
	if got := findPaths(t, l, "-missing"); len(got) != 3 {
		t.Fatalf("present: %q", got)
	}
}

// The mmap driver is what keeps sorted pages of large results cheap; a plain
// sql.Open("sqlite3") would silently lose it.
func TestOpenMapsTheFile(t *testing.T) {
	l := openTest(t)
	var n int64
	if err := l.db.QueryRowContext(context.Background(), "PRAGMA mmap_size").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n <= 0 {
		t.Fatalf("mmap_size = %d, want the library mapped", n)
	}
}

// Streamed results (the CLI's big-result path, which walks an index) come in the same
// order as materialized ones (the GUI's path), for every sort that walks.
func TestStreamedOrderMatches(t *testing.T) {
	ctx := context.Background()
	l := openTest(t)
	if err := l.BuildSynthetic(ctx, SyntheticSpec{Files: walkMin + 2000, Tags: 50, PerFile: 3, Seed: 9, PathsPrefix: "/synthetic"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"sort:name", "sort:name-desc", "sort:size", "sort:size-desc", "sort:modified", "-tag1 sort:name limit:8500"} {
		t.Run(src, func(t *testing.T) {
			want, err := l.Search(ctx, src, SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.Search(ctx, src, SearchOptions{Stream: true})
			if err != nil {
				t.Fatal(err)
			}
			if !got.stream {
				t.Fatalf("%d results did not take the streaming path", got.Count())
			}
			ids := want.IDs(0, want.Count())
			i := 0
			err = got.Each(ctx, func(f File) error {
				if i >= len(ids) || f.ID != ids[i] {
					return fmt.Errorf("result %d is file %d, want %d", i, f.ID, ids[min(i, len(ids)-1)])
				}
				i++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if i != len(ids) {
				t.Fatalf("streamed %d results, want %d", i, len(ids))
			}
		})
	}
}

// What the tracker knows about a renamed path only spares look-ups: the index ends up
// the same as without it.
func TestApplyWithPathKinds(t *testing.T) {
	ctx := context.Background()
	l := openTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d/x": "1", "d/y": "2", "f": "3", "g": "4"})
	if _, err := l.Include(ctx, []string{dir}, IncludeOptions{Tags: []string{"t"}}, nil); err != nil {
		t.Fatal(err)
	}
	j := func(p string) string { return filepath.Join(dir, p) }
	a := l.NewApplier()
	for _, ev := range []FSEvent{
		{Rename: true, Old: j("d"), New: j("e"), What: KindDir},
		{Rename: true, Old: j("f"), New: j("f2"), What: KindFile},
		{Rename: true, Old: j("g"), New: j("f2"), What: KindFile}, // over an indexed file
	} {
		if _, err := a.Apply(ctx, []FSEvent{ev}); err != nil {
			t.Fatal(err)
		}
	}
	if got := findPaths(t, l, "-missing"); !slices.Equal(got, []string{"x", "y", "f2"}) {
		t.Fatalf("present after renames: %q", got)
	}
	if got := findPaths(t, l, "missing"); !slices.Equal(got, []string{"f2"}) {
		t.Fatalf("displaced: %q", got)
	}
}
