-- Hoard library schema, version 1.
-- Paths are BLOBs: the bytes the kernel gives, compared with memcmp, so a directory
-- rename is a range on the unique index (old/ <= path < old0) and never a LIKE.

CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    path        BLOB    UNIQUE,                    -- NULL when displaced (see lost_path)
    lost_path   BLOB,                              -- last path of an entry another file took over
    dev         INTEGER NOT NULL DEFAULT 0,
    inode       INTEGER NOT NULL DEFAULT 0,
    btime_ns    INTEGER NOT NULL DEFAULT 0,       -- statx birth time; 0 = unknown
    size        INTEGER NOT NULL DEFAULT 0,
    mtime_ns    INTEGER NOT NULL DEFAULT 0,
    hash        BLOB,                              -- BLAKE3-256 of the content
    mime        TEXT    NOT NULL DEFAULT 'application/octet-stream',
    width       INTEGER,
    height      INTEGER,
    duration_ms INTEGER,
    added_ns    INTEGER NOT NULL,
    missing     INTEGER NOT NULL DEFAULT 0,        -- 0 present, 1 missing
    tag_count   INTEGER NOT NULL DEFAULT 0         -- direct tags, kept by the library
);
CREATE INDEX files_hash  ON files(hash);
CREATE INDEX files_inode ON files(dev, inode);
CREATE INDEX files_size  ON files(size);
CREATE INDEX files_mtime ON files(mtime_ns);

-- A tag is a core id; its names (aliases) point at it. tags.name is the display name.
CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    file_count INTEGER NOT NULL DEFAULT 0,       -- direct taggings, kept by the library
    created_ns INTEGER NOT NULL
);

-- folded: the name case-folded in Go (Unicode), so matching is case-insensitive while
-- name keeps the case the user typed.
CREATE TABLE tag_names (
    folded TEXT    PRIMARY KEY,
    name   TEXT    NOT NULL,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX tag_names_tag ON tag_names(tag_id);

-- source: 0 manual, 1 rule, 2 import. rule names the rule (or importer) that made it.
CREATE TABLE file_tags (
    file_id  INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    source   INTEGER NOT NULL DEFAULT 0,
    rule     TEXT,
    added_ns INTEGER NOT NULL,
    PRIMARY KEY (file_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX file_tags_tag ON file_tags(tag_id, file_id);

-- Posting lists: for each tag, the ids of the files it is attached to directly, as
-- roaring bitmaps split into chunks of 65536 ids (chunk = id >> 16). Kept in step with
-- file_tags by the library in the same transaction; queries intersect these instead of
-- joining file_tags, which is what makes a 3-term query over 10M taggings take ms.
CREATE TABLE tag_postings (
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    chunk  INTEGER NOT NULL,
    bits   BLOB    NOT NULL,
    PRIMARY KEY (tag_id, chunk)
) WITHOUT ROWID;

-- The same for sets of files the query language needs as a whole: 'all' (every entry),
-- 'missing'.
CREATE TABLE set_postings (
    name  TEXT    NOT NULL,
    chunk INTEGER NOT NULL,
    bits  BLOB    NOT NULL,
    PRIMARY KEY (name, chunk)
) WITHOUT ROWID;

-- child implies parent. tag_closure(ancestor, descendant) holds every pair reachable
-- through implications plus (t, t), rebuilt on every change, so queries never recurse.
CREATE TABLE tag_implications (
    child_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    parent_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (child_id, parent_id)
) WITHOUT ROWID;
CREATE INDEX tag_implications_parent ON tag_implications(parent_id);

CREATE TABLE tag_closure (
    ancestor_id   INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    descendant_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (ancestor_id, descendant_id)
) WITHOUT ROWID;
CREATE INDEX tag_closure_desc ON tag_closure(descendant_id);

CREATE TABLE pools (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    folded     TEXT    NOT NULL UNIQUE,
    created_ns INTEGER NOT NULL
);

CREATE TABLE pool_entries (
    pool_id  INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    file_id  INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, position)
) WITHOUT ROWID;
CREATE UNIQUE INDEX pool_entries_file ON pool_entries(pool_id, file_id);
CREATE INDEX pool_entries_file_only ON pool_entries(file_id);

-- The folders the library watches: every folder given to include, and the parent folder
-- of every single file included, collapsed so that none lies under another.
CREATE TABLE roots (
    path     BLOB    PRIMARY KEY,
    added_ns INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
