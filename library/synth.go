package library

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// SyntheticSpec sizes a generated library for benchmarks.
type SyntheticSpec struct {
	Files       int // entries
	Tags        int // tag cores
	PerFile     int // taggings per file (distinct tags, Zipf-distributed)
	Seed        uint64
	PathsPrefix string // folder the fake paths live under
}

// BuildSynthetic fills an empty library with fake entries and taggings shaped like a
// real collection (a few very common tags, a long tail): the corpus of `make bench`.
// The files do not exist on disk.
func (l *Library) BuildSynthetic(ctx context.Context, spec SyntheticSpec, prog Progress) error {
	prog = orNoProgress(prog)
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(spec.Seed+1, 7)), 1.07, 8, uint64(spec.Tags-1))
	now := time.Now().UnixNano()
	return l.write(ctx, func(tx *sql.Tx) error {
		prog.Begin("tags", int64(spec.Tags))
		insTag, err := tx.PrepareContext(ctx, "INSERT INTO tags(id, name, file_count, created_ns) VALUES(?, ?, 0, ?)")
		if err != nil {
			return err
		}
		insName, err := tx.PrepareContext(ctx, "INSERT INTO tag_names(folded, name, tag_id) VALUES(?, ?, ?)")
		if err != nil {
			return err
		}
		insClosure, err := tx.PrepareContext(ctx, "INSERT INTO tag_closure(ancestor_id, descendant_id) VALUES(?, ?)")
		if err != nil {
			return err
		}
		for i := 1; i <= spec.Tags; i++ {
			name := fmt.Sprintf("tag%d", i)
			if i%10 == 0 {
				name = fmt.Sprintf("artist:person%d", i)
			}
			if _, err := insTag.ExecContext(ctx, i, name, now); err != nil {
				return err
			}
			if _, err := insName.ExecContext(ctx, fold(name), name, i); err != nil {
				return err
			}
			if _, err := insClosure.ExecContext(ctx, i, i); err != nil {
				return err
			}
		}
		prog.End()
		prog.Begin("files", int64(spec.Files))
		insFile, err := tx.PrepareContext(ctx, `INSERT INTO files(id, path, dev, inode, size, mtime_ns, hash, mime, width, height, added_ns, tag_count)
			VALUES(?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		insTagging, err := tx.PrepareContext(ctx, "INSERT INTO file_tags(file_id, tag_id, source, added_ns) VALUES(?, ?, 0, ?)")
		if err != nil {
			return err
		}
		postings := make([]*roaring.Bitmap, spec.Tags+1)
		all := roaring.New()
		mimes := []string{"image/jpeg", "image/png", "video/mp4", "audio/mpeg", "application/pdf", "text/plain"}
		hash := make([]byte, 32)
		chosen := make(map[int]bool, spec.PerFile)
		for id := 1; id <= spec.Files; id++ {
			if id%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				prog.Advance(4096, "")
			}
			for i := range hash {
				hash[i] = byte(rng.Uint32())
			}
			path := fmt.Sprintf("%s/d%03d/sub%02d/file-%07d.jpg", spec.PathsPrefix, id%997, id%37, id)
			clear(chosen)
			for len(chosen) < spec.PerFile {
				chosen[int(zipf.Uint64())+1] = true
			}
			mime := mimes[id%len(mimes)]
			if _, err := insFile.ExecContext(ctx, id, []byte(path), id, 1000+rng.IntN(20<<20), now-int64(rng.IntN(1e9))*1e6,
				hash, mime, 640+id%3000, 480+id%2000, now-int64(spec.Files-id)*1e9, len(chosen)); err != nil {
				return err
			}
			all.Add(uint32(id))
			for t := range chosen {
				if _, err := insTagging.ExecContext(ctx, id, t, now); err != nil {
					return err
				}
				if postings[t] == nil {
					postings[t] = roaring.New()
				}
				postings[t].Add(uint32(id))
			}
		}
		prog.End()
		prog.Begin("posting lists", int64(spec.Tags))
		for t := 1; t <= spec.Tags; t++ {
			bm := postings[t]
			if bm == nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, "UPDATE tags SET file_count = ? WHERE id = ?", bm.GetCardinality(), t); err != nil {
				return err
			}
			if err := tagPostings(int64(t)).replace(ctx, tx, bm); err != nil {
				return err
			}
			prog.Advance(1, "")
		}
		prog.End()
		if err := setPostings(setAll).replace(ctx, tx, all); err != nil {
			return err
		}
		if err := addRoots(ctx, tx, []string{spec.PathsPrefix}); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}
