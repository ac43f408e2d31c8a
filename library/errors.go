package library

import "errors"

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
