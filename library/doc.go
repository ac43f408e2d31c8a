// Package library is Hoard's domain: the SQLite index of files where they live, their
// tags (with aliases and implications), pools, the query language's evaluation, including
// files, applying renames and reconciling the index with the disk.
//
// It never sees a Fyne type and never loads eBPF; the CLI and the GUI are thin shells
// over it. Long work takes a context for cancellation and reports through Progress.
package library
