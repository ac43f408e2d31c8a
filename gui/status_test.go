package gui

import "testing"

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
