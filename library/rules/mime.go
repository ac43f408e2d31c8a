package rules

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"hoard/library"
)

var classes = []string{"image", "video", "audio", "document", "other"}

// mimeRule tags a file with its media class, namespaced or mapped to fixed tags.
type mimeRule struct {
	common
	fixed map[string]string // class → tag; nil means "NS:class"
}

func newMIME(opts []option) (library.Rule, error) {
	c, opts, err := takeCommon(opts)
	if err != nil {
		return nil, err
	}
	r := &mimeRule{common: c}
	for _, o := range opts {
		// mime:image=photo,video=clip arrives as one option "image" = "photo,video=clip".
		pairs := strings.Split(o.key+"="+o.value, ",")
		if o.value == "" {
			return nil, unknownOption("mime", o, "ns=NS, lower, or CLASS=TAG pairs such as image=photo,video=clip")
		}
		for _, p := range pairs {
			class, tag, ok := strings.Cut(p, "=")
			class = strings.ToLower(strings.TrimSpace(class))
			if !ok || !isClass(class) {
				return nil, fmt.Errorf("%q is not CLASS=TAG with CLASS one of %s", p, strings.Join(classes, ", "))
			}
			t, err := library.NormalizeTagName(tag)
			if err != nil {
				return nil, err
			}
			if r.fixed == nil {
				r.fixed = map[string]string{}
			}
			r.fixed[class] = t
		}
	}
	if r.fixed != nil && r.ns != "" {
		return nil, fmt.Errorf("give either ns= or CLASS=TAG pairs, not both")
	}
	if r.fixed == nil && r.ns == "" {
		r.ns = "kind"
	}
	return r, nil
}

func isClass(s string) bool {
	for _, c := range classes {
		if c == s {
			return true
		}
	}
	return false
}

func (r *mimeRule) Name() string {
	s := "mime"
	if r.fixed != nil {
		var pairs []string
		for c, t := range r.fixed {
			pairs = append(pairs, c+"="+t)
		}
		sort.Strings(pairs)
		s += ":" + strings.Join(pairs, ",")
	} else if r.ns != "kind" {
		s += ":ns=" + r.ns
	}
	if r.lower {
		s += ":lower"
	}
	return s
}

// Tags uses the MIME type Include already sniffed; it reads nothing.
func (r *mimeRule) Tags(_ context.Context, _ string, facts library.Facts) ([]string, error) {
	class := library.MediaClass(facts.MIME)
	if r.fixed != nil {
		t, ok := r.fixed[class]
		if !ok {
			return nil, nil
		}
		if r.lower {
			t = strings.ToLower(t)
		}
		return []string{t}, nil
	}
	return []string{namespaced(r.ns, class, r.lower)}, nil
}
