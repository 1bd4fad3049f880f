package sim

import "time"

// The oracle's outbox, from the documented delivery rules (docs/alerts.md,
// "While the topic fails"; docs/how-it-works.md, "Nothing lost" and
// "Bounded"): every transition decided, with an alert or without one, is
// an outbox entry; the poll that decides it tries to deliver it at once
// (an entry without an alert only needs its history record, which always
// works here); a failed publish is retried by the first poll at or after
// 4, 8, then every 15 minutes; at most 12 entries wait, and a 13th folds
// the oldest two into one: the newer one's alert goes out, saying what it
// stands for, unless only the older one still had an alert to publish,
// which then goes out as the newer entry.

// maxOutbox is the documented bound of waiting transitions.
const maxOutbox = 12

// batch is when a transition is decided: the poll, and whether with the
// pings that poll applies (0) or in its look at the deadlines (1). Each
// batch is stored, then delivered, as one.
type batch struct {
	poll  time.Time
	phase int
}

// oEntry is one waiting transition.
type oEntry struct {
	at      time.Time
	alert   int       // index in out; -1 for none or one already published
	nextTry time.Time // zero: not yet claimed (delivered with its batch)
	tries   int
}

// backoff is the documented retry delay after tries failed publishes.
func backoff(tries int) time.Duration {
	return min(2*time.Minute<<min(tries, 3), 15*time.Minute)
}

// emit is a transition with its alert.
func (e *oEvent) emit(x expected) {
	if e.batch.poll.After(x.At) && e.batch.phase == 1 {
		x.Decided = e.batch.poll
	}
	e.out = append(e.out, x)
	e.enqueue(x.At, len(e.out)-1)
}

// silent is a transition without an alert: recorded, and an outbox entry
// until its record is written.
func (e *oEvent) silent(at time.Time) { e.enqueue(at, -1) }

// pinged notes a ping the current batch's poll applied: that poll delivers
// the event's due entries with it.
func (e *oEvent) pinged() {
	if e.or != nil && e.batch.phase == 0 {
		e.pingPoll = e.batch.poll
	}
}

func (e *oEvent) enqueue(at time.Time, alert int) {
	if e.or == nil || e.batch.poll.IsZero() {
		return // the planner's model of the job, or a ping after the last poll
	}
	if e.batch != e.lastBatch {
		if !e.lastBatch.poll.IsZero() {
			e.claimAt(e.lastBatch.poll)
		}
		e.lastBatch = e.batch
	}
	e.retryBefore(e.batch.poll)
	if e.batch.phase == 1 && e.pingPoll.Equal(e.batch.poll) {
		e.claimAt(e.batch.poll) // the poll's pings were applied, and its due entries delivered, first
	}
	e.box = append(e.box, &oEntry{at: at, alert: alert})
	unsure := e.or.faults.unsureOutbox(e.batch.poll)
	if unsure {
		// A fault may have kept entries the schedule says went out, or
		// left one the schedule does not know: the engine's outbox may be
		// fuller, and fold what this one keeps.
		extra := len(e.box) + 1 - maxOutbox
		for _, t := range e.published {
			if !t.Before(e.batch.poll.Add(-20 * time.Minute)) {
				extra++
			}
		}
		for i := 0; i < extra && i < len(e.box)-1; i++ {
			if a := e.box[i].alert; a >= 0 {
				e.out[a].Optional = true
			}
		}
	}
	for len(e.box) > maxOutbox {
		a, b := e.box[0], e.box[1]
		switch {
		case a.alert >= 0 && b.alert < 0:
			// Only the older one still has an alert: it goes out as
			// the newer entry.
			e.out[a.alert].At = b.at
			if unsure {
				e.out[a.alert].Optional = true
			}
			b.alert = a.alert
		case a.alert >= 0:
			if unsure {
				e.out[a.alert].Optional = true
				e.out[b.alert].Optional = true
			} else {
				e.out[a.alert].Folded = true
			}
		}
		if !a.nextTry.IsZero() && a.nextTry.Before(b.nextTry) {
			b.nextTry = a.nextTry
		}
		e.box = e.box[1:]
	}
}

// claimAt is a poll at p delivering the event's entries that are unclaimed
// or due: an entry without an alert leaves, an alert leaves when the topic
// takes it, else it waits for its backoff.
func (e *oEvent) claimAt(p time.Time) {
	keep := e.box[:0:0]
	down := e.or.faults.topicDown(p)
	for _, x := range e.box {
		if !x.nextTry.IsZero() && x.nextTry.After(p) {
			keep = append(keep, x)
			continue
		}
		if x.alert >= 0 && !down {
			e.published = append(e.published, p)
			if len(e.published) > maxOutbox {
				e.published = e.published[1:]
			}
		}
		if x.alert < 0 || !down {
			continue
		}
		x.tries++
		x.nextTry = p.Add(backoff(x.tries))
		keep = append(keep, x)
	}
	e.box = keep
}

// retryBefore runs the retries of polls before p.
func (e *oEvent) retryBefore(p time.Time) {
	for {
		var first time.Time
		for _, x := range e.box {
			if !x.nextTry.IsZero() && (first.IsZero() || x.nextTry.Before(first)) {
				first = x.nextTry
			}
		}
		if first.IsZero() {
			return
		}
		q, ok := e.or.firstPollAtOrAfter(first)
		if !ok || !q.Before(p) {
			return
		}
		e.claimAt(q)
	}
}
