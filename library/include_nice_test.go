package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"hoard/library/nice"
)

// niceProbe is a rule that records the nice value of the thread it runs on.
type niceProbe struct {
	mu   sync.Mutex
	seen map[int]int // nice value → files
}

func (r *niceProbe) Name() string { return "nice-probe" }
func (r *niceProbe) Tags(ctx context.Context, path string, facts Facts) ([]string, error) {
	n, err := nice.Of()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.seen[n]++
	r.mu.Unlock()
	return nil, nil
}

func TestIncludeNiceRunsWorkersAtLowerPriority(t *testing.T) {
	l := openTest(t)
	dir := t.TempDir()
	for i := range 50 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, err := nice.Of()
	if err != nil {
		t.Fatal(err)
	}
	probe := &niceProbe{seen: map[int]int{}}
	res, err := l.Include(context.Background(), []string{dir}, IncludeOptions{Rules: []Rule{probe}, Nice: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 50 {
		t.Fatalf("added %d, want 50", res.Added)
	}
	want := min(base+7, 19)
	if len(probe.seen) != 1 || probe.seen[want] != 50 {
		t.Errorf("the workers ran at nice values %v, want all 50 files at %d", probe.seen, want)
	}
	// The caller's thread keeps its priority.
	if p, _ := nice.Of(); p != base {
		t.Errorf("the calling thread's priority changed from %d to %d", base, p)
	}
}
