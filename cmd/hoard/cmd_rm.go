package main

import (
	"context"
	"flag"
	"fmt"
)

type rmOptions struct {
	recursive, dryRun bool
}

var rmOpts rmOptions

func init() {
	register(&command{
		name:    "rm",
		args:    "[-r] [--dry-run] PATH…",
		summary: "remove entries from the index (never from the disk); a folder needs -r",
		flags: func(fs *flag.FlagSet) {
			rmOpts = rmOptions{}
			fs.BoolVar(&rmOpts.recursive, "r", false, "remove every entry below the given folders")
			fs.BoolVar(&rmOpts.dryRun, "dry-run", false, "print what would be removed; change nothing")
		},
		run: runRm,
	})
}

func runRm(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("give the files (or, with -r, folders) to remove from the index")
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	ids, err := entryIDs(ctx, l, args, resolveOptions{
		folders:   rmOpts.recursive,
		folderMsg: "is a folder; pass -r to remove every entry below it",
	})
	if err != nil {
		return err
	}
	if rmOpts.dryRun {
		files, err := l.FilesByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintf(e.stdout, "would remove %s\n", f.Path)
		}
		fmt.Fprintf(e.stdout, "%d entries would be removed from the index (files on disk stay)\n", len(files))
		return nil
	}
	n, err := l.RemoveFiles(ctx, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d entries removed from the index (files on disk untouched)\n", n)
	return nil
}
