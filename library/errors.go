package library

import (
	"errors"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Sentinel errors; check them with errors.Is.
var (
	ErrNoLibrary   = errors.New("no library")
	ErrNotLibrary  = errors.New("not a Hoard library")
	ErrNewerSchema = errors.New("library is from a newer Hoard")
	ErrNotFound    = errors.New("not in the library")
	ErrUnknownTag  = errors.New("unknown tag")
	ErrTagExists   = errors.New("tag name already in use")
	ErrCycle       = errors.New("implication cycle")
	ErrExists      = errors.New("already exists")
	ErrUnknownPool = errors.New("unknown pool")
	ErrInvalidName = errors.New("invalid name")
	ErrReadOnly    = errors.New("the library is read-only")
)

// Advice says what a user can do about a storage error that came up from SQLite ("" when
// there is nothing to add): a full disk, a damaged library file.
func Advice(err error) string {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return "the disk holding the library is full: free some space and run the command again (work committed before is kept)"
	case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
		return "the library file is damaged: restore a backup, or rebuild it with sqlite3's .recover"
	}
	return ""
}
