package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"hoard/library"
	"hoard/library/query"
)

const findHelp = `

The words are joined with spaces into one query; quote it, or put -- before a query
that starts with '-'. Missing entries are printed at their last known path.
  cat dog            both             cat | dog          either
  -cat               not              (cat | dog) -bird  grouping
  "two words"        exact tag name   artist:*  foo*     tag wildcards
  hash:1a2b          content hash     path:/pics/*       path glob
  type:image,video   kind             mime:image/png     ext:jpg
  size>10MB  width>=1920  height<600  duration>90s
  added>2024-01-01  modified<7d  tags=0  tags>=5  missing  duplicates  pool:NAME
  sort:size|name|added|modified|random[-desc]  limit:N
An unknown tag is an error naming the nearest known tags (exit 1); a query that
cannot be parsed says where (exit 2).`

type findOptions struct {
	count, nul, json bool
	saved            string
}

var findOpts findOptions

func init() {
	register(&command{
		name:    "find",
		args:    "[--count] [-0] [--json] [--saved NAME] QUERY…",
		summary: "print the absolute paths of the files matching a query, sorted by path" + findHelp,
		flags: func(fs *flag.FlagSet) {
			findOpts = findOptions{}
			fs.BoolVar(&findOpts.count, "count", false, "print only the number of matches")
			fs.BoolVar(&findOpts.nul, "0", false, "end each path with NUL instead of a newline (for xargs -0)")
			fs.BoolVar(&findOpts.json, "json", false, "print one JSON object per file")
			fs.StringVar(&findOpts.saved, "saved", "", "run the saved search `NAME` (words given narrow it further)")
		},
		run: runFind,
	})
}

func runFind(ctx context.Context, e *env, args []string) error {
	if findOpts.nul && findOpts.json {
		return usagef("-0 and --json do not go together; pick one")
	}
	src := strings.Join(args, " ")
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	if findOpts.saved != "" {
		saved, err := l.SavedSearchQuery(ctx, findOpts.saved)
		if err != nil {
			return err
		}
		if src != "" {
			saved = "(" + saved + ") " + src
		}
		src = saved
	}
	res, err := l.Search(ctx, src, library.SearchOptions{DefaultSort: query.Sort{Key: query.SortName}, CountOnly: findOpts.count, Stream: true})
	if err != nil {
		return queryError(src, err)
	}
	w := bufio.NewWriterSize(e.stdout, 64<<10)
	if findOpts.count {
		fmt.Fprintln(w, res.Count())
		return w.Flush()
	}
	// JSON lines carry tags: they are read for a page of files at a time.
	var page []library.File
	flushJSON := func() error {
		err := writeFilesJSON(ctx, w, l, page)
		page = page[:0]
		return err
	}
	err = res.Each(ctx, func(f library.File) error {
		switch {
		case findOpts.json:
			if page = append(page, f); len(page) == jsonPage {
				return flushJSON()
			}
			return nil
		case findOpts.nul:
			w.WriteString(f.Path)
			return w.WriteByte(0)
		default:
			w.WriteString(f.Path)
			return w.WriteByte('\n')
		}
	})
	if err == nil && len(page) > 0 {
		err = flushJSON()
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// jsonPage is how many files `find --json` reads the tags of in one go.
const jsonPage = 512

// queryError turns a mistyped query into a usage error (exit 2) that quotes the query;
// an unknown tag (with its "did you mean") stays a failure (exit 1).
func queryError(src string, err error) error {
	var qe *query.Error
	if errors.As(err, &qe) {
		return codedError{fmt.Errorf("%w in %q (quote the query or put `--` before one that starts with '-')", err, src), exitUsage}
	}
	return err
}

// fileJSON is one line of `hoard find --json`.
type fileJSON struct {
	Path    string   `json:"path,omitempty"`
	PathB64 string   `json:"path_b64,omitempty"` // when the path is not valid UTF-8
	ID      int64    `json:"id"`
	Size    int64    `json:"size"`
	MIME    string   `json:"mime"`
	Hash    string   `json:"hash"`
	Width   int      `json:"width,omitempty"`
	Height  int      `json:"height,omitempty"`
	Tags    []string `json:"tags"`
	Implied []string `json:"implied,omitempty"`
	Missing bool     `json:"missing"`
}

// jsonPath fills path or, for bytes that are not UTF-8, path_b64, so no name is mangled.
func jsonPath(p string) (plain, b64 string) {
	if utf8.ValidString(p) {
		return p, ""
	}
	return "", base64.StdEncoding.EncodeToString([]byte(p))
}

func writeFilesJSON(ctx context.Context, w io.Writer, l *library.Library, files []library.File) error {
	if len(files) == 0 {
		return nil
	}
	ids := make([]int64, len(files))
	for i, f := range files {
		ids[i] = f.ID
	}
	tags, err := l.FileTagsOf(ctx, ids)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := writeFileJSON(w, f, tags[f.ID]); err != nil {
			return err
		}
	}
	return nil
}

func writeFileJSON(w io.Writer, f library.File, tags []library.FileTag) error {
	j := fileJSON{ID: f.ID, Size: f.Size, MIME: f.MIME, Hash: hex.EncodeToString(f.Hash),
		Width: f.Width, Height: f.Height, Missing: f.Missing, Tags: []string{}}
	j.Path, j.PathB64 = jsonPath(f.Path)
	for _, t := range tags {
		if t.Implied {
			j.Implied = append(j.Implied, t.Name)
		} else {
			j.Tags = append(j.Tags, t.Name)
		}
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
