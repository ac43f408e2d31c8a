package gui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
	"hoard/library/query"
)

// searchBar is the top row: the query box with autocomplete, the Import button, and
// under the box a line for a query the parser or the index rejects.
type searchBar struct {
	b       *browser
	entry   *completionEntry
	problem *widget.Label
	importB *widget.Button
	content fyne.CanvasObject

	current string // the query last sent to the searcher
}

func newSearchBar(b *browser) *searchBar {
	s := &searchBar{b: b}
	s.entry = newCompletionEntry("Search: cat -dog  artist:*  type:image  size>1MB  sort:name")
	s.entry.suggest = s.suggest
	s.entry.OnChanged = s.onChanged
	s.entry.OnSubmitted = func(string) { s.b.grid.focusFirst() }
	s.problem = widget.NewLabel("")
	s.problem.Importance = widget.DangerImportance
	s.problem.Wrapping = fyne.TextWrapWord
	s.problem.Hide()
	s.importB = widget.NewButtonWithIcon("Import…", theme.FolderOpenIcon(), b.onImport)
	s.importB.Importance = widget.HighImportance
	icon := widget.NewIcon(theme.SearchIcon())
	row := container.NewBorder(nil, nil, icon, s.importB, s.entry)
	s.content = container.NewPadded(container.NewVBox(row, s.problem))
	return s
}

// onChanged parses what was typed (cheap, on the UI goroutine) so a syntax error
// shows at once, and sends a valid query to the searcher.
func (s *searchBar) onChanged(text string) {
	s.entry.edited(text)
	if _, err := query.Parse(text); err != nil {
		s.showError(text, err)
		return
	}
	s.current = text
	s.b.searcher.submit(searchRequest{query: text})
}

// showError explains why text cannot be searched, under the box; the grid keeps the
// last good results.
func (s *searchBar) showError(text string, err error) {
	if text != s.entry.Text {
		return
	}
	s.problem.SetText(describeQueryError(text, err))
	s.problem.Show()
}

func (s *searchBar) clearError() {
	s.problem.Hide()
}

// describeQueryError is one line saying where the query goes wrong and what to do.
func describeQueryError(text string, err error) string {
	var qe *query.Error
	if errors.As(err, &qe) {
		pos := min(max(qe.Pos, 0), len(text))
		col := utf8.RuneCountInString(text[:pos]) + 1
		near := ""
		if end := min(max(qe.End, pos), len(text)); end > pos {
			near = fmt.Sprintf(" (%q)", text[pos:end])
		}
		return fmt.Sprintf("Column %d%s: %s", col, near, qe.Msg)
	}
	var ut *library.UnknownTagError
	if errors.As(err, &ut) {
		return ut.Error()
	}
	return "Search failed: " + err.Error()
}

// suggest offers, for the word under the cursor, tag names with their counts (from
// the index) and the query language's own words.
func (s *searchBar) suggest(text string, cursor int, show func([]suggestion)) {
	cc := query.Completion(text, cursor)
	builtins := cc.Suggestions
	if cc.Kind != query.CompleteTag || cc.Prefix == "" {
		show(replaceWord(text, cc, builtins))
		return
	}
	background(s.b.do, func() ([]library.Tag, error) {
		return s.b.lib.SearchTags(s.b.ctx, cc.Prefix, 8)
	}, func(tags []library.Tag, err error) {
		if err != nil {
			tags = nil
		}
		items := make([]suggestion, 0, len(tags)+len(builtins))
		for _, t := range tags {
			word := query.FormatTag(t.Name)
			items = append(items, suggestion{
				label: t.Name, detail: strconv.Itoa(t.Count),
				text: text[:cc.Pos] + word + text[cc.End:], cursor: cc.Pos + len(word),
			})
		}
		show(append(items, replaceWord(text, cc, builtins)...))
	})
}

// replaceWord turns built-in words into suggestions replacing the span of cc.
func replaceWord(text string, cc query.CompletionContext, words []string) []suggestion {
	out := make([]suggestion, 0, len(words))
	for _, w := range words {
		if cc.Kind == query.CompleteValue {
			w = query.FormatValue(w)
		}
		out = append(out, suggestion{label: w, text: text[:cc.Pos] + w + text[cc.End:], cursor: cc.Pos + len(w)})
	}
	return out
}

// addTerm appends a tag to the query (negated with exclude), as the sidebar does.
func (s *searchBar) addTerm(tag string, exclude bool) {
	term := query.FormatTag(tag)
	if exclude {
		term = "-" + term
	}
	text := strings.TrimSpace(s.entry.Text)
	if text != "" {
		text += " "
	}
	text += term
	s.setQuery(text)
}

// setQuery replaces the query and searches (through OnChanged), without suggestions.
func (s *searchBar) setQuery(text string) {
	s.entry.setText(text, len(text))
}
