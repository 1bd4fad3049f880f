package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

const day = 24 * time.Hour

// Day classes of the availability timeline, mildest first: a day shows
// the worst thing that happened in it.
const (
	dayNone   = "none"   // not watched: before the first run, or no data
	dayPaused = "paused" // paused
	dayUp     = "up"
	dayLate   = "late"   // a run came after its deadline
	dayFailed = "failed" // a run reported a failure
	dayDown   = "down"   // deadlines were missed
)

var daySeverity = map[string]int{dayNone: 0, dayPaused: 1, dayUp: 2, dayLate: 3, dayFailed: 4, dayDown: 5}

// bar is one rectangle of an inline SVG chart.
type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

// dayState is one UTC day of an event's availability.
type dayState struct {
	Date            time.Time
	Class           string
	Up, Down, Watch time.Duration
}

// availability replays the transitions of the last n days (oldest first)
// into one state per UTC day, and the share of watched time spent not down.
// The daily counts, when kept, add what transitions do not show: missed
// periods, failures and late runs of a day.
func availability(recs []memon.HistoryRecord, counts []memon.DayCounts, ev *memon.Event, now time.Time, n int) ([]dayState, float64, bool) {
	start := now.UTC().Truncate(day).Add(-time.Duration(n-1) * day)
	times := memon.TimeInStates(ev, recs, start, now) // the report's computation too
	days := make([]dayState, n)
	worsen := func(i int, c string) {
		if i >= 0 && i < n && daySeverity[c] > daySeverity[days[i].Class] {
			days[i].Class = c
		}
	}
	for i := range days {
		days[i] = dayState{Date: start.Add(time.Duration(i) * day), Class: dayNone}
		if i >= len(times) {
			continue
		}
		t := times[i]
		days[i].Up, days[i].Down, days[i].Watch = t.Up, t.Down, t.Watched()
		if t.Paused > 0 {
			worsen(i, dayPaused)
		}
		if t.Up > 0 {
			worsen(i, dayUp)
		}
		if t.Down > 0 {
			worsen(i, dayDown)
		}
	}
	for _, r := range recs {
		if r.To == "" || r.At.Before(start) || r.At.After(now) {
			continue
		}
		i := int(r.At.Sub(start) / day)
		switch r.Alert {
		case memon.KindFailed:
			worsen(i, dayFailed)
		case memon.KindLate:
			worsen(i, dayLate)
		}
	}
	for _, c := range counts {
		i := int(c.Start().Sub(start) / day)
		switch {
		case c.Start().IsZero():
		case c.Missed > 0 || c.Downtime > 0:
			worsen(i, dayDown)
		case c.Failures > 0:
			worsen(i, dayFailed)
		case c.Late > 0:
			worsen(i, dayLate)
		case c.Runs > 0:
			worsen(i, dayUp)
		}
	}

	_, _, share, ok := memon.Availability(times)
	return days, 100 * share, ok
}

// timeline is the availability chart: a bar per day.
type timeline struct {
	Bars           []bar
	Uptime         string // "99.93 %" or "not enough history yet"
	Few            bool   // watched on fewer than minChartDays days
	First, Last    string // dates under the chart
	Width, Height  float64
	Down, Watching int // days with missed deadlines, days watched
}

func newTimeline(days []dayState, uptime float64, known bool) *timeline {
	t := &timeline{Width: float64(len(days) * 10), Height: 36, Uptime: "not enough history yet"}
	if known {
		t.Uptime = fmt.Sprintf("%.2f %%", uptime)
	}
	for i, d := range days {
		h := t.Height
		if d.Class == dayNone {
			h = 12
		}
		t.Bars = append(t.Bars, bar{X: float64(i * 10), Y: t.Height - h, W: 8, H: h, Class: d.Class,
			Title: d.Date.Format("Mon 2 Jan 2006") + ": " + dayTitle(d.Class)})
		if d.Class == dayDown || d.Class == dayFailed {
			t.Down++
		}
		if d.Watch > 0 {
			t.Watching++
		}
	}
	if len(days) > 0 {
		t.First, t.Last = days[0].Date.Format("2 Jan"), "today"
	}
	t.Few = t.Watching < minChartDays
	return t
}

func dayTitle(c string) string {
	switch c {
	case dayNone:
		return "not watched"
	case dayLate:
		return "up, with a late run"
	case dayFailed:
		return "a run failed"
	case dayDown:
		return "down"
	}
	return c
}

// barChart is a daily bar chart: runs per day, or run durations.
type barChart struct {
	Bars          []bar
	Marks         []bar // the longest run of each day, over its average
	Max           string
	First, Last   string
	Width, Height float64
	Empty         bool
	Few           bool // some data, but on fewer than minChartDays days: "not enough history yet"
}

// minChartDays is how many days with data a chart needs before it says
// anything: one day's bar over a month of blanks reads as a trend.
const minChartDays = 2

// daysWith counts the days for which has holds.
func daysWith(ds []memon.DayCounts, has func(memon.DayCounts) bool) int {
	n := 0
	for _, d := range ds {
		if has(d) {
			n++
		}
	}
	return n
}

// fillDays returns n days ending today: the stored daily records, then
// what the event item holds (finished days not yet written, today), zero
// for a day with neither.
func fillDays(stored []memon.DayCounts, ev *memon.Event, now time.Time, n int) []memon.DayCounts {
	start := now.UTC().Truncate(day).Add(-time.Duration(n-1) * day)
	out := make([]memon.DayCounts, n)
	for i := range out {
		out[i].Day = memon.DayOf(start.Add(time.Duration(i) * day))
	}
	put := func(d memon.DayCounts) {
		i := int(d.Start().Sub(start) / day)
		if d.Start().IsZero() || i < 0 || i >= n {
			return
		}
		out[i] = d
	}
	for _, d := range stored {
		put(d)
	}
	if ev != nil {
		for _, d := range ev.CountsThrough(now) {
			put(d)
		}
	}
	return out
}

// runsChart stacks failures over successes per day.
func runsChart(ds []memon.DayCounts) *barChart {
	c := &barChart{Width: float64(len(ds) * 10), Height: 80, Empty: true}
	most := 0
	for _, d := range ds {
		most = max(most, d.Runs)
	}
	if most == 0 {
		return c
	}
	if daysWith(ds, func(d memon.DayCounts) bool { return d.Runs > 0 }) < minChartDays {
		c.Few = true
		return c
	}
	c.Empty, c.Max = false, fmt.Sprint(most)
	for i, d := range ds {
		if d.Runs == 0 {
			continue
		}
		x := float64(i * 10)
		h := c.Height * float64(d.Runs) / float64(most)
		hf := c.Height * float64(d.Failures) / float64(most)
		date := d.Start().Format("Mon 2 Jan")
		c.Bars = append(c.Bars, bar{X: x, Y: c.Height - h, W: 8, H: h - hf, Class: "ok",
			Title: fmt.Sprintf("%s: %d runs, %d failed", date, d.Runs, d.Failures)})
		if d.Failures > 0 {
			c.Bars = append(c.Bars, bar{X: x, Y: c.Height - hf, W: 8, H: hf, Class: "bad",
				Title: fmt.Sprintf("%s: %d failed of %d", date, d.Failures, d.Runs)})
		}
	}
	c.First, c.Last = ds[0].Start().Format("2 Jan"), "today"
	return c
}

// durationsChart shows each day's average run as a bar and its longest as
// a tick.
func durationsChart(ds []memon.DayCounts) *barChart {
	c := &barChart{Width: float64(len(ds) * 10), Height: 80, Empty: true}
	var longest time.Duration
	for _, d := range ds {
		longest = max(longest, d.DurationMax)
	}
	if longest == 0 {
		return c
	}
	if daysWith(ds, func(d memon.DayCounts) bool { return d.DurationRuns > 0 }) < minChartDays {
		c.Few = true
		return c
	}
	c.Empty, c.Max = false, memon.FormatRunDuration(longest)
	for i, d := range ds {
		if d.DurationRuns == 0 {
			continue
		}
		x := float64(i * 10)
		avg := d.AvgDuration()
		h := c.Height * float64(avg) / float64(longest)
		date := d.Start().Format("Mon 2 Jan")
		c.Bars = append(c.Bars, bar{X: x, Y: c.Height - h, W: 8, H: h, Class: "ok",
			Title: fmt.Sprintf("%s: average %s over %d runs", date, memon.FormatRunDuration(avg), d.DurationRuns)})
		hm := c.Height * float64(d.DurationMax) / float64(longest)
		c.Marks = append(c.Marks, bar{X: x, Y: c.Height - hm, W: 8, H: 2, Class: "max",
			Title: fmt.Sprintf("%s: longest %s", date, memon.FormatRunDuration(d.DurationMax))})
	}
	c.First, c.Last = ds[0].Start().Format("2 Jan"), "today"
	return c
}

// spark is the overview's small chart of the last days: runs per day when
// counts are kept, else the availability of each day. It is one path per
// day class and one title, so a thousand rows stay light.
type spark struct {
	Paths []sparkPath
	Title string
}

type sparkPath struct{ Class, D string }

const sparkDays = 14

func newSpark(days []dayState, runs []memon.DayCounts) *spark {
	most, total, failed := 0, 0, 0
	for _, d := range runs {
		most = max(most, d.Runs)
		total += d.Runs
		failed += d.Failures
	}
	byClass := map[string]*strings.Builder{}
	n := map[string]int{}
	for i, d := range days {
		h := 14.0
		if most > 0 && i < len(runs) {
			h = 3 + 11*float64(runs[i].Runs)/float64(most)
			if runs[i].Runs == 0 {
				h = 2
			}
		}
		if d.Class == dayNone {
			h = min(h, 4)
		}
		b := byClass[d.Class]
		if b == nil {
			b = &strings.Builder{}
			byClass[d.Class] = b
		}
		fmt.Fprintf(b, "M%d %gh4v%gh-4z", i*5, 16-h, h)
		n[d.Class]++
	}
	s := &spark{}
	var parts []string
	for _, c := range []string{dayDown, dayFailed, dayLate, dayUp, dayPaused, dayNone} {
		if b := byClass[c]; b != nil {
			s.Paths = append(s.Paths, sparkPath{Class: c, D: b.String()})
			parts = append(parts, fmt.Sprintf("%d %s", n[c], dayTitle(c)))
		}
	}
	s.Title = fmt.Sprintf("last %d days: %s", len(days), strings.Join(parts, ", "))
	if most > 0 {
		s.Title += fmt.Sprintf("; %d runs, %d failed", total, failed)
	}
	return s
}
