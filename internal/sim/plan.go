package sim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// eventPlan is one event's configuration and how its job behaves.
type eventPlan struct {
	Name      string
	Kind      string // rolling, fixed, cron
	Period    time.Duration
	Expr      string
	Zone      string
	Grace     time.Duration
	MaxAlerts int       // as configured; the oracle reads 0 as the documented default 3
	Initial   time.Time // first deadline before any run (fixed always; rolling sometimes)

	// Alert controls.
	FailuresBeforeAlert int
	MinRuntime          time.Duration
	MaxRuntime          time.Duration
	RepeatEvery         time.Duration
	Quiet               []quietSpec

	// People's edits beyond pauses: created during the run and watched
	// from then (--watch-from now), the period changed once (set --period,
	// rolling and fixed), deleted (the job retired first). planLife draws
	// their times.
	Created   time.Time
	newPeriod time.Duration
	editAt    time.Time
	deletes   bool
	deleteAt  time.Time

	cron *cronSpec
	// dies is when the job stops for good (zero: never): DOWN up to the
	// cap, then silence.
	dies time.Time
	// silent: the job never pings (a broken memon-send line from day one).
	silent bool
}

var (
	periods = []time.Duration{10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour}
	graces  = []time.Duration{0, time.Minute, 5 * time.Minute, 30 * time.Minute}
	crons   = []string{"*/15 * * * *", "0 * * * *", "30 */2 * * *", "0 3 * * *", "30 2 * * *", "0 9 * * 1-5", "15 22 * * *", "45 1 * * 0,6", "0 0 1,15 * *"}
	zones   = []string{"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"}
	caps    = []int{0, 0, 1, 2, 5}
)

// planEvents draws perKind events of each schedule kind.
func planEvents(rng *rand.Rand, perKind int, start, end time.Time) ([]*eventPlan, error) {
	var out []*eventPlan
	pick := func(n int) int { return rng.IntN(n) }
	for i := range perKind {
		for _, kind := range []string{"rolling", "fixed", "cron"} {
			ev := &eventPlan{Name: fmt.Sprintf("%s-%04d", kind[:1], i), Kind: kind, MaxAlerts: caps[pick(len(caps))]}
			switch kind {
			case "cron":
				ev.Expr, ev.Zone = crons[pick(len(crons))], zones[pick(len(zones))]
				ev.Grace = []time.Duration{5 * time.Minute, 10 * time.Minute, 30 * time.Minute}[pick(3)]
				loc, err := time.LoadLocation(ev.Zone)
				if err != nil {
					return nil, err
				}
				if ev.cron, err = parseCronSpec(ev.Expr, loc); err != nil {
					return nil, err
				}
			default:
				ev.Period, ev.Grace = periods[pick(len(periods))], graces[pick(len(graces))]
				if kind == "fixed" || rng.IntN(2) == 0 {
					ev.Initial = start.Add(time.Duration(rng.Int64N(int64(ev.Period)))).Truncate(time.Second).Add(time.Minute)
				}
			}
			if rng.IntN(3) == 0 {
				ev.FailuresBeforeAlert = 2 + rng.IntN(2)
			}
			if rng.IntN(5) == 0 {
				ev.RepeatEvery = []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour}[pick(3)]
			}
			if rng.IntN(5) == 0 {
				ev.Quiet = append(ev.Quiet, quiets[pick(len(quiets))])
			}
			switch {
			case kind != "cron" && ev.Period >= time.Hour && rng.IntN(2) == 0:
				// Watched runs need room: a start before the last
				// outcome would be stale.
				ev.MaxRuntime = time.Duration(5+5*rng.IntN(2)) * time.Minute
			case rng.IntN(3) == 0:
				ev.MinRuntime = time.Duration(10+rng.IntN(50)) * time.Second
			}
			if rng.IntN(25) == 0 {
				// Created later by a person, watched from its creation.
				ev.Created = start.Add(time.Hour + time.Duration(rng.Int64N(int64(end.Sub(start)/2)))).Truncate(time.Second).Add(time.Second)
				ev.Initial = time.Time{}
			}
			// A watched run needs its room on the new period too.
			if p := periods[pick(len(periods))]; kind != "cron" && p != ev.Period && rng.IntN(20) == 0 && (ev.MaxRuntime == 0 || p >= time.Hour) {
				ev.newPeriod = p
			}
			ev.deletes = rng.IntN(30) == 0
			switch r := rng.IntN(100); {
			case r < 2:
				ev.silent = true
			case r < 6:
				ev.dies = start.Add(time.Duration(rng.Int64N(int64(end.Sub(start))))).Truncate(time.Second)
			}
			out = append(out, ev)
		}
	}
	return out, nil
}

func (ev *eventPlan) maxAlerts() int {
	if ev.MaxAlerts <= 0 {
		return 3
	}
	return ev.MaxAlerts
}

// faultPlan says, minute by minute, what goes wrong.
type faultPlan struct {
	crash   map[time.Time]int // the poll of that minute crashes before its n-th call
	skip    map[time.Time]bool
	overlap map[time.Time]bool
	topic   [][2]time.Time // outages: publishes fail in [from, to)
	faulty  []time.Time    // every crashed or skipped minute, sorted
}

// planFaults spreads the faults over the run, none in its last hours (so
// that everything decided is delivered by the end) and never two crashed
// or skipped polls within five minutes (a longer poller outage merges
// missed periods into one DOWN, which the oracle would have to be told
// about).
func planFaults(rng *rand.Rand, start, end time.Time, outages int, outageMax time.Duration) *faultPlan {
	f := &faultPlan{crash: map[time.Time]int{}, skip: map[time.Time]bool{}, overlap: map[time.Time]bool{}}
	quietFrom := end.Add(-3 * time.Hour)
	calm := 0 // minutes to keep clear after a fault
	for m := start.Add(time.Minute); m.Before(quietFrom); m = m.Add(time.Minute) {
		r := rng.IntN(1000)
		// Every quiet window's edge, in every zone here, is at :00 or :30
		// UTC. A crashed or skipped poll in the 4 minutes before one would
		// move a decision across it (held or not, which the oracle cannot
		// know): none there.
		edge := m.Minute()%30 >= 26
		switch {
		case edge && r < 20:
			continue
		case calm > 0:
			calm--
			if r < 10 {
				f.overlap[m] = true
			}
			continue
		case r < 6:
			f.crash[m] = 1 + rng.IntN(120)
		case r < 9:
			f.skip[m] = true
		case r < 20:
			f.overlap[m] = true
			continue
		default:
			continue
		}
		// A crashed poller's lease keeps the next two polls out; keep
		// the next fault beyond them.
		calm = 4
		f.faulty = append(f.faulty, m)
	}
	span := quietFrom.Sub(start) - outageMax
	for range outages {
		if span <= 0 {
			break
		}
		from := start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Minute)
		f.topic = append(f.topic, [2]time.Time{from, from.Add(time.Hour + time.Duration(rng.Int64N(int64(outageMax-time.Hour+1)))).Truncate(time.Minute)})
	}
	return f
}

func (f *faultPlan) topicDown(t time.Time) bool {
	for _, o := range f.topic {
		if !t.Before(o[0]) && t.Before(o[1]) {
			return true
		}
	}
	return false
}

// faultIn returns the last crashed or skipped minute in [a, b], if any.
func (f *faultPlan) faultIn(a, b time.Time) (time.Time, bool) {
	i := sort.Search(len(f.faulty), func(i int) bool { return f.faulty[i].After(b) })
	if i > 0 && !f.faulty[i-1].Before(a) {
		return f.faulty[i-1], true
	}
	return time.Time{}, false
}

// nearFault reports a crashed or skipped poll from 20 minutes before p
// (a retry's backoff and a lease's hold) to 2 minutes after it: the
// outbox of a poll at p may then hold an entry more or less than the
// fault-free schedule says.
func (f *faultPlan) nearFault(p time.Time) bool {
	_, ok := f.faultIn(p.Add(-20*time.Minute), p.Add(2*time.Minute))
	return ok
}

// unsureOutbox reports whether an outbox at p may hold other entries than
// the fault-free retry schedule says: a fault near p, or, in the 20 minutes
// after a topic outage ends (when the waiting alerts go out at their
// retries), any fault since the outage began, which shifts every retry
// after it.
func (f *faultPlan) unsureOutbox(p time.Time) bool {
	if f.nearFault(p) {
		return true
	}
	for _, o := range f.topic {
		if !o[1].After(p.Add(2*time.Minute)) && p.Before(o[1].Add(20*time.Minute)) {
			if _, ok := f.faultIn(o[0].Add(-20*time.Minute), p); ok {
				return true
			}
		}
	}
	return false
}

// deliveredBy is the latest a poller may publish an alert decided for at:
// the first poll after it, or, when faults fall in between, 17 minutes
// after they end (a failed publish is retried with a backoff of at most
// 15 minutes).
func (f *faultPlan) deliveredBy(at time.Time) time.Time {
	by := at.Add(time.Minute)
	for {
		ext := by
		if m, ok := f.faultIn(at.Add(-2*time.Minute), by); ok && m.Add(17*time.Minute).After(ext) {
			ext = m.Add(17 * time.Minute)
		}
		for _, o := range f.topic {
			if o[0].Before(ext) && o[1].After(at.Add(-15*time.Minute)) && o[1].Add(17*time.Minute).After(ext) {
				ext = o[1].Add(17 * time.Minute)
			}
		}
		if ext.Equal(by) {
			return by
		}
		by = ext
	}
}

// planLife draws when a person changes the event's period and when its job
// is retired and the event deleted. Both keep clear of crashed or skipped
// polls (6 minutes for the edit, as pauses do); a delete also keeps 20
// minutes from them and 30 from the topic's outages, so that nothing waits
// in its outbox when the item goes (a deleted item's waiting alerts go with
// it). The job stops 10 minutes before its event is deleted.
func planLife(rng *rand.Rand, ev *eventPlan, faults *faultPlan, start, end time.Time) {
	from := start
	if !ev.Created.IsZero() {
		from = ev.Created
	}
	last := end.Add(-4 * time.Hour)
	if span := last.Sub(from); ev.newPeriod > 0 && span > time.Hour {
		t := from.Add(30*time.Minute + time.Duration(rng.Int64N(int64(span-30*time.Minute)))).Truncate(time.Second)
		for ; t.Before(last); t = t.Add(13 * time.Minute) {
			if _, ok := faults.faultIn(t.Add(-6*time.Minute), t.Add(6*time.Minute)); !ok && t.Second() != 0 {
				ev.editAt = t
				break
			}
		}
	}
	if !ev.deletes {
		return
	}
	lo := from.Add(time.Hour)
	if !ev.editAt.IsZero() {
		lo = ev.editAt.Add(time.Hour)
	}
	if !lo.Before(last) {
		return
	}
	t := lo.Add(time.Duration(rng.Int64N(int64(last.Sub(lo))))).Truncate(time.Second)
	for ; t.Before(last); t = t.Add(31 * time.Minute) {
		_, faulty := faults.faultIn(t.Add(-20*time.Minute), t.Add(20*time.Minute))
		near := false
		for _, o := range faults.topic {
			near = near || o[0].Before(t.Add(30*time.Minute)) && o[1].After(t.Add(-30*time.Minute))
		}
		if !faulty && !near && t.Second() != 0 {
			ev.deleteAt = t
			if stop := t.Add(-10 * time.Minute); ev.dies.IsZero() || ev.dies.After(stop) {
				ev.dies = stop
			}
			return
		}
	}
}

// planPings draws an event's job's pings from start to end: mostly on
// time, some late, some runs missed, some sent twice. A ping after its
// deadline + grace is moved out of any minute a fault makes ambiguous
// (whether a crashed poll judged before it), so the oracle's LATE or
// DOWN-then-UP is the only right answer.
func planPings(rng *rand.Rand, ev *eventPlan, faults *faultPlan, start, end time.Time) []action {
	if ev.silent {
		return nil
	}
	cfg := *ev // its period changes at editAt
	g := &oEvent{cfg: &cfg, state: "new", enabled: true}
	if !ev.Initial.IsZero() {
		g.next, g.last = ev.Initial, ev.Initial.Add(-ev.Period)
	}
	if !ev.Created.IsZero() {
		start = ev.Created
		g.watchFrom(start)
	}
	edit := !ev.editAt.IsZero()
	var out []action
	run := func(at time.Time) action {
		a := action{at: at, fail: rng.IntN(100) < 4}
		switch {
		case ev.MinRuntime > 0:
			a.dur = ev.MinRuntime * 2
			if rng.IntN(100) < 5 {
				a.dur = ev.MinRuntime / 2 // too short: a failure
			}
		case ev.MaxRuntime > 0:
			// Wrapper mode: a start, then the outcome with its duration.
			// An overrun runs well past MaxRuntime, so some poll sees it
			// open whatever faults delay; a normal run ends well within.
			a.dur = ev.MaxRuntime / 2
			if rng.IntN(100) < 8 {
				a.dur = ev.MaxRuntime + time.Duration(10+rng.IntN(20))*time.Minute
			}
		}
		return a
	}
	sec := func(max time.Duration) time.Duration {
		if max < 2*time.Second {
			return time.Second
		}
		return time.Duration(1+rng.Int64N(int64(max/time.Second)-1)) * time.Second
	}
	prev := start
	for {
		d := g.next
		if d.IsZero() { // the first run of an unarmed event
			if ev.Kind == "cron" {
				d = ev.cron.next(start.Add(time.Duration(rng.Int64N(int64(6 * time.Hour)))))
			} else {
				d = start.Add(time.Duration(rng.Int64N(int64(ev.Period))))
			}
		}
		var s time.Time
		twice, dup := false, false
		switch r := rng.IntN(100); {
		case r < 5: // late
			s = d.Add(ev.Grace).Add(sec(2 * cfg.periodish()))
		case r < 8: // missed runs, then it runs again
			n := 1 + rng.IntN(5)
			dn := d
			for range n {
				dn = g.following(dn)
			}
			s = dn.Add(-sec(cfg.periodish() / 4))
			if ev.Kind == "cron" {
				s = dn.Add(sec(ev.Grace))
			}
		default: // on time
			if ev.Kind == "cron" {
				s = d.Add(sec(ev.Grace))
			} else {
				s = d.Add(-sec(cfg.periodish() / 3))
			}
			twice = r >= 96 && ev.Kind != "fixed" // a success sent twice (a fail twice would be two failed runs)
			dup = r >= 93 && r < 96
		}
		s = s.Truncate(time.Second)
		if s.Second() == 0 {
			s = s.Add(time.Second) // never at a poll's own second
		}
		if min := prev.Add(3 * time.Minute); s.Before(min) {
			s = min.Add(time.Duration(1+rng.IntN(50)) * time.Second)
		}
		s = awayFromFaults(g, s, faults)
		if edit && !s.Before(ev.editAt.Add(-7*time.Minute)) {
			// The period changes with no ping within 6 minutes of it;
			// the job runs on the new one from then.
			edit = false
			g.reschedule(ev.newPeriod)
			prev = ev.editAt.Add(3 * time.Minute)
			continue
		}
		if !ev.dies.IsZero() && s.After(ev.dies) || !s.Before(end) {
			return out
		}
		a := run(s)
		if a.fail || ev.MinRuntime > 0 && a.dur < ev.MinRuntime || ev.MaxRuntime > 0 {
			twice = false
		}
		if st := s.Add(-a.dur); ev.MaxRuntime > 0 && st.After(start) {
			out = append(out, action{at: st, start: true})
		}
		out = append(out, a)
		if dup {
			out = append(out, a) // the same message twice
		}
		g.apply(action{at: s})
		prev = s
		if twice {
			s2 := s.Add(time.Duration(1+rng.IntN(20)) * time.Second)
			if s2.Second() == 0 {
				s2 = s2.Add(time.Second)
			}
			if due := g.deadline(0).Add(ev.Grace); s2.Before(due) && (ev.Kind != "cron" || !ev.cron.next(s).Before(s2)) && s2.Before(end) {
				out = append(out, action{at: s2, dur: a.dur})
				g.apply(action{at: s2})
				prev = s2
			}
		}
	}
}

// awayFromFaults moves a ping that comes after its event's deadline +
// grace past any crashed or skipped poll near it.
func awayFromFaults(g *oEvent, s time.Time, faults *faultPlan) time.Time {
	due := g.dueAt()
	if due.IsZero() || !s.After(due) {
		return s
	}
	from := due.Add(-4 * time.Minute)
	for {
		m, ok := faults.faultIn(from, s.Add(4*time.Minute))
		if !ok {
			return s
		}
		// A crashed poller's lease keeps the next two polls out; the
		// third is clean (faults keep five minutes apart) and judged
		// before the ping. Only ever later: a fault long before the ping
		// leaves clean polls between, and an earlier time could put the
		// ping before the job's previous one.
		if t := m.Add(4*time.Minute + 7*time.Second); t.After(s) {
			s = t
		}
		from = m.Add(time.Second)
	}
}

// periodish is the event's typical gap between runs.
func (ev *eventPlan) periodish() time.Duration {
	if ev.Kind != "cron" {
		return ev.Period
	}
	return time.Hour
}

// planEdits draws a person's pauses of an event: pause, then resume or a
// pause with --until. Each edit keeps 6 minutes from the event's pings and
// from faults, so that no ping is in flight across it (whether a ping sent
// just before a pause is applied as paused depends on when a poll gets to
// it, which the oracle cannot know).
func planEdits(rng *rand.Rand, ev *eventPlan, pings []action, faults *faultPlan, start, end time.Time) []action {
	if rng.IntN(10) != 0 {
		return nil
	}
	limit := end.Add(-3 * time.Hour)
	if !ev.deleteAt.IsZero() {
		limit = ev.deleteAt.Add(-10 * time.Minute)
	}
	clear := func(t time.Time) bool {
		if !t.Before(limit) || t.Second() == 0 || !ev.Created.IsZero() && t.Before(ev.Created.Add(6*time.Minute)) {
			return false
		}
		if !ev.editAt.IsZero() && t.After(ev.editAt.Add(-6*time.Minute)) && t.Before(ev.editAt.Add(6*time.Minute)) {
			return false
		}
		if _, ok := faults.faultIn(t.Add(-6*time.Minute), t.Add(6*time.Minute)); ok {
			return false
		}
		i := sort.Search(len(pings), func(i int) bool { return !pings[i].at.Before(t.Add(-6 * time.Minute)) })
		return i == len(pings) || pings[i].at.After(t.Add(6*time.Minute))
	}
	var out []action
	t := start
	for range 1 + rng.IntN(3) {
		t = t.Add(time.Duration(rng.Int64N(int64(end.Sub(start) / 3)))).Truncate(time.Second)
		if !clear(t) {
			continue
		}
		back := t.Add(time.Duration(10+rng.IntN(48*60)) * time.Minute).Add(time.Duration(1+rng.IntN(58)) * time.Second)
		if !clear(back) {
			continue
		}
		if rng.IntN(2) == 0 {
			out = append(out, action{at: t, pause: true}, action{at: back, resume: true})
		} else {
			out = append(out, action{at: t, pause: true, until: back})
		}
		t = back.Add(time.Hour)
	}
	return out
}
