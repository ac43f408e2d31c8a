package gui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// statusBar is the bottom row: result and selection counts, background work, and the
// rename tracker's state.
type statusBar struct {
	b        *browser
	results  *widget.Label
	selected *widget.Label
	work     *widget.Label
	spinner  *widget.ProgressBarInfinite
	tracker  *widget.Label
	trackerI *widget.Icon
	content  fyne.CanvasObject
}

func newStatusBar(b *browser) *statusBar {
	s := &statusBar{b: b}
	s.results = widget.NewLabel("")
	s.selected = widget.NewLabel("")
	s.selected.Importance = widget.LowImportance
	s.work = widget.NewLabel("")
	s.work.Alignment = fyne.TextAlignTrailing
	s.work.Truncation = fyne.TextTruncateEllipsis
	s.spinner = widget.NewProgressBarInfinite()
	s.spinner.Stop()
	s.spinner.Hide()
	// The tracker arrives with issue 7; until then the bar says so plainly.
	s.tracker = widget.NewLabelWithStyle("Not tracking renames", fyne.TextAlignTrailing, fyne.TextStyle{})
	s.tracker.Importance = widget.LowImportance
	s.trackerI = widget.NewIcon(theme.VisibilityOffIcon())
	left := container.NewHBox(s.results, widget.NewSeparator(), s.selected)
	right := container.NewHBox(container.NewGridWrap(fyne.NewSize(120, s.results.MinSize().Height), container.NewCenter(s.spinner)), s.trackerI, s.tracker)
	s.content = container.NewVBox(widget.NewSeparator(),
		container.NewBorder(nil, nil, left, right, s.work))
	return s
}

func (s *statusBar) showCounts() {
	n := 0
	if s.b.results != nil {
		n = s.b.results.count
	}
	s.results.SetText(plural(n, "file", "files"))
	if c := s.b.selection.count(); c > 0 {
		s.selected.SetText(grouped(c) + " selected")
	} else {
		s.selected.SetText("nothing selected")
	}
}

// showWork reports background work in progress; an empty text ends it.
func (s *statusBar) showWork(text string) {
	s.work.Importance = widget.MediumImportance
	s.work.SetText(text)
	if text == "" {
		s.spinner.Stop()
		s.spinner.Hide()
		return
	}
	s.spinner.Show()
	s.spinner.Start()
}

// showDone reports finished work.
func (s *statusBar) showDone(text string) {
	s.showWork("")
	s.work.SetText(text)
}

// showError reports a failure in one line saying what went wrong.
func (s *statusBar) showError(what string, err error) {
	s.showWork("")
	s.work.Importance = widget.DangerImportance
	s.work.SetText(fmt.Sprintf("%s: %v", what, err))
}

// showTracker says whether renames are being followed; issue 7's tracker client calls
// it with "Tracking renames", "Starting the tracker…" or "Not tracking: <reason>".
func (s *statusBar) showTracker(tracking bool, text string) {
	s.tracker.SetText(text)
	if tracking {
		s.trackerI.SetResource(theme.VisibilityIcon())
		s.tracker.Importance = widget.MediumImportance
	} else {
		s.trackerI.SetResource(theme.VisibilityOffIcon())
		s.tracker.Importance = widget.LowImportance
	}
	s.tracker.Refresh()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return grouped(n) + " " + many
}

// grouped writes n with thousands separators: 1,000,000.
func grouped(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + grouped(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
