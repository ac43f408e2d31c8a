package query

import (
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1", 1}, {"1B", 1}, {"1kb", 1000}, {"1KiB", 1024}, {"1.5MB", 1500000},
		{"1.5MiB", 1572864}, {"2GB", 2e9}, {"2gib", 2 << 30}, {"1TB", 1e12}, {"1TiB", 1 << 40},
		{"0.5B", 1}, {"0.4B", 0}, {"8388607TiB", 8388607 << 40},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseSize(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
			if back, err := parseSize(formatSize(got)); err != nil || back != got {
				t.Errorf("formatSize(%d) = %q, which parses to %d, %v", got, formatSize(got), back, err)
			}
		})
	}
	for _, bad := range []string{"", "MB", "1K", "1 MB", "1.MB", "-1", "8388608TiB", "1e3"} {
		if n, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, n)
		}
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0}, {"90", 90 * time.Second}, {"60s", time.Minute}, {"1.5m", 90 * time.Second},
		{"2h", 2 * time.Hour}, {"250ms", 250 * time.Millisecond}, {"1S", time.Second},
		{"0.0004s", 0}, {"0.0005s", time.Millisecond},
		{"1:30", 90 * time.Second}, {"0:05", 5 * time.Second}, {"75:00", 75 * time.Minute},
		{"1:02:03", time.Hour + 2*time.Minute + 3*time.Second}, {"1:00:00.5", time.Hour + 500*time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDuration(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if back, err := parseDuration(formatDuration(got)); err != nil || back != got {
				t.Errorf("formatDuration(%v) = %q, which parses to %v, %v", got, formatDuration(got), back, err)
			}
		})
	}
	for _, bad := range []string{"", "s", "1d", "1:5", "1:60", "1:2:3", "1:60:00", ":30", "1:", "1:30:", "1::30", "a:30", "1:3x", "9999999999h"} {
		if d, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) = %v, want an error", bad, d)
		}
	}
}

func TestDateRange(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2024, 3, 31, 15, 4, 5, 0, berlin)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, berlin) }
	cases := []struct {
		in         string
		start, end time.Time
	}{
		{"today", day(2024, 3, 31), day(2024, 4, 1)},
		{"yesterday", day(2024, 3, 30), day(2024, 3, 31)},
		{"7d", day(2024, 3, 24), day(2024, 3, 25)},
		{"2w", day(2024, 3, 17), day(2024, 3, 18)},
		{"1mo", day(2024, 3, 2), day(2024, 3, 3)}, // AddDate normalizes Feb 31
		{"1y", day(2023, 3, 31), day(2023, 4, 1)},
		{"2024-01-02", day(2024, 1, 2), day(2024, 1, 3)},
		{"2024-01-02T10:30", time.Date(2024, 1, 2, 10, 30, 0, 0, berlin), time.Date(2024, 1, 2, 10, 31, 0, 0, berlin)},
		{"2024-01-02T10:30:15", time.Date(2024, 1, 2, 10, 30, 15, 0, berlin), time.Date(2024, 1, 2, 10, 30, 16, 0, berlin)},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			d, err := parseDate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			start, end := d.Range(now)
			if !start.Equal(tc.start) || !end.Equal(tc.end) {
				t.Errorf("Range(%q) = %v, %v; want %v, %v", tc.in, start, end, tc.start, tc.end)
			}
		})
	}
	for _, bad := range []string{"", "2024", "2024-1-2", "2024-01-32", "0000-01-01", "2024-01-02 10:30", "2024-01-02T1030",
		"2024-01-02T10:3", "2024-01-02T10:30:60", "2024-01-02T24:00", "2024-01-02x", "1.5d", "999999999d", "d", "7"} {
		if d, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) = %+v, want an error", bad, d)
		}
	}
}
