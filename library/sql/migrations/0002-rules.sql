-- Hoard library schema, version 2: saved rules and saved searches.

-- A saved tag rule: `hoard rules save NAME SPEC`, then `--rule NAME`. folded is the
-- case-insensitive key, name keeps the case typed.
CREATE TABLE rules (
    folded     TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    spec       TEXT    NOT NULL,
    created_ns INTEGER NOT NULL
) WITHOUT ROWID;

-- A saved search (a query by name), e.g. TMSU's saved queries.
CREATE TABLE saved_searches (
    folded     TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    query      TEXT    NOT NULL,
    created_ns INTEGER NOT NULL
) WITHOUT ROWID;
