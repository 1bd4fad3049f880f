package memon

import (
	"errors"
	"time"

	"github.com/peerj/memon/pkg/memon/ping"
)

// The plain data the ports of the poller and memon-config exchange with the
// queue and the store. They live here, with no AWS type in them, so the
// poll can be driven by the SQS/DynamoDB adapters or by in-memory fakes.

// QueueMessage is a message as the queue handed it out (ping.QueueMessage).
type QueueMessage = ping.QueueMessage

// Listed is one stored item of a listing: the event as far as it could be
// read, and Err (wrapping ErrInvalid) when the item is unusable.
type Listed struct {
	Event *Event
	Err   error
}

// Name is the listed item's name, also when it is unusable.
func (l Listed) Name() string {
	if l.Event == nil {
		return ""
	}
	return l.Event.Name
}

// HistoryRecord is one line of an event's history: a delivered transition,
// or a CONFIG alert.
type HistoryRecord struct {
	Name   string
	At     time.Time
	From   State
	To     State
	Alert  AlertKind // the alert sent, if any
	Reason string
	// Superseded: a failure recorded after a later success (Transition.Superseded).
	Superseded bool
	// Log: a log ping's message (Transition.Log); it has no state.
	Log bool
}

// Record is the history line a delivered transition leaves.
func (tr Transition) Record() HistoryRecord {
	r := HistoryRecord{Name: tr.Event, At: tr.At, From: tr.From, To: tr.To, Reason: tr.Reason, Superseded: tr.Superseded, Log: tr.Log}
	if tr.Alert != nil {
		r.Alert = tr.Alert.Kind
	}
	return r
}

// Change is how a record reads in a history list: "down → up", the new
// state alone for a record without a previous one, "failure (superseded)"
// for a failure a later success made old news; "" when it has no state.
func (r HistoryRecord) Change() string {
	if r.Superseded {
		return "failure (superseded)"
	}
	if r.Log {
		return LogKey
	}
	if r.From != "" {
		return string(r.From) + " → " + string(r.To)
	}
	return string(r.To)
}

// SupersededKey ends the history key of a superseded failure's record,
// LogKey a log ping's.
const (
	SupersededKey = "superseded"
	LogKey        = "log"
)

// Key is the record's range key in the history table: a fixed-width UTC
// time (so string order is time order) and what happened, which keeps two
// records of one millisecond apart and makes a retried write an idempotent
// overwrite.
func (r HistoryRecord) Key() string {
	what := string(r.To)
	if r.Alert != "" {
		what = string(r.Alert)
	}
	if r.Log {
		what = LogKey
	}
	if r.Superseded {
		what = SupersededKey
	}
	return r.At.UTC().Format(HistoryTimeLayout) + " " + what
}

// ConfigAlertEvery is the sliding window of CONFIG alerts: a name alerted
// at 19:59 is not alerted again before 20:59 (a clock hour would alert the
// same typo at 19:59 and 20:01).
const ConfigAlertEvery = time.Hour

// ConfigClaim is the history record of name's CONFIG alert claimed at now
// (to the millisecond its key keeps).
func ConfigClaim(name, problem string, now time.Time) HistoryRecord {
	return HistoryRecord{Name: name, At: now.UTC().Truncate(time.Millisecond), Alert: KindConfig, Reason: problem}
}

// ConfigClaimHolds reports whether a CONFIG alert claimed at last still
// keeps a new one for the same name back at now.
func ConfigClaimHolds(last, now time.Time) bool { return now.Before(last.Add(ConfigAlertEvery)) }

// ErrExists reports a create for a name already taken.
var ErrExists = errors.New("event already exists")

// ByHand is the history transition of a change a person made (paused,
// resumed): no alert, its id built as the engine builds every id.
func (ev *Event) ByHand(at time.Time, from, to State, reason string) Transition {
	return ev.transition(at, from, to, reason, "")
}

// HistoryTimeLayout formats the time in a history record's key: fixed-width
// UTC, so string order is time order.
const HistoryTimeLayout = "2006-01-02T15:04:05.000Z"
