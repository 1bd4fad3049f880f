package web

import (
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Status is what a person sees on a chip. It refines the stored state with
// the clock: an event past its deadline is late (inside its grace, which
// means "don't bother me": no alert, not in trouble) or overdue (past grace,
// but no poll has marked it down yet).
type Status string

const (
	StatusUnusable Status = "unusable" // the item cannot be read
	StatusDown     Status = "down"     // missed deadlines
	StatusFailed   Status = "failed"   // the last run reported a failure
	StatusOverdue  Status = "overdue"  // past deadline + grace, not yet polled
	StatusLate     Status = "late"     // past its deadline, inside its grace: on time as far as alerts go
	StatusNew      Status = "new"      // never ran
	StatusUp       Status = "up"
	StatusPaused   Status = "paused"
)

// statuses in trouble-first order: the overview sorts and counts by it.
var statuses = []Status{StatusUnusable, StatusDown, StatusFailed, StatusOverdue, StatusLate, StatusUp, StatusNew, StatusPaused}

// Label is the chip's text: colour is never the only signal.
func (s Status) Label() string {
	switch s {
	case StatusOverdue:
		return "overdue, not yet polled"
	case StatusLate:
		return "late, in grace"
	default:
		return string(s)
	}
}

// Trouble says whether the status needs a person's attention. A run still
// inside its grace does not: grace means "don't bother me" (no alert goes
// out for a run that arrives before deadline + grace).
func (s Status) Trouble() bool {
	switch s {
	case StatusUnusable, StatusDown, StatusFailed, StatusOverdue:
		return true
	}
	return false
}

func (s Status) rank() int {
	for i, x := range statuses {
		if x == s {
			return i
		}
	}
	return len(statuses)
}

// statusOf derives the status of a listed event at now.
func statusOf(l memon.Listed, now time.Time) Status {
	ev := l.Event
	if l.Err != nil || ev == nil {
		return StatusUnusable
	}
	if !ev.Enabled {
		return StatusPaused
	}
	switch ev.Status() {
	case memon.Down:
		if ev.ErrorCount == 0 && ev.LastFailTime.After(ev.LastSuccessTime) {
			return StatusFailed
		}
		return StatusDown
	}
	d := ev.Deadline()
	if d.IsZero() || !now.After(d) {
		if ev.Status() == memon.Up {
			return StatusUp
		}
		return StatusNew
	}
	if now.After(d.Add(ev.Grace)) {
		return StatusOverdue
	}
	return StatusLate
}
