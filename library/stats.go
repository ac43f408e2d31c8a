package library

import (
	"context"
	"fmt"
	"os"
)

// Stats summarises a library.
type Stats struct {
	Files, Missing, Tags, Names, Taggings, Implications, Pools, Roots int64
	Bytes                                                             int64 // total size of the files
	DBBytes                                                           int64 // the database file (and WAL)
}

// Stats counts what the library holds.
func (l *Library) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := l.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM files), (SELECT count(*) FROM files WHERE missing),
		(SELECT count(*) FROM tags), (SELECT count(*) FROM tag_names),
		(SELECT coalesce(sum(file_count), 0) FROM tags), (SELECT count(*) FROM tag_implications),
		(SELECT count(*) FROM pools), (SELECT count(*) FROM roots),
		(SELECT coalesce(sum(size), 0) FROM files)`).Scan(&s.Files, &s.Missing, &s.Tags, &s.Names,
		&s.Taggings, &s.Implications, &s.Pools, &s.Roots, &s.Bytes)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(l.path + suffix); err == nil {
			s.DBBytes += st.Size()
		}
	}
	return s, nil
}
