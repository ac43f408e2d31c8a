package tracker

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestEventRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		ev   Event
		wire string // expected encoding, when it matters
	}{
		{"ready", Event{Type: TypeReady, V: Version}, `{"v":1,"type":"ready"}`},
		{"rename", Event{Type: TypeRename, Old: "/a/b", New: "/a/c", Pid: 7, UID: 1000, Comm: "mv", TS: 5},
			`{"type":"rename","old":"/a/b","new":"/a/c","pid":7,"uid":1000,"comm":"mv","ts":5}`},
		{"rename by root", Event{Type: TypeRename, Old: "/a", New: "/b", UID: 0},
			`{"type":"rename","old":"/a","new":"/b","uid":0}`},
		{"exchange of dirs", Event{Type: TypeRename, Old: "/x", New: "/y", Dir: true, Exchange: true, UID: 1}, ""},
		{"non-UTF-8 old", Event{Type: TypeRename, Old: "/a/\xff\xfe", New: "/a/ok", UID: 1},
			`{"type":"rename","old_b64":"L2Ev//4=","new":"/a/ok","uid":1}`},
		{"newline and spaces", Event{Type: TypeRename, Old: "/a/x y\nz", New: "/a/\x01", UID: 1}, ""},
		{"unlink dir", Event{Type: TypeUnlink, Path: "/d", Dir: true, UID: 3, Flags: []Flag{FlagOtherMntNS}}, ""},
		{"unlink non-UTF-8", Event{Type: TypeUnlink, Path: "/\x80"}, `{"type":"unlink","path_b64":"L4A=","uid":0}`},
		{"lost", Event{Type: TypeLost, Count: 3}, `{"type":"lost","count":3}`},
		{"error", Event{Type: TypeError, Msg: "kernel refused BPF"}, `{"type":"error","msg":"kernel refused BPF"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := NewEncoder(&buf).Encode(c.ev); err != nil {
				t.Fatal(err)
			}
			if c.wire != "" && buf.String() != c.wire+"\n" {
				t.Errorf("encoded %q, want %q", buf.String(), c.wire+"\n")
			}
			if n := strings.Count(buf.String(), "\n"); n != 1 {
				t.Errorf("encoding has %d newlines, want 1", n)
			}
			got, err := NewDecoder(&buf).Next()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.ev) {
				t.Errorf("round trip: got %+v, want %+v", got, c.ev)
			}
		})
	}
}

func TestParseEventRejects(t *testing.T) {
	cases := []struct {
		name string
		line string
		want error
	}{
		{"empty", ``, ErrMalformed},
		{"not json", `hello`, ErrMalformed},
		{"array", `[]`, ErrMalformed},
		{"unknown field", `{"type":"lost","count":1,"extra":1}`, ErrMalformed},
		{"unknown type", `{"type":"move","old":"/a","new":"/b"}`, ErrMalformed},
		{"ready wrong version", `{"v":2,"type":"ready"}`, ErrVersion},
		{"ready no version", `{"type":"ready"}`, ErrVersion},
		{"event with version", `{"v":1,"type":"lost","count":1}`, ErrMalformed},
		{"rename missing new", `{"type":"rename","old":"/a"}`, ErrMalformed},
		{"rename relative", `{"type":"rename","old":"a","new":"/b"}`, ErrMalformed},
		{"both text and b64", `{"type":"rename","old":"/a","old_b64":"L2E=","new":"/b"}`, ErrMalformed},
		{"bad base64", `{"type":"unlink","path_b64":"!!"}`, ErrMalformed},
		{"unlink without path", `{"type":"unlink"}`, ErrMalformed},
		{"unlink with old", `{"type":"unlink","path":"/a","old":"/b"}`, ErrMalformed},
		{"lost zero", `{"type":"lost","count":0}`, ErrMalformed},
		{"negative count", `{"type":"lost","count":-1}`, ErrMalformed},
		{"error without msg", `{"type":"error"}`, ErrMalformed},
		{"two objects", `{"type":"lost","count":1}{"type":"lost","count":1}`, ErrMalformed},
		{"trailing garbage", `{"type":"lost","count":1} x`, ErrMalformed},
		{"too long", `{"type":"error","msg":"` + strings.Repeat("x", MaxLineBytes) + `"}`, ErrLineTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(c.line))
			if !errors.Is(err, c.want) {
				t.Fatalf("ParseEvent(%.60q) = %+v, %v; want %v", c.line, ev, err, c.want)
			}
		})
	}
}

func TestRootsRoundTrip(t *testing.T) {
	r := Roots{V: Version, Roots: []string{"/home/u/Pictures", "/srv/\xff"}}
	var buf bytes.Buffer
	if err := NewEncoder(&buf).Encode(r); err != nil {
		t.Fatal(err)
	}
	got, err := ParseRoots(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("got %+v, want %+v", got, r)
	}
	for _, bad := range []string{`{"v":1}`, `{"v":1,"roots":[]}`, `{"v":2,"roots":["/a"]}`, `{"roots":["/a"]}`,
		`{"v":1,"roots":[""]}`, `{"v":1,"roots":["/a"],"x":1}`, `{"v":1,"roots":"/a"}`} {
		if _, err := ParseRoots([]byte(bad)); err == nil {
			t.Errorf("ParseRoots(%s) accepted", bad)
		}
	}
}

func TestReadLine(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader("short\n"+strings.Repeat("y", 100)+"\nrest"), 16)
	if line, err := ReadLine(r, 50); err != nil || string(line) != "short" {
		t.Fatalf("first line: %q, %v", line, err)
	}
	if _, err := ReadLine(r, 50); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("long line: %v, want ErrLineTooLong", err)
	}
	r = bufio.NewReader(strings.NewReader("no newline"))
	if _, err := ReadLine(r, 50); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("unterminated line: %v, want ErrUnexpectedEOF", err)
	}
	r = bufio.NewReader(strings.NewReader(""))
	if _, err := ReadLine(r, 50); !errors.Is(err, io.EOF) {
		t.Fatalf("empty input: %v, want EOF", err)
	}
}

// FuzzParseEvent: the decoder never panics, and whatever it accepts encodes
// back to a line it accepts again with the same meaning.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"type":"ready"}`,
		`{"type":"rename","old":"/a/b","new":"/a/c","dir":true,"exchange":true,"pid":1,"uid":1000,"comm":"mv","ts":9}`,
		`{"type":"rename","old_b64":"L2EvL/4=","new":"/x","flags":["unclean"]}`,
		`{"type":"unlink","path":"/a","dir":true,"uid":0}`,
		`{"type":"lost","count":18446744073709551615}`,
		`{"type":"error","msg":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ev, err := ParseEvent(line)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := NewEncoder(&buf).Encode(ev); err != nil {
			t.Fatalf("re-encode %+v: %v", ev, err)
		}
		again, err := NewDecoder(&buf).Next()
		if err != nil {
			t.Fatalf("re-decode of %q: %v", buf.String(), err)
		}
		if !reflect.DeepEqual(normal(again), normal(ev)) {
			t.Fatalf("round trip changed the event: %+v -> %+v", ev, again)
		}
	})
}

// normal maps an empty flag list to nil: both encode the same.
func normal(e Event) Event {
	if len(e.Flags) == 0 {
		e.Flags = nil
	}
	return e
}

// FuzzParseRoots: the roots decoder never panics and what it accepts re-encodes
// to the same roots.
func FuzzParseRoots(f *testing.F) {
	f.Add([]byte(`{"v":1,"roots":["/home/u"]}`))
	f.Add([]byte(`{"v":1,"roots":["/a"],"roots_b64":["L/8="]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ParseRoots(line)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := NewEncoder(&buf).Encode(r); err != nil {
			t.Fatal(err)
		}
		again, err := ParseRoots(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if err != nil {
			t.Fatalf("re-decode %q: %v", buf.String(), err)
		}
		if len(again.Roots) != len(r.Roots) {
			t.Fatalf("round trip changed the roots: %q -> %q", r.Roots, again.Roots)
		}
	})
}
