package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// durationUnits are the units duration> accepts, matched case-insensitively.
var durationUnits = []struct {
	name string
	d    time.Duration
}{
	{"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond},
}

// parseDuration parses "90s", "1.5m", "500ms", "2h", "90" (seconds), "1:30"
// (m:ss) and "1:02:03" (h:mm:ss). The result is rounded to milliseconds.
func parseDuration(s string) (time.Duration, error) {
	if strings.Contains(s, ":") {
		return parseClock(s)
	}
	num, unit := splitNumber(s)
	if num == "" {
		return 0, fmt.Errorf("duration needs a number and a unit, like 90s, 2m, 1h or 1:30")
	}
	scale := time.Second
	if unit != "" {
		scale = 0
		for _, u := range durationUnits {
			if equalFold(unit, u.name) {
				scale = u.d
			}
		}
		if scale == 0 {
			return 0, fmt.Errorf("unknown duration unit %q — use ms, s, m or h, or write 1:30", unit)
		}
	}
	ms, ok := scaleDecimal(num, int64(scale/time.Millisecond))
	if !ok || ms > int64(maxDuration/time.Millisecond) {
		return 0, fmt.Errorf("duration %s is too long", s)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// maxDuration keeps durations far from overflow: about 290 years.
const maxDuration = time.Duration(1<<63 - 1)

// parseClock parses m:ss or h:mm:ss; the seconds may have a fraction.
func parseClock(s string) (time.Duration, error) {
	bad := fmt.Errorf("bad duration %q — write m:ss or h:mm:ss, like 1:30 or 1:02:03", s)
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, bad
	}
	lead, ok := parseCount(parts[0])
	if !ok || lead > 1e6 {
		return 0, bad
	}
	total := time.Duration(lead) * time.Minute
	if len(parts) == 3 {
		total = time.Duration(lead) * time.Hour
		mm, ok := parseCount(parts[1])
		if !ok || len(parts[1]) != 2 || mm >= 60 {
			return 0, bad
		}
		total += time.Duration(mm) * time.Minute
	}
	sec := parts[len(parts)-1]
	num, rest := splitNumber(sec)
	if rest != "" || len(num) < 2 || (len(num) > 2 && num[2] != '.') {
		return 0, bad
	}
	ms, ok := scaleDecimal(num, 1000)
	if !ok || ms >= 60000 {
		return 0, bad
	}
	return total + time.Duration(ms)*time.Millisecond, nil
}

// formatDuration prints d in the largest unit that divides it exactly.
func formatDuration(d time.Duration) string {
	for _, u := range durationUnits {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
}
