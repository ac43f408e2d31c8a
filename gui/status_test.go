package gui

import (
	"testing"

	"fyne.io/fyne/v2/theme"
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
