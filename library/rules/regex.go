package rules

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"hoard/library"
)

// maxMatches caps the tags one regex can make from one path.
const maxMatches = 64

// regex tags a file with the capture groups of a regular expression over its name or
// path.
type regex struct {
	common
	src       string
	re        *regexp.Regexp
	wholePath bool
}

func newRegex(pattern string, opts []option) (library.Rule, error) {
	c, opts, err := takeCommon(opts)
	if err != nil {
		return nil, err
	}
	if pattern == "" {
		return nil, errors.New("the pattern is empty")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	r := &regex{common: c, src: pattern, re: re}
	for _, o := range opts {
		switch {
		case o.key == "path" && o.value == "":
			r.wholePath = true
		case o.key == "name" && o.value == "":
			r.wholePath = false
		default:
			return nil, unknownOption("regex", o, "name, path, ns=NS, lower")
		}
	}
	return r, nil
}

func (r *regex) Name() string {
	delim := "/"
	for _, d := range []string{"/", "#", "|", "!", "%", "@", "~", ","} {
		if !strings.Contains(r.src, d) {
			delim = d
			break
		}
	}
	s := "regex:" + delim + strings.ReplaceAll(r.src, delim, `\`+delim) + delim
	if r.wholePath {
		s += ":path"
	}
	if r.ns != "" {
		s += ":ns=" + r.ns
	}
	if r.lower {
		s += ":lower"
	}
	return s
}

// Tags matches the pattern over the raw bytes (a non-UTF-8 name is matched as it is;
// only captures that are valid UTF-8 become tags).
func (r *regex) Tags(_ context.Context, path string, _ library.Facts) ([]string, error) {
	subject := path
	if !r.wholePath {
		subject = filepath.Base(path)
	}
	names := r.re.SubexpNames()
	var tags []string
	for _, m := range r.re.FindAllStringSubmatchIndex(subject, maxMatches) {
		if len(names) == 1 {
			tags = appendTag(tags, namespaced(r.ns, subject[m[0]:m[1]], r.lower))
			continue
		}
		for g := 1; g < len(names); g++ {
			if m[2*g] < 0 {
				continue
			}
			ns := r.ns
			if ns == "" && names[g] != "" {
				ns = names[g]
			}
			tags = appendTag(tags, namespaced(ns, subject[m[2*g]:m[2*g+1]], r.lower))
		}
	}
	return tags, nil
}
