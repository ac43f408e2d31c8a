package gui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	retry    *widget.Button // Retry starting the tracker
	why      *widget.Button // the tracker state's explanation
	check    *widget.Button // the last library check's result; tap for details
	content  fyne.CanvasObject

	trackerState  trackerState
	trackerDetail string
	checkDetails  func()
}

// trackerState is what the status bar says about the rename tracker.
type trackerState int

const (
	trackerIdle     trackerState = iota // nothing to track (yet)
	trackerStarting                     // the helper is starting (maybe asking for a password)
	trackerOn                           // renames are followed
	trackerOff                          // the helper could not start or failed: Retry
)

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
	s.tracker = widget.NewLabelWithStyle("Not tracking renames", fyne.TextAlignTrailing, fyne.TextStyle{})
	s.tracker.Importance = widget.LowImportance
	s.trackerI = widget.NewIcon(theme.VisibilityOffIcon())
	s.retry = widget.NewButtonWithIcon("Retry", theme.ViewRefreshIcon(), s.onRetry)
	s.retry.Importance = widget.LowImportance
	s.retry.Hide()
	s.why = widget.NewButtonWithIcon("", theme.InfoIcon(), s.onWhy)
	s.why.Importance = widget.LowImportance
	s.why.Hide()
	s.check = widget.NewButton("", func() {
		if s.checkDetails != nil {
			s.checkDetails()
		}
	})
	s.check.Importance = widget.LowImportance
	s.check.Hide()
	left := container.NewHBox(s.results, widget.NewSeparator(), s.selected)
	right := container.NewHBox(s.check, container.NewGridWrap(fyne.NewSize(120, s.results.MinSize().Height), container.NewCenter(s.spinner)), s.trackerI, s.tracker, s.why, s.retry)
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

// showNote reports work in progress without the spinner: work that shows its own
// progress elsewhere (the import dialog's bar). The spinner animates every frame,
// which costs a software-rendered display a good part of a CPU.
func (s *statusBar) showNote(text string) {
	s.showWork("")
	s.work.SetText(text)
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

// showTracker says whether renames are being followed.
func (s *statusBar) showTracker(tracking bool, text string) {
	state := trackerIdle
	if tracking {
		state = trackerOn
	}
	s.showTrackerState(state, text, "")
}

// showTrackerState shows the tracker's state: "Tracking renames", "Starting the
// tracker…" or "Not tracking: <reason>" with a Retry; detail, when set, is what the
// info button explains (what went wrong and what to do).
func (s *statusBar) showTrackerState(state trackerState, text, detail string) {
	s.trackerState, s.trackerDetail = state, detail
	s.tracker.SetText(text)
	switch state {
	case trackerOn:
		s.trackerI.SetResource(theme.VisibilityIcon())
		s.tracker.Importance = widget.MediumImportance
	case trackerOff:
		s.trackerI.SetResource(theme.WarningIcon())
		s.tracker.Importance = widget.WarningImportance
	default:
		s.trackerI.SetResource(theme.VisibilityOffIcon())
		s.tracker.Importance = widget.LowImportance
	}
	s.tracker.Refresh()
	if state == trackerOff && s.b.tracker != nil {
		s.retry.Show()
	} else {
		s.retry.Hide()
	}
	if detail != "" {
		s.why.Show()
	} else {
		s.why.Hide()
	}
}

func (s *statusBar) onRetry() {
	if s.b.tracker != nil {
		s.retry.Hide()
		poke(s.b.tracker.retry)
	}
}

func (s *statusBar) onWhy() {
	text := widget.NewLabel(s.trackerDetail)
	text.Wrapping = fyne.TextWrapWord
	text.Selectable = true
	// A wrapping label has no height of its own until it has a width: give the
	// scroll a size that fits the longest explanation.
	scroll := container.NewVScroll(text)
	scroll.SetMinSize(fyne.NewSize(540, 200))
	dialog.NewCustom("Rename tracking", "Close", scroll, s.b.win).Show()
}

// showCheck shows the library check's state; details, when set, opens its report.
func (s *statusBar) showCheck(text string, details func()) {
	s.check.Importance = widget.LowImportance
	s.check.SetIcon(nil)
	s.setCheck(text, details)
}

// showCheckAlarm is showCheck for a result that needs the user: the library file is
// damaged, or the check failed.
func (s *statusBar) showCheckAlarm(text string, details func()) {
	s.check.Importance = widget.WarningImportance
	s.check.SetIcon(theme.WarningIcon())
	s.setCheck(text, details)
}

func (s *statusBar) setCheck(text string, details func()) {
	s.checkDetails = details
	s.check.SetText(text)
	if details == nil {
		s.check.Disable()
	} else {
		s.check.Enable()
	}
	s.check.Show()
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
