package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/internal/poller"
	"github.com/peerj/memon/pkg/memon"
)

// Config sizes a run. The same Seed replays the same fleet, pings and
// fault plan (the poller's own goroutines may still order calls inside a
// poll differently, so a crash can land on another call).
type Config struct {
	Seed      uint64
	PerKind   int           // events of each schedule kind
	Days      int           // virtual days
	Outages   int           // topic outages
	OutageMax time.Duration // the longest (at least an hour)
	Start     time.Time     // default: a month that holds daylight-saving changes
	Log       io.Writer     // the poller's JSON log (at virtual time); nil discards it
	// Trace names events (comma-separated) whose lives (actions, faults,
	// the poller's log lines naming them, their alerts and the oracle's) go
	// to Log instead, in time order.
	Trace string
}

// Report is what a run did and what it found.
type Report struct {
	Seed                        uint64
	Events, Pings, Edits, Polls int
	VirtualDays                 int
	Crashes, Skipped, Overlaps  int
	Outages                     int
	Created, Rescheduled        int // events created during the run (watched from then), periods changed
	Deleted                     int
	TopicDown                   time.Duration
	Alerts, Messages            int // alerts as subscribers read them; messages published (a DOWN digest is one)
	Expected, Redelivered       int
	Folded                      int // alerts coalesced into a later one while the topic was down
	Wall                        time.Duration
	Kinds                       map[string]int // expected alerts by kind
	Problems                    []string
}

func (r *Report) String() string {
	var kinds []string
	for _, k := range slices.Sorted(maps.Keys(r.Kinds)) {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, r.Kinds[k]))
	}
	return fmt.Sprintf("seed %d: %d events, %d pings, %d edits (pause, pause --until, resume; %d created --watch-from now, %d periods changed, %d deleted), %d virtual days, %d polls; faults: %d crashed polls, %d polls not run, %d overlapping polls, %d topic outages (%s down); %d alerts in %d messages (%d expected: %s; %d folded into later ones while the topic was down; %d redelivered after a crash); wall %s; %d problems",
		r.Seed, r.Events, r.Pings, r.Edits, r.Created, r.Rescheduled, r.Deleted, r.VirtualDays, r.Polls, r.Crashes, r.Skipped, r.Overlaps, r.Outages, r.TopicDown, r.Alerts, r.Messages, r.Expected, strings.Join(kinds, ", "), r.Folded, r.Redelivered, r.Wall.Round(time.Millisecond), len(r.Problems))
}

func (r *Report) problem(format string, args ...any) {
	if len(r.Problems) < 200 {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// defaultStart is a Friday 00:00 UTC ten days before Europe's spring
// change; the month also holds Lord Howe's half-hour fall-back.
var defaultStart = time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)

// sent is an action of the run: a ping the job sends or a person's edit.
type sent struct {
	action
	plan *eventPlan
}

// Run lives cfg.Days of fleet life and compares every alert with the oracle.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	wall := time.Now()
	if cfg.Start.IsZero() {
		cfg.Start = defaultStart
	}
	if cfg.OutageMax < time.Hour {
		cfg.OutageMax = time.Hour
	}
	start, end := cfg.Start, cfg.Start.Add(time.Duration(cfg.Days)*24*time.Hour)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	rep := &Report{Seed: cfg.Seed, VirtualDays: cfg.Days}

	plans, err := planEvents(rng, cfg.PerKind, start, end)
	if err != nil {
		return nil, err
	}
	faults := planFaults(rng, start, end, cfg.Outages, cfg.OutageMax)
	var sends []sent
	actsOf := map[string][]action{}
	for _, ev := range plans {
		planLife(rng, ev, faults, start, end)
		pings := planPings(rng, ev, faults, start, end)
		edits := planEdits(rng, ev, pings, faults, start, end)
		if !ev.Created.IsZero() {
			edits = append(edits, action{at: ev.Created, create: true})
			rep.Created++
		}
		if !ev.editAt.IsZero() {
			edits = append(edits, action{at: ev.editAt, period: ev.newPeriod})
			rep.Rescheduled++
		}
		if !ev.deleteAt.IsZero() {
			edits = append(edits, action{at: ev.deleteAt, del: true})
			rep.Deleted++
		}
		rep.Pings += len(pings)
		rep.Edits += len(edits)
		for _, a := range append(pings, edits...) {
			sends = append(sends, sent{a, ev})
			actsOf[ev.Name] = append(actsOf[ev.Name], a)
		}
	}
	sort.SliceStable(sends, func(i, j int) bool { return sends[i].at.Before(sends[j].at) })
	rep.Events = len(plans)

	clock := fake.NewClock(start)
	topic := &fake.Faults{}
	queue := fake.NewQueue(clock.Now)
	dlq := fake.NewQueue(clock.Now)
	queue.DeadLetter, queue.MaxReceives = dlq, 5
	store := fake.NewStore()
	pub := &fake.Publisher{Faults: topic}
	for _, ev := range plans {
		if !ev.Created.IsZero() {
			continue // a person creates it later
		}
		e, err := ev.event()
		if err != nil {
			return nil, err
		}
		if err := store.Create(ctx, e); err != nil {
			return nil, err
		}
	}

	var tr *tracer
	if cfg.Trace != "" {
		tr = &tracer{names: map[string]bool{}}
		for _, n := range strings.Split(cfg.Trace, ",") {
			tr.names[n] = true
		}
		for _, ev := range plans {
			if tr.traces(ev.Name) {
				tr.add(start, "%s plan    %s", ev.Name, ev.describe())
				for _, a := range actsOf[ev.Name] {
					tr.add(a.at, "%s send    %s", ev.Name, a.describe())
				}
			}
		}
	}
	log := tr.logger(cfg.Log, clock.Now)
	var (
		pubMu sync.Mutex
		out   []published
	)
	newPoller := func() (*poller.Poller, *process) {
		p := &process{}
		ps := procStore{store, p}
		pp := procPub{pub: pub, p: p, now: clock.Now, mu: &pubMu, sink: &out}
		return poller.New(procQueue{queue, p}, ps, pp, poller.Config{}, clock.Now, log).UseLease(ps).WatchChanges(ps), p
	}
	type slot struct {
		poll *poller.Poller
		proc *process
	}
	var slots [2]slot
	for i := range slots {
		slots[i].poll, slots[i].proc = newPoller()
	}

	var polls []time.Time
	next := 0
	for m := start.Add(time.Minute); !m.After(end); m = m.Add(time.Minute) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for ; next < len(sends) && sends[next].at.Before(m); next++ {
			a := sends[next]
			clock.Advance(a.at.Sub(clock.Now()))
			if a.isPing() {
				queue.Send(body(a.plan.Name, a.action))
			} else if err := edit(ctx, store, a); err != nil {
				return nil, err
			}
		}
		clock.Advance(m.Sub(clock.Now()))
		if faults.topicDown(m) {
			topic.FailAlways(fake.OpPublish)
			rep.TopicDown += time.Minute
		} else {
			topic.Heal(fake.OpPublish)
		}
		queue.NewestFirst = rng.IntN(2) == 0 // SQS keeps no order
		if faults.skip[m] {
			rep.Skipped++
			tr.add(m, "fault   poll not run")
			continue
		}
		polls = append(polls, m)
		rep.Polls++
		turn := rng.IntN(2) // two environments taking turns
		for i := range slots {
			slots[i].proc.arm(0) // only a planned crash kills a process
		}
		switch {
		case faults.overlap[m]:
			rep.Overlaps++
			var wg sync.WaitGroup
			for i := range slots {
				wg.Add(1)
				go func() { defer wg.Done(); _, _ = slots[i].poll.Poll(ctx) }()
			}
			wg.Wait()
		default:
			s := &slots[turn]
			s.proc.arm(faults.crash[m])
			sum, _ := s.poll.Poll(ctx)
			switch {
			case s.proc.crashed():
				tr.add(m, "fault   the poll crashed before its call %d", faults.crash[m])
			case sum != nil && sum.Skipped:
				tr.add(m, "poll    skipped: the lease is held")
			}
			if s.proc.crashed() {
				rep.Crashes++
				s.poll, s.proc = newPoller() // a new process: a cold start
			}
		}
	}
	rep.Outages = len(faults.topic)
	for _, o := range faults.topic {
		tr.add(o[0], "fault   topic down until %s", o[1].Format(time.RFC3339))
	}

	or := &oracle{polls: polls, faults: faults}
	var want []expected
	final := map[string]*oEvent{}
	for _, ev := range plans {
		o := or.predict(ev, actsOf[ev.Name])
		for _, w := range o.out {
			if w.Folded {
				rep.Folded++
				continue
			}
			want = append(want, w)
		}
		final[ev.Name] = o
		if tr.traces(ev.Name) {
			for _, w := range o.out {
				tr.add(w.At, "%s oracle  %s at %s tol %s decided %s optional %v folded %v", ev.Name, w.Kind, w.At.Format(time.RFC3339), w.Tol, w.Decided.Format(time.RFC3339), w.Optional, w.Folded)
			}
		}
	}
	rep.Expected = len(want)
	rep.Kinds = map[string]int{}
	for _, w := range want {
		rep.Kinds[w.Kind]++
	}
	rep.Messages = len(out)
	compare(rep, want, out, faults)
	checkState(rep, plans, final, store, queue, dlq)
	if tr != nil {
		for _, o := range observe(out) {
			if tr.traces(o.event) {
				tr.add(o.pub.at, "%s publish %s at %s: %s", o.event, o.kind, o.at.Format(time.RFC3339), o.why)
			}
		}
		tr.write(cfg.Log)
	}
	rep.Wall = time.Since(wall)
	return rep, nil
}

// event is the plan as memon-config would store it.
func (ev *eventPlan) event() (*memon.Event, error) {
	kind := memon.ScheduleKind(ev.Kind)
	zone := ev.Zone
	if zone == "UTC" {
		zone = ""
	}
	s, err := memon.NewSchedule(kind, ev.Period, ev.Expr, zone)
	if err != nil {
		return nil, err
	}
	e := memon.NewEvent(ev.Name, s)
	e.Grace, e.MaxAlerts = ev.Grace, ev.MaxAlerts
	e.FailuresBeforeAlert, e.MinRuntime, e.MaxRuntime = ev.FailuresBeforeAlert, ev.MinRuntime, ev.MaxRuntime
	e.RepeatEvery = ev.RepeatEvery
	for _, q := range ev.Quiet {
		w, err := memon.ParseQuiet("quiet", q.text)
		if err != nil {
			return nil, err
		}
		e.Quiet = append(e.Quiet, w)
	}
	if !ev.Initial.IsZero() {
		e.SetInitial(ev.Initial)
	}
	return e, nil
}

// body is what memon-send puts on the queue for a run.
func body(name string, a action) string {
	m := memon.Message{Name: name, Time: float64(a.at.Unix())}
	switch {
	case a.start:
		m.Signal = memon.Start
	case a.fail:
		code := 1 + int(a.at.Unix()%120)
		m.Signal, m.ExitCode = memon.Fail, &code
	}
	if a.dur > 0 {
		secs := a.dur.Seconds()
		m.Duration = &secs
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// edit is what memon-config writes: set NEW --watch-from now (a
// conditional create, armed from now), delete, and set --period, pause
// [--until] and resume (a read, the change, a conditional write).
func edit(ctx context.Context, store *fake.Store, a sent) error {
	switch {
	case a.create:
		ev, err := a.plan.event()
		if err != nil {
			return err
		}
		ev.WatchFrom = memon.WatchNow
		ev.WatchNew(a.at)
		return store.Create(ctx, ev)
	case a.del:
		return store.Delete(ctx, a.plan.Name)
	}
	ev, err := store.Get(ctx, a.plan.Name)
	if err != nil {
		return err
	}
	switch {
	case a.period > 0:
		c := ev.Configured()
		if c.Schedule, err = memon.NewSchedule(c.Schedule.Kind, a.period, "", c.Schedule.TimeZone); err != nil {
			return err
		}
		ev.Configure(c, a.at)
	case a.pause && !a.until.IsZero():
		ev.PauseUntil(a.at, a.until)
	case a.pause:
		ev.Pause(a.at)
	default:
		ev.Resume(a.at)
	}
	return store.Save(ctx, ev)
}

func key(event, kind string, at time.Time) string {
	return fmt.Sprintf("%s %s %s", event, kind, at.UTC().Format(time.RFC3339))
}

// observed is one alert as a subscriber reads it: a DOWN digest stands for
// one DOWN of each event it names.
type observed struct {
	event, kind string
	at          time.Time // zero: a digest line that does not say (a reminder, a quiet window's end)
	pub         published
	why         string
}

// observe unfolds what was published into single alerts.
func observe(got []published) []observed {
	var out []observed
	for _, p := range got {
		a := p.alert
		if a.Kind == memon.KindDown && a.Event == "" {
			for _, l := range strings.Split(a.Body, "\n") {
				name, reason, ok := strings.Cut(strings.TrimPrefix(l, "  - "), ": ")
				if !ok || !strings.HasPrefix(l, "  - ") {
					continue
				}
				out = append(out, observed{name, "down", downAt(reason), p, "(in a digest) " + reason})
			}
			continue
		}
		out = append(out, observed{a.Event, string(a.Kind), a.Facts.At, p, firstLine(a.Body)})
	}
	return out
}

// compare matches what was published with what the oracle expects: every
// expected alert exactly once (a repeat is allowed only from a process
// that crashed after publishing it, the documented at-least-once), on
// time, and nothing else.
func compare(rep *Report, want []expected, got []published, faults *faultPlan) {
	wantBy := map[string][]expected{}   // two alerts may share a key: a quiet window's end and a new DOWN in one poll
	tolerant := map[string][]expected{} // by event and kind
	for _, w := range want {
		if w.Tol > 0 {
			tolerant[w.Event+" "+w.Kind] = append(tolerant[w.Event+" "+w.Kind], w)
			continue
		}
		k := key(w.Event, w.Kind, w.At)
		wantBy[k] = append(wantBy[k], w)
	}
	// tolerate matches an alert decided at a poll's time with the one
	// expected at most Tol before it.
	tolerate := func(o observed) (expected, bool) {
		ws := tolerant[o.event+" "+o.kind]
		pick := -1
		for i, w := range ws {
			switch {
			case o.at.IsZero() && !w.At.After(o.pub.at):
				pick = i // a line with no time: the latest decided before it went out
			case !o.at.IsZero() && !o.at.Before(w.At) && !o.at.After(w.At.Add(w.Tol)):
				pick = i
			default:
				continue
			}
			if !o.at.IsZero() {
				break
			}
		}
		if pick < 0 {
			return expected{}, false
		}
		w := ws[pick]
		tolerant[o.event+" "+o.kind] = append(ws[:pick:pick], ws[pick+1:]...)
		return w, true
	}
	seen := map[string]published{}
	alerts := observe(got)
	rep.Alerts = len(alerts)
	// Alerts that say their time claim their expectations first; digest
	// lines that do not (a reminder, a quiet window's end) take what is left.
	sort.SliceStable(alerts, func(i, j int) bool { return !alerts[i].at.IsZero() && alerts[j].at.IsZero() })
	for _, o := range alerts {
		k := key(o.event, o.kind, o.at)
		if o.at.IsZero() {
			k += " " + o.pub.at.Format(time.RFC3339) + " " + o.why // no time to tell a repeat by
		}
		var (
			w  expected
			ok bool
		)
		if ws := wantBy[k]; len(ws) > 0 {
			w, ok = ws[0], true
			wantBy[k] = ws[1:]
		} else {
			w, ok = tolerate(o)
		}
		first, again := seen[k]
		switch {
		case !ok && again && first.proc.crashed():
			rep.Redelivered++
			continue
		case !ok && again:
			rep.problem("duplicated alert %s published at %s (first at %s)", k, o.pub.at.Format(time.RFC3339), first.at.Format(time.RFC3339))
			continue
		}
		seen[k] = o.pub
		if !ok {
			rep.problem("false alert %s published at %s: %s", k, o.pub.at.Format(time.RFC3339), o.why)
			continue
		}
		decided := w.At
		if w.Decided.After(decided) {
			decided = w.Decided
		}
		switch {
		case w.Tol > 0 && !o.at.IsZero():
			decided = o.at // a poll's own time, within the tolerance
		case w.Tol > 0:
			decided = w.At.Add(w.Tol) // a digest line does not say which poll decided it
		}
		if o.pub.at.Before(w.At) {
			rep.problem("early alert %s published at %s", k, o.pub.at.Format(time.RFC3339))
		} else if by := faults.deliveredBy(decided); o.pub.at.After(by) {
			rep.problem("late alert %s published at %s, due by %s", k, o.pub.at.Format(time.RFC3339), by.Format(time.RFC3339))
		}
	}
	var missed []string
	for k, ws := range wantBy {
		for _, w := range ws {
			if !w.Optional {
				missed = append(missed, k)
			}
		}
	}
	for _, ws := range tolerant {
		for _, w := range ws {
			if !w.Optional {
				missed = append(missed, key(w.Event, w.Kind, w.At)+" (or up to "+w.Tol.String()+" later)")
			}
		}
	}
	sort.Strings(missed)
	for _, k := range missed {
		rep.problem("missed alert %s", k)
	}
}

// downAt reads a DOWN's time (deadline + grace) from its reason, "no
// successful run by TIME (...".
func downAt(reason string) time.Time {
	const prefix = "no successful run by "
	if !strings.HasPrefix(reason, prefix) || len(reason) < len(prefix)+len(memon.TimeLayout) {
		return time.Time{}
	}
	at, _ := time.Parse(memon.TimeLayout, reason[len(prefix):len(prefix)+len(memon.TimeLayout)])
	return at
}

func firstLine(body string) string {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "What happened:") {
			return l
		}
	}
	return ""
}

// checkState proves no ping was lost and the store agrees with the oracle:
// the queue and its dead-letter queue are empty, each event's last success
// is its job's last ping, its state and deadline are the oracle's, and
// nothing waits in an outbox.
func checkState(rep *Report, plans []*eventPlan, final map[string]*oEvent, store *fake.Store, queue, dlq *fake.Queue) {
	if n := queue.Len(); n > 0 {
		rep.problem("lost pings: %d messages still on the queue at the end", n)
	}
	if n := dlq.Len(); n > 0 {
		rep.problem("lost pings: %d messages in the dead-letter queue", n)
	}
	for _, ev := range plans {
		got, o := store.Event(ev.Name), final[ev.Name]
		if o.deleted {
			if got != nil {
				rep.problem("event %s deleted at %s is back", ev.Name, ev.deleteAt.Format(time.RFC3339))
			}
			continue
		}
		if got == nil {
			rep.problem("event %s vanished", ev.Name)
			continue
		}
		if !got.LastSuccessTime.Equal(o.lastSuccess) {
			rep.problem("lost ping: %s last success %s, its job last pinged %s", ev.Name, got.LastSuccessTime.Format(time.RFC3339), o.lastSuccess.Format(time.RFC3339))
		}
		if string(got.State) != o.state || !got.NextBlockTime.Equal(o.next) || got.ErrorCount != o.errorCount {
			rep.problem("state of %s: engine %s next %s missed %d, oracle %s next %s missed %d", ev.Name,
				got.State, got.NextBlockTime.Format(time.RFC3339), got.ErrorCount, o.state, o.next.Format(time.RFC3339), o.errorCount)
		}
		if len(got.Outbox) > 0 {
			rep.problem("%s: %d transitions still undelivered at the end", ev.Name, len(got.Outbox))
		}
	}
}
