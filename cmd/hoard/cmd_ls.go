package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"hoard/library"
)

var lsJSON bool

func init() {
	register(&command{
		name:    "ls",
		args:    "[--json] PATH…",
		summary: "show a file's tags with where they came from, or a folder's entries with their tags",
		flags: func(fs *flag.FlagSet) {
			lsJSON = false
			fs.BoolVar(&lsJSON, "json", false, "print one JSON object per file")
		},
		run: runLs,
	})
}

// lsTagJSON is one tag in `hoard ls --json`.
type lsTagJSON struct {
	Name    string `json:"name"`
	Source  string `json:"source"` // manual, rule, import or implied
	Rule    string `json:"rule,omitempty"`
	Implied bool   `json:"implied,omitempty"`
}

// lsJSONLine is one line of `hoard ls --json`.
type lsJSONLine struct {
	Path    string      `json:"path,omitempty"`
	PathB64 string      `json:"path_b64,omitempty"`
	Dir     bool        `json:"dir,omitempty"`
	Indexed bool        `json:"indexed"`
	ID      int64       `json:"id,omitempty"`
	Missing bool        `json:"missing,omitempty"`
	Tags    []lsTagJSON `json:"tags,omitempty"`
}

func runLs(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		args = []string{"."}
	}
	paths, err := absPaths(args)
	if err != nil {
		return err
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	var notIn []string
	for i, p := range paths {
		f, err := l.FileByPath(ctx, p)
		switch {
		case err == nil:
			if err := lsFile(ctx, w, l, f, len(paths) > 1); err != nil {
				return err
			}
			continue
		case !errors.Is(err, library.ErrNotFound):
			return err
		}
		if st, serr := os.Stat(p); serr == nil && st.IsDir() {
			if len(paths) > 1 && !lsJSON {
				if i > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "%s:\n", p)
			}
			if err := lsDir(ctx, w, l, p); err != nil {
				return err
			}
			continue
		}
		notIn = append(notIn, p)
	}
	if len(notIn) > 0 {
		return fmt.Errorf("not in the library: %s (add with `hoard include`)", quoteList(notIn))
	}
	return nil
}

func sourceName(t library.FileTag) string {
	switch {
	case t.Implied:
		return "implied"
	case t.Rule != "":
		return t.Source.String() + ":" + t.Rule
	}
	return t.Source.String()
}

// lsFile prints a file's tags, one per line: NAME<tab>SOURCE (implied ones last).
func lsFile(ctx context.Context, w io.Writer, l *library.Library, f library.File, header bool) error {
	tags, err := l.FileTags(ctx, f.ID)
	if err != nil {
		return err
	}
	if lsJSON {
		line := lsJSONLine{Indexed: true, ID: f.ID, Missing: f.Missing}
		line.Path, line.PathB64 = jsonPath(f.Path)
		line.Tags = lsTags(tags)
		return writeJSON(w, line)
	}
	if header {
		fmt.Fprintf(w, "%s:\n", f.Path)
	}
	if f.Missing {
		fmt.Fprintln(w, "(missing on disk; `hoard check --repair` relinks it)")
	}
	for _, t := range tags {
		fmt.Fprintf(w, "%s\t%s\n", t.Name, sourceName(t))
	}
	return nil
}

func lsTags(tags []library.FileTag) []lsTagJSON {
	out := make([]lsTagJSON, 0, len(tags))
	for _, t := range tags {
		out = append(out, lsTagJSON{Name: t.Name, Source: sourceName(t), Rule: t.Rule, Implied: t.Implied})
	}
	return out
}

// lsDir prints a folder's entries on disk, one per line: NAME<tab>TAGS, with
// subfolders ending in '/', files not in the library marked, and entries the index has
// there but the disk has not marked missing.
func lsDir(ctx context.Context, w io.Writer, l *library.Library, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("ls %s: %w", dir, err)
	}
	onDisk := map[string]bool{}
	for _, de := range entries {
		p := filepath.Join(dir, de.Name())
		onDisk[p] = true
		if de.IsDir() {
			if lsJSON {
				line := lsJSONLine{Dir: true}
				line.Path, line.PathB64 = jsonPath(p)
				if err := writeJSON(w, line); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "%s/\n", de.Name())
			}
			continue
		}
		f, err := l.FileByPath(ctx, p)
		if errors.Is(err, library.ErrNotFound) {
			if lsJSON {
				line := lsJSONLine{}
				line.Path, line.PathB64 = jsonPath(p)
				if err := writeJSON(w, line); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "%s\t(not in library)\n", de.Name())
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := lsEntry(ctx, w, l, f); err != nil {
			return err
		}
	}
	// Entries the index keeps directly in this folder that are gone from the disk.
	ids, err := l.FilesUnder(ctx, dir)
	if err != nil {
		return err
	}
	files, err := l.FilesByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for _, f := range files {
		if filepath.Dir(f.Path) != dir || onDisk[f.Path] {
			continue
		}
		if err := lsEntry(ctx, w, l, f); err != nil {
			return err
		}
	}
	return nil
}

func lsEntry(ctx context.Context, w io.Writer, l *library.Library, f library.File) error {
	tags, err := l.FileTags(ctx, f.ID)
	if err != nil {
		return err
	}
	if lsJSON {
		line := lsJSONLine{Indexed: true, ID: f.ID, Missing: f.Missing, Tags: lsTags(tags)}
		line.Path, line.PathB64 = jsonPath(f.Path)
		return writeJSON(w, line)
	}
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		if !t.Implied {
			names = append(names, t.Name)
		}
	}
	mark := ""
	if f.Missing {
		mark = " (missing)"
	}
	fmt.Fprintf(w, "%s\t%s%s\n", filepath.Base(f.Path), strings.Join(names, " "), mark)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
