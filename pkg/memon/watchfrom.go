package memon

import (
	"strings"
	"time"
)

// WatchFrom is when a new event starts being watched: from its first run
// (memon.py's rule, and every item without the setting) or from its
// creation, so a job whose ping line is broken from day one is reported too.
type WatchFrom string

const (
	// WatchFirstRun: a never-run event is "new" and never reported; its
	// first ping sets its first deadline. The default.
	WatchFirstRun WatchFrom = "first-run"
	// WatchNow: a new event's first deadline counts from its creation (cron:
	// the next firing; rolling and fixed: creation plus one period).
	WatchNow WatchFrom = "now"
)

// ParseWatchFrom reads "first-run" or "now"; "" is the default, first-run.
func ParseWatchFrom(field, s string) (WatchFrom, error) {
	switch w := WatchFrom(strings.ToLower(strings.TrimSpace(s))); w {
	case "", WatchFirstRun:
		return WatchFirstRun, nil
	case WatchNow:
		return WatchNow, nil
	}
	return "", invalid(field, s, "want first-run (not watched until its first ping, the default) or now (watched from its creation)")
}

// OrDefault is the rule in force: first-run when none was chosen.
func (w WatchFrom) OrDefault() WatchFrom {
	if w == "" {
		return WatchFirstRun
	}
	return w
}

// Watched reports whether the event has a deadline, i.e. whether a missed
// run is reported. A never-run event watched from its first run has none.
func (ev *Event) Watched() bool { return !ev.NextBlockTime.IsZero() }

// WatchNew arms a never-run, unarmed event that is watched from its
// creation, as of now (its creation, or the first poll that sees an item
// another tool created). It reports whether it armed the event. An event
// that ran, or has a deadline already (an initial time), is left alone.
func (ev *Event) WatchNew(now time.Time) bool {
	if ev.WatchFrom.OrDefault() != WatchNow || ev.Watched() || !ev.lastRun().IsZero() {
		return false
	}
	ev.LastBlockTime, ev.NextBlockTime = ev.Schedule.rearm(now.UTC(), time.Time{}, time.Time{})
	ev.ErrorCount = 0
	return !ev.NextBlockTime.IsZero()
}

// InitialTime is a first deadline as a person types it (--initial-date,
// --initial-time): a calendar date and/or a time of day, read in the
// event's zone (its schedule's TimeZone, UTC when it has none), the one
// zone every typed time of an event is read in, cron included.
type InitialTime struct {
	Date  *time.Time // year, month and day only; nil: not given
	Clock *time.Time // hour and minute only; nil: not given (midnight)
}

// Given reports whether a date or a time was typed.
func (in InitialTime) Given() bool { return in.Date != nil || in.Clock != nil }

// InitialDeadline is the first deadline an initial time gives s at now.
// A date alone is its midnight; a time alone is today, or tomorrow when it
// has passed (memon.py's rule: the first expected run is in the future).
// A fixed grid is anchored at the typed moment and its first deadline is the
// next grid point after now, so an hourly grid typed at 09:00 in the evening
// is watched from the next hour, not from tomorrow morning; a date still to
// come is kept as the grid's start. For a daily grid both rules agree.
func InitialDeadline(s Schedule, in InitialTime, now time.Time) time.Time {
	loc := s.Location()
	h, m := 0, 0
	if in.Clock != nil {
		h, m = in.Clock.Hour(), in.Clock.Minute()
	}
	if in.Date != nil {
		t := time.Date(in.Date.Year(), in.Date.Month(), in.Date.Day(), h, m, 0, 0, loc)
		if s.Kind == Fixed && !t.After(now) {
			return nextGridPoint(t, s.Period, now)
		}
		return t
	}
	today := now.In(loc)
	t := time.Date(today.Year(), today.Month(), today.Day(), h, m, 0, 0, loc)
	if s.Kind == Fixed {
		return nextGridPoint(t, s.Period, now)
	}
	if !t.After(now) {
		t = time.Date(today.Year(), today.Month(), today.Day()+1, h, m, 0, 0, loc)
	}
	return t
}

// nextGridPoint is the first anchor + k·period (k any integer) after now.
func nextGridPoint(anchor time.Time, period time.Duration, now time.Time) time.Time {
	if period <= 0 {
		return anchor
	}
	k := now.Sub(anchor) / period // truncates toward zero, either side of the anchor
	p := anchor.Add(k * period)
	for !p.After(now) {
		p = p.Add(period)
	}
	for q := p.Add(-period); q.After(now); q = q.Add(-period) {
		p = q
	}
	return p
}

// ArmInitial sets the first deadline from a typed initial time and returns it.
func (ev *Event) ArmInitial(in InitialTime, now time.Time) time.Time {
	ev.SetInitial(InitialDeadline(ev.Schedule, in, now))
	return ev.NextBlockTime
}
