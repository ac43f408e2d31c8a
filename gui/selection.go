package gui

import (
	"fyne.io/fyne/v2"
	"github.com/RoaringBitmap/roaring/v2"
)

// selection is the set of selected file ids and the anchor of shift-click ranges. A
// bitmap, so Ctrl+A on a million results costs a copy of the result set, not a map.
type selection struct {
	ids    *roaring.Bitmap
	anchor int // grid index of the last plain or ctrl click; -1 when none
}

func newSelection() *selection {
	return &selection{ids: roaring.New(), anchor: -1}
}

func (s *selection) has(id int64) bool { return s.ids.Contains(uint32(id)) }

func (s *selection) count() int { return int(s.ids.GetCardinality()) }

func (s *selection) clear() {
	s.ids.Clear()
	s.anchor = -1
}

// keep drops the ids that are no longer among the results.
func (s *selection) keep(results *roaring.Bitmap) {
	s.ids.And(results)
}

// list returns up to n selected ids (all when n <= 0).
func (s *selection) list(n int) []int64 {
	out := make([]int64, 0, min(s.count(), max(n, 0)))
	it := s.ids.Iterator()
	for it.HasNext() && (n <= 0 || len(out) < n) {
		out = append(out, int64(it.Next()))
	}
	return out
}

// click applies a click on the cell at index: plain selects only it, ctrl toggles it,
// shift selects the range from the anchor (added to the selection with ctrl too).
func (b *browser) click(index int, mods fyne.KeyModifier) {
	rs := b.results
	if rs == nil || index < 0 || index >= rs.count {
		return
	}
	s := b.selection
	ids := rs.res.IDs(index, 1)
	if len(ids) == 0 {
		return
	}
	id := ids[0]
	ctrl := mods&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0
	switch {
	case mods&fyne.KeyModifierShift != 0 && s.anchor >= 0:
		lo, hi := min(s.anchor, index), max(s.anchor, index)
		if !ctrl {
			s.ids.Clear()
		}
		for _, id := range rs.res.IDs(lo, hi-lo+1) {
			s.ids.Add(uint32(id))
		}
	case ctrl:
		if s.has(id) {
			s.ids.Remove(uint32(id))
		} else {
			s.ids.Add(uint32(id))
		}
		s.anchor = index
	default:
		s.ids.Clear()
		s.ids.Add(uint32(id))
		s.anchor = index
	}
	b.tracef("click %d (modifiers %d): %d selected", index, mods, s.count())
	b.selectionChanged()
}

// selectAll selects every result (Ctrl+A).
func (b *browser) selectAll() {
	if b.results == nil {
		return
	}
	rs := b.results
	if int(rs.res.Set().GetCardinality()) == rs.count {
		b.selection.ids = rs.res.Set().Clone()
	} else { // limit: cut the set; select what is shown
		b.selection.ids = roaring.New()
		for _, id := range rs.res.IDs(0, rs.count) {
			b.selection.ids.Add(uint32(id))
		}
	}
	b.selectionChanged()
}

// selectNone clears the selection (Escape).
func (b *browser) selectNone() {
	b.selection.clear()
	b.selectionChanged()
}

func (b *browser) selectionChanged() {
	b.grid.view.Refresh()
	b.status.showCounts()
	b.inspector.show()
}
