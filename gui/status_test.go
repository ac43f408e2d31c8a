package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/theme"

	"hoard/library"
)

func TestPlural(t *testing.T) {
	cases := []struct {
		n    int
		want string
	}{
		{0, "0 files"},
		{1, "1 file"},
		{999, "999 files"},
		{1000, "1,000 files"},
		{1000000, "1,000,000 files"},
	}
	for _, tc := range cases {
		if got := plural(tc.n, "file", "files"); got != tc.want {
			t.Errorf("plural(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestTrackerState(t *testing.T) {
	h := newHarness(t, nil)
	st := h.b.status
	if st.tracker.Text != "Not tracking renames" {
		t.Errorf("tracker placeholder %q", st.tracker.Text)
	}
	st.showTracker(true, "Tracking renames")
	if st.tracker.Text != "Tracking renames" || st.trackerI.Resource.Name() != theme.VisibilityIcon().Name() {
		t.Errorf("tracking state not shown: %q", st.tracker.Text)
	}
}

// A damaged library file: the status line says so (never "relinked": nothing was
// repaired) and the details start with what to do.
func TestCheckSummaryDamaged(t *testing.T) {
	rep := &library.CheckReport{
		Damaged: true,
		Advice:  "restore the backup /x/library.db.bak-v1",
		Findings: []library.Finding{
			{Kind: library.KindIntegrity, Detail: "database damaged: Tree 2 page 2"},
			{Kind: library.KindMoved, Path: "/a", NewPath: "/b"},
		},
	}
	if got := checkSummary(rep); got != "Library file damaged: see details" {
		t.Errorf("summary %q", got)
	}
	d := checkDetails(rep)
	if !strings.HasPrefix(d, "The library file is damaged, so nothing was repaired") || !strings.Contains(d, rep.Advice) ||
		!strings.Contains(d, "\nintegrity: database damaged: Tree 2 page 2\n") || !strings.Contains(d, "\nmoved: /a → /b\n") {
		t.Errorf("details:\n%s", d)
	}
}
