package memon

import (
	"time"
)

// Counters are cheap: today's numbers live on the event item and change in
// the same write that applies a ping or decides DOWN, so they cost no extra
// write per ping. When the UTC day changes, the finished day leaves the item
// as ONE daily record in the history table (at most one extra write per
// event per day; the store writes it together with the item). Reports and
// the web page's charts read those records, plus today's counters.

// DayLayout is the form of DayCounts.Day: a UTC calendar day.
const DayLayout = "2006-01-02"

// maxReasonLen bounds the last failure's reason kept in the counters.
const maxReasonLen = 200

// maxGapDays bounds how many silent days one roll writes: older days would
// expire from the history table (400 days) anyway.
const maxGapDays = 400

// DayCounts is one UTC day of an event's activity.
type DayCounts struct {
	Day            string        // UTC day, DayLayout ("2026-11-24")
	Runs           int           // outcomes reported: successes and failures
	Failures       int           // failed runs (fail pings, runs under MinRuntime)
	Late           int           // successes after the deadline, before any DOWN
	Missed         int           // missed periods: deadline + grace passed with no run
	Overruns       int           // runs that started and had no outcome within MaxRuntime
	Downtime       time.Duration // time down while watched (paused time is not downtime)
	Paused         time.Duration // time paused
	DurationSum    time.Duration // sum of the known run durations
	DurationRuns   int           // runs whose duration is known
	DurationMax    time.Duration // longest known run duration
	LastFailTime   time.Time     // the day's last failure
	LastFailReason string        // and why
}

// IsZero reports a day with nothing in it, which needs no record.
func (d DayCounts) IsZero() bool {
	return d == DayCounts{Day: d.Day}
}

// Start is the day's first instant (UTC).
func (d DayCounts) Start() time.Time {
	t, err := time.Parse(DayLayout, d.Day)
	if err != nil {
		return time.Time{}
	}
	return t
}

// AvgDuration is the mean known run duration, 0 when none is known.
func (d DayCounts) AvgDuration() time.Duration {
	if d.DurationRuns == 0 {
		return 0
	}
	return d.DurationSum / time.Duration(d.DurationRuns)
}

// Add sums two periods' counts into one (Day is kept from d); the last
// failure is the later one.
func (d DayCounts) Add(o DayCounts) DayCounts {
	d.Runs += o.Runs
	d.Failures += o.Failures
	d.Late += o.Late
	d.Missed += o.Missed
	d.Overruns += o.Overruns
	d.Downtime += o.Downtime
	d.Paused += o.Paused
	d.DurationSum += o.DurationSum
	d.DurationRuns += o.DurationRuns
	d.DurationMax = max(d.DurationMax, o.DurationMax)
	if o.LastFailTime.After(d.LastFailTime) {
		d.LastFailTime, d.LastFailReason = o.LastFailTime, o.LastFailReason
	}
	return d
}

// DayOf is the UTC day of t.
func DayOf(t time.Time) string { return t.UTC().Format(DayLayout) }

// rollTo moves the counters forward to t's day: every finished day, with the
// open downtime or pause counted up to its end, goes to ClosedDays for the
// store to write. A day with nothing in it is not written. Never backwards:
// a ping older than today's counters is counted today.
func (ev *Event) rollTo(t time.Time) {
	day := DayOf(t)
	if ev.Today.Day == "" {
		ev.Today.Day = day
		return
	}
	if day <= ev.Today.Day {
		return
	}
	for ev.Today.Day < day {
		end := ev.Today.Start().Add(24 * time.Hour)
		if end.IsZero() || end.Year() < 2 { // an unreadable day: start afresh
			ev.Today = DayCounts{Day: day}
			return
		}
		ev.closeOpen(end)
		if !ev.Today.IsZero() {
			ev.ClosedDays = append(ev.ClosedDays, ev.Today)
		}
		next := DayOf(end)
		if ev.DownSince.IsZero() && ev.PausedSince.IsZero() {
			next = day // nothing open: the silent days between have no record
		} else if gapStart := t.UTC().AddDate(0, 0, -maxGapDays); end.Before(gapStart) {
			next = DayOf(gapStart)
		}
		ev.Today = DayCounts{Day: next}
	}
}

// closeOpen adds the open downtime and pause up to end (within today) to
// today's counters, and restarts them at end.
func (ev *Event) closeOpen(end time.Time) {
	start := ev.Today.Start()
	span := func(since time.Time) time.Duration {
		if since.IsZero() || !end.After(since) {
			return 0
		}
		if since.Before(start) {
			since = start
		}
		return max(end.Sub(since), 0)
	}
	if !ev.DownSince.IsZero() {
		ev.Today.Downtime += span(ev.DownSince)
		ev.DownSince = maxTime(ev.DownSince, end)
	}
	if !ev.PausedSince.IsZero() {
		ev.Today.Paused += span(ev.PausedSince)
		ev.PausedSince = maxTime(ev.PausedSince, end)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// countRun counts an outcome (success or failure) at t.
func (ev *Event) countRun(t time.Time, p Ping, failed bool, reason string) {
	ev.rollTo(t)
	ev.Today.Runs++
	if p.Duration > 0 {
		ev.Today.DurationRuns++
		ev.Today.DurationSum += p.Duration
		ev.Today.DurationMax = max(ev.Today.DurationMax, p.Duration)
	}
	if failed {
		ev.Today.Failures++
		if !t.Before(ev.Today.LastFailTime) {
			ev.Today.LastFailTime, ev.Today.LastFailReason = t, truncate(reason, maxReasonLen)
		}
	}
}

// downFrom starts counting downtime at t (a failure, or a deadline + grace
// passed), unless the event is already counted down or is paused.
func (ev *Event) downFrom(t time.Time) {
	ev.rollTo(t)
	if ev.DownSince.IsZero() && ev.Enabled {
		ev.DownSince = t
	}
}

// upAt ends the downtime at t.
func (ev *Event) upAt(t time.Time) {
	ev.rollTo(t)
	if ev.DownSince.IsZero() {
		return
	}
	if t.After(ev.DownSince) {
		ev.closeOpen(t)
	}
	ev.DownSince = time.Time{}
}

// Pause disables the event at now: from now on its pings are recorded and
// it is never alerted; paused time is counted, and is not downtime.
func (ev *Event) Pause(now time.Time) {
	if !ev.Enabled {
		return
	}
	ev.rollTo(now)
	ev.closeOpen(now)
	ev.DownSince = time.Time{}
	ev.PausedSince = now
	ev.Enabled = false
}

// unpause ends the paused time at now; an event still down counts downtime
// again from now.
func (ev *Event) unpause(now time.Time) {
	ev.rollTo(now)
	ev.closeOpen(now)
	ev.PausedSince, ev.PausedUntil = time.Time{}, time.Time{}
	if ev.State == Down {
		ev.DownSince = now
	}
}

// CountsThrough returns the event's counters as of now without changing the
// event: the finished days not yet written to history (oldest first), then
// today's counts with the open downtime and pause counted up to now. With
// the daily records from the history table this covers every day exactly
// once.
func (ev *Event) CountsThrough(now time.Time) []DayCounts {
	c := *ev
	c.ClosedDays = append([]DayCounts(nil), ev.ClosedDays...)
	c.rollTo(now)
	c.closeOpen(now)
	return append(c.ClosedDays, c.Today)
}

// countOutcome counts a success or failure ping and moves the downtime;
// it also closes the open run and keeps the failure streak (noise.go).
func (ev *Event) countOutcome(p Ping, failReason string, late bool) {
	ev.endRun(p)
	ev.countStreak(p.Signal == Fail)
	t := p.SentAt
	ev.countRun(t, p, p.Signal == Fail, failReason)
	if p.Signal == Fail {
		ev.downFrom(t)
		return
	}
	ev.upAt(t)
	if late {
		ev.Today.Late++
	}
}

// countMissed counts missed periods decided at now, down since due.
func (ev *Event) countMissed(due, now time.Time, missed int) {
	ev.downFrom(due)
	ev.rollTo(now)
	ev.Today.Missed += missed
}
