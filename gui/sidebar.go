package gui

import (
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hoard/library"
)

// sidebar lists every tag with its count, grouped by namespace, with a filter box.
// Click a tag to add it to the query; ctrl-click to exclude it.
type sidebar struct {
	b       *browser
	filter  *widget.Entry
	list    *widget.List
	empty   *widget.Label
	content fyne.CanvasObject

	tags []library.Tag // all of them, as last loaded
	rows []sidebarRow  // what the list shows after filtering and grouping

	rowWidgets []*tagRow // every row the list made, for hit-testing drops
}

// sidebarRow is a namespace heading or a tag.
type sidebarRow struct {
	heading string
	tag     library.Tag
}

func newSidebar(b *browser) *sidebar {
	s := &sidebar{b: b}
	s.filter = widget.NewEntry()
	s.filter.PlaceHolder = "Filter tags"
	s.filter.OnChanged = func(string) { s.regroup() }
	s.list = widget.NewList(
		func() int { return len(s.rows) },
		func() fyne.CanvasObject {
			r := newTagRow(s)
			s.rowWidgets = append(s.rowWidgets, r)
			return r
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*tagRow).bind(s.rows[i]) },
	)
	title := widget.NewLabelWithStyle("Tags", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(title, s.filter)
	s.empty = widget.NewLabel("No tags yet")
	s.empty.Alignment = fyne.TextAlignCenter
	s.empty.Importance = widget.LowImportance
	s.content = container.NewBorder(container.NewPadded(top), nil, nil, nil,
		container.NewStack(s.list, container.NewVBox(s.empty)))
	return s
}

// reload reads the tags again (after a change, or at start).
func (s *sidebar) reload() {
	background(s.b.do, func() ([]library.Tag, error) {
		return s.b.lib.Tags(s.b.ctx)
	}, func(tags []library.Tag, err error) {
		if err != nil {
			s.b.status.showError("Could not read the tags", err)
			return
		}
		s.tags = tags
		s.regroup()
	})
}

// regroup filters the tags and groups them: plain tags first, then each namespace
// under its heading, names in order.
func (s *sidebar) regroup() {
	needle := strings.ToLower(strings.TrimSpace(s.filter.Text))
	groups := map[string][]library.Tag{}
	for _, t := range s.tags {
		if needle != "" && !strings.Contains(strings.ToLower(t.Name), needle) {
			continue
		}
		ns := t.Namespace()
		groups[ns] = append(groups[ns], t)
	}
	names := make([]string, 0, len(groups))
	for ns := range groups {
		names = append(names, ns)
	}
	sort.Strings(names) // "" (plain tags) sorts first
	s.rows = s.rows[:0]
	for _, ns := range names {
		if ns != "" || len(names) > 1 {
			heading := ns
			if heading == "" {
				heading = "general"
			}
			s.rows = append(s.rows, sidebarRow{heading: heading})
		}
		for _, t := range groups[ns] {
			s.rows = append(s.rows, sidebarRow{tag: t})
		}
	}
	if len(s.rows) == 0 {
		s.empty.SetText("No tags yet")
		if needle != "" {
			s.empty.SetText("No tag matches")
		}
		s.empty.Show()
	} else {
		s.empty.Hide()
	}
	s.list.Refresh()
}

// tagRow is one line of the sidebar: a colour dot, the name and the count, or a
// namespace heading. It handles taps itself to read the ctrl modifier.
type tagRow struct {
	widget.BaseWidget
	s       *sidebar
	row     sidebarRow
	dot     *canvas.Circle
	name    *widget.Label
	count   *widget.Label
	heading *canvas.Text
}

func newTagRow(s *sidebar) *tagRow {
	r := &tagRow{s: s}
	r.dot = canvas.NewCircle(theme.Color(theme.ColorNamePrimary))
	r.name = widget.NewLabel("")
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.count = widget.NewLabel("")
	r.count.Importance = widget.LowImportance
	r.heading = canvas.NewText("", theme.Color(theme.ColorNamePrimary))
	r.heading.TextStyle.Bold = true
	r.heading.TextSize = theme.CaptionTextSize()
	r.ExtendBaseWidget(r)
	return r
}

func (r *tagRow) CreateRenderer() fyne.WidgetRenderer {
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(10), r.dot))
	line := container.NewBorder(nil, nil, dot, r.count, r.name)
	heading := container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding(), 0), container.NewVBox(layout.NewSpacer(), r.heading, layout.NewSpacer()))
	return widget.NewSimpleRenderer(container.NewStack(line, heading))
}

func (r *tagRow) bind(row sidebarRow) {
	r.row = row
	if row.heading != "" {
		ns := row.heading
		if ns == "general" {
			ns = ""
		}
		r.heading.Text = strings.ToUpper(row.heading)
		r.heading.Color = namespaceColor(ns)
		r.heading.Show()
		r.heading.Refresh()
		r.name.SetText("")
		r.count.SetText("")
		r.dot.Hide()
		return
	}
	r.heading.Hide()
	r.dot.Show()
	r.dot.FillColor = namespaceColor(row.tag.Namespace())
	r.dot.Refresh()
	// Under its namespace heading a tag shows without the prefix.
	name := row.tag.Name
	if ns := row.tag.Namespace(); ns != "" {
		name = strings.TrimPrefix(name[len(ns):], ":")
	}
	r.name.SetText(name)
	r.count.SetText(strconv.Itoa(row.tag.Count))
}

// Tapped adds the tag to the query; with ctrl held, excludes it.
func (r *tagRow) Tapped(*fyne.PointEvent) {
	if r.row.heading != "" || r.row.tag.Name == "" {
		return
	}
	r.s.b.search.addTerm(r.row.tag.Name, modifiers()&fyne.KeyModifierControl != 0)
}
