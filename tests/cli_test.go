package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 100, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func binaryBytes(n int, salt byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i) ^ salt
	}
	return b
}

// corpus is a folder of real files with awkward names, and the tags each gets.
type corpus struct {
	root  string
	files map[string]string // short name -> absolute path
}

// Short names of the corpus files.
const (
	fCatPNG  = "cat.png"
	fDogPNG  = "dog photo.png"
	fNewline = "newline"
	fRaw     = "raw"
	fDash    = "dash"
	fDup1    = "dup1"
	fDup2    = "dup2"
	fBig     = "big"
)

func newCorpus(t *testing.T, h *hoardCLI) *corpus {
	t.Helper()
	root := filepath.Join(h.dir, "lib")
	c := &corpus{root: root, files: map[string]string{
		fCatPNG:  filepath.Join(root, "cat.png"),
		fDogPNG:  filepath.Join(root, "dog photo.png"),
		fNewline: filepath.Join(root, "both\nnewline.txt"),
		fRaw:     filepath.Join(root, "\xffraw\xfe.txt"),
		fDash:    filepath.Join(root, "-dash.md"),
		fDup1:    filepath.Join(root, "sub", "dup1.bin"),
		fDup2:    filepath.Join(root, "sub", "deep", "dup2.bin"),
		fBig:     filepath.Join(root, "sub", "big.bin"),
	}}
	dup := binaryBytes(5000, 7)
	writeFile(t, c.files[fCatPNG], pngBytes(t, 300, 200))
	writeFile(t, c.files[fDogPNG], pngBytes(t, 40, 30))
	writeFile(t, c.files[fNewline], []byte("hello\n"))
	writeFile(t, c.files[fRaw], []byte("raw bytes\n"))
	writeFile(t, c.files[fDash], []byte("# dash\n"))
	writeFile(t, c.files[fDup1], dup)
	writeFile(t, c.files[fDup2], dup)
	writeFile(t, c.files[fBig], binaryBytes(2_000_001, 1))
	old := time.Date(2020, 5, 1, 12, 0, 0, 0, time.Local)
	if err := os.Chtimes(c.files[fDash], old, old); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *corpus) paths(names ...string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		p, ok := c.files[n]
		if !ok {
			panic("bug: no corpus file " + n)
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// tagCorpus includes the corpus and tags it:
//
//	cat.png        cat artist:alice
//	dog photo.png  dog artist:bob
//	both\nnewline  cat dog
//	\xffraw\xfe    "two words"
//	-dash.md       (none)
//	dup1           fox
//	dup2           (none)
//	big            cat dog fox bird "two words"
func tagCorpus(t *testing.T, h *hoardCLI, c *corpus) {
	t.Helper()
	out := h.ok("include", c.root)
	if !strings.HasPrefix(out, "8 files found: 8 added") {
		t.Fatalf("include summary: %q", out)
	}
	h.ok("tag", "-t", "cat", "-t", "artist:alice", c.files[fCatPNG])
	h.ok("tag", "-t", "dog", "-t", "artist:bob", c.files[fDogPNG])
	h.ok("tag", "-t", "cat", "-t", "dog", c.files[fNewline])
	h.ok("tag", "-t", "two words", c.files[fRaw])
	h.ok("tag", "-t", "fox", c.files[fDup1])
	h.ok("tag", "-t", "cat", "-t", "dog", "-t", "fox", "-t", "bird", "-t", "two words", c.files[fBig])
}

func TestCLIQueries(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	tagCorpus(t, h, c)
	h.ok("pool", "create", "comic")
	h.ok("pool", "add", "comic", c.files[fDogPNG], c.files[fCatPNG])

	all := []string{fCatPNG, fDogPNG, fNewline, fRaw, fDash, fDup1, fDup2, fBig}
	hash := hex.EncodeToString(blake3Of(t, c.files[fDup1]))
	tests := []struct {
		name, query string
		want        []string
	}{
		{"tag", "cat", []string{fCatPNG, fNewline, fBig}},
		{"tag any case", "CAT", []string{fCatPNG, fNewline, fBig}},
		{"and", "cat dog", []string{fNewline, fBig}},
		{"or", "cat | dog", []string{fCatPNG, fDogPNG, fNewline, fBig}},
		{"not", "-cat", []string{fDogPNG, fRaw, fDash, fDup1, fDup2}},
		{"grouping", "(cat | dog) -fox", []string{fCatPNG, fDogPNG, fNewline}},
		{"quoted", `"two words"`, []string{fRaw, fBig}},
		{"namespace wildcard", "artist:*", []string{fCatPNG, fDogPNG}},
		{"namespaced tag", "artist:bob", []string{fDogPNG}},
		{"prefix wildcard", "fo*", []string{fDup1, fBig}},
		{"hash", "hash:" + hash, []string{fDup1, fDup2}},
		{"hash prefix", "hash:" + hash[:10], []string{fDup1, fDup2}},
		{"path glob", "path:" + c.root + "/sub/*", []string{fDup1, fDup2, fBig}},
		{"path glob quoted with star start", `path:"*photo.png"`, []string{fDogPNG}},
		{"type image", "type:image", []string{fCatPNG, fDogPNG}},
		{"type document", "type:document", []string{fNewline, fRaw, fDash}},
		{"type list", "type:image|document", []string{fCatPNG, fDogPNG, fNewline, fRaw, fDash}},
		{"mime", "mime:image/png", []string{fCatPNG, fDogPNG}},
		{"mime family", "mime:image/*", []string{fCatPNG, fDogPNG}},
		{"ext", "ext:txt", []string{fNewline, fRaw}},
		{"ext any case", "ext:BIN", []string{fDup1, fDup2, fBig}},
		{"size", "size>1MB", []string{fBig}},
		{"size small", "size<=10", []string{fNewline, fDash, fRaw}},
		{"width", "width>=100", []string{fCatPNG}},
		{"height", "height<100 type:image", []string{fDogPNG}},
		{"duration", "duration>60s", nil},
		{"added after", "added>2024-01-01", all},
		{"added before", "added<2024-01-01", nil},
		{"added today", "added:today", all},
		{"modified before", "modified<2024-01-01", []string{fDash}},
		{"modified recently", "modified>7d", []string{fCatPNG, fDogPNG, fNewline, fRaw, fDup1, fDup2, fBig}},
		{"untagged", "tags=0", []string{fDash, fDup2}},
		{"many tags", "tags>=5", []string{fBig}},
		{"missing", "missing", nil},
		{"present", "-missing", all},
		{"duplicates", "duplicates", []string{fDup1, fDup2}},
		{"pool", "pool:comic", []string{fCatPNG, fDogPNG}},
		{"everything", "", all},
		{"limit", "sort:size-desc limit:1", []string{fBig}},
		{"limit with tag", "cat sort:size limit:2", []string{fNewline, fCatPNG}},
		{"nothing", "cat -cat", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := h.on(t)
			got := h.find(tc.query)
			want := c.paths(tc.want...)
			if !slices.Equal(got, want) {
				t.Errorf("find %q:\n got %q\nwant %q", tc.query, got, want)
			}
		})
	}
}

func TestCLIFindOutput(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	tagCorpus(t, h, c)

	t.Run("lines sorted by path", func(t *testing.T) {
		h := h.on(t)
		got := h.ok("find", "dog")
		want := strings.Join(c.paths(fDogPNG, fNewline, fBig), "\n") + "\n"
		if got != want {
			t.Errorf("find dog:\n got %q\nwant %q", got, want)
		}
	})
	t.Run("count", func(t *testing.T) {
		h := h.on(t)
		for q, want := range map[string]string{"cat": "3\n", "": "8\n", "cat -cat": "0\n"} {
			if got := h.ok("find", "--count", q); got != want {
				t.Errorf("find --count %q = %q, want %q", q, got, want)
			}
		}
	})
	t.Run("no match is silent success", func(t *testing.T) {
		h := h.on(t)
		r := h.run("find", "cat", "-cat")
		if r.code != 0 || r.stdout != "" || r.stderr != "" {
			t.Errorf("no match: %+v", r)
		}
	})
	t.Run("args joined", func(t *testing.T) {
		h := h.on(t)
		if got, want := h.find("cat dog"), c.paths(fNewline, fBig); !slices.Equal(got, want) {
			t.Errorf("got %q want %q", got, want)
		}
		out := h.ok("find", "--count", "cat", "dog")
		if out != "2\n" {
			t.Errorf("find cat dog (two args) count = %q", out)
		}
	})
	t.Run("query starting with dash after --", func(t *testing.T) {
		h := h.on(t)
		if out := h.ok("find", "--count", "--", "-cat"); out != "5\n" {
			t.Errorf("find -- -cat count = %q", out)
		}
	})
	t.Run("json", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("find", "--json", `"two words"`)
		var got []map[string]any
		for _, l := range lines(out) {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			got = append(got, m)
		}
		if len(got) != 2 {
			t.Fatalf("want 2 objects, got %d: %s", len(got), out)
		}
		var paths []string
		for _, m := range got {
			switch {
			case m["path"] != nil:
				paths = append(paths, m["path"].(string))
			case m["path_b64"] != nil:
				b, err := base64.StdEncoding.DecodeString(m["path_b64"].(string))
				if err != nil {
					t.Fatal(err)
				}
				paths = append(paths, string(b))
			default:
				t.Errorf("object without a path: %v", m)
			}
			for _, k := range []string{"id", "size", "mime", "hash", "tags", "missing"} {
				if _, ok := m[k]; !ok {
					t.Errorf("object lacks %q: %v", k, m)
				}
			}
		}
		slices.Sort(paths)
		if want := c.paths(fRaw, fBig); !slices.Equal(paths, want) {
			t.Errorf("json paths %q, want %q", paths, want)
		}
		// The non-UTF-8 name must come as path_b64, never mangled.
		if !strings.Contains(out, `"path_b64"`) {
			t.Errorf("no path_b64 for the non-UTF-8 name: %s", out)
		}
		for _, m := range got {
			if m["size"].(float64) == 2_000_001 {
				tags := fmt.Sprint(m["tags"])
				for _, w := range []string{"cat", "dog", "fox", "bird", "two words"} {
					if !strings.Contains(tags, w) {
						t.Errorf("big file tags %s lack %q", tags, w)
					}
				}
				if h := m["hash"].(string); len(h) != 64 {
					t.Errorf("hash %q is not 64 hex digits", h)
				}
			}
		}
	})
	t.Run("nul", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("find", "-0", "cat")
		want := strings.Join(c.paths(fCatPNG, fNewline, fBig), "\x00") + "\x00"
		if out != want {
			t.Errorf("find -0:\n got %q\nwant %q", out, want)
		}
	})
}

func TestCLIExitCodes(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	tagCorpus(t, h, c)
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr []string
	}{
		{"unknown command", []string{"frobnicate"}, 2, []string{"unknown command"}},
		{"bad flag", []string{"find", "--nope", "cat"}, 2, []string{"--help"}},
		{"query syntax", []string{"find", "cat ("}, 2, []string{"at 4", `")"`}},
		{"unknown field", []string{"find", "colour>3"}, 2, []string{"query"}},
		{"unknown tag names nearest", []string{"find", "catt"}, 1, []string{`unknown tag "catt"`, `"cat"`}},
		{"include nothing", []string{"include"}, 2, []string{"give at least one"}},
		{"include missing path", []string{"include", filepath.Join(c.root, "nope")}, 1, []string{"nope"}},
		{"tag without -t", []string{"tag", c.files[fDash]}, 2, []string{"-t TAG"}},
		{"tag path not in library", []string{"tag", "-t", "x", filepath.Join(h.dir, "elsewhere.txt")}, 1, []string{"not in the library", "elsewhere.txt"}},
		{"tag strict unknown", []string{"tag", "--strict", "-t", "zebra", c.files[fDash]}, 1, []string{"zebra"}},
		{"tag invalid name", []string{"tag", "-t", "a*b", c.files[fDash]}, 1, []string{"reserves"}},
		{"untag unknown tag", []string{"untag", "-t", "zebra", c.files[fDash]}, 1, []string{"zebra"}},
		{"rm folder without -r", []string{"rm", c.root}, 1, []string{"-r"}},
		{"tags no subcommand", []string{"tags"}, 2, []string{"subcommand"}},
		{"tags wrong arity", []string{"tags", "alias", "cat"}, 2, []string{"TAG NEWNAME"}},
		{"tags create existing", []string{"tags", "create", "CAT"}, 1, []string{"already in use"}},
		{"tags imply cycle", []string{"tags", "imply", "cat", "cat"}, 1, []string{"loop"}},
		{"pool unknown", []string{"pool", "show", "nope"}, 1, []string{"unknown pool"}},
		{"mv one arg", []string{"mv", c.files[fDash]}, 2, nil},
		{"thumbs bad size", []string{"thumbs", "--size", "huge"}, 2, []string{"huge"}},
		{"find -0 with --json", []string{"find", "-0", "--json", "cat"}, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := h.on(t)
			h.fail(tc.code, tc.args, tc.wantErr...)
		})
	}
	t.Run("overview lists one line per command", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("--help")
		_, list, _ := strings.Cut(out, "Commands:\n")
		list, _, _ = strings.Cut(list, "\n\n")
		for _, l := range lines(list) {
			if f := strings.Fields(l); !strings.HasPrefix(l, "  ") || len(f) < 2 {
				t.Errorf("overview line %q is not `  NAME summary`", l)
			}
		}
		for _, name := range []string{"include", "find", "ls", "tag", "untag", "rm", "mv", "tags", "pool", "stats", "thumbs"} {
			if !strings.Contains(list, "\n  "+name+" ") {
				t.Errorf("overview lacks %s:\n%s", name, list)
			}
		}
	})
	t.Run("help for every command", func(t *testing.T) {
		h := h.on(t)
		for _, name := range []string{"init", "include", "find", "ls", "tag", "untag", "rm", "mv", "tags", "pool", "stats", "thumbs"} {
			out := h.ok(name, "--help")
			if !strings.HasPrefix(out, "Usage: hoard "+name) {
				t.Errorf("hoard %s --help: %q", name, out)
			}
		}
	})
}

func TestCLITagEditing(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	tagCorpus(t, h, c)

	steps := []struct {
		name  string
		args  []string
		query string
		want  []string
	}{
		{"alias finds the same files", []string{"tags", "alias", "cat", "kitty"}, "kitty", []string{fCatPNG, fNewline, fBig}},
		{"old name still works", nil, "cat", []string{fCatPNG, fNewline, fBig}},
		{"implication", []string{"tags", "create", "animal"}, "animal", nil},
		{"child implies parent", []string{"tags", "imply", "fox", "animal"}, "animal", []string{fDup1, fBig}},
		{"parent tag", []string{"tags", "create", "living"}, "living", nil},
		{"implication chain", []string{"tags", "imply", "animal", "living"}, "living", []string{fDup1, fBig}},
		{"second child", []string{"tags", "imply", "kitty", "animal"}, "animal", []string{fCatPNG, fNewline, fDup1, fBig}},
		{"negated implied", nil, "-animal", []string{fDogPNG, fRaw, fDash, fDup2}},
		{"unimply", []string{"tags", "unimply", "fox", "animal"}, "animal", []string{fCatPNG, fNewline, fBig}},
		{"rename", []string{"tags", "rename", "dog", "hound"}, "hound", []string{fDogPNG, fNewline, fBig}},
		{"merge", []string{"tags", "merge", "fox", "hound"}, "hound", []string{fDogPNG, fNewline, fDup1, fBig}},
		{"merged name finds the target", nil, "fox", []string{fDogPNG, fNewline, fDup1, fBig}},
		{"untag", []string{"untag", "-t", "hound", c.files[fNewline]}, "hound", []string{fDogPNG, fDup1, fBig}},
		{"tag a folder", []string{"tag", "-t", "subby", filepath.Join(c.root, "sub")}, "subby", []string{fDup1, fDup2, fBig}},
		{"delete", []string{"tags", "delete", "subby"}, "tags=0", []string{fDash, fDup2}},
		{"tag by relative path with leading dash", []string{"tag", "-t", "dashy", "--", "lib/-dash.md"}, "dashy", []string{fDash}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			h := h.on(t)
			if s.args != nil {
				h.ok(s.args...)
			}
			if got, want := h.find(s.query), c.paths(s.want...); !slices.Equal(got, want) {
				t.Errorf("after %q, find %q:\n got %q\nwant %q", s.args, s.query, got, want)
			}
		})
	}
	t.Run("deleted tag is unknown", func(t *testing.T) {
		h := h.on(t)
		h.fail(1, []string{"find", "subby"}, "unknown tag")
	})
	t.Run("tags list shows counts, aliases, implications", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("tags", "list")
		for _, want := range []string{"cat\t3\taliases: kitty\timplies: animal\n", "animal\t0\timplies: living\n", "hound\t3\taliases: fox\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("tags list lacks %q:\n%s", want, out)
			}
		}
		var tags []struct {
			Name    string
			Count   int
			Aliases []string
		}
		for _, l := range lines(h.ok("tags", "list", "--json")) {
			var tg struct {
				Name    string
				Count   int
				Aliases []string
			}
			if err := json.Unmarshal([]byte(l), &tg); err != nil {
				t.Fatal(err)
			}
			tags = append(tags, tg)
		}
		if !slices.ContainsFunc(tags, func(tg struct {
			Name    string
			Count   int
			Aliases []string
		}) bool {
			return tg.Name == "cat" && tg.Count == 3 && slices.Equal(tg.Aliases, []string{"kitty"})
		}) {
			t.Errorf("tags list --json lacks cat/3/kitty: %+v", tags)
		}
	})
	t.Run("tags search", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("tags", "search", "art")
		if got := lines(out); len(got) != 2 || !strings.HasPrefix(out, "artist:") {
			t.Errorf("tags search art: %q", out)
		}
	})
	t.Run("ls shows sources and implied tags", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("ls", c.files[fCatPNG])
		want := "artist:alice\tmanual\ncat\tmanual\nanimal\timplied\nliving\timplied\n"
		if out != want {
			t.Errorf("ls:\n got %q\nwant %q", out, want)
		}
	})
	t.Run("ls json", func(t *testing.T) {
		h := h.on(t)
		var obj struct {
			Path    string
			PathB64 string `json:"path_b64"`
			Tags    []struct {
				Name    string
				Source  string
				Implied bool
			}
		}
		if err := json.Unmarshal([]byte(h.ok("ls", "--json", c.files[fRaw])), &obj); err != nil {
			t.Fatal(err)
		}
		b, _ := base64.StdEncoding.DecodeString(obj.PathB64)
		if string(b) != c.files[fRaw] || len(obj.Tags) != 1 || obj.Tags[0].Name != "two words" || obj.Tags[0].Source != "manual" {
			t.Errorf("ls --json: %+v", obj)
		}
	})
	t.Run("ls folder", func(t *testing.T) {
		h := h.on(t)
		writeFile(t, filepath.Join(c.root, "stranger.txt"), []byte("x"))
		out := h.ok("ls", c.root)
		for _, want := range []string{"cat.png\tartist:alice cat\n", "sub/\n", "stranger.txt\t(not in library)\n", "-dash.md\tdashy\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("ls folder lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("tagging twice makes nothing new", func(t *testing.T) {
		h := h.on(t)
		if out := h.ok("tag", "-t", "cat", c.files[fCatPNG]); !strings.HasPrefix(out, "0 taggings") {
			t.Errorf("retag: %q", out)
		}
	})
}

func TestCLIIncludeTags(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	t.Run("dry run changes nothing", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("include", "--dry-run", "-t", "holiday", c.root)
		if !strings.HasPrefix(out, "8 files found: 8 would be added") {
			t.Errorf("dry run: %q", out)
		}
		if got := h.ok("find", "--count"); got != "0\n" {
			t.Errorf("after dry run, %s files", got)
		}
	})
	t.Run("strict refuses unknown tags", func(t *testing.T) {
		h := h.on(t)
		h.fail(1, []string{"include", "--strict", "-t", "holiday", c.root}, "holiday")
		if got := h.ok("find", "--count"); got != "0\n" {
			t.Errorf("after strict refusal, %s files", got)
		}
	})
	t.Run("include with tags", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("include", "-t", "holiday", "-t", "year:2024", c.root)
		if out != "8 files found: 8 added, 0 updated, 0 unchanged, 16 taggings made, 0 skipped\n" {
			t.Errorf("include: %q", out)
		}
		if got, want := h.find("holiday year:2024"), c.paths(fCatPNG, fDogPNG, fNewline, fRaw, fDash, fDup1, fDup2, fBig); !slices.Equal(got, want) {
			t.Errorf("got %q want %q", got, want)
		}
	})
	t.Run("re-include adds only tags", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("include", "-t", "again", filepath.Join(c.root, "sub"))
		if out != "3 files found: 0 added, 0 updated, 3 unchanged, 3 taggings made, 0 skipped\n" {
			t.Errorf("re-include: %q", out)
		}
	})
	t.Run("edited file keeps tags", func(t *testing.T) {
		h := h.on(t)
		writeFile(t, c.files[fDash], []byte("# changed content, longer\n"))
		out := h.ok("include", c.files[fDash])
		if !strings.Contains(out, "1 updated") {
			t.Errorf("include after edit: %q", out)
		}
		if got := h.find("holiday size>20 ext:md"); !slices.Equal(got, c.paths(fDash)) {
			t.Errorf("edited file: %q", got)
		}
	})
	t.Run("relative path", func(t *testing.T) {
		h := h.on(t)
		writeFile(t, filepath.Join(h.dir, "rel dir", "r.txt"), []byte("r"))
		h.ok("include", "-t", "rel", "rel dir")
		if got := h.find("rel"); !slices.Equal(got, []string{filepath.Join(h.dir, "rel dir", "r.txt")}) {
			t.Errorf("relative include: %q", got)
		}
	})
	t.Run("stats", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("stats")
		for _, want := range []string{"files         9\n", "missing       0\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("stats lacks %q:\n%s", want, out)
			}
		}
	})
}

func TestCLIRemoveAndMove(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	tagCorpus(t, h, c)

	t.Run("rm dry run", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("rm", "--dry-run", c.files[fRaw])
		if !strings.Contains(out, "1 entries would be removed") {
			t.Errorf("dry run: %q", out)
		}
		if got := h.ok("find", "--count"); got != "8\n" {
			t.Errorf("dry run removed something: %s", got)
		}
	})
	t.Run("rm file keeps disk", func(t *testing.T) {
		h := h.on(t)
		h.ok("rm", c.files[fRaw])
		if got := h.find("\"two words\""); !slices.Equal(got, c.paths(fBig)) {
			t.Errorf("after rm: %q", got)
		}
		if _, err := os.Stat(c.files[fRaw]); err != nil {
			t.Errorf("rm touched the disk: %v", err)
		}
	})
	t.Run("rm again is an error", func(t *testing.T) {
		h := h.on(t)
		h.fail(1, []string{"rm", c.files[fRaw]}, "not in the library")
	})
	t.Run("rm -r folder", func(t *testing.T) {
		h := h.on(t)
		h.ok("rm", "-r", filepath.Join(c.root, "sub", "deep"))
		if got := h.find("duplicates"); len(got) != 0 {
			t.Errorf("duplicates after rm -r: %q", got)
		}
		if _, err := os.Stat(c.files[fDup2]); err != nil {
			t.Errorf("rm -r touched the disk: %v", err)
		}
	})
	t.Run("mv refuses to overwrite", func(t *testing.T) {
		h := h.on(t)
		before := fileSum(t, c.files[fDogPNG])
		h.fail(1, []string{"mv", c.files[fCatPNG], c.files[fDogPNG]}, "already exists")
		if fileSum(t, c.files[fDogPNG]) != before {
			t.Error("mv overwrote the destination")
		}
		if got := h.find("cat type:image"); !slices.Equal(got, c.paths(fCatPNG)) {
			t.Errorf("index changed after refused mv: %q", got)
		}
	})
	t.Run("mv file renames on disk and in index", func(t *testing.T) {
		h := h.on(t)
		dst := filepath.Join(c.root, "renamed\nkitty.png")
		h.ok("mv", c.files[fCatPNG], dst)
		if _, err := os.Stat(dst); err != nil {
			t.Fatal(err)
		}
		if got := h.find("artist:alice"); !slices.Equal(got, []string{dst}) {
			t.Errorf("after mv: %q", got)
		}
	})
	t.Run("mv folder", func(t *testing.T) {
		h := h.on(t)
		dst := filepath.Join(c.root, "moved sub")
		h.ok("mv", filepath.Join(c.root, "sub"), dst)
		want := []string{filepath.Join(dst, "big.bin"), filepath.Join(dst, "dup1.bin")}
		if got := h.find("fox"); !slices.Equal(got, want) {
			t.Errorf("after folder mv: %q want %q", got, want)
		}
		if got := h.ok("find", "--count", "missing"); got != "0\n" {
			t.Errorf("missing after mv: %s", got)
		}
	})
	t.Run("mv several into a folder", func(t *testing.T) {
		h := h.on(t)
		dst := filepath.Join(c.root, "moved sub")
		h.ok("mv", c.files[fDogPNG], c.files[fNewline], dst)
		want := []string{filepath.Join(dst, "both\nnewline.txt"), filepath.Join(dst, "dog photo.png")}
		slices.Sort(want)
		if got := h.find("dog -fox"); !slices.Equal(got, want) {
			t.Errorf("after mv into folder: %q want %q", got, want)
		}
	})
	t.Run("rm of a file deleted from disk", func(t *testing.T) {
		h := h.on(t)
		if err := os.Remove(c.files[fDash]); err != nil {
			t.Fatal(err)
		}
		h.ok("rm", c.files[fDash])
		if got := h.find("tags=0"); len(got) != 0 {
			t.Errorf("untagged after rm: %q", got)
		}
	})
}

func TestCLIPools(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	h.ok("include", c.root)
	h.ok("pool", "create", "Comic One")
	h.fail(1, []string{"pool", "create", "comic one"}, "exists")
	order := []string{c.files[fBig], c.files[fDash], c.files[fCatPNG]}
	h.ok(append([]string{"pool", "add", "Comic One"}, order...)...)
	h.ok("pool", "add", "comic one", c.files[fRaw], c.files[fDash]) // dash already in: keeps its place
	order = append(order, c.files[fRaw])
	if got := lines(h.ok("pool", "show", "Comic One")); !slices.Equal(got, order) {
		t.Errorf("pool show:\n got %q\nwant %q", got, order)
	}
	if got := h.ok("pool", "list"); got != "Comic One\t4\n" {
		t.Errorf("pool list: %q", got)
	}
	if got := h.find(`pool:"comic one"`); !slices.Equal(got, c.paths(fBig, fDash, fCatPNG, fRaw)) {
		t.Errorf("pool query: %q", got)
	}
	h.ok("pool", "rm", "Comic One", c.files[fDash])
	order = slices.Delete(order, 1, 2)
	if got := lines(h.ok("pool", "show", "Comic One")); !slices.Equal(got, order) {
		t.Errorf("after pool rm of one file:\n got %q\nwant %q", got, order)
	}
	h.ok("pool", "rm", "Comic One")
	if got := h.ok("pool", "list"); got != "" {
		t.Errorf("pool list after rm: %q", got)
	}
	if got := h.ok("find", "--count"); got != strconv.Itoa(8)+"\n" {
		t.Errorf("deleting a pool removed files: %s", got)
	}
}

func TestCLIMissingEntries(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	tagCorpus(t, h, c)
	if err := os.Remove(c.files[fNewline]); err != nil {
		t.Fatal(err)
	}
	h.ok("check", "--repair")
	t.Run("find lists missing entries at their last path", func(t *testing.T) {
		h := h.on(t)
		if got, want := h.find("cat dog"), c.paths(fNewline, fBig); !slices.Equal(got, want) {
			t.Errorf("got %q want %q", got, want)
		}
		if got, want := h.find("missing"), c.paths(fNewline); !slices.Equal(got, want) {
			t.Errorf("missing: got %q want %q", got, want)
		}
		if got := h.ok("find", "--count", "--", "-missing"); got != "7\n" {
			t.Errorf("-missing count %q", got)
		}
	})
	t.Run("json marks missing", func(t *testing.T) {
		h := h.on(t)
		out := h.ok("find", "--json", "missing")
		if !strings.Contains(out, `"missing":true`) || strings.Count(out, "\n") != 1 {
			t.Errorf("find --json missing: %s", out)
		}
	})
	t.Run("ls shows missing", func(t *testing.T) {
		h := h.on(t)
		if out := h.ok("ls", c.root); !strings.Contains(out, "both\nnewline.txt\tcat dog (missing)\n") {
			t.Errorf("ls folder: %q", out)
		}
		if out := h.ok("ls", c.files[fNewline]); !strings.HasPrefix(out, "(missing on disk") || !strings.Contains(out, "cat\tmanual\n") {
			t.Errorf("ls file: %q", out)
		}
	})
	t.Run("rm of a missing entry", func(t *testing.T) {
		h := h.on(t)
		h.ok("rm", c.files[fNewline])
		if got := h.ok("find", "--count", "missing"); got != "0\n" {
			t.Errorf("missing after rm: %q", got)
		}
	})
}

func TestCLIThumbs(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	h.ok("include", c.root)
	large := filepath.Join(h.dir, "cache", "thumbnails", "large")
	steps := []struct {
		name, want string
		args       []string
		pngs       int
	}{
		{"whole library", "8 files: 2 thumbnails made, 0 already cached, 6 without a thumbnailer (icon), 0 failed, 0 unreadable, 0 missing\n", nil, 2},
		{"again from the cache", "8 files: 0 thumbnails made, 2 already cached, 6 without a thumbnailer (icon), 0 failed, 0 unreadable, 0 missing\n", nil, 2},
		// The normal size is served from the valid large thumbnail already cached.
		{"one file, a smaller size", "1 files: 0 thumbnails made, 1 already cached, 0 without a thumbnailer (icon), 0 failed, 0 unreadable, 0 missing\n", []string{"--size", "normal", c.files[fDogPNG]}, 2},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			h := h.on(t)
			if got := h.ok(append([]string{"thumbs"}, s.args...)...); got != s.want {
				t.Errorf("thumbs %q:\n got %q\nwant %q", s.args, got, s.want)
			}
			pngs, _ := filepath.Glob(filepath.Join(large, "*.png"))
			if len(pngs) != s.pngs {
				t.Errorf("%d thumbnails in %s, want %d", len(pngs), large, s.pngs)
			}
		})
	}
}

func TestCLIProgressOnlyOnTerminal(t *testing.T) {
	h := newHoardCLI(t)
	c := newCorpus(t, h)
	r := h.run("include", c.root)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("piped include printed on stderr (exit %d): %q", r.code, r.stderr)
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give hoard a terminal")
	}
	// script(1) runs hoard on a pseudo-terminal, so stderr is a terminal there.
	cmd := h.command(context.Background())
	cmd.Path = script
	cmd.Args = []string{script, "-qec", fmt.Sprintf("'%s' include '%s'", h.bin, c.root), "/dev/null"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("include on a terminal: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "scanning") || !strings.Contains(string(out), "\r") {
		t.Errorf("no progress bar on a terminal: %q", out)
	}
	if !strings.Contains(string(out), "8 files found: 0 added, 0 updated, 8 unchanged") {
		t.Errorf("no summary on a terminal: %q", out)
	}
}
