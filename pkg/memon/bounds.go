package memon

import (
	"fmt"
	"strings"
	"time"
)

// An event's item must stay small whatever senders send and however long
// the topic is unreachable: DynamoDB refuses an item over 400 KB, and an
// event whose write is refused freezes (its pings are held, its alerts
// wait). So every part of the item is bounded by construction:
//   - what one ping leaves behind: the message tail (MaxMessageLen), run id
//     and host (MaxRunIDLen, MaxHostLen), overwritten by the next ping;
//   - the description (MaxDescriptionLen);
//   - the outbox: entries keep no rendered text (the alert is rendered again
//     from the event when a retry delivers it, so the job output is stored
//     once, in LastMessage), reasons are cut to MaxReasonLen, and at most
//     MaxOutbox entries wait: older ones are coalesced into the next.
// Together that keeps an item well under MaxItemBytes.

// MaxItemBytes is the size every event item stays under (asserted by tests).
const MaxItemBytes = 16 * 1024

// MaxDescriptionLen bounds an event's description, in bytes.
const MaxDescriptionLen = 1024

// MaxReasonLen bounds a transition's reason, in bytes.
const MaxReasonLen = 512

// MaxOutbox is how many transitions wait for delivery at most; past it the
// oldest two are coalesced into one.
const MaxOutbox = 12

// ValidateDescription refuses a description longer than MaxDescriptionLen.
func ValidateDescription(s string) error {
	if len(s) > MaxDescriptionLen {
		return invalid("description", fmt.Sprintf("%d bytes", len(s)),
			fmt.Sprintf("at most %d bytes: keep longer notes elsewhere and put a link in the description", MaxDescriptionLen))
	}
	return nil
}

// LimitDescription cuts a stored description (say, one edited in the
// console) to MaxDescriptionLen, so it cannot grow items or alerts.
func LimitDescription(s string) string { return truncate(s, MaxDescriptionLen) }

// enqueue adds a decided transition to the outbox, keeping the outbox within
// MaxOutbox by coalescing its oldest entries.
func (ev *Event) enqueue(tr Transition) {
	tr.Reason = truncate(tr.Reason, MaxReasonLen)
	ev.Outbox = append(ev.Outbox, tr)
	for len(ev.Outbox) > MaxOutbox {
		ev.Outbox = append([]Transition{coalesce(ev.Outbox[0], ev.Outbox[1])}, ev.Outbox[2:]...)
	}
}

// coalesceNote marks the part of a reason that coalesce writes.
const coalesceNote = " (and "

// coalesce folds the older entry a into the newer b: b's transition, with a
// count of what it stands for since when. An alert not yet published in
// either stays to be published, so nothing is silently dropped: the alert
// that goes out says how many earlier transitions it summarises.
func coalesce(a, b Transition) Transition {
	m := b
	m.Coalesced = a.Coalesced + b.Coalesced + 1
	m.Since = a.At
	if !a.Since.IsZero() {
		m.Since = a.Since
	}
	aWaits := a.Alert != nil && !a.Published
	bWaits := b.Alert != nil && !b.Published
	if aWaits && !bWaits {
		m.Alert, m.Published = a.Alert, false
	}
	if m.Alert != nil { // rendered again with the coalesced reason
		al := *m.Alert
		al.Body = ""
		m.Alert = &al
	}
	if a.NextTry.Before(m.NextTry) {
		m.NextTry = a.NextTry
	}
	base := m.Reason
	if i := strings.Index(base, coalesceNote); i >= 0 {
		base = base[:i]
	}
	note := fmt.Sprintf("%s%d earlier transitions since %s, coalesced while waiting for delivery)",
		coalesceNote, m.Coalesced, FormatTime(m.Since))
	m.Reason = truncate(base, MaxReasonLen-len(note)) + note
	return m
}

// waiting reports an alert whose publish has failed and not yet succeeded.
func (tr Transition) waiting() bool { return tr.Alert != nil && !tr.Published && tr.Tries > 0 }

// Undelivered counts the alerts of the outbox whose publish failed and that
// this poll is not about to retry (they wait for their backoff). While
// there are any, a poll must report an error, every poll, until they go out.
func (ev *Event) Undelivered(retrying []Transition) int {
	now := map[string]bool{}
	for _, tr := range retrying {
		now[tr.ID] = true
	}
	n := 0
	for _, tr := range ev.Outbox {
		if tr.waiting() && !now[tr.ID] {
			n++
		}
	}
	return n
}

// PendingAlert is the alert of a waiting transition as it is published now:
// the text rendered when it was decided when that is still at hand (the
// deciding poll), else rendered again from the event as stored. The job
// output, exit code, host and run id belong to the event's latest run; an
// alert for an earlier run goes without them rather than with the wrong
// ones.
func (ev *Event) PendingAlert(tr Transition) Alert {
	if tr.Alert.Body != "" {
		a := *tr.Alert
		a.Tags = LimitTags(ev.Tags) // the routing is the event's now, whatever the stored alert carried
		return a
	}
	view := *ev
	if !tr.At.Equal(ev.lastRun()) {
		view.LastMessage, view.LastExitCode, view.LastHost, view.LastRunID, view.LastDuration = "", nil, "", "", 0
	}
	a := Render(tr.Alert.Kind, &view, tr.Reason)
	a.Facts = transitionFacts(tr.Alert.Kind, &view, tr)
	return a
}

// MarkPublished records that entry id's alert went out; the entry stays
// until its history is written too.
func (ev *Event) MarkPublished(id string) {
	for i := range ev.Outbox {
		if ev.Outbox[i].ID == id {
			ev.Outbox[i].Published = true
		}
	}
}

// nextLook is when a poller must next look at an outbox entry: a waiting
// alert at once, every poll, so each poll sees it and reports it until it
// is published; any other entry when it is unclaimed or its retry is due.
func (tr Transition) nextLook() time.Time {
	if tr.waiting() || tr.NextTry.IsZero() {
		return tr.At
	}
	return tr.NextTry
}
