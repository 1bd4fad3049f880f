package memon

import (
	"fmt"
	"time"
)

// Transition is a decided change worth delivering: a state change, a DOWN
// reminder or a FAILED report. Delivering means writing it to the history
// table and, when it carries an alert, publishing that alert.
type Transition struct {
	ID     string // unique within the event; also the outbox key
	Event  string
	At     time.Time
	From   State
	To     State
	Reason string
	Alert  *Alert // nil for a change nobody needs to hear about (first run, paused event)

	Tries   int       // delivery attempts that failed
	NextTry time.Time // when a poller other than the decider may deliver it

	Published bool      // the alert went out; only the history record waits
	Coalesced int       // earlier transitions folded into this one (bounds.go)
	Since     time.Time // the oldest of them

	// Superseded marks a failure delivered after a later success had been
	// applied (SQS reorders on any redelivery): recorded and counted, the
	// state unchanged, no alert (supersededFailure).
	Superseded bool
	// Log marks a log ping's record: a message, no state (logged).
	Log bool
}

// RetryDelay is how long a transition waits before a later poll delivers it:
// long enough that the poll which decided it (and delivers at once) is done,
// so two pollers do not both publish it.
const RetryDelay = 2 * time.Minute

// retryBackoff grows with failed attempts, capped at 15 minutes: an alert is
// retried for as long as it takes, never dropped.
func retryBackoff(tries int) time.Duration {
	d := RetryDelay << min(tries, 3)
	return min(d, 15*time.Minute)
}

// Apply folds one ping into the event and returns the transitions it
// decides (also appended to the outbox). It reports false when the ping is
// stale: redelivered, or older than what is stored. At-least-once, out of
// order delivery is therefore harmless: no time moves backwards and no
// transition is decided twice.
func (ev *Event) Apply(p Ping) ([]Transition, bool) {
	if p.Signal == Log {
		return ev.logged(p)
	}
	p = ev.shortRun(p) // MinRuntime (noise.go)
	t := p.SentAt
	switch p.Signal {
	case Start:
		if !t.After(ev.LastStartTime) || t.Before(ev.lastRun()) {
			return nil, false
		}
		ev.LastStartTime = t
		ev.notePing(p)
		ev.startRun(p)
		return nil, true
	case Fail:
		if !t.After(ev.LastFailTime) {
			return nil, false
		}
		if t.Before(ev.LastSuccessTime) {
			return ev.supersededFailure(p), true
		}
	default:
		if !t.After(ev.LastSuccessTime) || t.Before(ev.LastFailTime) {
			return nil, false
		}
	}

	from := ev.state()
	deadline := ev.Deadline()
	overdue := ev.Schedule.lateRun(t, deadline, ev.Grace)
	ev.notePing(p)
	ev.LastExitCode, ev.LastMessage, ev.LastDuration = p.ExitCode, p.Message, p.Duration
	// A run, failed or not, covers its block: the next deadline moves on and
	// the missed-run count restarts.
	ev.LastBlockTime, ev.NextBlockTime = ev.Schedule.afterRun(t, ev.LastBlockTime, ev.NextBlockTime)
	ev.ErrorCount = 0
	ev.DownAlerts = 0 // the outage, if any, is over

	var tr Transition
	if p.Signal == Fail {
		ev.LastFailTime = t
		ev.State = Down
		ev.countOutcome(p, ev.whyFailed(p), false)
		tr = ev.transition(t, from, Down, ev.whyFailed(p), KindFailed)
	} else {
		ev.LastSuccessTime = t
		ev.State = Up
		ev.countOutcome(p, "", overdue && from != Down)
		switch {
		case from == Down:
			tr = ev.transition(t, from, Up, "a successful run arrived after the event was down", KindUp)
		case overdue:
			tr = ev.transition(t, from, Up, lateReason(t, deadline, ev.Grace), KindLate)
		case from == New:
			tr = ev.transition(t, from, Up, "first run", "")
		default:
			return nil, true
		}
	}
	if !ev.Enabled {
		tr.Alert = nil // a paused event is recorded, never alerted
	}
	tr = ev.shape(tr, t)     // noise controls (noise.go)
	tr, keep := ev.admit(tr) // at most MaxAlertsPerHour FAILED/UP alerts (flood.go)
	if !keep {
		return nil, true
	}
	ev.enqueue(tr)
	return []Transition{tr}, true
}

// supersededFailure records a failure sent before the success already
// applied. The run did fail, so it is written to history and counted in the
// day's failures, marked superseded; but the later success is the news, so
// the state, the deadline and the last run's details stay as they are and
// no FAILED alert goes out. LastFailTime moves to it, so its redelivery is
// stale (an even older failure delivered after it is dropped as stale too).
func (ev *Event) supersededFailure(p Ping) []Transition {
	t := p.SentAt
	ev.LastFailTime = t
	why := ev.whyFailed(p)
	ev.countRun(t, p, true, why)
	state := ev.state()
	tr := ev.transition(t, state, state,
		fmt.Sprintf("superseded: %s at %s, delivered after the later success at %s (no FAILED alert)", why, FormatTime(t), FormatTime(ev.LastSuccessTime)), "")
	tr.Superseded = true
	ev.enqueue(tr)
	return []Transition{tr}
}

// logged records a log ping's message in history: the state, the deadline,
// the last run and the day's counts stay as they are, and no alert goes
// out. Its record's key is its time and "log", so a redelivery overwrites
// the same record; one still in the outbox makes it stale.
func (ev *Event) logged(p Ping) ([]Transition, bool) {
	tr := Transition{ID: fmt.Sprintf("%d-%s", p.SentAt.UnixMilli(), LogKey), Event: ev.Name, At: p.SentAt, Log: true,
		Reason: "log: " + KeepTail(p.Message, MaxReasonLen-len("log: "))}
	if p.Message == "" {
		tr.Reason = "log (no message)"
	}
	if ev.Pending(tr.ID) {
		return nil, false
	}
	ev.enqueue(tr)
	return []Transition{tr}, true
}

func (ev *Event) lastRun() time.Time {
	if ev.LastFailTime.After(ev.LastSuccessTime) {
		return ev.LastFailTime
	}
	return ev.LastSuccessTime
}

func (ev *Event) notePing(p Ping) {
	if p.SentAt.After(ev.LastPingTime) {
		ev.LastPingTime = p.SentAt
		ev.LastClientTime = p.ClientTime
	}
	if p.Signal != Start {
		// The last run's own id, none when it sent none: a start's id is
		// the open run's (RunningRunID), and an older run's id must not be
		// shown beside this run's duration and exit code.
		ev.LastRunID = p.RunID
	}
	if p.Host != "" {
		ev.LastHost = p.Host
	}
}

func failReason(p Ping) string {
	r := "the job reported a failure"
	if p.ExitCode != nil {
		r += fmt.Sprintf(" (exit code %d)", *p.ExitCode)
	}
	return r
}

// CheckDue decides DOWN for an event whose deadline plus grace has passed by
// now. Every missed deadline counts (ErrorCount), a DOWN alert goes out once
// per check that finds new missed deadlines, at most MaxAlerts per outage.
// It reports whether anything changed. It also looks at the noise
// controls (noise.go): pause end, overrun, alerts held by a quiet window.
func (ev *Event) CheckDue(now time.Time) ([]Transition, bool) {
	trs, changed := ev.checkControls(now)
	down, isDown := ev.checkDown(now)
	return append(trs, down...), changed || isDown
}

func (ev *Event) checkDown(now time.Time) ([]Transition, bool) {
	if !ev.Enabled || ev.NextBlockTime.IsZero() {
		return nil, false
	}
	pending := ev.Deadline() // computed once: for cron it walks every missed firing
	if pending.IsZero() {
		return nil, false
	}
	due := pending.Add(ev.Grace)
	if due.After(now) {
		return nil, false
	}
	missed := ev.Schedule.missedBy(pending, ev.Grace, now)
	if missed == 0 {
		return nil, false
	}
	before := ev.ErrorCount
	from := ev.state()
	ev.ErrorCount += missed
	ev.State = Down
	ev.countMissed(due, now, missed)
	reason := fmt.Sprintf("no successful run by %s (deadline %s + grace %s); %d missed",
		FormatTime(due), FormatTime(pending),
		FormatDuration(ev.Grace), ev.ErrorCount)
	kind := ev.downKind(before) // RepeatEvery (noise.go), then the cap
	tr := ev.shape(ev.transition(due, from, Down, reason, kind), now)
	ev.enqueue(tr)
	return []Transition{tr}, true
}

// transition builds a transition with its alert rendered now, from the state
// as it is after the change, so a retried delivery sends the same text.
func (ev *Event) transition(at time.Time, from, to State, reason string, kind AlertKind) Transition {
	tr := Transition{
		ID:     fmt.Sprintf("%d-%s", at.UnixMilli(), to),
		Event:  ev.Name,
		At:     at,
		From:   from,
		To:     to,
		Reason: reason,
	}
	if kind != "" {
		tr.ID = fmt.Sprintf("%d-%s", at.UnixMilli(), kind)
		a := Render(kind, ev, reason)
		tr.Alert = &a
	}
	// Two transitions in one millisecond: suffix until unique. The outbox
	// has no order (the store keeps a map), so check against all of it.
	base := tr.ID
	for n := 2; ev.Pending(tr.ID); n++ {
		tr.ID = fmt.Sprintf("%s-%d", base, n)
	}
	if tr.Alert != nil {
		tr.Alert.Facts = transitionFacts(kind, ev, tr)
	}
	return tr
}

// state is the stored state, New for an item that has none (memon.py's).
func (ev *Event) state() State {
	if ev.State == "" {
		return New
	}
	return ev.State
}
