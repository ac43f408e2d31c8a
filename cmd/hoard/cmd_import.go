package main

import (
	"context"
	"fmt"

	"hoard/library"
)

func init() {
	register(&command{
		name: "import",
		args: "awtfdb|tmsu PATH",
		summary: `bring in another tagger's database (read-only; running it again changes nothing)

  awtfdb PATH   an awtfdb index (awtf.db): files, tags and aliases, implications, pools
  tmsu PATH     a TMSU database (.tmsu/db): files, tag=value as tag:value, implications,
                tags on folders spread to the files below, saved queries as saved searches
Files that are gone are imported as missing entries. Prints what was imported and
what was skipped, with the reason.`,
		run: runImport,
	})
}

func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) != 2 {
		return usagef("import takes a tool (awtfdb or tmsu) and the path of its database")
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	var res library.ImportResult
	switch args[0] {
	case "awtfdb":
		res, err = l.ImportAwtfdb(ctx, args[1], newProgress(e.stderr))
	case "tmsu":
		res, err = l.ImportTMSU(ctx, args[1], newProgress(e.stderr))
	default:
		return usagef("unknown tool %q: import awtfdb PATH or import tmsu PATH", args[0])
	}
	if err != nil {
		return err
	}
	printImport(e, res)
	return nil
}

func printImport(e *env, r library.ImportResult) {
	fmt.Fprintf(e.stdout, "imported: %d files, %d missing files, %d already indexed\n", r.Files, r.Missing, r.Existing)
	fmt.Fprintf(e.stdout, "created: %d tags, %d aliases, %d taggings, %d implications, %d pools (%d entries), %d saved searches\n",
		r.Tags, r.Aliases, r.Taggings, r.Implications, r.Pools, r.PoolEntries, r.Searches)
	for _, s := range r.Skipped {
		fmt.Fprintf(e.stdout, "skipped: %s: %s\n", s.Path, s.Reason)
	}
	if !r.Changed() {
		fmt.Fprintln(e.stdout, "nothing changed")
	}
}
