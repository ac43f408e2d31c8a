package main

import (
	"context"
	"flag"
	"fmt"

	"hoard/library"
)

type tagOptions struct {
	tags   multiFlag
	strict bool
}

var tagOpts tagOptions

func init() {
	register(&command{
		name:    "tag",
		args:    "-t TAG… PATH…",
		summary: "add tags to files in the library (a folder means every entry below it)",
		flags: func(fs *flag.FlagSet) {
			tagOpts = tagOptions{}
			fs.Var(&tagOpts.tags, "t", "`TAG` to add (repeatable)")
			fs.BoolVar(&tagOpts.strict, "strict", false, "refuse unknown tags instead of creating them")
		},
		run: runTag,
	})
}

func runTag(ctx context.Context, e *env, args []string) error {
	if len(tagOpts.tags) == 0 {
		return usagef("give at least one tag with -t TAG")
	}
	if len(args) == 0 {
		return usagef("give the files to tag")
	}
	for _, t := range tagOpts.tags {
		if _, err := library.NormalizeTagName(t); err != nil {
			return err
		}
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	ids, err := entryIDs(ctx, l, args, resolveOptions{folders: true})
	if err != nil {
		return err
	}
	n, err := l.TagFiles(ctx, ids, tagOpts.tags, library.TagOptions{Create: !tagOpts.strict, Source: library.SourceManual})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d taggings made on %d files\n", n, len(ids))
	return nil
}
