package main

import (
	"context"
	"fmt"
)

func init() {
	register(&command{
		name:    "init",
		args:    "",
		summary: "create the library database (other commands create it too)",
		run:     runInit,
	})
}

func runInit(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usagef("init takes no arguments")
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, l.Path())
	return nil
}
