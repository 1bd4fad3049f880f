package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cronSpec is the oracle's own reading of a five-field cron expression,
// independent of the engine's parser: minute hour day-of-month month
// day-of-week, each "*", "N", "A-B", "*/S", "A-B/S" or a list of those.
type cronSpec struct {
	fields [5][]bool
	domAny bool
	dowAny bool
	loc    *time.Location
}

var cronRanges = [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}

func parseCronSpec(expr string, loc *time.Location) (*cronSpec, error) {
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return nil, fmt.Errorf("cron %q: want five fields", expr)
	}
	c := &cronSpec{loc: loc}
	for i, f := range parts {
		lo, hi := cronRanges[i][0], cronRanges[i][1]
		set := make([]bool, hi+1)
		for _, item := range strings.Split(f, ",") {
			rng, stepText, hasStep := strings.Cut(item, "/")
			step := 1
			if hasStep {
				s, err := strconv.Atoi(stepText)
				if err != nil || s <= 0 {
					return nil, fmt.Errorf("cron %q: bad step %q", expr, item)
				}
				step = s
			}
			a, b := lo, hi
			if rng != "*" {
				from, to, isRange := strings.Cut(rng, "-")
				var err1, err2 error
				a, err1 = strconv.Atoi(from)
				b = a
				if isRange {
					b, err2 = strconv.Atoi(to)
				} else if hasStep {
					b = hi
				}
				if err1 != nil || err2 != nil || a < lo || b > hi || a > b {
					return nil, fmt.Errorf("cron %q: bad field %q", expr, item)
				}
			}
			for v := a; v <= b; v += step {
				set[v] = true
			}
		}
		if i == 4 && set[7] {
			set[0] = true // 7 is Sunday too
		}
		c.fields[i] = set
	}
	c.domAny, c.dowAny = parts[2] == "*", parts[4] == "*"
	return c, nil
}

// matches reports whether the wall-clock minute w (in the spec's zone)
// is a firing. Day of month and day of week: when both are restricted,
// either may match (cron's rule); otherwise both must.
func (c *cronSpec) matches(w time.Time) bool {
	if !c.fields[0][w.Minute()] || !c.fields[1][w.Hour()] || !c.fields[3][int(w.Month())] {
		return false
	}
	dom, dow := c.fields[2][w.Day()], c.fields[4][int(w.Weekday())]
	if !c.domAny && !c.dowAny {
		return dom || dow
	}
	return dom && dow
}

// next is the first firing strictly after t, as the README documents a
// cron schedule in a zone: a wall-clock time that daylight saving skips
// does not fire that night (it never occurs), and a time it repeats fires
// once, at its first occurrence. It walks real minutes and reads each as
// the zone's wall clock, which is that rule by construction.
func (c *cronSpec) next(t time.Time) time.Time {
	m := t.Truncate(time.Minute).Add(time.Minute)
	for range 400 * 24 * 60 {
		w := m.In(c.loc)
		if c.matches(w) && !c.repeated(m, w) {
			return m
		}
		m = m.Add(time.Minute)
	}
	return time.Time{}
}

// repeated reports whether wall-clock minute w (the reading of instant m)
// already occurred earlier the same night: a fall-back repeat.
func (c *cronSpec) repeated(m, w time.Time) bool {
	for _, back := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		e := m.Add(-back).In(c.loc)
		if e.Year() == w.Year() && e.YearDay() == w.YearDay() && e.Hour() == w.Hour() && e.Minute() == w.Minute() {
			return true
		}
	}
	return false
}
