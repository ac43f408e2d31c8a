package rules

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/dhowden/tag"

	"hoard/library"
)

var audioFields = []string{"artist", "album", "title", "year", "genre"}

// maxTagBlock bounds the bytes the audio tag parser may see: tags live at the start of
// a file (ID3v2, FLAC, MP4 moov usually), and a hostile size field must not make us
// read a whole film.
const maxTagBlock = 16 << 20

// audio tags a file with its artist, album, title, year and genre.
type audio struct {
	common
	fields []string
}

func newAudio(opts []option) (library.Rule, error) {
	c, opts, err := takeCommon(opts)
	if err != nil {
		return nil, err
	}
	r := &audio{common: c, fields: audioFields}
	for _, o := range opts {
		if o.key != "fields" || o.value == "" {
			return nil, unknownOption("audio", o, "fields=artist,album,title,year,genre, ns=NS, lower")
		}
		r.fields = nil
		for _, f := range strings.Split(o.value, ",") {
			f = strings.ToLower(strings.TrimSpace(f))
			if !contains(audioFields, f) {
				return nil, fmt.Errorf("unknown audio field %q; fields are %s", f, strings.Join(audioFields, ","))
			}
			r.fields = append(r.fields, f)
		}
	}
	return r, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (r *audio) Name() string {
	s := "audio"
	if strings.Join(r.fields, ",") != strings.Join(audioFields, ",") {
		s += ":fields=" + strings.Join(r.fields, ",")
	}
	if r.ns != "" {
		s += ":ns=" + r.ns
	}
	if r.lower {
		s += ":lower"
	}
	return s
}

// Tags reads the file's tags; files that are not audio (by sniffed MIME, or by
// extension for containers the sniffer calls video) are skipped without opening.
func (r *audio) Tags(ctx context.Context, path string, facts library.Facts) ([]string, error) {
	if !maybeAudio(facts.MIME) {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m tag.Metadata
	err = safely(func() error {
		var err error
		m, err = tag.ReadFrom(io.NewSectionReader(f, 0, maxTagBlock))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audio tags of %s: %w", path, err)
	}
	var tags []string
	for _, field := range r.fields {
		var v string
		switch field {
		case "artist":
			v = m.Artist()
			if v == "" {
				v = m.AlbumArtist()
			}
		case "album":
			v = m.Album()
		case "title":
			v = m.Title()
		case "year":
			if y := m.Year(); y > 0 && y < 10000 {
				v = strconv.Itoa(y)
			}
		case "genre":
			v = m.Genre()
		}
		ns := field
		if r.ns != "" {
			ns = r.ns
		}
		tags = appendTag(tags, namespaced(ns, v, r.lower))
	}
	return tags, nil
}

func maybeAudio(mime string) bool {
	return strings.HasPrefix(mime, "audio/") || mime == "video/mp4" || mime == "application/ogg" || mime == "video/ogg"
}

// safely runs fn, turning a panic in a third-party parser into an error: a hostile
// file must leave the file untagged, not crash the include.
func safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parser panicked: %v", p)
		}
	}()
	return fn()
}
