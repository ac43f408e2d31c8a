package rules

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"hoard/library"
)

func mustParse(t *testing.T, spec string) library.Rule {
	t.Helper()
	r, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tagsOf(t *testing.T, spec, path string) []string {
	t.Helper()
	facts, err := library.ReadFacts(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := mustParse(t, spec).Tags(context.Background(), path, facts)
	if err != nil {
		t.Fatalf("%s on %s: %v", spec, path, err)
	}
	return tags
}

func TestPathRules(t *testing.T) {
	for _, c := range []struct {
		spec, path string
		mime       string
		want       []string
	}{
		{"folders", "/m/Music/The Beatles/01 - Help!.mp3", "", []string{"The Beatles"}},
		{"folders:band:depth=2", "/m/Music/The Beatles/x.mp3", "", []string{"band:The Beatles", "band:Music"}},
		{"folders:depth=9:lower", "/Pics/x.jpg", "", []string{"pics"}},
		{"folders", "/x.jpg", "", nil},
		{"folders", "/m/caf\xe9/x", "", nil},
		{"folders", "/m/-*weird\"/x", "", []string{"weird"}},
		{"regex:/^(\\d+) - (?P<title>.+)\\.mp3$/", "/m/01 - Help!.mp3", "", []string{"01", "title:Help!"}},
		{"regex:/#(\\w+)/:lower", "/m/trip #Paris #FOOD.jpg", "", []string{"paris", "food"}},
		{"regex:/#(\\w+)/:ns=topic", "/m/#a #a.jpg", "", []string{"topic:a"}},
		{"regex:/\\/(\\d{4})\\//:path:ns=year", "/m/2021/x.jpg", "", []string{"year:2021"}},
		{"regex:/\\/(\\d{4})\\//", "/m/2021/x.jpg", "", nil},
		{"regex:/jpg/", "/m/a.jpg", "", []string{"jpg"}},
		{"regex:/(x)?(y)/", "/m/y", "", []string{"y"}},
		{"regex:/(.*)/", "/m/caf\xe9", "", nil},
		{"mime", "/x", "image/png", []string{"kind:image"}},
		{"mime:ns=type", "/x", "video/mp4", []string{"type:video"}},
		{"mime:image=photo,video=clip", "/x", "image/jpeg", []string{"photo"}},
		{"mime:image=photo,video=clip", "/x", "audio/mpeg", nil},
	} {
		t.Run(c.spec+" "+c.path, func(t *testing.T) {
			got, err := mustParse(t, c.spec).Tags(context.Background(), c.path, library.Facts{MIME: c.mime})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// id3v23 writes an MP3-looking file with an ID3v2.3 tag made by hand.
func id3v23(frames map[string]string) []byte {
	var body bytes.Buffer
	for _, id := range []string{"TPE1", "TALB", "TIT2", "TYER", "TCON"} {
		v, ok := frames[id]
		if !ok {
			continue
		}
		body.WriteString(id)
		binary.Write(&body, binary.BigEndian, uint32(len(v)+1))
		body.Write([]byte{0, 0, 0}) // flags, then ISO-8859-1 encoding
		body.WriteString(v)
	}
	n := body.Len()
	out := []byte{'I', 'D', '3', 3, 0, 0, byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)}
	out = append(out, body.Bytes()...)
	// One silent MPEG-1 layer III frame header, so sniffers call it audio/mpeg.
	return append(out, append([]byte{0xff, 0xfb, 0x90, 0x64}, make([]byte, 413)...)...)
}

// jpegWithEXIF encodes a small JPEG and puts an APP1 EXIF block (Make, Model,
// DateTime in IFD0) right after SOI.
func jpegWithEXIF(t *testing.T, make, model, when string) []byte {
	t.Helper()
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	type entry struct {
		tag uint16
		val string
	}
	entries := []entry{{0x010f, make}, {0x0110, model}, {0x0132, when}}
	var tiff bytes.Buffer
	le := binary.LittleEndian
	tiff.WriteString("II*\x00")
	binary.Write(&tiff, le, uint32(8))
	binary.Write(&tiff, le, uint16(len(entries)))
	dataOff := uint32(8 + 2 + 12*len(entries) + 4)
	var data bytes.Buffer
	for _, e := range entries {
		v := e.val + "\x00"
		binary.Write(&tiff, le, e.tag)
		binary.Write(&tiff, le, uint16(2)) // ASCII
		binary.Write(&tiff, le, uint32(len(v)))
		binary.Write(&tiff, le, dataOff+uint32(data.Len()))
		data.WriteString(v)
	}
	binary.Write(&tiff, le, uint32(0))
	tiff.Write(data.Bytes())
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := []byte{0xff, 0xe1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{0xff, 0xd8}, app1...)
	out = append(out, payload...)
	return append(out, img.Bytes()[2:]...)
}

func write(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAudioHandWrittenID3(t *testing.T) {
	p := write(t, filepath.Join(t.TempDir(), "song.mp3"), id3v23(map[string]string{
		"TPE1": "The Beatles", "TALB": "Help!", "TIT2": "Yesterday", "TYER": "1965", "TCON": "Pop",
	}))
	got := tagsOf(t, "audio", p)
	want := []string{"artist:The Beatles", "album:Help!", "title:Yesterday", "year:1965", "genre:Pop"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := tagsOf(t, "audio:fields=artist,year:lower", p); !slices.Equal(got, []string{"artist:the beatles", "year:1965"}) {
		t.Errorf("fields: got %q", got)
	}
}

func TestAudioFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed: the hand-written ID3 test covers the rule")
	}
	dir := t.TempDir()
	for _, ext := range []string{"mp3", "flac"} {
		t.Run(ext, func(t *testing.T) {
			p := filepath.Join(dir, "tone."+ext)
			out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2",
				"-metadata", "artist=Nina Simone", "-metadata", "album=Pastel Blues", "-metadata", "title=Sinnerman",
				"-metadata", "date=1965", "-metadata", "genre=Jazz", p).CombinedOutput()
			if err != nil {
				t.Fatalf("ffmpeg: %v\n%s", err, out)
			}
			got := tagsOf(t, "audio", p)
			want := []string{"artist:Nina Simone", "album:Pastel Blues", "title:Sinnerman", "year:1965", "genre:Jazz"}
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestEXIF(t *testing.T) {
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "photo.jpg"), jpegWithEXIF(t, "NIKON CORPORATION", "D750", "2021:07:04 10:20:30"))
	if got, want := tagsOf(t, "exif", p), []string{"camera:NIKON D750", "taken:2021-07-04"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := tagsOf(t, "exif:date=month:lower", p), []string{"camera:nikon d750", "taken:2021-07"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	canon := write(t, filepath.Join(dir, "canon.jpg"), jpegWithEXIF(t, "Canon", "Canon EOS 5D", "2019:01:02 03:04:05"))
	if got, want := tagsOf(t, "exif:date=year", canon), []string{"camera:Canon EOS 5D", "taken:2019"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	var plain bytes.Buffer
	jpeg.Encode(&plain, image.NewGray(image.Rect(0, 0, 4, 4)), nil)
	noExif := write(t, filepath.Join(dir, "plain.jpg"), plain.Bytes())
	facts, _ := library.ReadFacts(context.Background(), noExif)
	if tags, _ := mustParse(t, "exif").Tags(context.Background(), noExif, facts); len(tags) != 0 {
		t.Errorf("a JPEG without EXIF got %q", tags)
	}
}

// TestHostileFiles: files that lie about their tags leave the file untagged by the rule,
// never a panic.
func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	good := id3v23(map[string]string{"TPE1": "x"})
	huge := append([]byte(nil), good...)
	huge[6], huge[7], huge[8], huge[9] = 0x7f, 0x7f, 0x7f, 0x7f // a 256 MiB tag in a small file
	exifGood := jpegWithEXIF(t, "A", "B", "2020:01:01 00:00:00")
	badOffsets := append([]byte(nil), exifGood...)
	for i := 30; i < 60 && i < len(badOffsets); i++ {
		badOffsets[i] = 0xff
	}
	ctx := context.Background()
	for name, data := range map[string][]byte{
		"huge.mp3":      huge,
		"truncated.mp3": good[:12],
		"empty.mp3":     nil,
		"offsets.jpg":   badOffsets,
		"cut.jpg":       exifGood[:40],
	} {
		p := write(t, filepath.Join(dir, name), data)
		facts, err := library.ReadFacts(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range []string{"audio", "exif"} {
			tags, _ := mustParse(t, spec).Tags(ctx, p, facts)
			for _, tag := range tags {
				if _, err := library.NormalizeTagName(tag); err != nil {
					t.Errorf("%s on %s made an invalid tag %q", spec, name, tag)
				}
			}
		}
	}
	// A file that vanished (or cannot be read) is an error for the rule, not a crash.
	if _, err := mustParse(t, "audio").Tags(ctx, filepath.Join(dir, "gone.mp3"), library.Facts{MIME: "audio/mpeg"}); err == nil {
		t.Error("audio on a missing file: no error")
	}
}

// TestIncludeWithRules runs the rules through library.Include on a folder tree and
// checks tags, their source and the rule recorded.
func TestIncludeWithRules(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	write(t, filepath.Join(root, "Music", "Beatles", "01 - Help.mp3"), id3v23(map[string]string{"TPE1": "The Beatles", "TYER": "1965"}))
	write(t, filepath.Join(root, "Photos", "Paris", "img.jpg"), jpegWithEXIF(t, "Canon", "Canon EOS R", "2023:05:06 07:08:09"))
	write(t, filepath.Join(root, "Docs", "notes #work.txt"), []byte("hello"))
	l, err := library.Open(ctx, filepath.Join(t.TempDir(), "library.db"), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var rs []library.Rule
	for _, spec := range []string{"folders:depth=2:lower", "regex:/#(\\w+)/:ns=topic", "mime", "audio:fields=artist,year", "exif"} {
		rs = append(rs, mustParse(t, spec))
	}
	rs = append(rs, Named("places", mustParse(t, "folders:place")))
	if _, err := l.Include(ctx, []string{root}, library.IncludeOptions{Rules: rs}, nil); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"music beatles":            {"01 - Help.mp3"},
		`"artist:The Beatles"`:     {"01 - Help.mp3"},
		"year:1965":                {"01 - Help.mp3"},
		"kind:audio":               {"01 - Help.mp3"},
		"kind:image place:Paris":   {"img.jpg"},
		`"camera:Canon EOS R"`:     {"img.jpg"},
		"taken:2023-05-06":         {"img.jpg"},
		"topic:work kind:document": {"notes #work.txt"},
	} {
		res, err := l.Search(ctx, q, library.SearchOptions{})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var got []string
		res.Each(ctx, func(f library.File) error { got = append(got, f.Name()); return nil })
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
	f, err := l.FileByPath(ctx, filepath.Join(root, "Photos", "Paris", "img.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	tags, _ := l.FileTags(ctx, f.ID)
	rules := map[string]string{}
	for _, tg := range tags {
		if tg.Source != library.SourceRule {
			t.Errorf("tag %s has source %v", tg.Name, tg.Source)
		}
		rules[tg.Name] = tg.Rule
	}
	if rules["place:Paris"] != "places" || rules["kind:image"] != "mime" || rules["taken:2023-05-06"] != "exif" || rules["paris"] != "folders:depth=2:lower" {
		t.Errorf("rules recorded: %v", rules)
	}
}
