package memon

import (
	"time"
)

// State is an event's stored state. Paused is shown, not stored: it is an
// event with Enabled false.
type State string

const (
	New    State = "new"    // never run: never alerted (memon.py's rule)
	Up     State = "up"     // ran within its schedule
	Down   State = "down"   // missed its deadline, or reported a failure
	Paused State = "paused" // disabled: recorded, never alerted
)

// DefaultMaxAlerts is memon.py's --max-notify-count.
const DefaultMaxAlerts = 3

// DefaultCronGrace is the grace memon-config gives a new cron event when
// none is asked for: a cron job reports when it finishes, after its firing.
const DefaultCronGrace = 5 * time.Minute

// Event is one monitored job: its configuration (Config, what a person
// sets) and the state the poller keeps.
type Event struct {
	Config

	State           State
	ErrorCount      int       // deadlines missed since the last run
	DownAlerts      int       // DOWN alerts sent in the current outage (ends with a run); capped by MaxAlerts
	LastBlockTime   time.Time // the block the last run covered
	NextBlockTime   time.Time // the deadline; zero until the first run or an initial time
	LastSuccessTime time.Time
	LastStartTime   time.Time
	LastFailTime    time.Time
	LastPingTime    time.Time // newest ping of any signal
	LastClientTime  time.Time // the sender's clock on that ping, display only
	LastExitCode    *int
	LastMessage     string
	LastRunID       string
	LastHost        string
	LastDuration    time.Duration

	// What the alert controls remember (noise.go).
	ControlState
	// PausedUntil: a paused event resumes by itself then (memon-config
	// pause --until); zero: until resumed.
	PausedUntil time.Time
	// Dependents are the events that name this one in DependsOn, kept by
	// memon-config set so the parent's alerts can list them.
	Dependents []string

	// Today's counters, and when the open downtime or pause began (zero
	// when none is open): see counters.go.
	Today       DayCounts
	DownSince   time.Time
	PausedSince time.Time
	// ClosedDays are finished days not yet in the history table: the store
	// writes them as daily records in the same transaction as the item, and
	// empties this. Never stored on the item.
	ClosedDays []DayCounts

	// The FAILED/UP alert window (flood.go): when it opened, the alerts
	// sent in it, and the alerts held past MaxAlertsPerHour.
	AlertWindowStart time.Time
	AlertsInWindow   int
	AlertsHeld       int

	// Outbox holds transitions decided but not yet delivered (alert
	// published and history written). It is stored with the state in the
	// same conditional write, so a decision is never lost between the two.
	Outbox []Transition

	// AutoCreated marks an event that its first ping created (the poller's
	// autoCreate); memon-config set clears it, so it marks "never edited".
	AutoCreated bool
	// HasToken says the event has an HTTPS ping token. Only the token's hash
	// is stored, and only memon-config token writes it, never Save.
	HasToken bool

	// Version is bumped by every write; a write is conditional on the
	// version it read. Zero for items memon.py wrote.
	Version int64
}

// Status is what people see: paused for a disabled event, else the state.
func (ev *Event) Status() State {
	if !ev.Enabled {
		return Paused
	}
	return ev.State
}

// MaxAlertsOrDefault is MaxAlerts with its default (0 means DefaultMaxAlerts) resolved.
func (ev *Event) MaxAlertsOrDefault() int {
	if ev.MaxAlerts <= 0 {
		return DefaultMaxAlerts
	}
	return ev.MaxAlerts
}

// Deadline is the deadline the event is now waiting on: the next one for an
// up event, the first missed one plus every missed period for a down one.
func (ev *Event) Deadline() time.Time {
	if ev.NextBlockTime.IsZero() {
		return time.Time{}
	}
	return ev.Schedule.deadline(ev.NextBlockTime, ev.ErrorCount)
}

// dueAt is when the next DOWN check fires: the pending deadline plus grace.
// Zero when nothing is watched (disabled, or never run and no initial time).
func (ev *Event) dueAt() time.Time {
	if !ev.Enabled || ev.NextBlockTime.IsZero() {
		return time.Time{}
	}
	d := ev.Deadline()
	if d.IsZero() {
		return d
	}
	return d.Add(ev.Grace)
}

// AlertAt is when a poller must next look at the event: the DOWN check, or
// an undelivered transition's retry, whichever comes first. Zero means
// nothing to watch. The poller keeps it for each event (its deadline table).
func (ev *Event) AlertAt() time.Time {
	at := ev.dueAt()
	if c := ev.controlsAt(); !c.IsZero() && (at.IsZero() || c.Before(at)) {
		at = c
	}
	for _, tr := range ev.Outbox {
		next := tr.nextLook()
		if at.IsZero() || next.Before(at) {
			at = next
		}
	}
	return at
}

// NewEvent returns an enabled event with a validated schedule.
func NewEvent(name string, s Schedule) *Event {
	return &Event{Config: Config{Name: name, Enabled: true, Schedule: s}, State: New}
}

// SetInitial arms the event with a first deadline at t, as memon.py's
// --initial-date/--initial-time did: an event with a deadline is watched
// even before its first run.
func (ev *Event) SetInitial(t time.Time) {
	ev.LastBlockTime, ev.NextBlockTime = ev.Schedule.initial(t.UTC())
	ev.ErrorCount = 0
}

// Rearm moves the deadline past now when an event is resumed or its schedule
// changes, so time spent paused or under the old schedule is not counted as
// missed runs. A never-run event without a deadline stays unwatched.
func (ev *Event) Rearm(now time.Time) {
	if ev.NextBlockTime.IsZero() {
		return
	}
	ev.LastBlockTime, ev.NextBlockTime = ev.Schedule.rearm(now.UTC(), ev.LastBlockTime, ev.NextBlockTime)
	ev.ErrorCount = 0
}

// Resume enables the event. A deadline that passed while it was paused is
// re-armed from now, so a pause never ends in an immediate DOWN.
func (ev *Event) Resume(now time.Time) {
	if !ev.Enabled {
		ev.unpause(now)
		ev.DownAlerts = 0 // a person resumed it: what it misses from now on is news
	}
	ev.Enabled = true
	if due := ev.dueAt(); !due.IsZero() && !due.After(now) {
		ev.Rearm(now)
	}
}

// Reschedule applies a new schedule: the deadline is recomputed from the last
// run under it (so a shortened period can make the event overdue at once,
// which is the truth). Rolling and cron count from the run itself; fixed
// keeps its grid anchored at the block the run covered. An event armed with
// SetInitial that has never run keeps its initial deadline.
func (ev *Event) Reschedule(s Schedule) {
	ev.Schedule = s
	if ev.NextBlockTime.IsZero() {
		return
	}
	ev.ErrorCount = 0
	run := ev.lastRun()
	if run.IsZero() {
		ev.LastBlockTime, ev.NextBlockTime = s.initial(ev.NextBlockTime)
		return
	}
	switch s.Kind {
	case Cron:
		ev.LastBlockTime, ev.NextBlockTime = run, s.nextFire(run)
	case Fixed:
		last := ev.LastBlockTime
		if last.IsZero() {
			last = run
		}
		ev.LastBlockTime, ev.NextBlockTime = last, last.Add(s.Period)
	default:
		ev.LastBlockTime, ev.NextBlockTime = run, run.Add(s.Period)
	}
}
