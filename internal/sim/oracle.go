package sim

import (
	"sort"
	"time"
)

// The oracle predicts an event's alerts from the documented semantics
// alone: the README's Alerts and memon-config sections, the seed's
// SEMANTICS.md (memon.py's block arithmetic and DOWN counting) and
// pkg/memon's doc comments. It never calls the engine's decisions; it
// shares only plain values (times, kinds) with it.
//
// The rules it follows:
//   - A ping's time is when the queue accepted it. A ping at or before the
//     last success is stale (a redelivery or an out-of-order copy): ignored.
//   - rolling: the deadline is the last run plus the period. fixed: memon.py's
//     blocks, LastBlockTime/NextBlockTime, "the smallest k >= 1 with
//     t <= LastBlockTime + k*Period". cron: the first firing after the run,
//     in the event's zone (a skipped wall time is not expected, a repeated
//     one is expected once). Missed deadlines follow one period (or one
//     firing) each.
//   - Every poll judges (DOWN) with the moment its queue was seen empty; a
//     poll applies every ping sent before it first. A poll that finds
//     deadlines whose deadline + grace has come counts them all and sends
//     one DOWN (at = the first of them + grace) if fewer than MaxAlerts
//     deadlines had been missed before and fewer than MaxAlerts DOWNs went
//     out in this outage.
//   - A success after deadline + grace (cron: at or after the firing that
//     follows the awaited one, pkg/memon's lateRun rule) before any DOWN is
//     LATE; a success while down is UP; the first run of a new event and an
//     on-time run send nothing. An event that never ran and has no initial
//     deadline is never judged.
//
// "On time" for an alert: it is published no earlier than its own time (at)
// and by the first poll after it, one virtual minute, unless a fault (a
// crashed poll, a poll not run, the topic down) falls in between: then by
// 17 minutes after the faults end (the outbox retry backs off to 15 minutes).
type oracle struct {
	polls []time.Time // every minute a poll judged, sorted
}

// expected is one predicted alert.
type expected struct {
	Event string
	Kind  string
	At    time.Time
}

type oEvent struct {
	cfg   *eventPlan
	state string // "new", "up", "down"
	last  time.Time
	next  time.Time
	// errorCount counts deadlines missed since the last run, downAlerts
	// the DOWN alerts of this outage.
	errorCount, downAlerts int
	lastSuccess            time.Time
	out                    []expected
}

// predict runs one event's life: its pings (any order, duplicates
// included) against every judging poll, and returns its alerts and its
// final state.
func (o *oracle) predict(ev *eventPlan, pings []time.Time) *oEvent {
	pings = append([]time.Time(nil), pings...)
	sort.Slice(pings, func(i, j int) bool { return pings[i].Before(pings[j]) })
	e := &oEvent{cfg: ev, state: "new"}
	if !ev.Initial.IsZero() {
		e.next, e.last = ev.Initial, ev.Initial.Add(-ev.Period)
	}
	i := 0
	for {
		var nextPing time.Time
		if i < len(pings) {
			nextPing = pings[i]
		}
		due := e.dueAt()
		if !due.IsZero() {
			if p, ok := o.firstPollAtOrAfter(due); ok && (nextPing.IsZero() || p.Before(nextPing)) {
				e.judge(p)
				continue
			}
		}
		if nextPing.IsZero() {
			return e
		}
		e.apply(nextPing)
		i++
	}
}

func (o *oracle) firstPollAtOrAfter(t time.Time) (time.Time, bool) {
	i := sort.Search(len(o.polls), func(i int) bool { return !o.polls[i].Before(t) })
	if i == len(o.polls) {
		return time.Time{}, false
	}
	return o.polls[i], true
}

// deadline is the n-th deadline from next.
func (e *oEvent) deadline(n int) time.Time {
	d := e.next
	for range n {
		d = e.following(d)
	}
	return d
}

func (e *oEvent) following(d time.Time) time.Time {
	if e.cfg.Kind == "cron" {
		return e.cfg.cron.next(d)
	}
	return d.Add(e.cfg.Period)
}

func (e *oEvent) dueAt() time.Time {
	if e.next.IsZero() {
		return time.Time{}
	}
	return e.deadline(e.errorCount).Add(e.cfg.Grace)
}

func (e *oEvent) judge(p time.Time) {
	pending := e.deadline(e.errorCount)
	missed := 0
	for d := pending; !d.Add(e.cfg.Grace).After(p); d = e.following(d) {
		missed++
	}
	if missed == 0 {
		return
	}
	before := e.errorCount
	e.errorCount += missed
	e.state = "down"
	if before < e.cfg.maxAlerts() && e.downAlerts < e.cfg.maxAlerts() {
		e.downAlerts++
		e.out = append(e.out, expected{e.cfg.Name, "down", pending.Add(e.cfg.Grace)})
	}
}

func (e *oEvent) apply(t time.Time) {
	if !t.After(e.lastSuccess) {
		return // stale
	}
	late := false
	if !e.next.IsZero() {
		d := e.deadline(e.errorCount)
		if e.cfg.Kind == "cron" {
			late = !t.Before(e.cfg.cron.next(d))
		} else {
			late = t.After(d.Add(e.cfg.Grace))
		}
	}
	switch e.cfg.Kind {
	case "cron":
		e.last, e.next = t, e.cfg.cron.next(t)
	case "fixed":
		e.last, e.next = e.fixedBlocks(t)
	default:
		e.last, e.next = t, t.Add(e.cfg.Period)
	}
	from := e.state
	e.state, e.errorCount, e.downAlerts, e.lastSuccess = "up", 0, 0, t
	switch {
	case from == "down":
		e.out = append(e.out, expected{e.cfg.Name, "up", t})
	case late:
		e.out = append(e.out, expected{e.cfg.Name, "late", t})
	}
}

// fixedBlocks is SEMANTICS.md's rule: the smallest k >= 1 with
// t <= LastBlockTime + k*Period; LastBlockTime += k*Period; the next
// deadline one period on. A first run with no blocks starts them at t.
func (e *oEvent) fixedBlocks(t time.Time) (time.Time, time.Time) {
	p := e.cfg.Period
	if e.next.IsZero() {
		return t, t.Add(p)
	}
	last := e.last
	k := 1
	for last.Add(time.Duration(k) * p).Before(t) {
		k++
	}
	last = last.Add(time.Duration(k) * p)
	return last, last.Add(p)
}
