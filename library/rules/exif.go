package rules

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rwcarlsen/goexif/exif"

	"hoard/library"
)

// maxEXIFScan bounds how much of an image the EXIF decoder may read: the APP1 block
// sits near the start and is at most 64 KiB.
const maxEXIFScan = 1 << 20

// exifRule tags a photo with its camera model and the date it was taken.
type exifRule struct {
	common
	date string // year, month, day
}

func newEXIF(opts []option) (library.Rule, error) {
	c, opts, err := takeCommon(opts)
	if err != nil {
		return nil, err
	}
	r := &exifRule{common: c, date: "day"}
	for _, o := range opts {
		if o.key != "date" || (o.value != "year" && o.value != "month" && o.value != "day") {
			return nil, unknownOption("exif", o, "date=year|month|day, ns=NS, lower")
		}
		r.date = o.value
	}
	return r, nil
}

func (r *exifRule) Name() string {
	s := "exif"
	if r.date != "day" {
		s += ":date=" + r.date
	}
	if r.ns != "" {
		s += ":ns=" + r.ns
	}
	if r.lower {
		s += ":lower"
	}
	return s
}

// Tags reads the EXIF block of JPEG and TIFF files; others are skipped unopened.
func (r *exifRule) Tags(ctx context.Context, path string, facts library.Facts) ([]string, error) {
	switch facts.MIME {
	case "image/jpeg", "image/tiff", "image/x-canon-cr2", "image/heif", "image/heic":
	default:
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
	var x *exif.Exif
	err = safely(func() error {
		var err error
		x, err = exif.Decode(io.LimitReader(f, maxEXIFScan))
		return err
	})
	if err != nil && x == nil {
		return nil, fmt.Errorf("exif of %s: %w", path, err)
	}
	var tags []string
	ns := func(own string) string {
		if r.ns != "" {
			return r.ns
		}
		return own
	}
	if cam := r.camera(x); cam != "" {
		tags = appendTag(tags, namespaced(ns("camera"), cam, r.lower))
	}
	var when time.Time
	if err := safely(func() error { var err error; when, err = x.DateTime(); return err }); err == nil && when.Year() > 1800 && when.Year() < 10000 {
		layout := map[string]string{"year": "2006", "month": "2006-01", "day": "2006-01-02"}[r.date]
		tags = appendTag(tags, namespaced(ns("taken"), when.Format(layout), r.lower))
	}
	return tags, nil
}

// camera is the Model string, prefixed with Make when the model does not already
// name the maker ("Canon EOS 5D" has it, "D750" from "NIKON CORPORATION" has not).
func (r *exifRule) camera(x *exif.Exif) string {
	str := func(name exif.FieldName) string {
		var s string
		_ = safely(func() error {
			t, err := x.Get(name)
			if err != nil {
				return err
			}
			s, err = t.StringVal()
			return err
		})
		return strings.TrimSpace(strings.TrimRight(s, "\x00"))
	}
	model, make := str(exif.Model), str(exif.Make)
	if model == "" {
		return make
	}
	if brand, _, _ := strings.Cut(make, " "); brand != "" && !strings.Contains(strings.ToLower(model), strings.ToLower(brand)) {
		return brand + " " + model
	}
	return model
}
