package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestArgPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, arg, want string
		fails           bool
	}{
		{"absolute", "/tmp/photos", "/tmp/photos", false},
		{"relative", "photos", filepath.Join(wd, "photos"), false},
		{"file URI", "file:///home/a/My%20Photos", "/home/a/My Photos", false},
		{"localhost URI", "file://localhost/srv/x", "/srv/x", false},
		{"remote file URI", "file://otherhost/srv/x", "", true},
		{"web URI", "https://example.com/a.jpg", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := argPath(tc.arg)
			if (err != nil) != tc.fails || got != tc.want {
				t.Errorf("argPath(%q) = %q, %v; want %q (error: %v)", tc.arg, got, err, tc.want, tc.fails)
			}
		})
	}
}
