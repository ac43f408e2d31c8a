package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"hoard/library"
	"hoard/library/rules"
)

func init() {
	register(&command{
		name:    "rules",
		args:    "save NAME SPEC | list | rm NAME | try RULE PATH…",
		summary: "save tag rules by name for --rule, and try a rule on files\n\n" + rulesHelp,
		run:     runRules,
	})
}

func runRules(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("give a subcommand: save, list, rm or try")
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "save":
		if len(rest) != 2 {
			return usagef("rules save takes NAME SPEC (quote the spec)")
		}
		return rulesSave(ctx, e, rest[0], rest[1])
	case "list", "ls":
		if len(rest) != 0 {
			return usagef("rules list takes no arguments")
		}
		return rulesList(ctx, e)
	case "rm", "delete":
		if len(rest) == 0 {
			return usagef("rules rm takes NAME…")
		}
		l, err := e.library(ctx)
		if err != nil {
			return err
		}
		for _, name := range rest {
			if err := l.DeleteRule(ctx, name); err != nil {
				return err
			}
		}
		return nil
	case "try":
		if len(rest) < 2 {
			return usagef("rules try takes RULE PATH…")
		}
		return rulesTry(ctx, e, rest[0], rest[1:])
	default:
		return usagef("unknown subcommand %q: use save, list, rm or try", sub)
	}
}

func rulesSave(ctx context.Context, e *env, name, spec string) error {
	if rules.IsKind(name) {
		return usagef("%q is a rule kind; pick another name", name)
	}
	if strings.ContainsAny(name, ": \t=") {
		return usagef("rule name %q may not contain spaces, ':' or '='", name)
	}
	r, err := rules.Parse(spec)
	if err != nil {
		return usageError{strings.TrimPrefix(err.Error(), rules.ErrSpec.Error()+" ")}
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	return l.SaveRule(ctx, name, r.Name())
}

func rulesList(ctx context.Context, e *env) error {
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	rs, err := l.Rules(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		fmt.Fprintf(e.stdout, "%s\t%s\n", r.Name, r.Spec)
	}
	return nil
}

// rulesTry prints the tags a rule gives each file, one line per file
// (PATH<TAB>tag,tag), without touching the library's tags.
func rulesTry(ctx context.Context, e *env, spec string, paths []string) error {
	rs, err := rulesFor(ctx, e, []string{spec})
	if err != nil {
		return err
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		facts, err := library.ReadFacts(ctx, abs)
		if err != nil {
			return fmt.Errorf("read %s: %w", abs, err)
		}
		tags, err := rs[0].Tags(ctx, abs, facts)
		if err != nil {
			fmt.Fprintf(e.stderr, "hoard rules: %s: %s (no tags from this rule)\n", abs, oneLine(err.Error()))
		}
		fmt.Fprintf(e.stdout, "%s\t%s\n", abs, strings.Join(tags, ","))
	}
	return nil
}
