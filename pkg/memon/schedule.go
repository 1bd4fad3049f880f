package memon

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Lambda's provided.al2023 ships no zoneinfo: embed it.

	"github.com/robfig/cron/v3"
)

// ScheduleKind is how an event's deadlines are laid out (rolling, fixed or
// cron); not to be confused with AlertKind, the kind of an alert.
type ScheduleKind string

const (
	// Rolling: the next deadline is the last run plus the period.
	Rolling ScheduleKind = "rolling"
	// Fixed: deadlines sit on a grid of periods anchored at an initial time;
	// a run inside a block covers that block (memon.py's block arithmetic).
	Fixed ScheduleKind = "fixed"
	// Cron: the job is expected at each firing of a cron expression in a zone.
	Cron ScheduleKind = "cron"
)

// Schedule says when an event is expected to run. Build it with
// NewSchedule, which validates and compiles it.
type Schedule struct {
	Kind     ScheduleKind
	Period   time.Duration // rolling and fixed
	Expr     string        // cron
	TimeZone string        // IANA name; "" is UTC

	loc  *time.Location
	spec *cron.SpecSchedule
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// NewSchedule validates a schedule. Field names in errors are the CLI's
// flags, which match the stored attributes case-insensitively.
func NewSchedule(kind ScheduleKind, period time.Duration, expr, zone string) (Schedule, error) {
	s := Schedule{Kind: kind, Period: period, Expr: strings.TrimSpace(expr), TimeZone: zone}
	loc, err := LoadZone(zone)
	if err != nil {
		return Schedule{}, err
	}
	s.loc = loc
	switch kind {
	case Rolling, Fixed:
		if s.Expr != "" {
			return Schedule{}, invalid("cron", s.Expr, "a cron schedule takes no period and no rolling/fixed type: give either --cron or --period")
		}
		if err := checkPeriod("period", "", period); err != nil {
			return Schedule{}, err
		}
	case Cron:
		if period != 0 {
			return Schedule{}, invalid("period", FormatDuration(period), "a cron schedule takes no period: give either --cron or --period")
		}
		spec, err := parseCron(s.Expr)
		if err != nil {
			return Schedule{}, err
		}
		// The spec walks the wall clock, written as UTC; nextFire places
		// each firing in the zone.
		spec.Location = time.UTC
		s.spec = spec
		// A day that never comes (30 February) never fires from any date;
		// the probe date only has to be fixed. Rare but real crons (29
		// February) fire from it. CheckFires applies the 5-year rule at now.
		if spec.Next(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
			return Schedule{}, invalid("cron", s.Expr, neverFires)
		}
	default:
		return Schedule{}, invalid("type", string(kind), "want rolling, fixed or cron")
	}
	return s, nil
}

func parseCron(expr string) (*cron.SpecSchedule, error) {
	const want = `want five fields "minute hour day-of-month month day-of-week" (e.g. "0 3 * * 1-5") or @hourly/@daily/@weekly/@monthly/@yearly`
	if expr == "" || strings.HasPrefix(expr, "@every") || strings.Contains(expr, "TZ=") {
		return nil, invalid("cron", expr, want+"; for an interval use --period, for a zone --tz")
	}
	parsed, err := cronParser.Parse(expr)
	if err != nil {
		return nil, invalid("cron", expr, want+" ("+err.Error()+")")
	}
	spec, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return nil, invalid("cron", expr, want)
	}
	return spec, nil
}

// LoadZone resolves an IANA time zone; "" is UTC.
func LoadZone(zone string) (*time.Location, error) {
	if zone == "" || zone == "UTC" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		return nil, invalid("tz", zone, `want an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"`)
	}
	return loc, nil
}

// Location is the zone deadlines and alerts are shown in.
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// String describes the schedule for people: "every 1h (rolling)",
// `cron "0 3 * * 1-5" Europe/Berlin`.
func (s Schedule) String() string {
	switch s.Kind {
	case Cron:
		return fmt.Sprintf("cron %q %s", s.Expr, s.Location())
	case Fixed:
		return fmt.Sprintf("every %s (fixed)", FormatDuration(s.Period))
	default:
		return fmt.Sprintf("every %s (rolling)", FormatDuration(s.Period))
	}
}

// nextFire returns the first cron firing strictly after t. A wall-clock time
// that a daylight-saving fall-back repeats fires once, at its first
// occurrence, as cron daemons run it: the repeat is skipped so a nightly job
// is not expected twice. A wall-clock time that a spring-forward skips does
// not fire that night.
//
// The firings are found on the zone's wall clock read as UTC, where no day
// is longer or shorter than 24 hours, and each is then placed in the zone:
// the cron library's own walk through a zone's transitions loses the rest of
// the day after a half-hour fall-back (Lord Howe's 02:00 back to 01:30), so
// a nightly job there was not expected that day at all.
func (s Schedule) nextFire(t time.Time) time.Time {
	if s.spec == nil { // not built by NewSchedule: nothing is expected
		return time.Time{}
	}
	loc := s.Location()
	w := wallAsUTC(t.In(loc))
	// A skipped or repeated stretch holds at most 60 firings (one a
	// minute) per shift; step past them all.
	for range 4*60 + 1 {
		w = s.spec.Next(w)
		if w.IsZero() {
			return time.Time{}
		}
		if at, ok := firstInstant(w, loc); ok && at.After(t) {
			return at.UTC()
		}
	}
	return time.Time{}
}

// wallAsUTC is t's wall clock in its own zone, as the same reading in UTC.
func wallAsUTC(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// firstInstant is the first instant whose wall clock in loc reads w (a
// reading in UTC); false when daylight saving skips that reading.
func firstInstant(w time.Time, loc *time.Location) (time.Time, bool) {
	at := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	if !wallAsUTC(at).Equal(w) {
		return time.Time{}, false // in a spring-forward gap: normalized past it
	}
	for _, shift := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if e := at.Add(-shift); wallAsUTC(e.In(loc)).Equal(w) {
			return e, true // a fall-back repeats it: the first occurrence
		}
	}
	return at, true
}

// prevFire returns the last cron firing at or before t (within a year).
func (s Schedule) prevFire(t time.Time) time.Time {
	// Walk back in growing windows: cron has no reverse iterator.
	// The last window (16384h, 682 days) covers a yearly or a leap-day job.
	for window := time.Hour; window <= 2*400*day; window *= 4 {
		var last time.Time
		for f := s.nextFire(t.Add(-window)); !f.IsZero() && !f.After(t); f = s.nextFire(f) {
			last = f
		}
		if !last.IsZero() {
			return last
		}
	}
	return time.Time{}
}

// lateRun reports whether a run at t comes too late for the deadline it was
// awaited by. Grace means "don't bother me", for every schedule kind: a run
// by deadline + grace is on time, a later one is late (LATE when no DOWN
// went out first). A cron job pings after its firing, when it is done; that
// is what a cron event's default grace is for. Judging cron runs by the
// following firing instead would make the same late run silent when it is
// applied before the DOWN check and DOWN then UP when applied after it.
func (s Schedule) lateRun(t, deadline time.Time, grace time.Duration) bool {
	return !deadline.IsZero() && t.After(deadline.Add(grace))
}

// afterRun returns the blocks after a run at t: the block the run covered and
// the next deadline. last and next are the current blocks (zero when never set).
func (s Schedule) afterRun(t, last, next time.Time) (time.Time, time.Time) {
	switch s.Kind {
	case Cron:
		return t, s.nextFire(t)
	case Fixed:
		if next.IsZero() || s.Period <= 0 {
			return t, t.Add(s.Period)
		}
		if last.IsZero() || !last.Before(next) {
			last = next.Add(-s.Period)
		}
		// The smallest k >= 1 with t <= last + k*period.
		k := int64(1)
		if t.After(last) {
			k = max(1, int64((t.Sub(last)+s.Period-1)/s.Period))
			for last.Add(time.Duration(k) * s.Period).Before(t) {
				k++
			}
		}
		last = last.Add(time.Duration(k) * s.Period)
		return last, last.Add(s.Period)
	default:
		return t, t.Add(s.Period)
	}
}

// deadline returns the n-th deadline counting from next (n = 0 is next):
// one period, or one cron firing, per missed run.
func (s Schedule) deadline(next time.Time, n int) time.Time {
	if s.Kind != Cron {
		return next.Add(time.Duration(n) * s.Period)
	}
	d := next
	for i := 0; i < n && !d.IsZero(); i++ {
		d = s.nextFire(d)
	}
	return d
}

// missedBy counts the deadlines from d (the pending one) on whose alert time
// (deadline plus grace) is at or before now. The caller passes d because for
// cron computing it walks every missed firing.
func (s Schedule) missedBy(d time.Time, grace time.Duration, now time.Time) int {
	if d.IsZero() || d.Add(grace).After(now) {
		return 0
	}
	if s.Kind != Cron {
		if s.Period <= 0 { // not built by NewSchedule: count the one deadline
			return 1
		}
		return int(now.Sub(d.Add(grace))/s.Period) + 1
	}
	count := 0
	for !d.IsZero() && !d.Add(grace).After(now) {
		count++
		d = s.nextFire(d)
	}
	return count
}

// rearm returns fresh blocks for an event resumed or re-armed at now, so that
// time spent paused is not reported as missed runs.
func (s Schedule) rearm(now, last, next time.Time) (time.Time, time.Time) {
	switch s.Kind {
	case Cron:
		return s.prevFire(now), s.nextFire(now)
	case Fixed:
		// As if it ran at now: the block now is in counts as covered and
		// the next run is due by the end of the following one, so a resume
		// just before a grid point does not end in a DOWN moments later.
		return s.afterRun(now, last, next)
	default:
		return now, now.Add(s.Period)
	}
}

// initial returns the blocks for a first expected run at t (memon.py's
// --initial-date/--initial-time): the deadline t, or for cron the first
// firing at or after t.
func (s Schedule) initial(t time.Time) (time.Time, time.Time) {
	if s.Kind == Cron {
		next := s.nextFire(t.Add(-time.Second))
		return s.prevFire(next.Add(-time.Second)), next
	}
	return t.Add(-s.Period), t
}

// FiringHorizon is how far ahead a cron schedule must fire to be accepted:
// the cron library looks no further, and a job that runs less often than
// that is not one MEMon can watch.
const FiringHorizon = 5 * 365 * day

// CheckFires refuses a cron schedule with no firing within FiringHorizon of
// now ("0 0 30 2 *": 30 February never comes). Such an event would never be
// watched again after its first run.
func (s Schedule) CheckFires(now time.Time) error {
	if s.Kind != Cron {
		return nil
	}
	if n := s.nextFire(now); n.IsZero() || n.Sub(now) > FiringHorizon {
		return invalid("cron", s.Expr, neverFires)
	}
	return nil
}

const neverFires = "it never fires in the next 5 years (a day that does not exist in that month, such as 30 February?): give an expression that fires, e.g. \"0 0 28 2 *\""
