package query

import (
	"fmt"
	"strconv"
)

// sizeUnits are the units size> accepts, matched case-insensitively. KB and
// friends are decimal (×1000), KiB and friends binary (×1024), as on disks.
var sizeUnits = []struct {
	name  string
	bytes int64
}{
	{"TiB", 1 << 40}, {"TB", 1e12},
	{"GiB", 1 << 30}, {"GB", 1e9},
	{"MiB", 1 << 20}, {"MB", 1e6},
	{"KiB", 1 << 10}, {"KB", 1e3},
	{"B", 1},
}

// parseSize parses "10MB", "1.5GiB", "512" (bytes) into bytes.
func parseSize(s string) (int64, error) {
	num, unit := splitNumber(s)
	if num == "" {
		return 0, fmt.Errorf("size needs a number and a unit, like 10MB or 1.5GiB")
	}
	scale := int64(1)
	if unit != "" {
		scale = 0
		for _, u := range sizeUnits {
			if equalFold(unit, u.name) {
				scale = u.bytes
				break
			}
		}
		if scale == 0 {
			return 0, fmt.Errorf("unknown size unit %q — use B, KB, MB, GB, TB (×1000) or KiB, MiB, GiB, TiB (×1024)", unit)
		}
	}
	n, ok := scaleDecimal(num, scale)
	if !ok {
		return 0, fmt.Errorf("size %s is too large", s)
	}
	return n, nil
}

// formatSize prints bytes in the largest unit that divides it exactly, so
// that parsing it gives back the same number.
func formatSize(n int64) string {
	best := strconv.FormatInt(n, 10) + "B"
	if n == 0 {
		return best
	}
	for _, u := range sizeUnits {
		if n%u.bytes == 0 {
			s := strconv.FormatInt(n/u.bytes, 10) + u.name
			if len(s) < len(best) {
				best = s
			}
		}
	}
	return best
}
