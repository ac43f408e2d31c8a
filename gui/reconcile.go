package gui

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
)

// reconciler runs the library check (library.Check) in the background: at every
// start, when the tracker lost events and when it restarts after a failure, so that
// renames made while nothing tracked them are caught up.
//
// It repairs: Check's repair applies only what is certain (a file found again at its
// path, moved with the same inode and birth time or the only file with its content,
// stat facts refreshed), keeps tags and never removes an entry, which is what a user
// who just opened the window expects. What is not certain (ambiguous or unsure
// matches) is reported in the details, untouched.
type reconciler struct {
	b *browser

	mu      sync.Mutex
	running bool
	again   string // why another check is wanted after the running one
}

// run starts a check unless one is running, in which case one more runs after it.
// Safe on any goroutine.
func (r *reconciler) run(why string) {
	r.mu.Lock()
	if r.running {
		r.again = why
		r.mu.Unlock()
		return
	}
	r.running = true
	r.mu.Unlock()
	go r.loop(why)
}

func (r *reconciler) loop(why string) {
	b := r.b
	for {
		b.do(func() { b.status.showCheck("Checking the library…", nil) })
		b.logf("check: started (%s)", why)
		rep, err := b.lib.Check(b.ctx, library.CheckOptions{Repair: true}, nil)
		if b.ctx.Err() != nil {
			return
		}
		if err != nil {
			b.logf("check: %v", err)
			b.do(func() { b.status.showCheckAlarm("Library check failed", func() { b.showCheckError(err) }) })
		} else {
			text := checkSummary(rep)
			b.logf("check: %s in %d ms", text, rep.Elapsed.Milliseconds())
			b.do(func() {
				show := b.status.showCheck
				if rep.Damaged {
					show = b.status.showCheckAlarm
				}
				show(text, func() { b.showCheckReport(rep) })
				if rep.Repaired > 0 {
					b.changed()
				}
			})
		}
		r.mu.Lock()
		why = r.again
		r.again = ""
		if why == "" {
			r.running = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
	}
}

// checkSummary says in a few words what a check found and repaired:
// "Library check: 3 relinked, 2 missing".
func checkSummary(rep *library.CheckReport) string {
	if rep.Damaged {
		// Nothing was repaired in a damaged file; what to do is in the details.
		return "Library file damaged: see details"
	}
	n := rep.Counts()
	var parts []string
	add := func(count int, what string) {
		if count > 0 {
			parts = append(parts, grouped(count)+" "+what)
		}
	}
	add(n[library.KindMoved]+n[library.KindMovedModified], "relinked")
	add(n[library.KindFound], "found again")
	add(n[library.KindModified]+n[library.KindStale], "updated")
	add(n[library.KindMissing], "missing")
	add(n[library.KindAmbiguous]+n[library.KindUnsure], "undecided")
	add(n[library.KindUnreadable], "unreadable")
	add(n[library.KindIntegrity], "database problems")
	if len(parts) == 0 {
		return fmt.Sprintf("Library check: all %s in place", plural(rep.OK, "file", "files"))
	}
	if rep.Repaired == 0 && rep.Repairable() > 0 {
		parts = append(parts, "not repaired")
	}
	return "Library check: " + strings.Join(parts, ", ")
}

// maxReportLines bounds the details dialog; the CLI (`hoard check`) lists everything.
const maxReportLines = 300

// checkDetails is the report as lines for people, problems first.
func checkDetails(rep *library.CheckReport) string {
	var sb strings.Builder
	if rep.Damaged {
		fmt.Fprintf(&sb, "The library file is damaged, so nothing was repaired (writing into it could make it worse). To fix it: %s.\n\n", rep.Advice)
	}
	fmt.Fprintf(&sb, "%s entries checked, %s in place, %s on disk, %s repaired, in %v.\n\n",
		grouped(rep.Entries), grouped(rep.OK), plural(rep.Files, "file", "files"), grouped(rep.Repaired), rep.Elapsed.Round(time.Millisecond))
	lines := 0
	for _, f := range rep.Findings {
		if f.Kind == library.KindNew || f.Kind == library.KindDuplicate {
			continue
		}
		if lines == maxReportLines {
			fmt.Fprintf(&sb, "… and more: run `hoard check` for the whole list.\n")
			break
		}
		lines++
		state := ""
		if f.Repaired {
			state = " (repaired)"
		}
		fmt.Fprintf(&sb, "%s%s:", f.Kind, state)
		if f.Path != "" {
			fmt.Fprintf(&sb, " %s", f.Path)
		}
		if f.NewPath != "" {
			fmt.Fprintf(&sb, " → %s", f.NewPath)
		}
		switch {
		case f.Detail != "" && f.Path != "":
			fmt.Fprintf(&sb, " — %s", f.Detail)
		case f.Detail != "":
			fmt.Fprintf(&sb, " %s", f.Detail)
		}
		sb.WriteString("\n")
	}
	if lines == 0 {
		sb.WriteString("Nothing to report: the index is in line with the disk.\n")
	}
	if n := rep.Counts()[library.KindNew]; n > 0 {
		fmt.Fprintf(&sb, "\n%s in the library's folders are not in the library (import them to add them).\n", plural(n, "file", "files"))
	}
	return sb.String()
}

func (b *browser) showCheckReport(rep *library.CheckReport) {
	text := widget.NewLabel(checkDetails(rep))
	text.Wrapping = fyne.TextWrapWord
	text.Selectable = true
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(640, 320))
	dialog.NewCustom("Library check", "Close", scroll, b.win).Show()
}

func (b *browser) showCheckError(err error) {
	dialog.NewError(fmt.Errorf("the library check failed: %w; run `hoard check` in a terminal for details", err), b.win).Show()
}
