package xdnd

import (
	"net/url"
	"slices"
	"testing"
)

func TestFileURI(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"plain", "/home/u/a.txt", "file:///home/u/a.txt"},
		{"space", "/a b", "file:///a%20b"},
		{"newline", "/a\nb", "file:///a%0Ab"},
		{"not UTF-8", "/\xff\xfe", "file:///%FF%FE"},
		{"UTF-8", "/é", "file:///%C3%A9"},
		{"percent", "/100%", "file:///100%25"},
		{"reserved", "/a#b?c;d", "file:///a%23b%3Fc%3Bd"},
		{"unreserved", "/A-z_0.9~", "file:///A-z_0.9~"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FileURI(tc.path); got != tc.want {
				t.Errorf("FileURI(%q) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

func TestFileURIPanicsOnRelativePath(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("FileURI(\"a/b\") did not panic")
		}
	}()
	FileURI("a/b")
}

// FuzzFileURI checks that any absolute path survives FileURI, decoded both
// by net/url and by GLFW's own parser, and that the URI is plain ASCII with
// no line breaks.
func FuzzFileURI(f *testing.F) {
	for _, name := range oddNames {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		path := "/" + name
		uri := FileURI(path)
		for i := 0; i < len(uri); i++ {
			if c := uri[i]; c < 0x21 || c > 0x7e {
				t.Fatalf("FileURI(%q) = %q holds byte %#x", path, uri, c)
			}
		}
		u, err := url.Parse(uri)
		if err != nil {
			t.Fatalf("url.Parse(FileURI(%q)): %v", path, err)
		}
		if u.Scheme != "file" || u.Host != "" || u.Path != path {
			t.Errorf("url.Parse(FileURI(%q)) = scheme %q host %q path %q", path, u.Scheme, u.Host, u.Path)
		}
		list, err := uriList([]string{uri, uri})
		if err != nil {
			t.Fatalf("uriList: %v", err)
		}
		if got := glfwPaths(list); !slices.Equal(got, []string{path, path}) {
			t.Errorf("GLFW reads %q back as %q", path, got)
		}
	})
}
