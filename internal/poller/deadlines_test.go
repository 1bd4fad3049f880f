package poller

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// The deadline table replaces an index, so whatever makes the poller lose
// or distrust its memory must change nothing that is alerted, or when. Each
// mode below runs the same three hours and the same week (every kind of
// deadline, and writes by every kind of writer between polls) and must
// alert exactly what one warm poller reading an intact stream alerts, in the
// same poll.

// continuity is how a run's pollers keep, lose or distrust their memory.
type continuity struct {
	name string
	// poller returns the poller for the poll at minute m (the same one
	// for a warm process, a new one for a cold start).
	poller func(w *world, m int) *Poller
	// between runs after the writes between minute m and the next poll.
	between func(w *world, m int)
}

func deadlineModes() []continuity {
	watched := func(w *world) *Poller { return w.poller(Config{}).WatchChanges(w.store) }
	warm := func() func(w *world, m int) *Poller {
		var p *Poller
		return func(w *world, _ int) *Poller {
			if p == nil {
				p = watched(w)
			}
			return p
		}
	}
	none := func(*world, int) {}
	return []continuity{
		{"warm", warm(), none},
		{"cold start every poll (memon-poller --once)", func(w *world, _ int) *Poller { return watched(w) }, none},
		{"two environments taking turns hourly", func() func(w *world, m int) *Poller {
			a, b := warm(), warm()
			return func(w *world, m int) *Poller {
				if (m/60)%2 == 1 {
					return b(w, m)
				}
				return a(w, m)
			}
		}(), none},
		{"stream records lost past retention", warm(), func(w *world, m int) {
			if m%29 == 0 { // right after other writers' writes: those records are gone
				w.store.ExpireStream()
			}
		}},
		{"shard splits", warm(), func(w *world, m int) {
			if m%7 == 0 {
				w.store.SplitShard()
			}
		}},
		{"stream disabled and enabled again", warm(), func(w *world, m int) {
			switch m {
			case 54:
				w.store.DisableStream()
			case 57:
				w.store.EnableStream()
			}
		}},
		{"a table without a stream", warm(), func(w *world, m int) {
			if m == 0 {
				w.store.DisableStream()
			}
		}},
	}
}

// deadlineScript sets up every kind of deadline, then runs polls a minute
// apart for three hours, writes by other writers between them, and a week
// later the polls around the weekly event's deadline. It returns what was
// alerted, by poll: "+MMMMM name:kind".
func deadlineScript(t *testing.T, mode continuity) ([]string, int) {
	w := newWorld(t)
	at := func(d time.Duration) time.Time { return day0.Add(d) }
	w.rolling("now", time.Hour, at(-time.Minute))
	w.rolling("soon", 20*time.Minute, at(5*time.Minute))
	w.rolling("week", 7*24*time.Hour, at(7*24*time.Hour))
	w.rolling("late", time.Hour, at(3*time.Minute+15*time.Second), func(ev *memon.Event) { ev.Grace = time.Minute })
	w.rolling("overrun", time.Hour, at(time.Hour), func(ev *memon.Event) { ev.MaxRuntime = 10 * time.Minute })
	start := day0.Hour()*60 + day0.Minute()
	quiet := memon.QuietWindow{Start: start, End: start + 40}
	for d := range quiet.Days {
		quiet.Days[d] = true
	}
	w.rolling("quiet", time.Hour, at(5*time.Minute), func(ev *memon.Event) { ev.Quiet = []memon.QuietWindow{quiet} })
	w.rolling("db", 2*time.Hour, at(20*time.Minute), func(ev *memon.Event) { ev.Dependents = []string{"report"} })
	w.rolling("report", 2*time.Hour, at(22*time.Minute), func(ev *memon.Event) { ev.DependsOn = []string{"db"} })
	w.rolling("retry", time.Hour, at(30*time.Minute))
	w.rolling("edited", time.Hour, at(60*time.Minute), func(ev *memon.Event) {
		ev.State, ev.LastSuccessTime, ev.LastBlockTime = memon.Up, day0, day0
	})
	w.rolling("victim", time.Hour, at(75*time.Minute))
	w.rolling("moved", 3*time.Hour, at(150*time.Minute))

	// Writes between polls, half a minute after poll m, by every writer.
	writes := map[int]func(){
		2:  func() { w.ping("overrun", memon.Start) }, // OVERRUN 10 minutes on
		4:  func() { w.ping("late", memon.Success) },  // after deadline + grace: LATE
		29: func() { w.faults.FailAlways(fake.OpPublish) },
		31: func() { w.faults.Heal(fake.OpPublish) }, // retry's DOWN is retried on its backoff
		40: func() { w.ping("db", memon.Success) },   // the parent is back: report alerts on its own
		50: func() { // the console shortens a period: judged on the new one
			w.store.Edit("edited", func(ev *memon.Event) {
				ev.Schedule, _ = memon.NewSchedule(memon.Rolling, 10*time.Minute, "", "")
			})
		},
		55: func() { // memon-config (or the CDK construct) creates an event
			s, _ := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
			ev := memon.NewEvent("created", s)
			ev.SetInitial(at(70 * time.Minute))
			if err := w.store.Create(w.ctx, ev); err != nil {
				t.Fatal(err)
			}
		},
		56: func() { // memon.py or put-item writes an overdue item
			s, _ := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
			ev := memon.NewEvent("pyitem", s)
			ev.SetInitial(at(58 * time.Minute))
			w.store.PutUnindexed(ev)
		},
		57: func() { // memon-config deletes an event before its deadline
			if err := w.store.Delete(w.ctx, "victim"); err != nil {
				t.Fatal(err)
			}
		},
		58: func() { // another MEMon writer (memon-config, the ping API) moves a deadline earlier
			ev, err := w.store.Get(w.ctx, "moved")
			if err != nil {
				t.Fatal(err)
			}
			ev.SetInitial(at(65 * time.Minute))
			if err := w.store.Save(w.ctx, ev); err != nil {
				t.Fatal(err)
			}
		},
	}
	var timeline []string
	rebuilds := 0
	poll := func(m int) {
		sum, _ := mode.poller(w, m).Poll(w.ctx)
		if sum.Rebuilt {
			rebuilds++
		}
		for _, k := range fake.Kinds(w.pub.Take()) {
			timeline = append(timeline, fmt.Sprintf("+%05d %s", m, k))
		}
	}
	const hours = 3
	for m := range hours * 60 {
		poll(m)
		w.clock.Advance(30 * time.Second)
		if f := writes[m]; f != nil {
			f()
		}
		mode.between(w, m)
		w.clock.Advance(30 * time.Second)
	}
	// A week on: the stream kept nothing of the first hours.
	week := 7 * 24 * 60
	w.clock.Advance(time.Duration(week-5-hours*60) * time.Minute)
	w.store.ExpireStream()
	for m := week - 5; m < week+5; m++ {
		poll(m)
		w.clock.Advance(time.Minute)
	}
	return timeline, rebuilds
}

func TestDeadlinesLoseNothingHoweverThePollerLosesItsMemory(t *testing.T) {
	modes := deadlineModes()
	want, rebuilds := deadlineScript(t, modes[0])
	// What the script must alert, when (a few, as a check of the oracle).
	for _, w := range []string{"+00000 now:down", "+00005 soon:down", "+00005 late:late", "+00013 overrun:overrun",
		"+00040 quiet:down", "+00058 pyitem:down", "+00051 edited:down", "+00065 moved:down", "+00070 created:down",
		fmt.Sprintf("+%05d week:down", 7*24*60)} {
		if !strings.Contains(strings.Join(want, "\n"), w) {
			t.Errorf("the warm poller did not alert %q:\n%s", w, strings.Join(want, "\n"))
		}
	}
	for _, a := range want {
		if strings.Contains(a, "victim") {
			t.Errorf("a deleted event was alerted: %s", a)
		}
	}
	if rebuilds != 2 {
		t.Errorf("the warm poller rebuilt %d times, want 2 (its first poll, and a week later)", rebuilds)
	}
	for _, mode := range modes[1:] {
		t.Run(mode.name, func(t *testing.T) {
			got, _ := deadlineScript(t, mode)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("alerts differ from a warm poller's\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestAColdStartOnMotoFindsWhatIsDue: a new process (a Lambda cold start,
// memon-poller --once) wired as production is, against moto: its first poll
// rebuilds the deadline table by a scan and alerts what is overdue; the
// same process then alerts what comes due minutes later from memory, with
// no scan; a new process a week later alerts the weekly event.
func TestAColdStartOnMotoFindsWhatIsDue(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	for name, deadline := range map[string]time.Time{"now": now.Add(-time.Minute), "soon": now.Add(5 * time.Minute),
		"week": now.Add(7 * 24 * time.Hour)} {
		ev := h.rolling(name, 7*24*time.Hour)
		ev.SetInitial(deadline)
		h.create(ev)
	}
	p := h.watched()
	sum, err := p.Poll(h.ctx)
	if got := kinds(h.alerts()); err != nil || !sum.Rebuilt || len(got) != 1 || got[0] != "now:down" {
		t.Fatalf("cold start: alerts %v rebuilt %v err %v, want now:down from a rebuild", got, sum.Rebuilt, err)
	}
	h.advance(6 * time.Minute)
	sum, err = p.Poll(h.ctx)
	if got := kinds(h.alerts()); err != nil || sum.Rebuilt || len(got) != 1 || got[0] != "soon:down" {
		t.Fatalf("warm: alerts %v rebuilt %v err %v, want soon:down from memory", got, sum.Rebuilt, err)
	}
	h.advance(7 * 24 * time.Hour)
	sum, err = h.watched().Poll(h.ctx)
	if got := kinds(h.alerts()); err != nil || !sum.Rebuilt || !slices.Contains(got, "week:down") {
		t.Fatalf("a new process a week on: alerts %v rebuilt %v err %v, want week:down", got, sum.Rebuilt, err)
	}
}
