package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync"

	"hoard/library"
	"hoard/library/query"
	"hoard/library/thumbnail"
)

var thumbsSize string

var thumbSizes = map[string]thumbnail.Size{
	"normal": thumbnail.Normal, "large": thumbnail.Large,
	"x-large": thumbnail.XLarge, "xx-large": thumbnail.XXLarge,
}

func init() {
	register(&command{
		name:    "thumbs",
		args:    "[--size normal|large|x-large|xx-large] [PATH…]",
		summary: "make thumbnails now (in the shared freedesktop cache) for the whole library or the given files and folders",
		flags: func(fs *flag.FlagSet) {
			thumbsSize = "large"
			fs.StringVar(&thumbsSize, "size", "large", "thumbnail `size`: normal (128), large (256), x-large (512) or xx-large (1024)")
		},
		run: runThumbs,
	})
}

// thumbsTally counts outcomes for the summary line.
type thumbsTally struct {
	mu                                           sync.Mutex
	generated, cached, icons, failed, unreadable int
}

func (t *thumbsTally) add(res thumbnail.Result, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err != nil:
		t.unreadable++
	case res.Kind == thumbnail.KindIcon:
		t.icons++
	case res.Kind == thumbnail.KindFailed:
		t.failed++
	case res.Origin == thumbnail.Generated:
		t.generated++
	default:
		t.cached++
	}
}

func runThumbs(ctx context.Context, e *env, args []string) error {
	size, ok := thumbSizes[thumbsSize]
	if !ok {
		return usagef("unknown --size %q; use normal, large, x-large or xx-large", thumbsSize)
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	var ids []int64
	if len(args) > 0 {
		if ids, err = entryIDs(ctx, l, args, resolveOptions{folders: true}); err != nil {
			return err
		}
	} else {
		res, err := l.Search(ctx, "-missing", library.SearchOptions{DefaultSort: query.Sort{Key: query.SortName}})
		if err != nil {
			return err
		}
		ids = res.IDs(0, res.Count())
	}
	svc, err := thumbnail.NewService(thumbnail.Options{Workers: 1})
	if err != nil {
		return fmt.Errorf("thumbnail cache: %w", err)
	}
	defer svc.Close()

	prog := newProgress(e.stderr)
	prog.Begin("thumbnails", int64(len(ids)))
	var tally thumbsTally
	missing := 0
	paths := make(chan string)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				res, err := svc.Generate(ctx, p, size)
				if ctx.Err() == nil {
					tally.add(res, err)
				}
				prog.Advance(1, p)
			}
		}()
	}
	const page = 512
	var feedErr error
feed:
	for off := 0; off < len(ids); off += page {
		files, err := l.FilesByIDs(ctx, ids[off:min(off+page, len(ids))])
		if err != nil {
			feedErr = err
			break
		}
		for _, f := range files {
			if f.Missing {
				missing++
				prog.Advance(1, f.Path)
				continue
			}
			select {
			case paths <- f.Path:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(paths)
	wg.Wait()
	prog.End()
	if feedErr != nil {
		return feedErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d files: %d thumbnails made, %d already cached, %d without a thumbnailer (icon), %d failed, %d unreadable, %d missing\n",
		len(ids), tally.generated, tally.cached, tally.icons, tally.failed, tally.unreadable, missing)
	return nil
}
