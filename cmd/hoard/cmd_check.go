package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"hoard/library"
)

type checkOptions struct {
	repair, full, json bool
}

var checkOpts checkOptions

func init() {
	register(&command{
		name:    "check",
		args:    "[--repair] [--full] [--json] [PATH…]",
		summary: "find files moved, edited or deleted behind Hoard's back, and database damage; --repair fixes what is certain",
		flags: func(fs *flag.FlagSet) {
			checkOpts = checkOptions{}
			fs.BoolVar(&checkOpts.repair, "repair", false, "apply every certain repair in one transaction (tags are never lost; missing entries stay)")
			fs.BoolVar(&checkOpts.full, "full", false, "re-hash every file, not only those whose size or time changed")
			fs.BoolVar(&checkOpts.json, "json", false, "print one JSON object per finding, then a summary object")
		},
		run: runCheck,
	})
}

// runCheck prints one line per finding and a summary; it exits 3 while problems remain.
func runCheck(ctx context.Context, e *env, args []string) error {
	paths, err := absPaths(args)
	if err != nil {
		return err
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	rep, err := l.Check(ctx, library.CheckOptions{Paths: paths, Repair: checkOpts.repair, Full: checkOpts.full}, newProgress(e.stderr))
	if err != nil {
		return err
	}
	if checkOpts.json {
		err = writeCheckJSON(e.stdout, rep)
	} else {
		err = writeCheckText(e.stdout, rep, checkOpts.repair)
	}
	if err != nil {
		return err
	}
	if rep.Damaged {
		return codedError{errors.New(damageLine(rep, checkOpts.repair)), exitProblem}
	}
	if rep.Problems() > 0 {
		return errProblemsFound
	}
	return nil
}

// damageLine is the one line on stderr after the report of a damaged library file.
func damageLine(rep *library.CheckReport, repair bool) string {
	if repair {
		return "the library file is damaged, so nothing was repaired (writing into it could make it worse): " + rep.Advice
	}
	return "the library file is damaged: " + rep.Advice
}

func writeCheckText(w io.Writer, rep *library.CheckReport, repair bool) error {
	for _, f := range rep.Findings {
		var b strings.Builder
		fmt.Fprintf(&b, "%-15s", f.Kind)
		if f.Path != "" {
			b.WriteString(" " + shownPath(f.Path))
		}
		if f.NewPath != "" {
			b.WriteString(" → " + shownPath(f.NewPath))
		}
		if len(f.Paths) > 0 && f.Kind != library.KindDuplicate {
			var ps []string
			for _, p := range f.Paths {
				ps = append(ps, shownPath(p))
			}
			b.WriteString(" (candidates: " + strings.Join(ps, ", ") + ")")
		}
		if f.Kind == library.KindDuplicate {
			for _, p := range f.Paths[1:] {
				b.WriteString(" = " + shownPath(p))
			}
		}
		switch {
		case f.Detail != "" && f.Path == "":
			b.WriteString(" " + f.Detail)
		case f.Detail != "":
			b.WriteString(": " + f.Detail)
		}
		if f.Repaired {
			b.WriteString(" [repaired]")
		}
		if _, err := fmt.Fprintln(w, b.String()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, checkSummary(rep, repair))
	return err
}

// checkSummary is the last line: what was looked at, what was found, what to do next.
func checkSummary(rep *library.CheckReport, repair bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "checked %d entries and %d files in %.1fs: %d ok", rep.Entries, rep.Files, rep.Elapsed.Seconds(), rep.OK)
	counts := rep.Counts()
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, ", %d %s", counts[library.FindingKind(k)], k)
	}
	if repair {
		fmt.Fprintf(&b, "; %d repaired", rep.Repaired)
	}
	if len(rep.RootsAdded) > 0 {
		var ps []string
		for _, p := range rep.RootsAdded {
			ps = append(ps, shownPath(p))
		}
		fmt.Fprintf(&b, "; now also watching %s", strings.Join(ps, ", "))
	}
	switch n := rep.Repairable(); {
	case n > 0 && !repair:
		fmt.Fprintf(&b, "; run `hoard check --repair` to fix %d of them", n)
	case n > 0:
		b.WriteString("; nothing was repaired (see the error above)")
	}
	if rep.Damaged {
		b.WriteString("; the library file is damaged")
	}
	if rep.Problems() == 0 {
		b.WriteString("; the index is in line with the disk")
	}
	return b.String()
}

// shownPath keeps a finding on one line: a path with control characters or bytes that
// are not UTF-8 is printed quoted, with escapes.
func shownPath(p string) string {
	if !utf8.ValidString(p) || strings.IndexFunc(p, unicode.IsControl) >= 0 {
		return strconv.Quote(p)
	}
	return p
}

// findingJSON is one line of `hoard check --json`.
type findingJSON struct {
	Kind       string   `json:"kind"`
	ID         int64    `json:"id,omitempty"`
	Path       string   `json:"path,omitempty"`
	PathB64    string   `json:"path_b64,omitempty"` // when the path is not valid UTF-8
	NewPath    string   `json:"new_path,omitempty"`
	NewPathB64 string   `json:"new_path_b64,omitempty"`
	Paths      []string `json:"paths,omitempty"`
	PathsB64   []string `json:"paths_b64,omitempty"` // all of them, when one is not UTF-8
	Detail     string   `json:"detail,omitempty"`
	Repairable bool     `json:"repairable"`
	Repaired   bool     `json:"repaired"`
	Problem    bool     `json:"problem"`
}

// checkSummaryJSON is the last line of `hoard check --json`.
type checkSummaryJSON struct {
	Kind        string         `json:"kind"` // "summary"
	Entries     int            `json:"entries"`
	OK          int            `json:"ok"`
	Files       int            `json:"files"`
	HashedFiles int            `json:"hashed_files"`
	HashedBytes int64          `json:"hashed_bytes"`
	Counts      map[string]int `json:"counts"`
	Problems    int            `json:"problems"`
	Repairable  int            `json:"repairable_count"`
	Repaired    int            `json:"repaired_count"`
	RootsAdded  []string       `json:"roots_added,omitempty"`
	Damaged     bool           `json:"damaged"`
	Advice      string         `json:"advice,omitempty"` // what to do about a damaged file
	ElapsedMS   int64          `json:"elapsed_ms"`
}

func writeCheckJSON(w io.Writer, rep *library.CheckReport) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, f := range rep.Findings {
		j := findingJSON{Kind: string(f.Kind), ID: f.ID, Detail: f.Detail,
			Repairable: f.Repairable, Repaired: f.Repaired, Problem: f.Problem()}
		j.Path, j.PathB64 = jsonPath(f.Path)
		j.NewPath, j.NewPathB64 = jsonPath(f.NewPath)
		for _, p := range f.Paths {
			plain, b64 := jsonPath(p)
			if b64 != "" {
				j.PathsB64 = nil
				for _, p := range f.Paths {
					j.PathsB64 = append(j.PathsB64, jsonB64(p))
				}
				j.Paths = nil
				break
			}
			j.Paths = append(j.Paths, plain)
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	s := checkSummaryJSON{Kind: "summary", Entries: rep.Entries, OK: rep.OK, Files: rep.Files,
		HashedFiles: rep.HashedFiles, HashedBytes: rep.HashedBytes, Counts: map[string]int{},
		Problems: rep.Problems(), Repairable: rep.Repairable(), Repaired: rep.Repaired, ElapsedMS: rep.Elapsed.Milliseconds(),
		RootsAdded: rep.RootsAdded, Damaged: rep.Damaged, Advice: rep.Advice}
	for k, n := range rep.Counts() {
		s.Counts[string(k)] = n
	}
	return enc.Encode(s)
}

func jsonB64(p string) string { return base64.StdEncoding.EncodeToString([]byte(p)) }
