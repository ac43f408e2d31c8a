package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hoard/library"
)

// maxTagLen caps a tag made from file text: a 10 kB ID3 title is not a tag.
const maxTagLen = 200

// Clean turns text found in a file (a folder name, an ID3 frame) into a tag name, or ""
// when nothing usable is left: invalid UTF-8 gives "", control characters and the
// characters the query language reserves (* and ") are dropped, runs of space collapse,
// a leading '-' goes, and the result is capped at 200 bytes.
func Clean(s string, lower bool) string {
	if !utf8.ValidString(s) {
		return ""
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '*' || r == '"' || unicode.IsControl(r) || r == utf8.RuneError:
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	out := strings.TrimLeft(b.String(), "- ")
	out = strings.TrimRight(out, ": ")
	if len(out) > maxTagLen {
		cut := maxTagLen
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = strings.TrimRight(out[:cut], ": ")
	}
	if lower {
		out = strings.ToLower(out)
	}
	if _, err := library.NormalizeTagName(out); err != nil {
		return ""
	}
	return out
}

// namespaced prefixes a cleaned value with ns (when ns is set); "" stays "".
func namespaced(ns, value string, lower bool) string {
	v := Clean(value, lower)
	if v == "" {
		return ""
	}
	if ns == "" {
		return v
	}
	if lower {
		ns = strings.ToLower(ns)
	}
	return ns + ":" + v
}

// appendTag appends t unless it is empty or already present.
func appendTag(tags []string, t string) []string {
	if t == "" {
		return tags
	}
	for _, have := range tags {
		if have == t {
			return tags
		}
	}
	return append(tags, t)
}
