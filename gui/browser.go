package gui

import (
	"context"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"hoard/library"
	"hoard/library/thumbnail"
)

// browser is the main window's state: the library, the current results and selection,
// and the panes that show them. Its fields are touched only on the UI goroutine.
type browser struct {
	ctx    context.Context
	lib    *library.Library
	thumbs *thumbnail.Service
	opener opener
	win    fyne.Window
	do     func(func()) // runs a function on the UI goroutine: fyne.Do, or a test's queue

	search    *searchBar
	sidebar   *sidebar
	grid      *grid
	inspector *inspector
	status    *statusBar
	welcome   *welcome

	tracker    *liveTracker  // nil in tests that do not track
	importing  *importDialog // the import dialog while it is open
	importBusy atomic.Int32  // imports running (read by the library poll's goroutine)
	reconciler *reconciler

	searcher  *searcher
	results   *resultSet // nil until the first search answers
	selection *selection

	started    time.Time // process start, for the first-paint measurement
	firstPaint bool
	logf       func(format string, args ...any)
	tracef     func(format string, args ...any) // per-query timings, when HOARD_GUI_TRACE is set
}

func newBrowser(ctx context.Context, lib *library.Library, thumbs *thumbnail.Service, o opener, w fyne.Window) *browser {
	b := &browser{
		ctx: ctx, lib: lib, thumbs: thumbs, opener: o, win: w, do: fyne.Do,
		selection: newSelection(),
		started:   time.Now(),
		logf:      func(string, ...any) {},
		tracef:    func(string, ...any) {},
	}
	b.searcher = newSearcher(b)
	b.search = newSearchBar(b)
	b.sidebar = newSidebar(b)
	b.grid = newGrid(b)
	b.inspector = newInspector(b)
	b.status = newStatusBar(b)
	b.welcome = newWelcome(b)
	b.reconciler = &reconciler{b: b}
	return b
}

// buildUI lays the panes out: search on top, sidebar left, grid in the middle,
// inspector right, status at the bottom.
func (b *browser) buildUI() fyne.CanvasObject {
	middle := container.NewStack(b.grid.view, b.welcome.content)
	right := container.NewHSplit(middle, b.inspector.content)
	right.Offset = 0.74
	body := container.NewHSplit(b.sidebar.content, right)
	body.Offset = 0.19
	b.installShortcuts()
	b.win.SetOnDropped(b.onDropped)
	return container.NewBorder(b.search.content, b.status.content, nil, nil, body)
}

// start runs the first search and loads the sidebar, then keeps watching the library
// for changes made by other processes.
func (b *browser) start() {
	b.searcher.submit(searchRequest{query: ""})
	b.sidebar.reload()
	go b.watch()
}

// setResults shows a new answer in the grid. A refresh of the same query keeps the
// selection (minus files that left the results) and the scroll position.
func (b *browser) setResults(rs *resultSet) {
	old := b.results
	b.results = rs
	if old != nil && old.query == rs.query {
		b.selection.keep(rs.res.Set())
	} else {
		b.selection.clear()
		b.grid.view.ScrollToTop()
	}
	b.grid.view.Refresh()
	b.welcome.update(rs)
	b.status.showCounts()
	b.inspector.show()
	if !b.firstPaint && rs.pageLoaded(0) {
		b.firstPaint = true
		b.logf("first grid page shown %d ms after start (%d results)", time.Since(b.started).Milliseconds(), rs.count)
	}
}

// track starts following renames: the library check at start, and the tracker.
func (b *browser) track() {
	b.reconciler.run("start")
	b.tracker = newLiveTracker(b)
	go b.tracker.run()
}

// refreshFor refreshes after the tracker changed the index; the log says how long
// after the change on disk (at) the grid showed it.
func (b *browser) refreshFor(why string, at time.Time) {
	q := b.search.current
	b.searcher.submit(searchRequest{query: q, firstIndex: b.grid.firstVisible(), refresh: true, why: why, happened: at})
	b.sidebar.reload()
}

// changed is called after this window wrote to the library: everything shown may be
// stale, so refresh it now rather than at the next poll.
func (b *browser) changed() {
	b.refresh()
}

// refresh re-runs the current query and reloads the sidebar and inspector.
func (b *browser) refresh() {
	q := b.search.current
	b.searcher.submit(searchRequest{query: q, firstIndex: b.grid.firstVisible(), refresh: true})
	b.sidebar.reload()
}
