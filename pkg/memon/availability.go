package memon

import (
	"sort"
	"time"
)

// DayTime is how one UTC day of an event was spent. Up and Down are the
// watched time; Paused is time disabled. The rest of the day (before the
// event existed, or while it was new and not yet judged) is neither up nor
// down, so a new event does not look healthy and an always-broken one
// does not look 99.9% up.
type DayTime struct {
	Day              time.Time // 00:00 UTC
	Up, Down, Paused time.Duration
}

// Watched is the day's up plus down time.
func (d DayTime) Watched() time.Duration { return d.Up + d.Down }

// TimeInStates replays an event's history (its state transitions, in any
// order) over [from, to) and returns each UTC day's time up, down and
// paused, one entry per day from from's day through to's. This is the one
// computation of availability: the report, the scheduled reports and the
// web page all read their uptime and downtime from it.
//
// The state at from is the From of the first transition after it, or the
// event's status when nothing changed since; the time before the first
// transition of a new event is therefore neither up nor down.
func TimeInStates(ev *Event, recs []HistoryRecord, from, to time.Time) []DayTime {
	from, to = from.UTC(), to.UTC()
	start := from.Truncate(24 * time.Hour)
	var days []DayTime
	for d := start; d.Before(to) || d.Equal(start); d = d.Add(24 * time.Hour) {
		days = append(days, DayTime{Day: d})
	}
	var trs []HistoryRecord
	for _, r := range recs {
		if r.To != "" && !r.Superseded && !r.At.Before(from) {
			trs = append(trs, r)
		}
	}
	sort.SliceStable(trs, func(i, j int) bool { return trs[i].At.Before(trs[j].At) })
	// The first change after from says what the event was before it, even
	// when it comes after to.
	state := ev.Status()
	if len(trs) > 0 && trs[0].From != "" {
		state = trs[0].From
	} else if len(trs) > 0 {
		state = New // memon.py's first record names no earlier state
	}
	for len(trs) > 0 && !trs[len(trs)-1].At.Before(to) {
		trs = trs[:len(trs)-1]
	}
	spend := func(s State, a, b time.Time) {
		for t := a; t.Before(b); {
			i := int(t.Sub(start) / (24 * time.Hour))
			end := start.Add(time.Duration(i+1) * 24 * time.Hour)
			if end.After(b) {
				end = b
			}
			switch s {
			case Up:
				days[i].Up += end.Sub(t)
			case Down:
				days[i].Down += end.Sub(t)
			case Paused:
				days[i].Paused += end.Sub(t)
			}
			t = end
		}
	}
	at := from
	for _, r := range trs {
		spend(state, at, r.At)
		at = r.At
		// A run recorded while paused (its record's From is the stored
		// state, not Paused) leaves the time paused until the resume.
		if state != Paused || r.From == Paused || r.To == Paused {
			state = r.To
		}
	}
	spend(state, at, to)
	return days
}

// Availability sums days: the time up and down, and the share up (ok is
// false when nothing was watched: no uptime to speak of).
func Availability(days []DayTime) (up, down time.Duration, share float64, ok bool) {
	for _, d := range days {
		up += d.Up
		down += d.Down
	}
	if up+down == 0 {
		return up, down, 0, false
	}
	return up, down, float64(up) / float64(up+down), true
}
