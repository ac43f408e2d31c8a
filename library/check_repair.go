package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
)

// ErrChangedDuringCheck is returned by a repairing Check when something else wrote to
// the library between the walk and the repair; nothing was repaired.
var ErrChangedDuringCheck = errors.New("the library changed while it was being checked; nothing was repaired (run the check again)")

type actionKind int

const (
	actMove        actionKind = iota + 1 // the entry takes path (and the file's facts)
	actRefresh                           // the entry's facts are refreshed at its path
	actMarkMissing                       // the entry stays at its path, missing
	actDisplace                          // the entry gives up its path, missing
)

// repairAction is one certain change to one entry.
type repairAction struct {
	kind       actionKind
	id         int64
	path       string // actMove: the new path
	facts      Facts
	read       bool // facts include the content's hash and MIME
	wasMissing bool
}

// applyRepairs makes every repair in one transaction, refusing when the library
// changed since gen (a tracker or another command wrote meanwhile).
func (l *Library) applyRepairs(ctx context.Context, gen int64, in *integrity, actions []repairAction, roots []string) error {
	return l.write(ctx, func(tx *sql.Tx) error {
		var now int64
		err := tx.QueryRowContext(ctx, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0)").Scan(&now)
		if err != nil {
			return fmt.Errorf("repair: %w", err)
		}
		if now != gen {
			return ErrChangedDuringCheck
		}
		if err := repairIntegrity(ctx, tx, in); err != nil {
			return fmt.Errorf("repair database: %w", err)
		}
		if err := applyActions(ctx, tx, actions); err != nil {
			return fmt.Errorf("repair: %w", err)
		}
		if len(roots) > 0 {
			if err := addRoots(ctx, tx, roots); err != nil {
				return fmt.Errorf("repair: record roots: %w", err)
			}
		}
		return bumpGeneration(ctx, tx)
	})
}

func applyActions(ctx context.Context, tx *sql.Tx, actions []repairAction) error {
	// Paths are unique, and movers may swap or chain paths: take every mover and every
	// displaced entry off its path first, then put the movers at their new ones.
	var park, found, lost []int64
	for _, a := range actions {
		switch a.kind {
		case actMove:
			park = append(park, a.id)
			if a.wasMissing {
				found = append(found, a.id)
			}
		case actDisplace:
			park = append(park, a.id)
			if !a.wasMissing {
				lost = append(lost, a.id)
			}
		case actRefresh:
			if a.wasMissing {
				found = append(found, a.id)
			}
		case actMarkMissing:
			lost = append(lost, a.id)
		}
	}
	if len(park) > 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE files SET lost_path = coalesce(path, lost_path), path = NULL WHERE id IN (SELECT value FROM json_each(?))", jsonIDs(park)); err != nil {
			return fmt.Errorf("take entries off their paths: %w", err)
		}
	}
	for _, a := range actions {
		switch a.kind {
		case actMove:
			if _, err := tx.ExecContext(ctx, "UPDATE files SET path = ?, lost_path = NULL WHERE id = ?", []byte(a.path), a.id); err != nil {
				return fmt.Errorf("move entry %d to %s: %w", a.id, a.path, err)
			}
			if err := refreshFacts(ctx, tx, a); err != nil {
				return err
			}
		case actRefresh:
			if err := refreshFacts(ctx, tx, a); err != nil {
				return err
			}
		}
	}
	if err := markMissing(ctx, tx, found, false); err != nil {
		return err
	}
	return markMissing(ctx, tx, lost, true)
}

// refreshFacts writes the file's facts into the entry: all of them when the content was
// read, else only the stat ones (the hash and MIME stay right: the content is the same).
func refreshFacts(ctx context.Context, tx *sql.Tx, a repairAction) error {
	if a.read {
		return updateFacts(ctx, tx, a.id, a.facts)
	}
	f := a.facts
	_, err := tx.ExecContext(ctx, "UPDATE files SET dev = ?, inode = ?, btime_ns = ?, size = ?, mtime_ns = ? WHERE id = ?",
		int64(f.Dev), int64(f.Inode), f.Btime, f.Size, f.MtimeNS, a.id)
	if err != nil {
		return fmt.Errorf("update file %d: %w", a.id, err)
	}
	return nil
}

// newRoots lists the folders to add to the roots so the tracker watches where entries
// moved to: for a new path outside every root, the checked folder holding it (a root
// folder renamed and checked under its new name), else the file's own folder.
func newRoots(roots, scope []string, actions []repairAction) []string {
	have := newScopeSet(roots)
	seen := map[string]bool{}
	var out []string
	for _, a := range actions {
		if a.kind != actMove || have.contains(a.path) {
			continue
		}
		dir := filepath.Dir(a.path)
		for _, s := range scope {
			if s != a.path && underOrAt(a.path, s) {
				dir = s
				break
			}
		}
		if !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	sort.Strings(out)
	return out
}
