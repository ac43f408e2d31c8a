package gui

import (
	"context"
	"sync"
	"time"

	"hoard/library"
	"hoard/library/query"
)

// pageSize is how many result rows are read at once. A grid row holds 5–12 cells, so
// a page covers a few screens.
const pageSize = 200

// maxPages bounds the rows kept in memory while scrolling a huge result.
const maxPages = 40

// resultSet is the answer to one query as the grid sees it: the ordered ids live in
// library.Results (cheap, in memory); file rows are loaded a page at a time, off the
// UI goroutine, and only for the pages scrolled to.
type resultSet struct {
	query   string
	res     *library.Results
	count   int
	pages   map[int][]library.File
	loading map[int]bool
	took    time.Duration // search time, for the status bar and the log
}

func newResultSet(q string, res *library.Results) *resultSet {
	return &resultSet{query: q, res: res, count: res.Count(), pages: map[int][]library.File{}, loading: map[int]bool{}}
}

// file returns the row at index i if its page is loaded. It never does I/O.
func (r *resultSet) file(i int) (library.File, bool) {
	p, ok := r.pages[i/pageSize]
	if !ok || i%pageSize >= len(p) {
		return library.File{}, false
	}
	return p[i%pageSize], true
}

func (r *resultSet) pageLoaded(p int) bool {
	_, ok := r.pages[p]
	return ok || p*pageSize >= r.count
}

// store keeps a loaded page, forgetting the page farthest from it when too many are held.
func (r *resultSet) store(p int, files []library.File) {
	r.pages[p] = files
	delete(r.loading, p)
	if len(r.pages) <= maxPages {
		return
	}
	far, dist := -1, -1
	for q := range r.pages {
		if d := abs(q - p); d > dist {
			far, dist = q, d
		}
	}
	delete(r.pages, far)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// loadPage reads the rows of page p of res in result order. Rows deleted since the
// search are left out.
func loadPage(ctx context.Context, lib *library.Library, res *library.Results, p int) ([]library.File, error) {
	ids := res.IDs(p*pageSize, pageSize)
	files, err := lib.FilesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]library.File, len(files))
	for _, f := range files {
		byID[f.ID] = f
	}
	out := make([]library.File, 0, len(ids))
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			out = append(out, f)
		} else {
			out = append(out, library.File{ID: id, Missing: true})
		}
	}
	return out, nil
}

// ensurePage starts loading page p of the current results unless it is loaded or on
// its way; the grid cells of that page are refreshed when it arrives.
func (b *browser) ensurePage(p int) {
	rs := b.results
	if rs == nil || rs.pageLoaded(p) || rs.loading[p] {
		return
	}
	rs.loading[p] = true
	background(b.do, func() ([]library.File, error) {
		return loadPage(b.ctx, b.lib, rs.res, p)
	}, func(files []library.File, err error) {
		if b.results != rs {
			return
		}
		if err != nil {
			delete(rs.loading, p)
			b.status.showError("Could not read the library", err)
			return
		}
		rs.store(p, files)
		b.grid.refreshRange(p*pageSize, len(files))
	})
}

// searchRequest asks for a query to be run. firstIndex is the first visible cell, so
// a refresh can read the page on screen before it swaps the results in (no flicker).
type searchRequest struct {
	query      string
	firstIndex int
	refresh    bool
	submitted  time.Time
	why        string    // a tracker change being shown, for the log
	happened   time.Time // when that change happened on disk (zero: unknown)
}

// searcher runs one search at a time on its own goroutine; a query typed while
// another runs cancels it and replaces any still waiting, so fast typing never
// queues work behind a slow prefix.
type searcher struct {
	b    *browser
	next chan searchRequest

	mu     sync.Mutex
	cancel context.CancelFunc // of the search running now
}

func newSearcher(b *browser) *searcher {
	s := &searcher{b: b, next: make(chan searchRequest, 1)}
	go s.loop()
	return s
}

// submit is called on the UI goroutine only, so draining and sending cannot race.
func (s *searcher) submit(req searchRequest) {
	req.submitted = time.Now()
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	select {
	case <-s.next:
	default:
	}
	s.next <- req
}

func (s *searcher) loop() {
	b := s.b
	for {
		var req searchRequest
		select {
		case <-b.ctx.Done():
			return
		case req = <-s.next:
		}
		ctx, cancel := context.WithCancel(b.ctx)
		s.mu.Lock()
		s.cancel = cancel
		s.mu.Unlock()
		rs, err := s.run(ctx, req)
		replaced := ctx.Err() != nil
		cancel()
		if replaced {
			continue // a newer query is waiting
		}
		if err != nil {
			b.do(func() { b.search.showError(req.query, err) })
			continue
		}
		b.do(func() {
			if req.query != b.search.current {
				return // the box changed while this ran; its own search is coming
			}
			b.search.clearError()
			b.setResults(rs)
			b.tracef("query %q: %d results, grid updated %d ms after typing", req.query, rs.count, time.Since(req.submitted).Milliseconds())
			if req.why != "" && !req.happened.IsZero() {
				b.tracef("tracker: %s shown in the grid %d ms after it happened", req.why, time.Since(req.happened).Milliseconds())
			}
		})
	}
}

// run evaluates a query and reads the rows that will be on screen.
func (s *searcher) run(ctx context.Context, req searchRequest) (*resultSet, error) {
	b := s.b
	res, err := b.lib.Search(ctx, req.query, library.SearchOptions{DefaultSort: query.Sort{Key: query.SortAdded, Desc: true}})
	if err != nil {
		return nil, err
	}
	rs := newResultSet(req.query, res)
	rs.took = time.Since(req.submitted)
	// Read the rows on screen now, so the grid shows them in the same frame as the
	// new count.
	first := 0
	if req.refresh {
		first = req.firstIndex / pageSize
	}
	for p := first; p <= first+1 && p*pageSize < rs.count; p++ {
		files, err := loadPage(ctx, b.lib, res, p)
		if err != nil {
			break
		}
		rs.pages[p] = files
	}
	return rs, nil
}
