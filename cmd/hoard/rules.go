package main

import (
	"context"
	"errors"
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

// rulesFor parses --rule specs. A spec that is not a rule kind is looked up among the
// library's saved rules. Every spec error is a usage error.
func rulesFor(ctx context.Context, e *env, specs []string) ([]library.Rule, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	l, err := e.library(ctx)
	if err != nil {
		return nil, err
	}
	var out []library.Rule
	for _, spec := range specs {
		r, err := parseRule(ctx, l, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseRule(ctx context.Context, l *library.Library, spec string) (library.Rule, error) {
	kind, _, hasOpts := strings.Cut(strings.TrimSpace(spec), ":")
	if !hasOpts && !rules.IsKind(kind) && kind != "" {
		saved, err := l.RuleByName(ctx, kind)
		if err != nil {
			if errors.Is(err, library.ErrNotFound) {
				return nil, usagef("--rule %q is neither a rule kind (%s) nor a saved rule (see `hoard rules list`)", spec, strings.Join(rules.Kinds, ", "))
			}
			return nil, err
		}
		r, err := rules.Parse(saved.Spec)
		if err != nil {
			return nil, usagef("saved rule %q: %s (fix it with `hoard rules save`)", kind, strings.TrimPrefix(err.Error(), rules.ErrSpec.Error()+" "))
		}
		return rules.Named(kind, r), nil
	}
	r, err := rules.Parse(spec)
	if err != nil {
		return nil, usagef("--rule: %s", strings.TrimPrefix(err.Error(), rules.ErrSpec.Error()+" "))
	}
	return r, nil
}
