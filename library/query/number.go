package query

import (
	"math/big"
	"strconv"
)

// splitNumber splits s into a leading decimal number ("10", "1.5") and the
// rest (the unit). The number part is empty if s does not start with a digit.
func splitNumber(s string) (num, unit string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i > 0 && i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scaleDecimal returns num × scale rounded to the nearest integer, or false
// if it does not fit an int64. num is digits with an optional fraction.
func scaleDecimal(num string, scale int64) (int64, bool) {
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(scale))
	// Round half up: floor(r + 1/2).
	r.Add(r, big.NewRat(1, 2))
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if !n.IsInt64() {
		return 0, false
	}
	return n.Int64(), true
}

// parseCount parses a non-negative whole number (pixels, tags, limit).
func parseCount(s string) (int64, bool) {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
