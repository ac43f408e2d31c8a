package tests

import (
	"path/filepath"
	"testing"
)

// Saved searches run by name: `find --saved NAME` (more words narrow it, other find
// flags apply), `searches show NAME` prints the query, and an unknown name is an
// error that lists the saved ones.
func TestCLISavedSearches(t *testing.T) {
	h := newHoardCLI(t)
	dir := t.TempDir()
	var paths []string
	for _, n := range []string{"f1", "f2", "f3"} {
		p := filepath.Join(dir, n)
		writeFile(t, p, []byte(n))
		paths = append(paths, p)
	}
	h.ok("include", "-t", "a", dir)
	h.ok("tag", "-t", "b", paths[0], paths[1])
	h.ok("searches", "save", "Both", "a b")
	if got := h.ok("searches", "show", "both"); got != "a b\n" {
		t.Errorf("searches show: %q", got)
	}
	if got := h.ok("find", "--saved", "both"); got != paths[0]+"\n"+paths[1]+"\n" {
		t.Errorf("find --saved: %q", got)
	}
	if got := h.ok("find", "--saved", "BOTH", "--count"); got != "2\n" {
		t.Errorf("find --saved --count: %q", got)
	}
	if got := h.ok("find", "--saved", "both", "sort:name-desc", "limit:1"); got != paths[1]+"\n" {
		t.Errorf("find --saved with more words: %q", got)
	}
	h.fail(1, []string{"find", "--saved", "nope"}, `saved search "nope": not in the library (saved: Both)`)
	h.fail(1, []string{"searches", "show", "nope"}, "saved: Both")
	h.fail(2, []string{"searches", "show"})
}
