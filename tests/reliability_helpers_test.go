package tests

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The reliability tests (issue "Prove it holds") run a short variant by default and the
// long one, with the figures RELIABILITY.md reports, when HOARD_RELIABILITY=full.
func reliabilityFull() bool { return os.Getenv("HOARD_RELIABILITY") == "full" }

// runs is short by default and full under HOARD_RELIABILITY=full.
func runs(short, full int) int {
	if reliabilityFull() {
		return full
	}
	return short
}

// span is short by default and full under HOARD_RELIABILITY=full.
func span(short, full time.Duration) time.Duration {
	if reliabilityFull() {
		return full
	}
	return short
}

// needFull skips a test that only runs in the long variant.
func needFull(t *testing.T) {
	t.Helper()
	if !reliabilityFull() {
		t.Skip("long test: run with HOARD_RELIABILITY=full")
	}
}

// newRand is a seeded source whose seed the log shows, so a failing run can be replayed
// with HOARD_SEED.
func newRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HOARD_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("HOARD_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (HOARD_SEED=%d replays it)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed>>1|1))
}

// taggings is every (entry id, tag name) pair the library holds: what a crash must
// not lose. Keyed by entry id, so renames do not change it.
type taggings map[string]bool

func readTaggings(t testing.TB, db string) taggings {
	t.Helper()
	conn := openSQL(t, db)
	defer conn.Close()
	rows, err := conn.Query(`SELECT ft.file_id, t.name FROM file_tags ft JOIN tags t ON t.id = ft.tag_id`)
	if err != nil {
		t.Fatalf("read taggings: %v", err)
	}
	defer rows.Close()
	got := taggings{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		got[strconv.FormatInt(id, 10)+" "+name] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// lost lists the taggings of before that after lacks, except those of tags in except.
func (before taggings) lost(after taggings, except ...string) []string {
	var out []string
	for k := range before {
		if after[k] {
			continue
		}
		_, tag, _ := strings.Cut(k, " ")
		if slices.Contains(except, tag) {
			continue
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out[:min(len(out), 5)]
}

// countTag is how many entries carry tag directly.
func (ts taggings) countTag(tag string) int {
	n := 0
	for k := range ts {
		if strings.HasSuffix(k, " "+tag) {
			n++
		}
	}
	return n
}

// noIntegrityProblems runs `hoard check --json` and fails on any "integrity" finding:
// integrity_check, foreign keys, orphans, counters and posting lists all in step.
func noIntegrityProblems(t *testing.T, h *hoardCLI) {
	t.Helper()
	integrityCheck(t, h.db)
	run := checkJSON(t, h, h.dir)
	for _, l := range run.lines {
		if strings.HasPrefix(l, "integrity") {
			t.Fatalf("hoard check reports a damaged index: %s", l)
		}
	}
}

// killAfter starts cmd, sends SIGKILL after d and reports whether the kill landed
// while it ran (false: it had already exited, with its error).
func killAfter(t testing.TB, cmd *exec.Cmd, d time.Duration) (killed bool, err error) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return false, err
	case <-time.After(d):
	}
	cmd.Process.Kill()
	err = <-done
	return cmd.ProcessState != nil && !cmd.ProcessState.Exited(), err
}

// timed runs fn and returns how long it took.
func timed(fn func()) time.Duration {
	start := time.Now()
	fn()
	return time.Since(start)
}

// killStats counts the kill points of a crash test for its log line.
type killStats struct {
	runs, inFlight int
	points         map[time.Duration]bool // distinct kill delays (ms) that landed in flight
}

func (k *killStats) add(d time.Duration, killed bool) {
	k.runs++
	if killed {
		k.inFlight++
		if k.points == nil {
			k.points = map[time.Duration]bool{}
		}
		k.points[d.Truncate(time.Millisecond)] = true
	}
}
