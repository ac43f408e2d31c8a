package gui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
	"hoard/library/rules"
)

// importDialog gets files in: the files and folders to include, tags for all of them,
// rules that derive more tags, a dry-run count that follows every edit, then progress
// with Cancel and a summary. The import runs on its own goroutine; the dialog shows
// its progress at most ten times a second.
type importDialog struct {
	b   *browser
	dlg *dialog.CustomDialog

	paths    []string
	list     *widget.List
	tags     *completionEntry
	rules    *widget.Entry
	saved    *widget.Select
	strict   *widget.Check
	preview  *widget.Label
	start    *widget.Button
	close    *widget.Button
	form     fyne.CanvasObject
	body     *fyne.Container
	buttons  *fyne.Container
	counting context.CancelFunc // the dry run in flight
	counted  int                // edits the preview has caught up with
	edits    int

	// While importing.
	cancel   context.CancelFunc
	bar      *widget.ProgressBar
	files    *widget.Label
	folder   *widget.Label
	running  bool
	prog     *importProgress
	finished func(library.IncludeResult, error) // for tests: called after the summary shows
}

// showImportDialog opens the dialog with paths already listed (a drop) or none.
func (b *browser) showImportDialog(paths []string) *importDialog {
	d := &importDialog{b: b}
	d.build()
	for _, p := range paths {
		d.addPath(p)
	}
	d.dlg = dialog.NewCustomWithoutButtons("Import files", d.body, b.win)
	d.dlg.Resize(fyne.NewSize(640, 560))
	d.dlg.Show()
	b.win.Canvas().Focus(d.tags)
	b.importing = d
	b.logf("import dialog: opened with %s", plural(len(d.paths), "path", "paths"))
	d.dlg.SetOnClosed(func() {
		if d.counting != nil {
			d.counting()
		}
		if b.importing == d {
			b.importing = nil
		}
	})
	return d
}

func (d *importDialog) build() {
	d.list = widget.NewList(
		func() int { return len(d.paths) },
		func() fyne.CanvasObject {
			rm := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), nil)
			rm.Importance = widget.LowImportance
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, nil, rm, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(d.paths[i])
			c.Objects[1].(*widget.Button).OnTapped = func() { d.removePath(i) }
		},
	)
	addFiles := widget.NewButtonWithIcon("Add file…", theme.FileIcon(), d.onAddFile)
	addFolder := widget.NewButtonWithIcon("Add folder…", theme.FolderIcon(), d.onAddFolder)
	listBox := container.NewBorder(nil, container.NewHBox(addFiles, addFolder), nil, nil,
		container.NewGridWrap(fyne.NewSize(600, 130), d.list))

	d.tags = newCompletionEntry("Tags for every file, separated by commas")
	d.tags.suggest = d.suggest
	d.tags.OnChanged = func(s string) {
		d.tags.edited(s)
		d.changed()
	}
	d.tags.OnSubmitted = func(string) { d.onStart() }

	d.rules = widget.NewMultiLineEntry()
	d.rules.SetPlaceHolder("One rule a line: folders:depth=2, mime, exif:date=year, regex:/…/, or a saved rule's name")
	d.rules.SetMinRowsVisible(2)
	d.rules.OnChanged = func(string) { d.changed() }
	d.saved = widget.NewSelect(nil, func(name string) {
		if name == "" {
			return
		}
		text := strings.TrimRight(d.rules.Text, "\n")
		if text != "" {
			text += "\n"
		}
		d.rules.SetText(text + name)
		d.saved.ClearSelected()
	})
	d.saved.PlaceHolder = "Add a saved rule"
	d.saved.Hide()
	background(d.b.do, func() ([]library.SavedRule, error) {
		return d.b.lib.Rules(d.b.ctx)
	}, func(saved []library.SavedRule, err error) {
		if err != nil || len(saved) == 0 {
			return
		}
		for _, r := range saved {
			d.saved.Options = append(d.saved.Options, r.Name)
		}
		d.saved.Show()
	})
	d.strict = widget.NewCheck("Only tags that exist already", func(bool) { d.changed() })

	d.preview = widget.NewLabel("Add files or folders to import.")
	d.preview.Wrapping = fyne.TextWrapWord
	d.form = container.NewVBox(
		widget.NewLabelWithStyle("Files and folders", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		listBox,
		widget.NewLabelWithStyle("Tags", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.tags,
		widget.NewLabelWithStyle("Rules", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.rules,
		container.NewHBox(d.saved, d.strict),
		widget.NewSeparator(),
		d.preview,
	)
	d.start = widget.NewButtonWithIcon("Import", theme.DownloadIcon(), d.onStart)
	d.start.Importance = widget.HighImportance
	d.start.Disable()
	d.close = widget.NewButton("Cancel", d.onClose)
	d.buttons = container.NewHBox(layout.NewSpacer(), d.close, d.start)
	d.body = container.NewBorder(nil, d.buttons, nil, nil, d.form)
}

func (d *importDialog) addPath(p string) {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if slices.Contains(d.paths, p) {
		return
	}
	d.paths = append(d.paths, p)
	d.list.Refresh()
	d.changed()
}

func (d *importDialog) removePath(i int) {
	if i < 0 || i >= len(d.paths) || d.running {
		return
	}
	d.paths = slices.Delete(d.paths, i, i+1)
	d.list.Refresh()
	d.changed()
}

func (d *importDialog) onAddFile() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		d.addPath(r.URI().Path())
	}, d.b.win)
	fd.Show()
}

func (d *importDialog) onAddFolder() {
	fd := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		d.addPath(dir.Path())
	}, d.b.win)
	fd.Show()
}

// suggest completes the tag being typed (the text after the last comma).
func (d *importDialog) suggest(text string, _ int, show func([]suggestion)) {
	head, word := "", text
	if i := strings.LastIndexByte(text, ','); i >= 0 {
		head, word = text[:i+1]+" ", text[i+1:]
	}
	word = strings.TrimSpace(word)
	if word == "" {
		show(nil)
		return
	}
	head = strings.TrimRight(head, " ") + " "
	if !strings.Contains(text, ",") {
		head = ""
	}
	background(d.b.do, func() ([]library.Tag, error) {
		return d.b.lib.SearchTags(d.b.ctx, word, 8)
	}, func(tags []library.Tag, err error) {
		var items []suggestion
		if err == nil {
			for _, t := range tags {
				full := head + t.Name
				items = append(items, suggestion{label: t.Name, detail: grouped(t.Count), text: full, cursor: len(full)})
			}
		}
		show(items)
	})
}

// tagNames splits the tags entry: commas separate tags.
func tagNames(text string) []string {
	var out []string
	for _, t := range strings.Split(text, ",") {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// parseRules reads the rules entry, one rule a line: a rule spec, or the name of a
// rule saved with `hoard rules save`.
func parseRules(ctx context.Context, lib *library.Library, text string) ([]library.Rule, error) {
	var out []library.Rule
	for line := range strings.SplitSeq(text, "\n") {
		spec := strings.TrimSpace(line)
		if spec == "" {
			continue
		}
		kind, _, hasOpts := strings.Cut(spec, ":")
		if !hasOpts && !rules.IsKind(kind) {
			saved, err := lib.RuleByName(ctx, kind)
			if errors.Is(err, library.ErrNotFound) {
				return nil, fmt.Errorf("rule %q is neither a rule kind (%s) nor a saved rule", spec, strings.Join(rules.Kinds, ", "))
			}
			if err != nil {
				return nil, err
			}
			r, err := rules.Parse(saved.Spec)
			if err != nil {
				return nil, fmt.Errorf("saved rule %q: %w", kind, err)
			}
			out = append(out, rules.Named(kind, r))
			continue
		}
		r, err := rules.Parse(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// options reads the form into IncludeOptions.
func (d *importDialog) options(ctx context.Context) (library.IncludeOptions, error) {
	tags := tagNames(d.tags.Text)
	for _, t := range tags {
		if _, err := library.NormalizeTagName(t); err != nil {
			return library.IncludeOptions{}, err
		}
	}
	rs, err := parseRules(ctx, d.b.lib, d.rules.Text)
	if err != nil {
		return library.IncludeOptions{}, err
	}
	return library.IncludeOptions{Tags: tags, Rules: rs, Strict: d.strict.Checked}, nil
}

// changed re-runs the dry-run count a moment after the last edit.
func (d *importDialog) changed() {
	if d.running {
		return
	}
	d.edits++
	if d.counting != nil {
		d.counting()
		d.counting = nil
	}
	if len(d.paths) == 0 {
		d.preview.SetText("Add files or folders to import.")
		d.start.Disable()
		return
	}
	d.preview.SetText("Counting…")
	d.start.Enable()
	ctx, cancel := context.WithCancel(d.b.ctx)
	d.counting = cancel
	n, paths, text, rulesText, strict := d.edits, slices.Clone(d.paths), d.tags.Text, d.rules.Text, d.strict.Checked
	background(d.b.do, func() (library.IncludeResult, error) {
		select {
		case <-time.After(150 * time.Millisecond): // typing: count once it pauses
		case <-ctx.Done():
			return library.IncludeResult{}, ctx.Err()
		}
		rs, err := parseRules(ctx, d.b.lib, rulesText)
		if err != nil {
			return library.IncludeResult{}, err
		}
		return d.b.lib.Include(ctx, paths, library.IncludeOptions{Tags: tagNames(text), Rules: rs, Strict: strict, DryRun: true}, nil)
	}, func(res library.IncludeResult, err error) {
		if n != d.edits || d.running {
			return
		}
		d.counted = n
		switch {
		case errors.Is(err, context.Canceled):
		case err != nil:
			d.preview.SetText(err.Error())
			d.preview.Importance = widget.DangerImportance
			d.preview.Refresh()
			d.start.Disable()
		default:
			d.preview.Importance = widget.MediumImportance
			d.preview.SetText(dryRunText(res))
		}
	})
}

func dryRunText(res library.IncludeResult) string {
	s := fmt.Sprintf("%s found: %s new, %s already in the library", plural(res.Found, "file", "files"), grouped(res.Added), grouped(res.Updated+res.Unchanged))
	if len(res.Skipped) > 0 {
		s += fmt.Sprintf(", %s skipped", grouped(len(res.Skipped)))
	}
	return s + "."
}

// onStart runs the import.
func (d *importDialog) onStart() {
	if d.running || len(d.paths) == 0 || d.start.Disabled() {
		return
	}
	if d.tags.suggesting() {
		d.tags.hideSuggestions()
	}
	opts, err := d.options(d.b.ctx)
	if err != nil {
		d.preview.SetText(err.Error())
		d.preview.Importance = widget.DangerImportance
		d.preview.Refresh()
		return
	}
	if d.counting != nil {
		d.counting()
	}
	d.running = true
	d.showProgress()
	ctx, cancel := context.WithCancel(d.b.ctx)
	d.cancel = cancel
	prog := newImportProgress(d)
	d.prog = prog
	paths := slices.Clone(d.paths)
	started := time.Now()
	stalls := startStallMeter(d.b.do, d.b.tracef)
	opts.Pause = stalls.wait // the import steps aside while a frame is late
	d.b.importBusy.Add(1)    // the library poll leaves refreshing to the import
	d.b.status.showNote("Importing…")
	background(d.b.do, func() (library.IncludeResult, error) {
		return d.b.lib.Include(ctx, paths, opts, prog)
	}, func(res library.IncludeResult, err error) {
		prog.stop()
		cancel()
		d.b.importBusy.Add(-1)
		worst := stalls.stop()
		d.b.logf("import: %d files (%d added) in %d ms, %d MB hashed; UI goroutine longest wait %d ms", res.Found, res.Added, time.Since(started).Milliseconds(), res.Bytes>>20, worst.Milliseconds())
		d.running = false
		d.showSummary(res, err)
		d.b.status.showDone(importStatus(res, err))
		d.b.changed()
		if d.b.tracker != nil {
			poke(d.b.tracker.nudge) // a new folder: the tracker follows it too
		}
		if d.finished != nil {
			d.finished(res, err)
		}
	})
}

func (d *importDialog) showProgress() {
	d.bar = widget.NewProgressBar()
	d.files = widget.NewLabel("Looking for files…")
	d.folder = widget.NewLabel("")
	d.folder.Truncation = fyne.TextTruncateEllipsis
	d.folder.Importance = widget.LowImportance
	d.body.Objects[0] = container.NewVBox(
		widget.NewLabelWithStyle("Importing", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.bar, d.files, d.folder,
		widget.NewLabel("Cancel keeps what is imported so far; importing again finishes the job."),
	)
	d.start.Hide()
	d.close.SetText("Cancel")
	d.body.Refresh()
}

// onClose is Cancel before and during the import, Close after it.
func (d *importDialog) onClose() {
	if d.running {
		d.cancel()
		d.close.Disable()
		d.files.SetText("Cancelling…")
		return
	}
	d.dlg.Hide()
}

func (d *importDialog) showSummary(res library.IncludeResult, err error) {
	title := "Imported"
	switch {
	case errors.Is(err, context.Canceled):
		title = "Import cancelled"
	case err != nil:
		title = "Import failed"
	}
	lines := []string{
		fmt.Sprintf("%s added", plural(res.Added, "file", "files")),
		fmt.Sprintf("%s already in the library, tagged again", grouped(res.Updated+res.Unchanged)),
		fmt.Sprintf("%s made", plural(res.Tagged, "new tagging", "new taggings")),
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		lines = append([]string{err.Error()}, lines...)
	}
	if errors.Is(err, context.Canceled) {
		lines = append(lines, "What was imported before Cancel is in the library; import again to finish.")
	}
	lines = append(lines, skippedLines(res.Skipped)...)
	text := widget.NewLabel(strings.Join(lines, "\n"))
	text.Wrapping = fyne.TextWrapWord
	text.Selectable = true
	d.body.Objects[0] = container.NewBorder(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewVScroll(text))
	d.close.SetText("Close")
	d.close.Enable()
	d.body.Refresh()
	d.b.win.Canvas().Focus(d.close) // Space closes it
}

// skippedLines groups skipped paths by reason and names the first few.
func skippedLines(skipped []library.Skipped) []string {
	if len(skipped) == 0 {
		return nil
	}
	byReason := map[string][]string{}
	for _, s := range skipped {
		byReason[s.Reason] = append(byReason[s.Reason], s.Path)
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	out := []string{"", plural(len(skipped), "path", "paths") + " skipped:"}
	for _, r := range reasons {
		ps := byReason[r]
		line := fmt.Sprintf("• %s: %s", r, grouped(len(ps)))
		for i, p := range ps {
			if i == 3 {
				line += ", …"
				break
			}
			line += "\n    " + p
		}
		out = append(out, line)
	}
	return out
}

func importStatus(res library.IncludeResult, err error) string {
	s := fmt.Sprintf("%s added, %s already indexed, %s skipped", grouped(res.Added), grouped(res.Updated+res.Unchanged), grouped(len(res.Skipped)))
	switch {
	case errors.Is(err, context.Canceled):
		return "Import cancelled: " + s
	case err != nil:
		return "Import failed: " + err.Error()
	}
	return "Imported: " + s
}

// importProgress is the library.Progress of an import: the worker counts, and the
// dialog shows the count, bytes and current folder four times a second. Every
// importRefreshEvery the grid refreshes, so new files appear as batches commit.
type importProgress struct {
	d *importDialog

	mu          sync.Mutex
	phase       string
	total, done int64
	bytes       int64
	item        string
	stopped     bool
	posted      bool // a UI update is queued
	lastRefresh time.Time
}

func newImportProgress(d *importDialog) *importProgress {
	return &importProgress{d: d, lastRefresh: time.Now()}
}

func (p *importProgress) Begin(phase string, total int64) {
	p.mu.Lock()
	p.phase, p.total, p.done = phase, total, 0
	p.mu.Unlock()
	p.post()
}

func (p *importProgress) Advance(n int64, item string) {
	p.mu.Lock()
	indexing := p.phase == "indexing"
	p.mu.Unlock()
	var size int64
	if indexing && item != "" {
		// Advance is called from the worker; the stat is microseconds next to a hash.
		if fi, err := os.Lstat(item); err == nil {
			size = fi.Size()
		}
	}
	p.mu.Lock()
	p.done += n
	p.bytes += size
	p.item = item
	p.mu.Unlock()
	p.post()
}

func (p *importProgress) End() {}

// indexed is how many files the indexing phase has done (0 before it).
func (p *importProgress) indexed() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.phase != "indexing" {
		return 0
	}
	return p.done
}

func (p *importProgress) stop() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
}

// importRefreshEvery spaces the grid refreshes while an import runs: each re-runs the
// query and thumbnails the new cells, which competes with the import for the CPU (on
// two CPUs a refresh a second cost a third of the import's speed).
const importRefreshEvery = 3 * time.Second

// progressEvery spaces the dialog's progress updates: each one repaints the window,
// which under a software renderer costs the UI goroutine a frame.
const progressEvery = 250 * time.Millisecond

// post queues one UI update unless one is queued.
func (p *importProgress) post() {
	p.mu.Lock()
	if p.stopped || p.posted {
		p.mu.Unlock()
		return
	}
	p.posted = true
	p.mu.Unlock()
	time.AfterFunc(progressEvery, func() {
		p.d.b.do(p.show)
	})
}

// show runs on the UI goroutine.
func (p *importProgress) show() {
	p.mu.Lock()
	p.posted = false
	if p.stopped {
		p.mu.Unlock()
		return
	}
	phase, total, done, bytes, item := p.phase, p.total, p.done, p.bytes, p.item
	refresh := phase == "indexing" && time.Since(p.lastRefresh) > importRefreshEvery
	if refresh {
		p.lastRefresh = time.Now()
	}
	p.mu.Unlock()
	d := p.d
	if d.bar == nil {
		return
	}
	if phase == "indexing" && total > 0 {
		d.bar.SetValue(float64(done) / float64(total))
		d.files.SetText(fmt.Sprintf("%s of %s files · %s", grouped(int(done)), grouped(int(total)), humanSize(bytes)))
		d.b.status.showNote(fmt.Sprintf("Importing: %s of %s files", grouped(int(done)), grouped(int(total))))
	} else {
		d.files.SetText(fmt.Sprintf("Looking for files: %s found", grouped(int(done))))
	}
	if item != "" {
		d.folder.SetText(filepath.Dir(item))
	}
	if refresh {
		d.b.refresh()
	}
}
