package rules

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"

	"hoard/library"
)

// folders tags a file with the names of the folders nearest it.
type folders struct {
	common
	depth int
}

func newFolders(opts []option) (library.Rule, error) {
	c, opts, err := takeCommon(opts)
	if err != nil {
		return nil, err
	}
	r := &folders{common: c, depth: 1}
	for _, o := range opts {
		switch {
		case o.key == "depth":
			if r.depth, err = parseDepth(o.value); err != nil {
				return nil, err
			}
		case o.value == "":
			if r.ns != "" {
				return nil, errors.New("give the namespace once")
			}
			if r.ns, err = checkNamespace(o.key); err != nil {
				return nil, err
			}
		default:
			return nil, unknownOption("folders", o, "a namespace, depth=N, lower")
		}
	}
	return r, nil
}

func (r *folders) Name() string {
	s := "folders"
	if r.ns != "" {
		s += ":" + r.ns
	}
	if r.depth != 1 {
		s += ":depth=" + strconv.Itoa(r.depth)
	}
	if r.lower {
		s += ":lower"
	}
	return s
}

// Tags returns one tag per folder name, the file's own folder first.
func (r *folders) Tags(_ context.Context, path string, _ library.Facts) ([]string, error) {
	var tags []string
	dir := filepath.Dir(path)
	for range r.depth {
		if dir == "/" || dir == "." || dir == "" {
			break
		}
		tags = appendTag(tags, namespaced(r.ns, filepath.Base(dir), r.lower))
		dir = filepath.Dir(dir)
	}
	return tags, nil
}
