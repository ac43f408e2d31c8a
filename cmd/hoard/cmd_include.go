package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"

	"hoard/library"
)

type includeOptions struct {
	tags, rules    multiFlag
	strict, dryRun bool
	follow         bool
}

var includeOpts includeOptions

func init() {
	register(&command{
		name:    "include",
		args:    "[-t TAG]… [--rule RULE]… [--strict] [--dry-run] [--follow-symlinks] PATH…",
		summary: "add files (folders recurse) to the library where they are, and tag them",
		flags: func(fs *flag.FlagSet) {
			includeOpts = includeOptions{}
			fs.Var(&includeOpts.tags, "t", "apply `TAG` to every file (repeatable)")
			fs.Var(&includeOpts.rules, "rule", "derive tags with `RULE` (repeatable), a rule spec or a saved rule's name.\n"+rulesHelp)
			fs.BoolVar(&includeOpts.strict, "strict", false, "refuse unknown tags instead of creating them")
			fs.BoolVar(&includeOpts.dryRun, "dry-run", false, "only count what would happen")
			fs.BoolVar(&includeOpts.follow, "follow-symlinks", false, "follow symlinks to files and folders")
		},
		run: runInclude,
	})
}

func runInclude(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("give at least one file or folder to include")
	}
	paths, err := absPaths(args)
	if err != nil {
		return err
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	rules, err := rulesFor(ctx, e, includeOpts.rules)
	if err != nil {
		return err
	}
	opts := library.IncludeOptions{
		Tags:           includeOpts.tags,
		Rules:          rules,
		Strict:         includeOpts.strict,
		DryRun:         includeOpts.dryRun,
		FollowSymlinks: includeOpts.follow,
	}
	res, err := l.Include(ctx, paths, opts, newProgress(e.stderr))
	if err != nil {
		return err
	}
	printIncludeSummary(e, res, includeOpts.dryRun)
	return nil
}

// printIncludeSummary prints one summary line on stdout, then the skipped paths (with
// why) on stderr, grouped by reason.
func printIncludeSummary(e *env, res library.IncludeResult, dryRun bool) {
	verb := ""
	if dryRun {
		verb = "would be "
	}
	fmt.Fprintf(e.stdout, "%d files found: %d %sadded, %d %supdated, %d unchanged, %d taggings made, %d skipped\n",
		res.Found, res.Added, verb, res.Updated, verb, res.Unchanged, res.Tagged, len(res.Skipped))
	if len(res.Skipped) == 0 {
		return
	}
	// Name the first few paths (quoted: names may hold newlines); a folder of 10,000
	// sockets should not bury the summary.
	const named = 50
	byReason := map[string]int{}
	for i, s := range res.Skipped {
		byReason[s.Reason]++
		if i < named {
			fmt.Fprintf(e.stderr, "skipped %q: %s\n", s.Path, s.Reason)
		}
	}
	if len(res.Skipped) > named {
		fmt.Fprintf(e.stderr, "… and %d more skipped\n", len(res.Skipped)-named)
	}
	reasons := make([]string, 0, len(byReason))
	for r, n := range byReason {
		reasons = append(reasons, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(reasons)
	fmt.Fprintf(e.stderr, "skipped: %s\n", strings.Join(reasons, "; "))
}
