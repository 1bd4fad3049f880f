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
//   - A success after deadline + grace (every schedule kind: "grace means
//     don't bother me") before any DOWN is LATE; a success while down is UP;
//     the first run of a new event and an on-time run send nothing. An
//     event that never ran and has no initial deadline is never judged.
//   - A failed run (signal fail, or a success shorter than MinRuntime) also
//     covers its block; it sends FAILED at the FailuresBeforeAlert-th failure
//     in a row (a success resets the count), and the event is down from the
//     first. A failure older than the last success is recorded, no alert.
//   - An outage whose alert was held (failures below N, a quiet window, a
//     pause) is unannounced: its recovery sends no UP.
//   - FAILED and UP: at most 6 an hour per event, in a window opened by the
//     first after the last window ended; the 7th is one FLAPPING alert.
//   - Paused: pings recorded, nothing alerted, no DOWN. resume (or the end of
//     pause --until, at its time) re-arms a deadline that passed from then
//     and restarts the outage's DOWN count.
//   - RepeatEvery: after the outage's first DOWN, reminders every interval
//     (from the poll that decided the last one, LastDownAlert) instead of
//     one per missed period, all within MaxAlerts. The chain follows the
//     polls that really decided: a crashed poll (whose lease keeps the next
//     two out) may delay one of its DOWNs by up to 3 minutes, and every
//     later reminder with it (chainDelay). Such a reminder may come that
//     much later, and when the run, pause or delete that ends the outage is
//     applied within that delay, the engine's reminder was not due yet: it
//     may or may not have gone out.
//   - Quiet windows (the event's zone): DOWN, FAILED and LATE in one are
//     held (a held DOWN still counts toward MaxAlerts); an outage still
//     unannounced at the window's end is alerted at the first poll after it.
//   - While the topic fails, alerts wait in the event's outbox, at most 12
//     transitions (with or without an alert); a 13th coalesces the oldest
//     two, and the older one's alert is folded into the newer (outbox.go).
//
// "On time" for an alert: it is published no earlier than its own time (at)
// and by the first poll after it, one virtual minute, unless a fault (a
// crashed poll, a poll not run, the topic down) falls in between: then by
// 17 minutes after the faults end (the outbox retry backs off to 15 minutes).
type oracle struct {
	polls  []time.Time // every minute a poll judged, sorted
	faults *faultPlan
}

// expected is one predicted alert.
type expected struct {
	Event string
	Kind  string
	At    time.Time
	// Tol is how much later At may be: an alert decided at a poll's own time
	// (the end of a quiet window) moves with that poll when a fault delays it.
	Tol time.Duration
	// Decided is the poll that decides it, when that is after At: a DOWN
	// whose deadline an edit moved into the past is due from that poll.
	Decided time.Time
	// Optional: a fault next to an outbox coalescing makes it unknowable
	// whether this alert was folded into a later one; either is right.
	Optional bool
	// Folded: coalesced into a later alert while the topic was down (the
	// later one says what it stands for); not published on its own.
	Folded bool
}

// action is something that happens to an event outside a poll: its job's
// ping (at the time the queue accepted it) or a person's edit.
type action struct {
	at     time.Time
	fail   bool          // a ping with signal fail
	start  bool          // a ping with signal start
	dur    time.Duration // the run's duration, when the ping says
	pause  bool          // memon-config pause (until, when set)
	until  time.Time
	resume bool // memon-config resume
	// memon-config set NEW --watch-from now, set EVENT --period, delete.
	create, del bool
	period      time.Duration
}

func (a action) isPing() bool { return !a.pause && !a.resume && !a.create && !a.del && a.period == 0 }

type oEvent struct {
	cfg   *eventPlan
	state string // "new", "up", "down"
	last  time.Time
	next  time.Time
	// errorCount counts deadlines missed since the last run, downAlerts
	// the DOWN alerts of this outage.
	errorCount, downAlerts int
	lastSuccess, lastFail  time.Time
	enabled                bool
	pausedUntil            time.Time
	// The controls' memory: consecutive failures, an outage nobody was
	// told of, and the FAILED/UP flood window.
	streak                 int
	unannounced            bool
	windowStart            time.Time
	inWindow, heldInWindow int
	heldKind               string // an alert held by a quiet window, to send at its end
	heldUntil              time.Time
	// The open run: a start with no outcome yet, and whether its OVERRUN
	// was decided.
	lastStart, runningSince time.Time
	overrunAlerted          bool
	lastDownAlert           time.Time // when the outage's last DOWN went out (RepeatEvery)
	// lag is how much later than lastDownAlert the engine may have sent
	// it: each DOWN of the chain decided next to a crash may have waited
	// for the crashed poller's lease, and every reminder after it with it.
	lag time.Duration
	// unsure is the last reminder (an index in out) that the engine's
	// delayed chain may have reached only by unsureBy; none while unsureBy
	// is zero.
	unsure   int
	unsureBy time.Time
	deleted  bool
	out      []expected
	// The outbox (outbox.go): the poll deciding the current transitions,
	// and what waits for delivery.
	or        *oracle // nil for the planner's model of the job
	batch     batch
	lastBatch batch
	pingPoll  time.Time // the last poll that applied a ping
	box       []*oEntry
	published []time.Time // when its latest alerts went out
}

// predict runs one event's life: its actions (any order, duplicates
// included) against every judging poll, and returns its alerts and its
// final state.
func (o *oracle) predict(ev *eventPlan, acts []action) *oEvent {
	acts = append([]action(nil), acts...)
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].at.Before(acts[j].at) })
	cfg := *ev // a person may change its period
	e := &oEvent{cfg: &cfg, state: "new", enabled: true, or: o}
	if !ev.Initial.IsZero() {
		e.next, e.last = ev.Initial, ev.Initial.Add(-ev.Period)
	}
	i := 0
	var now time.Time // the last poll or action: a look time already past is the next poll's
	for {
		var nextAct time.Time
		if i < len(acts) {
			nextAct = acts[i].at
		}
		if look := e.lookAt(); !look.IsZero() {
			if !look.After(now) {
				look = now.Add(time.Second)
			}
			// A poll at an action's own time comes first: the run sends
			// what is due at a minute after that minute's poll.
			if p, ok := o.firstPollAtOrAfter(look); ok && (nextAct.IsZero() || !p.After(nextAct)) {
				e.batch = batch{p, 1}
				e.poll(p)
				now = p
				continue
			}
		}
		if nextAct.IsZero() {
			return e
		}
		if p, ok := o.firstPollAtOrAfter(nextAct.Add(time.Nanosecond)); ok {
			e.batch = batch{p, 0}
		} else {
			e.batch = batch{}
		}
		e.act(acts[i])
		now = acts[i].at
		i++
	}
}

// chainDelay is how much later than p the engine may have decided a DOWN
// of a reminder chain that the oracle decides at p, when the chain's
// previous DOWN may have been decided up to lag later than the oracle's:
// the engine's own due point is anywhere in [p, p+lag], a crashed poll
// there or up to two minutes before (its lease keeps the next two polls
// out, and the third judges) moves it to 3 minutes after the crash, and a
// poll not run to the minute after.
func (o *oracle) chainDelay(p time.Time, lag time.Duration) time.Duration {
	if o == nil || o.faults == nil {
		return 0
	}
	for {
		ext := lag
		for m := p.Add(-2 * time.Minute); !m.After(p.Add(lag)); m = m.Add(time.Minute) {
			switch {
			case o.faults.crash[m] > 0:
				ext = max(ext, m.Add(3*time.Minute).Sub(p))
			case o.faults.skip[m] && !m.Before(p):
				ext = max(ext, m.Add(time.Minute).Sub(p))
			}
		}
		if ext == lag {
			return lag
		}
		lag = ext
	}
}

// chainEnds is an action that ends the outage's reminders (a run, a pause,
// a delete), applied by its batch's poll: a reminder the oracle decided
// before it that the engine's later chain may not have reached by that
// poll may or may not have gone out.
func (e *oEvent) chainEnds() {
	if !e.unsureBy.IsZero() && !e.batch.poll.After(e.unsureBy) {
		e.out[e.unsure].Optional = true
	}
	e.unsureBy = time.Time{}
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
	if e.next.IsZero() || !e.enabled {
		return time.Time{}
	}
	return e.deadline(e.errorCount).Add(e.cfg.Grace)
}

// lookAt is when a poll must next look at the event: its DOWN check, or
// the end of a pause with --until.
func (e *oEvent) lookAt() time.Time {
	if e.deleted {
		return time.Time{}
	}
	if !e.enabled {
		return e.pausedUntil
	}
	at := e.dueAt()
	for _, t := range []time.Time{e.heldUntil, e.overrunAt(), e.reminderAt()} {
		if !t.IsZero() && (at.IsZero() || t.Before(at)) {
			at = t
		}
	}
	return at
}

// reminderAt is when the next DOWN reminder is due (RepeatEvery): an
// interval after the outage's last DOWN, while it is down, announced and
// under the DOWN cap; zero when none is.
func (e *oEvent) reminderAt() time.Time {
	if e.cfg.RepeatEvery <= 0 || e.state != "down" || e.downAlerts == 0 || e.unannounced ||
		e.lastDownAlert.IsZero() || e.downAlerts >= e.cfg.maxAlerts() {
		return time.Time{}
	}
	return e.lastDownAlert.Add(e.cfg.RepeatEvery)
}

// overrunAt is when the open run passes MaxRuntime; zero when nothing is
// watched.
func (e *oEvent) overrunAt() time.Time {
	if e.cfg.MaxRuntime <= 0 || e.runningSince.IsZero() || e.overrunAlerted {
		return time.Time{}
	}
	return e.runningSince.Add(e.cfg.MaxRuntime)
}

// poll is a poll's look at the event: a pause that ended resumes it (at
// the pause's end, "re-armed, as resume does"), then missed deadlines.
func (e *oEvent) poll(p time.Time) {
	if !e.enabled && !e.pausedUntil.IsZero() && !p.Before(e.pausedUntil) {
		until := e.pausedUntil
		e.resume(until)
		e.silent(until) // "the pause ended": recorded
	}
	if !e.enabled {
		return
	}
	if due := e.overrunAt(); !due.IsZero() && !p.Before(due) {
		// One OVERRUN per run, at the time it passed MaxRuntime; a quiet
		// window holds it, to be sent at its end if the run is still open.
		e.overrunAlerted = true
		if q := e.quietUntil(p); !q.IsZero() {
			e.heldKind, e.heldUntil = "overrun", q
			e.silent(due)
		} else {
			e.emit(expected{Event: e.cfg.Name, Kind: "overrun", At: due})
		}
	}
	if due := e.reminderAt(); !due.IsZero() && !p.Before(due) {
		e.downAlerts++ // reminders count toward MaxAlerts
		late := e.or.chainDelay(p, e.lag)
		if q := e.quietUntil(p); !q.IsZero() {
			e.heldKind, e.heldUntil, e.unannounced = "down", q, true
			e.silent(p)
		} else {
			e.emit(expected{Event: e.cfg.Name, Kind: "down", At: p, Tol: 4*time.Minute + e.lag})
			if late > 0 {
				e.unsure, e.unsureBy = len(e.out)-1, p.Add(late)
			}
		}
		e.lastDownAlert, e.lag = p, late // a held reminder waits a whole interval too
	}
	if !e.heldUntil.IsZero() && !p.Before(e.heldUntil) {
		if q := e.quietUntil(p); !q.IsZero() {
			e.heldUntil = q // another window began as this one ended
		} else {
			kind := e.heldKind
			e.heldKind, e.heldUntil = "", time.Time{}
			switch {
			case kind == "overrun" && !e.runningSince.IsZero():
				e.emit(expected{Event: e.cfg.Name, Kind: kind, At: p, Tol: 4 * time.Minute})
			case (kind == "down" || kind == "failed") && e.state == "down" && e.unannounced:
				e.unannounced = false
				if kind == "down" {
					e.lastDownAlert = p // the outage's first DOWN: reminders count from it
					e.lag = e.or.chainDelay(p, 0)
				}
				e.emit(expected{Event: e.cfg.Name, Kind: kind, At: p, Tol: 4 * time.Minute})
			}
		}
	}
	if e.dueAt().IsZero() || e.dueAt().After(p) {
		return
	}
	pending := e.deadline(e.errorCount)
	missed := 0
	for d := pending; !d.Add(e.cfg.Grace).After(p); d = e.following(d) {
		missed++
	}
	before := e.errorCount
	from := e.state
	e.errorCount += missed
	e.state = "down"
	if e.cfg.RepeatEvery > 0 && e.downAlerts > 0 {
		e.silent(pending.Add(e.cfg.Grace))
		return // with RepeatEvery only the outage's first DOWN comes from a missed deadline
	}
	if before < e.cfg.maxAlerts() && e.downAlerts < e.cfg.maxAlerts() {
		e.downAlerts++ // a held DOWN counts toward the cap too
		if q := e.quietUntil(p); !q.IsZero() {
			e.heldKind, e.heldUntil, e.unannounced = "down", q, true
			e.silent(pending.Add(e.cfg.Grace))
			return
		}
		e.unannounced, e.lastDownAlert = false, p
		e.lag = e.or.chainDelay(p, 0)
		e.emit(expected{Event: e.cfg.Name, Kind: "down", At: pending.Add(e.cfg.Grace)})
	} else {
		if from != "down" {
			e.unannounced = true
		}
		e.silent(pending.Add(e.cfg.Grace)) // missed periods are recorded past the cap
	}
}

// resume is memon-config resume (or a pause's end) at t: enabled again, the
// outage's DOWN count restarts, and a deadline that passed while paused is
// re-armed from t (rolling: t + period; cron: the next firing; fixed: as if
// it ran at t).
func (e *oEvent) resume(t time.Time) {
	if e.enabled {
		return
	}
	e.enabled, e.pausedUntil, e.downAlerts = true, time.Time{}, 0
	if due := e.dueAt(); !due.IsZero() && !due.After(t) {
		e.ranAt(t) // as if it ran then
		e.errorCount = 0
	}
}

func (e *oEvent) act(a action) {
	switch {
	case a.pause:
		e.chainEnds()
		e.enabled = false
		e.pausedUntil = a.until
	case a.resume:
		e.resume(a.at)
	case a.create:
		e.watchFrom(a.at)
	case a.period > 0:
		e.reschedule(a.period)
	case a.del:
		e.chainEnds()
		e.deleted = true
	default:
		e.apply(a)
	}
}

// apply is one ping: the documented staleness rules, then a run (failed or
// not) covers its block and ends the outage's counts; a success shorter
// than MinRuntime is a failure.
func (e *oEvent) apply(a action) {
	t := a.at
	if a.start {
		last := e.lastSuccess
		if e.lastFail.After(last) {
			last = e.lastFail
		}
		if t.After(e.lastStart) && !t.Before(last) {
			e.lastStart, e.runningSince, e.overrunAlerted = t, t, false
			e.pinged()
		}
		return
	}
	fail := a.fail || e.cfg.MinRuntime > 0 && a.dur > 0 && a.dur < e.cfg.MinRuntime
	if fail {
		if !t.After(e.lastFail) {
			return // stale
		}
		if t.Before(e.lastSuccess) {
			e.lastFail = t // superseded by a later success: recorded, no alert
			e.pinged()
			e.silent(t)
			return
		}
	} else if !t.After(e.lastSuccess) || t.Before(e.lastFail) {
		return // stale
	}
	e.pinged()
	e.chainEnds()
	late := !e.next.IsZero() && t.After(e.deadline(e.errorCount).Add(e.cfg.Grace))
	e.ranAt(t)
	from := e.state
	e.errorCount, e.downAlerts = 0, 0
	if !e.runningSince.IsZero() && !t.Before(e.runningSince) {
		e.runningSince, e.overrunAlerted = time.Time{}, false // the outcome ends the open run
	}
	if fail {
		e.lastFail, e.state = t, "down"
		e.streak++
		switch {
		case !e.enabled:
			if from != "down" {
				e.unannounced = true
			}
			e.silent(t)
		case e.streak < e.cfg.FailuresBeforeAlert:
			e.unannounced = true // "failure N of M before an alert"
			e.silent(t)
		default:
			if q := e.quietUntil(t); !q.IsZero() {
				e.heldKind, e.heldUntil, e.unannounced = "failed", q, true
				e.silent(t)
				return
			}
			e.unannounced = false
			e.alert("failed", t)
		}
		return
	}
	e.lastSuccess, e.state, e.streak = t, "up", 0
	kind := ""
	switch {
	case from == "down":
		kind = "up"
	case late:
		kind = "late"
	case from == "new":
		e.silent(t) // "first run": recorded
		return
	default:
		return // on time: nothing to tell
	}
	if !e.enabled {
		e.silent(t)
		return // a paused event is recorded, never alerted
	}
	if kind == "up" {
		held := e.unannounced // nobody hears of an end without a start
		e.unannounced, e.heldKind, e.heldUntil = false, "", time.Time{}
		if held {
			e.silent(t)
			return
		}
	}
	if kind == "late" && !e.quietUntil(t).IsZero() {
		e.silent(t)
		return // a late run in a quiet window is only recorded
	}
	e.alert(kind, t)
}

// alert sends a FAILED, UP or LATE alert at t; FAILED and UP go through
// the flood limit: at most 6 an hour in a window opened by the first one
// after the last window ended, the 7th becomes one FLAPPING alert, the rest
// are held.
func (e *oEvent) alert(kind string, t time.Time) {
	if kind == "failed" || kind == "up" {
		if e.windowStart.IsZero() || !t.Before(e.windowStart.Add(time.Hour)) {
			e.windowStart, e.inWindow, e.heldInWindow = t, 0, 0
		}
		if e.inWindow >= 6 {
			e.heldInWindow++
			if e.heldInWindow == 1 {
				e.emit(expected{Event: e.cfg.Name, Kind: "flapping", At: t})
			}
			return
		}
		e.inWindow++
	}
	e.emit(expected{Event: e.cfg.Name, Kind: kind, At: t})
}

// watchFrom arms a new event watched from its creation at t (schedules.md,
// --watch-from now): a cron event's first deadline is its next firing, a
// rolling or fixed one's creation plus the period.
func (e *oEvent) watchFrom(t time.Time) {
	if e.cfg.Kind == "cron" {
		e.last, e.next = t, e.cfg.cron.next(t)
		return
	}
	e.last, e.next = t, t.Add(e.cfg.Period)
}

// reschedule is set --period: the deadline is re-armed from the last run
// on the new period (how-it-works.md; rolling from the run itself, fixed
// from the block the run covered), the missed count restarts, the
// outage's DOWN count does not (alerts.md: at most MaxAlerts "whatever
// edits re-arm the deadline meanwhile"). An event that never ran keeps its
// deadline.
func (e *oEvent) reschedule(p time.Duration) {
	e.cfg.Period = p
	if e.next.IsZero() {
		return
	}
	e.errorCount = 0
	run := e.lastSuccess
	if e.lastFail.After(run) {
		run = e.lastFail
	}
	switch {
	case run.IsZero():
		e.last = e.next.Add(-p)
	case e.cfg.Kind == "fixed":
		if e.last.IsZero() {
			e.last = run
		}
		e.next = e.last.Add(p)
	default:
		e.last, e.next = run, run.Add(p)
	}
}

// ranAt moves the deadline past a run at t: rolling t + period, cron the
// next firing, fixed the block arithmetic.
func (e *oEvent) ranAt(t time.Time) {
	switch e.cfg.Kind {
	case "cron":
		e.last, e.next = t, e.cfg.cron.next(t)
	case "fixed":
		e.last, e.next = e.fixedBlocks(t)
	default:
		e.last, e.next = t, t.Add(e.cfg.Period)
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
