package sim

import "time"

// quietSpec is the oracle's reading of a quiet window, "DAYS HH:MM-HH:MM"
// in the event's zone: it starts on each of its days at start and ends at
// end (the next day when end is not after start). The README: during a
// window DOWN, FAILED, LATE and OVERRUN alerts are held; an outage still on
// at the window's end is alerted then; windows that touch run together.
type quietSpec struct {
	text       string
	days       [7]bool // by time.Weekday
	start, end int     // minutes after midnight; end may be 24*60
}

var (
	weekdays = [7]bool{false, true, true, true, true, true, false}
	weekend  = [7]bool{true, false, false, false, false, false, true}
	everyDay = [7]bool{true, true, true, true, true, true, true}
	quiets   = []quietSpec{
		{"daily 01:00-03:00", everyDay, 60, 180},
		{"Mon-Fri 22:00-23:30", weekdays, 22 * 60, 23*60 + 30},
		{"Sat,Sun 00:00-24:00", weekend, 0, 24 * 60},
		{"daily 23:00-01:00", everyDay, 23 * 60, 60},
		{"Mon 09:00-09:30", [7]bool{1: true}, 9 * 60, 9*60 + 30},
	}
)

// endOf is when the window's occurrence that holds t ends, zero when none
// does. Wall-clock times in loc: a window's start or end that daylight
// saving skips moves as Go's time.Date moves it (pkg/memon's rule).
func (q quietSpec) endOf(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	for back := 0; back <= 1; back++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()-back, 0, 0, 0, 0, loc)
		if !q.days[day.Weekday()] {
			continue
		}
		from := time.Date(day.Year(), day.Month(), day.Day(), 0, q.start, 0, 0, loc)
		endDay := day.Day()
		if q.end <= q.start {
			endDay++
		}
		to := time.Date(day.Year(), day.Month(), endDay, 0, q.end, 0, 0, loc)
		if !t.Before(from) && t.Before(to) {
			return to
		}
	}
	return time.Time{}
}

// quietUntil is when the quiet time holding t ends, following windows that
// touch; zero when t is in none.
func (e *oEvent) quietUntil(t time.Time) time.Time {
	if len(e.cfg.Quiet) == 0 {
		return time.Time{}
	}
	loc := time.UTC
	if e.cfg.cron != nil {
		loc = e.cfg.cron.loc
	}
	var end time.Time
	probe := t
	for range 8 {
		var next time.Time
		for _, q := range e.cfg.Quiet {
			if x := q.endOf(probe, loc); x.After(next) {
				next = x
			}
		}
		if next.IsZero() {
			return end
		}
		end, probe = next, next
	}
	return end
}
