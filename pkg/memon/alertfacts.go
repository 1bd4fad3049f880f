package memon

import (
	"time"
)

// AlertFacts are an alert's key fields for machines (a chat integration, a
// webhook, a Lambda): the same facts the text shows, unformatted. Like the
// text, they are taken when the alert is decided and taken again from the
// stored event when a retry delivers it (PendingAlert).
type AlertFacts struct {
	ID          string    `json:"id,omitempty"`    // the transition's id: the same on a redelivery, for de-duplication
	At          time.Time `json:"at,omitzero"`     // when it happened
	State       State     `json:"state,omitempty"` // the stored state: new, up or down
	Status      Status    `json:"-"`               // the status word the texts give (AlertStatus); machines read state
	Reason      string    `json:"reason,omitempty"`
	Description string    `json:"description,omitempty"`
	Deadline    time.Time `json:"deadline,omitzero"`
	LastRun     time.Time `json:"last_run,omitzero"` // newest run, success or failure
	LastSuccess time.Time `json:"last_success,omitzero"`
	Missed      int       `json:"missed,omitempty"`
	ExitCode    *int      `json:"exit_code,omitempty"`
	Duration    float64   `json:"duration,omitempty"` // seconds
	Host        string    `json:"host,omitempty"`
	RunID       string    `json:"run_id,omitempty"`
	Message     string    `json:"message,omitempty"` // the job's message or output tail
}

// Facts takes an alert's facts from the event as it is after the
// transition. The run's own details (exit code, host, run id, message) are
// included for a run's alert (failed, up, late), not for DOWN, where the
// last run is old news.
func Facts(kind AlertKind, ev *Event, reason string) AlertFacts {
	f := AlertFacts{
		State:       ev.Status(),
		Status:      AlertStatus(ev),
		Reason:      reason,
		Description: ev.Description,
		Deadline:    ev.Deadline(),
		LastRun:     ev.lastRun(),
		LastSuccess: ev.LastSuccessTime,
		Missed:      ev.ErrorCount,
	}
	if kind != KindDown {
		f.ExitCode = ev.LastExitCode
		f.Duration = ev.LastDuration.Seconds()
		f.Host = ev.LastHost
		f.RunID = ev.LastRunID
		f.Message = ev.LastMessage
	}
	return f
}

// AlertStatus is the event's status word as its alert gives it: StatusOf at
// the moment of the transition, without the deadline's time-bound part (an
// alert is decided on a deadline, so late and overdue are its kind, not its
// status).
func AlertStatus(ev *Event) Status { return StatusOf(ev, nil, time.Time{}) }

// transitionFacts are the facts of a transition's alert, with its id and
// time, from the event as the alert's text shows it.
func transitionFacts(kind AlertKind, ev *Event, tr Transition) AlertFacts {
	f := Facts(kind, ev, tr.Reason)
	f.ID, f.At = tr.ID, tr.At
	return f
}
