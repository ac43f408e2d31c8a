package thumbnail

import "testing"

func TestFileURI(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"spec example", "/home/jens/photos/me.png", "file:///home/jens/photos/me.png"},
		{"space", "/tmp/a b.jpg", "file:///tmp/a%20b.jpg"},
		{"kept punctuation", "/x/!$&'()*+,-.:=@_~", "file:///x/!$&'()*+,-.:=@_~"},
		{"escaped punctuation", "/x/#?%[]\"<>\\^`{|}", "file:///x/%23%3F%25%5B%5D%22%3C%3E%5C%5E%60%7B%7C%7D"},
		{"utf-8", "/x/café", "file:///x/caf%C3%A9"},
		{"not utf-8", "/x/\xff\xfe;", "file:///x/%FF%FE%3B"},
		{"control bytes", "/x/\t\n\x7f", "file:///x/%09%0A%7F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FileURI(tt.path); got != tt.want {
				t.Errorf("FileURI(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestCacheNameSpecExample(t *testing.T) {
	got := CacheName(FileURI("/home/jens/photos/me.png"))
	if want := "c6ee772d9e49320e97ec29a7eb5b1697.png"; got != want {
		t.Errorf("CacheName = %s, want %s", got, want)
	}
}
