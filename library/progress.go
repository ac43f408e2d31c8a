package library

// Progress receives reports from long work. The library never prints; the CLI draws a
// bar on a terminal and the GUI a progress row. Implementations must be safe to call
// from the goroutine doing the work and should return quickly.
type Progress interface {
	// Begin starts a phase: total is the number of units (-1 when unknown).
	Begin(phase string, total int64)
	// Advance reports n more units done; item names the latest (a path), may be "".
	Advance(n int64, item string)
	// End closes the phase.
	End()
}

// NoProgress discards every report.
type NoProgress struct{}

// Begin implements Progress.
func (NoProgress) Begin(string, int64) {}

// Advance implements Progress.
func (NoProgress) Advance(int64, string) {}

// End implements Progress.
func (NoProgress) End() {}

func orNoProgress(p Progress) Progress {
	if p == nil {
		return NoProgress{}
	}
	return p
}
