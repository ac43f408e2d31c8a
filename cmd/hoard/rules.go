package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"hoard/library"
	"hoard/library/rules"
)

// rulesHelp documents --rule for `hoard include --help` (and `hoard rules --help`).
const rulesHelp = `Rules tag files from what they already say; each tag records the rule that made it.
A rule is KIND[:OPTION]… or the name of a rule saved with 'hoard rules save':
  folders[:NS][:depth=N]           the N nearest folder names (default 1) → tags, NS:name
  regex:/PATTERN/[:name|path]      capture groups of a Go regexp over the base name (or
        [:ns=NS]                   the whole path) → tags; (?P<artist>…) → artist:…;
                                   no groups: the whole match; write \/ for a / inside
  mime[:ns=NS]                     media class → kind:image (or NS:image)
  mime:image=photo,video=clip      a fixed tag per class (image video audio document other)
  audio[:fields=artist,album,…]    artist:, album:, title:, year:, genre: from audio tags
  exif[:date=year|month|day]       camera:MODEL and taken:2024-05-01 from EXIF
Every rule also takes :lower (lower-case its tags) and :ns=NS.
Examples: --rule folders:series:depth=2   --rule 'regex:/^(?P<artist>[^-]+) - /:lower'`

// savedRuleLookup resolves a saved rule's name to its spec; set by rulesFor, which
// has the library. Without it only built-in kinds parse.
var savedRuleLookup func(name string) (string, error)

// parseRules turns --rule specs into rules for library.Include. A spec that is not a
// rule kind is looked up among the saved rules (when rulesFor made that possible).
// Every error is a usage error.
func parseRules(specs []string) ([]library.Rule, error) {
	var out []library.Rule
	for _, spec := range specs {
		r, err := parseRule(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRule(spec string) (library.Rule, error) {
	kind, _, hasOpts := strings.Cut(strings.TrimSpace(spec), ":")
	if !hasOpts && !rules.IsKind(kind) && kind != "" {
		lookup := savedRuleLookup
		if lookup == nil {
			lookup = lookupInArgsLibrary
		}
		saved, err := lookup(kind)
		if err != nil {
			if errors.Is(err, library.ErrNotFound) {
				return nil, usagef("--rule %q is neither a rule kind (%s) nor a saved rule (see `hoard rules list`)", spec, strings.Join(rules.Kinds, ", "))
			}
			return nil, err
		}
		r, err := rules.Parse(saved)
		if err != nil {
			return nil, usagef("saved rule %q: %s (fix it with `hoard rules save`)", kind, strings.TrimPrefix(err.Error(), rules.ErrSpec.Error()+" "))
		}
		return rules.Named(kind, r), nil
	}
	r, err := rules.Parse(spec)
	if err != nil {
		return nil, usageError{strings.TrimPrefix(err.Error(), rules.ErrSpec.Error()+" ")}
	}
	return r, nil
}

// lookupInArgsLibrary finds a saved rule in the library the command line names, for
// callers of parseRules that have no library at hand (include parses its rules before
// opening it). It reads the global flags the way run does.
func lookupInArgsLibrary(name string) (string, error) {
	global := flag.NewFlagSet("hoard", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	dbPath := global.String("db", library.DefaultPath(), "")
	global.Bool("help", false, "")
	global.Bool("h", false, "")
	if len(os.Args) > 1 {
		_ = global.Parse(os.Args[1:])
	}
	ctx := context.Background()
	l, err := library.Open(ctx, *dbPath, library.Options{})
	if err != nil {
		return "", err
	}
	defer l.Close()
	r, err := l.RuleByName(ctx, name)
	if err != nil {
		return "", err
	}
	return r.Spec, nil
}

// rulesFor parses --rule specs, saved rules' names included.
func rulesFor(ctx context.Context, e *env, specs []string) ([]library.Rule, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	l, err := e.library(ctx)
	if err != nil {
		return nil, err
	}
	savedRuleLookup = func(name string) (string, error) {
		r, err := l.RuleByName(ctx, name)
		if err != nil {
			return "", err
		}
		return r.Spec, nil
	}
	defer func() { savedRuleLookup = nil }()
	rs, err := parseRules(specs)
	if err != nil {
		return nil, fmt.Errorf("--rule: %w", err)
	}
	return rs, nil
}
