package memon

import "time"

// The outbox is how a decided transition survives a crash or a failed
// publish: it is stored with the state in one conditional write, claimed by
// exactly one poller, delivered, then removed. A transition whose delivery
// failed is retried by a later poll; a duplicate after a crash is possible,
// a lost alert is not.

// Claim marks every outbox entry that is unclaimed or whose retry time has
// come as taken by this poll until now+RetryDelay, and returns them. The
// caller stores the event (conditionally) before delivering them, so a
// concurrent poller sees them claimed and leaves them alone.
func (ev *Event) Claim(now time.Time) []Transition {
	var claimed []Transition
	for i := range ev.Outbox {
		tr := &ev.Outbox[i]
		if tr.NextTry.IsZero() || !tr.NextTry.After(now) {
			tr.NextTry = now.Add(RetryDelay)
			claimed = append(claimed, *tr)
		}
	}
	return claimed
}

// DeliveryFailed records a failed delivery of the entry id and schedules
// the next attempt with a growing backoff.
func (ev *Event) DeliveryFailed(id string, now time.Time) {
	for i := range ev.Outbox {
		if ev.Outbox[i].ID == id {
			ev.Outbox[i].Tries++
			ev.Outbox[i].NextTry = now.Add(retryBackoff(ev.Outbox[i].Tries))
		}
	}
}

// Delivered removes a transition from the outbox.
// It builds a new slice: filtering in place would rewrite the backing array
// shared with a copy of the event (the one a conditional write compares).
func (ev *Event) Delivered(id string) {
	out := make([]Transition, 0, len(ev.Outbox))
	for _, tr := range ev.Outbox {
		if tr.ID != id {
			out = append(out, tr)
		}
	}
	ev.Outbox = out
}

// Pending reports whether the outbox holds entry id.
func (ev *Event) Pending(id string) bool {
	for _, tr := range ev.Outbox {
		if tr.ID == id {
			return true
		}
	}
	return false
}
