package sim

import (
	"fmt"
	"testing"
	"time"
)

// A crashed poll delays the outage's first DOWN (its lease keeps the next
// two polls out), and the engine's reminders count from the poll that
// really decided it: a run applied before the moved reminder was due ends
// the outage without it, so the oracle's reminder at the undelayed time
// is optional then, and only then.
func TestOracleReminderChainAfterACrash(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 26, 9, 0, 0, 0, time.UTC)
	at := func(m float64) time.Time { return start.Add(time.Duration(m * float64(time.Minute))) }
	cases := []struct {
		name  string
		crash bool
		run   float64 // the run that ends the outage
		want  string  // the reminder at 09:30
	}{
		{"a run within the crash's delay", true, 30.5, "optional"},
		{"a run on the poll the delayed reminder is due", true, 32.5, "optional"},
		{"a run after the delayed reminder", true, 33.5, "required"},
		{"no crash: a run just after the reminder", false, 30.5, "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := &oracle{faults: &faultPlan{crash: map[time.Time]int{}, skip: map[time.Time]bool{}}}
			for m := 0; m <= 90; m++ {
				o.polls = append(o.polls, at(float64(m)))
			}
			if tc.crash {
				o.faults.crash[at(0)] = 5
				o.faults.faulty = []time.Time{at(0)}
			}
			ev := &eventPlan{Name: "r-0001", Kind: "rolling", Period: time.Hour, MaxAlerts: 5, RepeatEvery: 30 * time.Minute, Initial: at(0)}
			got := o.predict(ev, []action{{at: at(tc.run)}})
			var kinds []string
			reminder := ""
			for _, w := range got.out {
				kinds = append(kinds, fmt.Sprintf("%s %s", w.Kind, w.At.Format("15:04:05")))
				if w.Kind == "down" && w.At.Equal(at(30)) {
					reminder = map[bool]string{true: "optional", false: "required"}[w.Optional]
				}
			}
			if len(kinds) != 3 || reminder != tc.want {
				t.Errorf("oracle expects %q with the 09:30 reminder %q, want DOWN, the reminder %s, UP", kinds, reminder, tc.want)
			}
		})
	}
}
