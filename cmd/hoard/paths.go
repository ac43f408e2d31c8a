package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"hoard/library"
)

// absPaths makes command-line paths absolute (relative to the working folder).
func absPaths(args []string) ([]string, error) {
	out := make([]string, len(args))
	for i, a := range args {
		p, err := filepath.Abs(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a, err)
		}
		out[i] = p
	}
	return out, nil
}

// resolveOptions say how entryIDs treats a folder argument.
type resolveOptions struct {
	folders   bool   // a folder stands for every entry below it
	folderMsg string // why a folder is refused when folders is false
}

// entryIDs maps path arguments to index entries: a file's own entry, or (when allowed)
// every entry below a folder. Paths that match nothing are an error naming all of them,
// so a typo never silently tags half a list.
func entryIDs(ctx context.Context, l *library.Library, args []string, opts resolveOptions) ([]int64, error) {
	paths, err := absPaths(args)
	if err != nil {
		return nil, err
	}
	var ids []int64
	seen := map[int64]bool{}
	var notIn, folders []string
	for _, p := range paths {
		f, err := l.FileByPath(ctx, p)
		if err == nil {
			if !seen[f.ID] {
				seen[f.ID] = true
				ids = append(ids, f.ID)
			}
			continue
		}
		if !errors.Is(err, library.ErrNotFound) {
			return nil, err
		}
		under, err := l.FilesUnder(ctx, p)
		if err != nil {
			return nil, err
		}
		if len(under) == 0 {
			notIn = append(notIn, p)
			continue
		}
		if !opts.folders {
			folders = append(folders, p)
			continue
		}
		for _, id := range under {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(notIn) > 0 {
		return nil, fmt.Errorf("not in the library: %s (add with `hoard include`)", quoteList(notIn))
	}
	if len(folders) > 0 {
		return nil, fmt.Errorf("%s: %s", quoteList(folders), opts.folderMsg)
	}
	return ids, nil
}

// quoteList quotes paths (so spaces, newlines and odd bytes stay visible on one line),
// showing at most a few.
func quoteList(ps []string) string {
	const show = 5
	q := make([]string, 0, min(len(ps), show))
	for i, p := range ps {
		if i == show {
			break
		}
		q = append(q, fmt.Sprintf("%q", p))
	}
	s := strings.Join(q, ", ")
	if len(ps) > show {
		s += fmt.Sprintf(" and %d more", len(ps)-show)
	}
	return s
}
