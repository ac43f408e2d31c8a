package main

import (
	"context"
	"fmt"
)

func init() {
	register(&command{
		name:    "mv",
		args:    "SRC… DST",
		summary: "move or rename files and folders on disk and in the index (never overwrites)",
		run:     runMv,
	})
}

func runMv(ctx context.Context, e *env, args []string) error {
	if len(args) < 2 {
		return usagef("give a source and a destination")
	}
	paths, err := absPaths(args)
	if err != nil {
		return err
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	changes, err := l.Move(ctx, paths[:len(paths)-1], paths[len(paths)-1])
	for _, c := range changes {
		if c.Kind == "renamed" {
			fmt.Fprintf(e.stdout, "%s → %s (%d entries)\n", c.Old, c.New, c.Files)
		}
	}
	return err
}
