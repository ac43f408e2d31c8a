package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func init() {
	register(&command{
		name:    "stats",
		args:    "",
		summary: "count what the library holds",
		run:     runStats,
	})
}

func runStats(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usagef("stats takes no arguments")
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	s, err := l.Stats(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "library\t%s\n", l.Path())
	fmt.Fprintf(w, "files\t%d\n", s.Files)
	fmt.Fprintf(w, "missing\t%d\n", s.Missing)
	fmt.Fprintf(w, "bytes\t%d (%s)\n", s.Bytes, humanBytes(s.Bytes))
	fmt.Fprintf(w, "tags\t%d\n", s.Tags)
	fmt.Fprintf(w, "tag names\t%d\n", s.Names)
	fmt.Fprintf(w, "taggings\t%d\n", s.Taggings)
	fmt.Fprintf(w, "implications\t%d\n", s.Implications)
	fmt.Fprintf(w, "pools\t%d\n", s.Pools)
	fmt.Fprintf(w, "roots\t%d\n", s.Roots)
	fmt.Fprintf(w, "database\t%d (%s)\n", s.DBBytes, humanBytes(s.DBBytes))
	return w.Flush()
}

// humanBytes prints a size in binary units (4.2 MiB).
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
