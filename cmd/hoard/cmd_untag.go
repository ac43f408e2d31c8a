package main

import (
	"context"
	"flag"
	"fmt"
)

var untagTags multiFlag

func init() {
	register(&command{
		name:    "untag",
		args:    "-t TAG… PATH…",
		summary: "remove tags from files in the library (a folder means every entry below it)",
		flags: func(fs *flag.FlagSet) {
			untagTags = nil
			fs.Var(&untagTags, "t", "`TAG` to remove (repeatable)")
		},
		run: runUntag,
	})
}

func runUntag(ctx context.Context, e *env, args []string) error {
	if len(untagTags) == 0 {
		return usagef("give at least one tag with -t TAG")
	}
	if len(args) == 0 {
		return usagef("give the files to untag")
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	ids, err := entryIDs(ctx, l, args, resolveOptions{folders: true})
	if err != nil {
		return err
	}
	n, err := l.UntagFiles(ctx, ids, untagTags)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d taggings removed from %d files\n", n, len(ids))
	return nil
}
