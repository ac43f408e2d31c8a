package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"hoard/library"
)

// tagsSub is one `hoard tags` subcommand: its argument names and what it does.
type tagsSub struct {
	args string
	n    int // exact number of arguments
	run  func(ctx context.Context, e *env, l *library.Library, args []string) error
}

// tagsEdit adapts a library method taking the subcommand's arguments.
func tagsEdit(fn func(ctx context.Context, l *library.Library, a []string) error) func(context.Context, *env, *library.Library, []string) error {
	return func(ctx context.Context, _ *env, l *library.Library, a []string) error { return fn(ctx, l, a) }
}

var tagsSubs = map[string]tagsSub{
	"list":   {"[--json]", 0, runTagsList},
	"search": {"PREFIX", 1, runTagsSearch},
	"create": {"NAME", 1, tagsEdit(func(ctx context.Context, l *library.Library, a []string) error {
		_, err := l.CreateTag(ctx, a[0])
		return err
	})},
	"delete":  {"NAME", 1, tagsEdit(func(ctx context.Context, l *library.Library, a []string) error { return l.DeleteTag(ctx, a[0]) })},
	"alias":   {"TAG NEWNAME", 2, tagsEdit(func(ctx context.Context, l *library.Library, a []string) error { return l.AliasTag(ctx, a[0], a[1]) })},
	"rename":  {"OLD NEW", 2, tagsEdit(func(ctx context.Context, l *library.Library, a []string) error { return l.RenameTag(ctx, a[0], a[1]) })},
	"merge":   {"FROM INTO", 2, tagsEdit(func(ctx context.Context, l *library.Library, a []string) error { return l.MergeTags(ctx, a[0], a[1]) })},
	"imply":   {"CHILD PARENT", 2, tagsEdit(func(ctx context.Context, l *library.Library, a []string) error { return l.Imply(ctx, a[0], a[1]) })},
	"unimply": {"CHILD PARENT", 2, tagsEdit(func(ctx context.Context, l *library.Library, a []string) error { return l.Unimply(ctx, a[0], a[1]) })},
}

var tagsJSON bool

func init() {
	register(&command{
		name: "tags",
		args: "list [--json] | search PREFIX | create NAME | delete NAME | alias TAG NEWNAME | rename OLD NEW | merge FROM INTO | imply CHILD PARENT | unimply CHILD PARENT",
		summary: "list and edit tags: names (aliases), merges and implications " +
			"(`tags imply cat animal`: files tagged cat also match animal)",
		flags: func(fs *flag.FlagSet) {
			tagsJSON = false
			fs.BoolVar(&tagsJSON, "json", false, "list: print one JSON object per tag")
		},
		run: runTags,
	})
}

func runTags(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("give a subcommand: list, search, create, delete, alias, rename, merge, imply or unimply")
	}
	sub, ok := tagsSubs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q", args[0])
	}
	rest := args[1:]
	if args[0] == "list" {
		// Flags may also follow the subcommand: `hoard tags list --json`.
		fs := flag.NewFlagSet("hoard tags list", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.BoolVar(&tagsJSON, "json", tagsJSON, "")
		if err := fs.Parse(rest); err != nil {
			return usagef("tags list: %v", err)
		}
		rest = fs.Args()
	}
	if len(rest) != sub.n {
		return usagef("usage: hoard tags %s %s", args[0], sub.args)
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	return sub.run(ctx, e, l, rest)
}

// tagJSON is one line of `hoard tags list --json`.
type tagJSON struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Count   int      `json:"count"`
	Aliases []string `json:"aliases,omitempty"`
	Implies []string `json:"implies,omitempty"`
}

// runTagsList prints every tag: NAME<tab>COUNT, then its aliases and what it implies.
func runTagsList(ctx context.Context, e *env, l *library.Library, _ []string) error {
	tags, err := l.Tags(ctx)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	defer w.Flush()
	for _, full := range tags {
		if tagsJSON {
			if err := writeJSON(w, tagJSON{ID: full.ID, Name: full.Name, Count: full.Count, Aliases: full.Aliases, Implies: full.Implies}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(w, "%s\t%d", full.Name, full.Count)
		if len(full.Aliases) > 0 {
			fmt.Fprintf(w, "\taliases: %s", strings.Join(full.Aliases, ", "))
		}
		if len(full.Implies) > 0 {
			fmt.Fprintf(w, "\timplies: %s", strings.Join(full.Implies, ", "))
		}
		fmt.Fprintln(w)
	}
	return nil
}

// runTagsSearch prints the tags having a name that starts with the prefix, most used first.
func runTagsSearch(ctx context.Context, e *env, l *library.Library, args []string) error {
	tags, err := l.SearchTags(ctx, args[0], 100)
	if err != nil {
		return err
	}
	for _, t := range tags {
		fmt.Fprintf(e.stdout, "%s\t%d\n", t.Name, t.Count)
	}
	return nil
}
