package rules

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct{ spec, name string }{
		{"folders", "folders"},
		{"folders:series", "folders:series"},
		{"folders:series:depth=2", "folders:series:depth=2"},
		{"folders:depth=3:lower:ns=place", "folders:place:depth=3:lower"},
		{"FOLDERS:depth=1", "folders"},
		{"regex:/^(\\d+)/", "regex:/^(\\d+)/"},
		{"regex:/a\\/(b)/:path", "regex:#a/(b)#:path"},
		{"regex:#(?P<artist>[^-]+) - #:lower", "regex:/(?P<artist>[^-]+) - /:lower"},
		{"regex:/x:y/:ns=word", "regex:/x:y/:ns=word"},
		{"mime", "mime"},
		{"mime:ns=type", "mime:ns=type"},
		{"mime:video=clip,image=photo", "mime:image=photo,video=clip"},
		{"audio", "audio"},
		{"audio:fields=artist,year:lower", "audio:fields=artist,year:lower"},
		{"exif:date=year", "exif:date=year"},
		{"folder", "folders"},
		{"re:/(a)/", "regex:/(a)/"},
		{"type:ns=t", "mime:ns=t"},
	} {
		t.Run(c.spec, func(t *testing.T) {
			r, err := Parse(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if r.Name() != c.name {
				t.Errorf("Name() = %q, want %q", r.Name(), c.name)
			}
			again, err := Parse(r.Name())
			if err != nil || again.Name() != r.Name() {
				t.Errorf("round trip of %q: %v, %v", r.Name(), again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, spec := range []string{
		"", "bogus", "folders:depth=0", "folders:depth=x", "folders:a:b", "folders::x",
		"regex", "regex:", "regex:/(/", "regex:/abc", "regex:/a/b", "regex:a(b)a", "regex://",
		"regex:/a/:frob", "mime:ns=", "mime:image", "mime:pictures=x", "mime:image=-x",
		"mime:ns=a:image=b", "audio:fields=bpm", "audio:x", "exif:date=week", "folders:ns=a:b",
		"folders:lower=yes",
	} {
		t.Run(spec, func(t *testing.T) {
			r, err := Parse(spec)
			if err == nil {
				t.Fatalf("parsed as %q", r.Name())
			}
			if !errors.Is(err, ErrSpec) {
				t.Errorf("error %v does not wrap ErrSpec", err)
			}
		})
	}
}

func TestIsKind(t *testing.T) {
	for _, k := range []string{"folders", "Folder", "regex", "re", "mime", "type", "audio", "EXIF"} {
		if !IsKind(k) {
			t.Errorf("IsKind(%q) = false", k)
		}
	}
	for _, k := range []string{"bands", "", "folders:x"} {
		if IsKind(k) {
			t.Errorf("IsKind(%q) = true", k)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"folders:a:depth=2", "regex:/(a)(?P<b>c)/:path:lower", "mime:image=x,video=y", "audio:fields=year", "exif:date=month", "regex:#\\#(x)#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := Parse(spec)
		if err != nil {
			return
		}
		again, err := Parse(r.Name())
		if err != nil {
			t.Fatalf("%q parsed, its name %q does not: %v", spec, r.Name(), err)
		}
		if again.Name() != r.Name() {
			t.Fatalf("name not stable: %q → %q", r.Name(), again.Name())
		}
	})
}
