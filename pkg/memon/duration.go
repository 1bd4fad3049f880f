package memon

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MaxPeriod bounds a period: a job expected less than yearly is a typo.
const MaxPeriod = 366 * 24 * time.Hour

const day = 24 * time.Hour

// ParseDuration reads the duration forms MEMon accepts everywhere: plain
// seconds as memon.py took them ("3600"), Go durations ("90s", "1h30m") and
// days, alone or followed by a Go duration ("7d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		// Bound both ways: a huge negative count would wrap around when
		// multiplied into nanoseconds and could land inside the valid range.
		if limit := int64(MaxPeriod/time.Second) * 100; n > limit || n < -limit {
			return 0, fmt.Errorf("%s seconds is out of range", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil || n < 0 || n > 10000 {
			return 0, fmt.Errorf("%q: days must be a whole number before 'd'", s)
		}
		days = time.Duration(n) * day
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
		if s[0] == '-' || s[0] == '+' { // "1d-5h" is a typo, not 19h
			return 0, fmt.Errorf("%q: no sign after the days", s)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	if days > 0 && d > math.MaxInt64-days {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return days + d, nil
}

// FormatDuration prints a duration in the shortest of the accepted forms:
// "7d", "1d12h", "1h30m", "90s".
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d == math.MinInt64 { // cannot be negated
		return d.String()
	}
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	var b strings.Builder
	b.WriteString(sign)
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	if d > 0 { // sub-second remainder: rare, keep it exact
		fmt.Fprintf(&b, "%s", d)
	}
	return b.String()
}

// durationForm is the accepted-form text used in error messages.
const durationForm = "want one word such as 90s, 15m, 1h, 1d or 1h30m (a bare number is seconds: 3600)"

// ParsePeriod parses and bounds a period: more than zero, at most MaxPeriod.
func ParsePeriod(field, s string) (time.Duration, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, invalid(field, s, durationForm)
	}
	if err := checkPeriod(field, s, d); err != nil {
		return 0, err
	}
	return d, nil
}

// checkPeriod bounds a period; given is the text the user typed, quoted in
// the error ("" when the period did not come from text).
func checkPeriod(field, given string, d time.Duration) error {
	if given == "" {
		given = FormatDuration(d)
	}
	if d <= 0 || d > MaxPeriod {
		return invalid(field, given, "must be more than 0 and at most 366d")
	}
	if d%time.Second != 0 {
		return invalid(field, given, "must be a whole number of seconds")
	}
	return nil
}

// ParseGrace parses a grace duration: zero or more, at most MaxPeriod.
func ParseGrace(field, s string) (time.Duration, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, invalid(field, s, durationForm)
	}
	if err := CheckGrace(field, s, d); err != nil {
		return 0, err
	}
	return d, nil
}

// FormatRunDuration prints how long a run took with a unit that fits it:
// "350ms", "1.01s", "12.3s", "2m3s", "1h5m".
func FormatRunDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < 10*time.Second:
		return strconv.FormatFloat(d.Round(10*time.Millisecond).Seconds(), 'f', -1, 64) + "s"
	case d < time.Minute:
		return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64) + "s"
	case d < time.Hour:
		return FormatDuration(d.Round(time.Second))
	}
	return FormatDuration(d.Round(time.Minute))
}
