package roots

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		root string
		ok   bool
	}{
		{"/home/u/Pictures", true},
		{"/srv/media", true},
		{"/var/tmp/x", true},
		{"/", false},
		{"", false},
		{"home/u", false},
		{"./x", false},
		{"/home/u/../../etc", false},
		{"/home/u/..", false},
		{"/home//u", false},
		{"/home/u/", false},
		{"/home/./u", false},
		{"/etc", false},
		{"/etc/ssl", false},
		{"/proc", false},
		{"/proc/1", false},
		{"/sys/kernel", false},
		{"/dev", false},
		{"/dev/shm/x", false},
		{"/usr/share", false},
		{"/boot", false},
		{"/etcetera", true},
		{"/home/u\x00/x", false},
	}
	for _, c := range cases {
		t.Run(c.root, func(t *testing.T) {
			err := Check(c.root)
			if (err == nil) != c.ok {
				t.Fatalf("Check(%q) = %v, want ok=%v", c.root, err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Fatalf("Check(%q) = %v, not ErrRefused", c.root, err)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if err := Open(dir); err != nil {
		t.Errorf("Open(temp dir) = %v", err)
	}
	for _, bad := range []string{file, link, filepath.Join(dir, "missing")} {
		if err := Open(bad); !errors.Is(err, ErrRefused) {
			t.Errorf("Open(%s) = %v, want ErrRefused", bad, err)
		}
	}
	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked")
		if err := os.Mkdir(locked, 0o000); err != nil {
			t.Fatal(err)
		}
		if err := Open(locked); !errors.Is(err, ErrRefused) {
			t.Errorf("Open(unreadable dir) = %v, want ErrRefused", err)
		}
	}
}

func TestSetContains(t *testing.T) {
	s := NewSet([]string{"/home/u", "/home/u/Pictures", "/srv/a b", "/srv/a", "/data/x"})
	if got := strings.Join(s.Roots(), ","); got != "/data/x,/home/u,/srv/a,/srv/a b" {
		t.Fatalf("Roots() = %s", got)
	}
	cases := []struct {
		p  string
		in bool
	}{
		{"/home/u", true},
		{"/home/u/f", true},
		{"/home/u/Pictures/x/y", true},
		{"/home/u2", false},
		{"/home/u2/f", false},
		{"/home", false},
		{"/home/", false},
		{"/", false},
		{"/srv/a/x", true},
		{"/srv/a b/x", true},
		{"/srv/a c", false},
		{"/srv/ab", false},
		{"/data/x\n/y", false},
		{"relative/home/u", false},
		{"", false},
	}
	for _, c := range cases {
		if got := s.Contains(c.p); got != c.in {
			t.Errorf("Contains(%q) = %v, want %v", c.p, got, c.in)
		}
	}
}

func TestClean(t *testing.T) {
	cases := []struct {
		raw, clean string
		dotdot     bool
	}{
		{"/a/b", "/a/b", false},
		{"/a//b/", "/a/b", false},
		{"/a/./b/.", "/a/b", false},
		{"//", "/", false},
		{"/a/../b", "/a/../b", true},
		{"/a/..b", "/a/..b", false},
		{"/a/b\n c", "/a/b\n c", false},
		{"rel", "rel", true},
	}
	for _, c := range cases {
		clean, dotdot := Clean(c.raw)
		if clean != c.clean || dotdot != c.dotdot {
			t.Errorf("Clean(%q) = %q, %v; want %q, %v", c.raw, clean, dotdot, c.clean, c.dotdot)
		}
	}
}

func FuzzSetContains(f *testing.F) {
	f.Add("/home/u", "/home/u2/x")
	f.Fuzz(func(t *testing.T, root, p string) {
		s := NewSet([]string{root})
		want := Under(p, root) && strings.HasPrefix(p, "/") && strings.HasPrefix(root, "/")
		if root != "/" && strings.HasSuffix(root, "/") {
			return // not a clean root; Check refuses it
		}
		if root == "/" {
			return
		}
		if got := s.Contains(p); got != want {
			t.Fatalf("NewSet(%q).Contains(%q) = %v, want %v", root, p, got, want)
		}
	})
}

func TestUsable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ok, refused := Usable([]string{dir, "/etc/x", filepath.Join(dir, "gone"), file, "/"})
	if len(ok) != 1 || ok[0] != dir {
		t.Fatalf("usable roots %q, want only %q", ok, dir)
	}
	if len(refused) != 4 {
		t.Fatalf("refused %v, want 4 reasons", refused)
	}
	for _, err := range refused {
		if !errors.Is(err, ErrRefused) {
			t.Errorf("%v does not wrap ErrRefused", err)
		}
	}
}
