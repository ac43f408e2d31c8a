package main

import (
	"bufio"
	"context"
	"fmt"
)

func init() {
	register(&command{
		name:    "pool",
		args:    "create NAME | add NAME PATH… | show NAME | list | rm NAME [PATH…]",
		summary: "ordered collections of files (a comic's pages); `pool rm NAME` deletes the pool, with paths it takes just them out",
		run:     runPool,
	})
}

func runPool(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("give a subcommand: create, add, show, list or rm")
	}
	sub, rest := args[0], args[1:]
	need := map[string][2]int{"create": {1, 1}, "add": {2, -1}, "show": {1, 1}, "list": {0, 0}, "rm": {1, -1}}
	n, ok := need[sub]
	if !ok {
		return usagef("unknown subcommand %q", sub)
	}
	if len(rest) < n[0] || (n[1] >= 0 && len(rest) > n[1]) {
		return usagef("wrong number of arguments for `pool %s`", sub)
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		return l.CreatePool(ctx, rest[0])
	case "add":
		ids, err := entryIDs(ctx, l, rest[1:], resolveOptions{folders: true})
		if err != nil {
			return err
		}
		added, err := l.AddToPool(ctx, rest[0], ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d files added to pool %q\n", added, rest[0])
		return nil
	case "show":
		ids, err := l.PoolFiles(ctx, rest[0])
		if err != nil {
			return err
		}
		files, err := l.FilesByIDs(ctx, ids)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(e.stdout)
		for _, f := range files {
			fmt.Fprintln(w, f.Path)
		}
		return w.Flush()
	case "list":
		pools, err := l.Pools(ctx)
		if err != nil {
			return err
		}
		for _, p := range pools {
			fmt.Fprintf(e.stdout, "%s\t%d\n", p.Name, p.Count)
		}
		return nil
	}
	// rm
	var ids []int64
	if len(rest) > 1 {
		if ids, err = entryIDs(ctx, l, rest[1:], resolveOptions{folders: true}); err != nil {
			return err
		}
	}
	removed, err := l.RemovePool(ctx, rest[0], ids)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		fmt.Fprintf(e.stdout, "%d files taken out of pool %q\n", removed, rest[0])
	} else {
		fmt.Fprintf(e.stdout, "pool %q deleted (its files stay in the library)\n", rest[0])
	}
	return nil
}
