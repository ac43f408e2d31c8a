package main

import (
	"context"
	"fmt"

	"hoard/library/query"
)

func init() {
	register(&command{
		name:    "searches",
		args:    "list | show NAME | save NAME QUERY | rm NAME…",
		summary: "saved searches (TMSU's saved queries land here); run one with hoard find --saved NAME",
		run:     runSearches,
	})
}

func runSearches(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		args = []string{"list"}
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "list", "ls":
		if len(rest) != 0 {
			return usagef("searches list takes no arguments")
		}
		ss, err := l.SavedSearches(ctx)
		if err != nil {
			return err
		}
		for _, s := range ss {
			fmt.Fprintf(e.stdout, "%s\t%s\n", s.Name, s.Query)
		}
		return nil
	case "show":
		if len(rest) != 1 {
			return usagef("searches show takes NAME")
		}
		q, err := l.SavedSearchQuery(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, q)
		return nil
	case "save":
		if len(rest) != 2 {
			return usagef("searches save takes NAME QUERY (quote the query)")
		}
		if _, err := query.Parse(rest[1]); err != nil {
			return usagef("query %q: %v", rest[1], err)
		}
		return l.SaveSearch(ctx, rest[0], rest[1])
	case "rm", "delete":
		if len(rest) == 0 {
			return usagef("searches rm takes NAME…")
		}
		for _, name := range rest {
			if err := l.DeleteSearch(ctx, name); err != nil {
				return err
			}
		}
		return nil
	}
	return usagef("unknown subcommand %q: use list, show, save or rm", args[0])
}
