package memon

import (
	"fmt"
	"strings"
	"time"
)

// Status is what a person sees of an event: its stored state refined by the
// clock. The one status model behind memon-config show, html and ui, the
// reports and the alerts.
type Status string

const (
	StatusUnusable Status = "unusable" // the item cannot be read
	StatusDown     Status = "down"     // missed deadlines
	StatusFailed   Status = "failed"   // down because its last run reported a failure
	StatusOverdue  Status = "overdue"  // past deadline + grace, no poll has marked it down yet
	StatusLate     Status = "late"     // past its deadline, inside its grace: no alert yet, not in trouble
	StatusUp       Status = "up"       // ran within its schedule
	StatusNew      Status = "new"      // never ran
	StatusPaused   Status = "paused"   // disabled: recorded, never alerted
)

// Statuses are every status, trouble first: the order listings sort by.
func Statuses() []Status {
	return []Status{StatusUnusable, StatusDown, StatusFailed, StatusOverdue, StatusLate, StatusUp, StatusNew, StatusPaused}
}

// StatusOf is the status of a listed item at now; err is why the item is
// unusable, nil when it could be read.
func StatusOf(ev *Event, err error, now time.Time) Status {
	if err != nil || ev == nil {
		return StatusUnusable
	}
	if !ev.Enabled {
		return StatusPaused
	}
	if ev.State == Down {
		if ev.ErrorCount == 0 && ev.LastFailTime.After(ev.LastSuccessTime) {
			return StatusFailed
		}
		return StatusDown
	}
	base := StatusNew
	if ev.State == Up {
		base = StatusUp
	}
	d := ev.Deadline()
	switch {
	case d.IsZero() || now.IsZero() || !now.After(d):
		return base
	case now.After(d.Add(ev.Grace)):
		return StatusOverdue
	}
	return StatusLate
}

// Status is the listed item's status at now.
func (l Listed) Status(now time.Time) Status { return StatusOf(l.Event, l.Err, now) }

// Trouble says whether the status needs a person: unusable, down, failed or
// overdue. Late does not: grace means "don't bother me" (no alert goes out
// for a run that arrives before deadline + grace).
func (s Status) Trouble() bool {
	switch s {
	case StatusUnusable, StatusDown, StatusFailed, StatusOverdue:
		return true
	}
	return false
}

// TroubleWords lists the statuses in trouble, for help texts: "down,
// failed, overdue or unusable".
func TroubleWords() string {
	var w []string
	for _, s := range Statuses() {
		if s.Trouble() && s != StatusUnusable {
			w = append(w, string(s))
		}
	}
	return strings.Join(w, ", ") + " (past deadline and grace, not yet polled) or " + string(StatusUnusable)
}

// Label is the status in words, for a chip or a cell beside its colour.
func (s Status) Label() string {
	switch s {
	case StatusOverdue:
		return "overdue, not yet polled"
	case StatusLate:
		return "late, in grace"
	}
	return string(s)
}

// Rank is the status's place in Statuses (trouble first).
func (s Status) Rank() int {
	for i, x := range Statuses() {
		if x == s {
			return i
		}
	}
	return len(Statuses())
}

// ParseStatus reads a status word; "" when it is none.
func ParseStatus(s string) Status {
	for _, x := range Statuses() {
		if string(x) == s {
			return x
		}
	}
	return ""
}

// Relative says how far t is from now in its largest whole unit: "in 3h",
// "12m ago", "45s ago", "now". The one way MEMon writes a relative time.
func Relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	if d < 0 {
		d = -d
	}
	var n int64
	var unit string
	switch {
	case d < time.Second:
		return "now"
	case d < time.Minute:
		n, unit = int64(d/time.Second), "s"
	case d < time.Hour:
		n, unit = int64(d/time.Minute), "m"
	case d < 48*time.Hour:
		n, unit = int64(d/time.Hour), "h"
	default:
		n, unit = int64(d/(24*time.Hour)), "d"
	}
	if future {
		return fmt.Sprintf("in %d%s", n, unit)
	}
	return fmt.Sprintf("%d%s ago", n, unit)
}
