package query

import (
	"fmt"
	"strconv"
	"time"
)

// Date is the value of added and modified comparisons: a span of time, kept
// as written so that parsing needs no clock or time zone. [Date.Range]
// resolves it.
type Date struct {
	// Unit is set for a relative date: the calendar day Ago units before
	// today. today is {Ago: 0, Unit: "d"}, yesterday {Ago: 1, Unit: "d"},
	// 2w the day fourteen days ago. Unit is "" for an absolute date.
	Unit DateUnit
	Ago  int

	// An absolute date is a local wall-clock time, to Precision: the whole
	// day, minute or second it names.
	Year, Month, Day     int
	Hour, Minute, Second int
	Precision            Precision
}

// DateUnit is the unit of a relative date.
type DateUnit string

// The relative date units.
const (
	Days   DateUnit = "d"
	Weeks  DateUnit = "w"
	Months DateUnit = "mo"
	Years  DateUnit = "y"
)

// Precision is how much time an absolute date covers.
type Precision string

// The precisions of absolute dates.
const (
	PrecisionDay    Precision = "day"    // 2024-01-02
	PrecisionMinute Precision = "minute" // 2024-01-02T15:04
	PrecisionSecond Precision = "second" // 2024-01-02T15:04:05
)

// maxAgo bounds relative dates (a thousand years of days) so that resolving
// them cannot overflow.
const maxAgo = 366000

// Range resolves d to the span [start, end) it covers, in now's location:
// now decides what "today" is and which time zone wall-clock dates are in.
func (d Date) Range(now time.Time) (start, end time.Time) {
	loc := now.Location()
	if d.Unit != "" {
		y, m, day := now.Date()
		today := time.Date(y, m, day, 0, 0, 0, 0, loc)
		switch d.Unit {
		case Weeks:
			start = today.AddDate(0, 0, -7*d.Ago)
		case Months:
			start = today.AddDate(0, -d.Ago, 0)
		case Years:
			start = today.AddDate(-d.Ago, 0, 0)
		default:
			start = today.AddDate(0, 0, -d.Ago)
		}
		return start, start.AddDate(0, 0, 1)
	}
	start = time.Date(d.Year, time.Month(d.Month), d.Day, d.Hour, d.Minute, d.Second, 0, loc)
	switch d.Precision {
	case PrecisionSecond:
		return start, start.Add(time.Second)
	case PrecisionMinute:
		return start, start.Add(time.Minute)
	default:
		return start, start.AddDate(0, 0, 1)
	}
}

// parseDate parses 2024-01-02, 2024-01-02T15:04, 2024-01-02T15:04:05, today,
// yesterday and 7d, 2w, 3mo, 1y.
func parseDate(s string) (Date, error) {
	switch {
	case equalFold(s, "today"):
		return Date{Unit: Days}, nil
	case equalFold(s, "yesterday"):
		return Date{Unit: Days, Ago: 1}, nil
	}
	if num, unit := splitNumber(s); num != "" && len(num) < len(s) && s[len(num)] != '-' {
		return parseRelative(s, num, unit)
	}
	return parseAbsolute(s)
}

func parseRelative(s, num, unit string) (Date, error) {
	var u DateUnit
	for _, cand := range []DateUnit{Days, Weeks, Months, Years} {
		if equalFold(unit, string(cand)) {
			u = cand
		}
	}
	if u == "" {
		return Date{}, fmt.Errorf("unknown date unit in %q — use d, w, mo or y (7d is seven days ago), or a date like 2024-01-31", s)
	}
	n, ok := parseCount(num)
	if !ok || n > maxAgo {
		return Date{}, fmt.Errorf("bad relative date %q — write a whole number of d, w, mo or y, like 7d", s)
	}
	return Date{Unit: u, Ago: int(n)}, nil
}

// parseAbsolute parses YYYY-MM-DD with an optional THH:MM or THH:MM:SS.
func parseAbsolute(s string) (Date, error) {
	bad := fmt.Errorf("bad date %q — write 2024-01-31, 2024-01-31T14:30, today, yesterday or 7d", s)
	field := func(from, n int, lo, hi int) (int, bool) {
		if from+n > len(s) {
			return 0, false
		}
		v, ok := parseCount(s[from : from+n])
		return int(v), ok && len(s[from:from+n]) == n && lo <= int(v) && int(v) <= hi
	}
	var d Date
	var ok [6]bool
	d.Year, ok[0] = field(0, 4, 1, 9999)
	d.Month, ok[1] = field(5, 2, 1, 12)
	d.Day, ok[2] = field(8, 2, 1, 31)
	if !ok[0] || !ok[1] || !ok[2] || s[4] != '-' || s[7] != '-' {
		return Date{}, bad
	}
	if t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC); t.Day() != d.Day {
		return Date{}, fmt.Errorf("%d-%02d has no day %d — check the date %q", d.Year, d.Month, d.Day, s)
	}
	d.Precision = PrecisionDay
	switch len(s) {
	case 10:
		return d, nil
	case 16, 19:
	default:
		return Date{}, bad
	}
	d.Hour, ok[3] = field(11, 2, 0, 23)
	d.Minute, ok[4] = field(14, 2, 0, 59)
	if !ok[3] || !ok[4] || (s[10] != 'T' && s[10] != 't') || s[13] != ':' {
		return Date{}, bad
	}
	d.Precision = PrecisionMinute
	if len(s) == 19 {
		d.Second, ok[5] = field(17, 2, 0, 59)
		if !ok[5] || s[16] != ':' {
			return Date{}, bad
		}
		d.Precision = PrecisionSecond
	}
	return d, nil
}

// String prints d as the query language writes it.
func (d Date) String() string {
	if d.Unit != "" {
		switch {
		case d.Unit == Days && d.Ago == 0:
			return "today"
		case d.Unit == Days && d.Ago == 1:
			return "yesterday"
		}
		return strconv.Itoa(d.Ago) + string(d.Unit)
	}
	s := fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	switch d.Precision {
	case PrecisionMinute:
		s += fmt.Sprintf("T%02d:%02d", d.Hour, d.Minute)
	case PrecisionSecond:
		s += fmt.Sprintf("T%02d:%02d:%02d", d.Hour, d.Minute, d.Second)
	}
	return s
}
