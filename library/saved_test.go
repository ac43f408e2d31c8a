package library

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestSavedRules(t *testing.T) {
	ctx := context.Background()
	l := openTest(t)
	if err := l.SaveRule(ctx, "Bands", "folders:band"); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveRule(ctx, "pics", "mime"); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveRule(ctx, "bands", "folders:band:depth=2"); err != nil { // same name, any case: replaced
		t.Fatal(err)
	}
	got, err := l.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []SavedRule{{"bands", "folders:band:depth=2"}, {"pics", "mime"}}
	if !slices.Equal(got, want) {
		t.Errorf("rules %v, want %v", got, want)
	}
	if r, err := l.RuleByName(ctx, "BANDS"); err != nil || r.Spec != "folders:band:depth=2" {
		t.Errorf("RuleByName: %v, %v", r, err)
	}
	for _, bad := range []string{"", "two words", "a:b", "x=y"} {
		if err := l.SaveRule(ctx, bad, "mime"); !errors.Is(err, ErrInvalidName) {
			t.Errorf("SaveRule(%q): %v, want ErrInvalidName", bad, err)
		}
	}
	if err := l.DeleteRule(ctx, "pics"); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteRule(ctx, "pics"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := l.RuleByName(ctx, "pics"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted rule found: %v", err)
	}
}

func TestSavedSearches(t *testing.T) {
	ctx := context.Background()
	l := openTest(t)
	if err := l.SaveSearch(ctx, "cats", "cat -dog"); err != nil {
		t.Fatal(err)
	}
	if err := l.SaveSearch(ctx, "big", "size>10MB"); err != nil {
		t.Fatal(err)
	}
	got, err := l.SavedSearches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []SavedSearch{{"big", "size>10MB"}, {"cats", "cat -dog"}}; !slices.Equal(got, want) {
		t.Errorf("saved searches %v, want %v", got, want)
	}
	if err := l.DeleteSearch(ctx, "big"); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.SavedSearches(ctx); len(got) != 1 {
		t.Errorf("after delete: %v", got)
	}
}
