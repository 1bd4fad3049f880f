package memon

import (
	"slices"
	"testing"
	"time"
)

// TestDownCapHoldsFromEveryStartState: an outage sends at most
// MaxAlerts DOWN alerts, whatever the start state (new and never pinged,
// initial time now, in the past or ahead, a start ping only) and whatever
// edits re-arm the deadline meanwhile (a schedule edit, an initial time set
// again, a re-arm). Such edits used to restart the missed-run count the cap
// was derived from, so a never-run 2-minute event sent a fourth DOWN.
// A run ends the outage: the next one is alerted again.
func TestDownCapHoldsFromEveryStartState(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	starts := map[string]func(ev *Event){
		"initial now":   func(ev *Event) { ev.SetInitial(t0) },
		"initial past":  func(ev *Event) { ev.SetInitial(t0.Add(-time.Hour)) },
		"initial ahead": func(ev *Event) { ev.SetInitial(t0.Add(3 * time.Minute)) },
		"start ping only": func(ev *Event) {
			ev.SetInitial(t0)
			ev.Apply(Ping{Name: ev.Name, Signal: Start, SentAt: t0.Add(-time.Minute)})
		},
	}
	edits := map[string]func(ev *Event, now time.Time){
		"none": func(*Event, time.Time) {},
		"reschedule": func(ev *Event, _ time.Time) {
			ev.Reschedule(mustSchedule(t, Rolling, 2*time.Minute, "", "Europe/Berlin"))
		},
		"set initial": func(ev *Event, now time.Time) { ev.SetInitial(now.Add(-time.Minute)) },
		"rearm":       func(ev *Event, now time.Time) { ev.Rearm(now) },
	}
	for sname, start := range starts {
		for ename, edit := range edits {
			for _, maxAlerts := range []int{0, 1, 3} {
				ev := NewEvent("job", mustSchedule(t, Rolling, 2*time.Minute, "", ""))
				ev.MaxAlerts = maxAlerts
				start(ev)
				downs := 0
				for m := 0; m <= 30; m++ {
					now := t0.Add(time.Duration(m)*time.Minute + 10*time.Second)
					if m == 7 || m == 15 {
						edit(ev, now)
					}
					trs, _ := ev.CheckDue(now)
					for _, k := range kinds(trs) {
						if k == KindDown {
							downs++
						}
					}
				}
				if want := ev.MaxAlertsOrDefault(); downs > want || downs == 0 {
					t.Errorf("%s, edit %s, max %d: %d DOWN alerts in one outage, want 1 to %d", sname, ename, maxAlerts, downs, want)
				}
				ev.Apply(success("job", t0.Add(35*time.Minute)))
				trs, _ := ev.CheckDue(t0.Add(45 * time.Minute))
				if !slices.Equal(kinds(trs), []AlertKind{KindDown}) {
					t.Errorf("%s, edit %s: the outage after a run is not alerted: %v", sname, ename, kinds(trs))
				}
			}
		}
	}
}

// TestResumeAfterTheDeadlineAlertsAgain: a person who resumes a paused event
// whose deadline passed re-arms it; missing the new deadline is news.
func TestResumeAfterTheDeadlineAlertsAgain(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ev := NewEvent("job", mustSchedule(t, Rolling, 2*time.Minute, "", ""))
	ev.MaxAlerts = 1
	ev.SetInitial(t0)
	if trs, _ := ev.CheckDue(t0.Add(time.Minute)); !slices.Equal(kinds(trs), []AlertKind{KindDown}) {
		t.Fatalf("first DOWN: %v", kinds(trs))
	}
	ev.Enabled = false
	ev.Resume(t0.Add(time.Hour))
	if trs, _ := ev.CheckDue(t0.Add(time.Hour + 3*time.Minute)); !slices.Equal(kinds(trs), []AlertKind{KindDown}) {
		t.Errorf("after a resume: %v", kinds(trs))
	}
}
