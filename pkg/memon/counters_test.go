package memon

import (
	"reflect"
	"testing"
	"time"
)

// day0 is midnight UTC of the counters tests' first day.
var day0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func hoursIn(h float64) time.Time { return day0.Add(time.Duration(h * float64(time.Hour))) }

func runFor(sent time.Time, d time.Duration) Ping {
	return Ping{Name: "job", Signal: Success, SentAt: sent, Duration: d}
}

// step is one thing that happens to an event in a counters scenario.
type step struct {
	at   float64 // hours after day0
	what string  // success, fail, check, pause, resume
	dur  time.Duration
}

func play(t *testing.T, ev *Event, steps []step) {
	t.Helper()
	for _, s := range steps {
		tm := hoursIn(s.at)
		switch s.what {
		case "success":
			if _, ok := ev.Apply(runFor(tm, s.dur)); !ok {
				t.Fatalf("ping at %v refused", tm)
			}
		case "fail":
			p := fail("job", tm, 3)
			p.Duration = s.dur
			if _, ok := ev.Apply(p); !ok {
				t.Fatalf("fail at %v refused", tm)
			}
		case "check":
			ev.CheckDue(tm)
		case "pause":
			ev.Pause(tm)
		case "resume":
			ev.Resume(tm)
		default:
			t.Fatalf("unknown step %q", s.what)
		}
	}
}

func TestCounters(t *testing.T) {
	t.Parallel()
	h := time.Hour
	cases := []struct {
		name   string
		steps  []step
		now    float64
		closed []DayCounts // days the store must write, oldest first
		today  DayCounts   // CountsThrough(now)'s last entry
	}{
		{
			name: "runs, durations and a failure in one day",
			steps: []step{
				{at: 1, what: "success", dur: 10 * time.Second},
				{at: 2, what: "fail", dur: 30 * time.Second},
				{at: 3, what: "success", dur: 20 * time.Second},
			},
			now: 4,
			today: DayCounts{Day: "2026-11-02", Runs: 3, Failures: 1, Downtime: h,
				DurationSum: time.Minute, DurationRuns: 3, DurationMax: 30 * time.Second,
				LastFailTime: hoursIn(2), LastFailReason: "the job reported a failure (exit code 3)"},
		},
		{
			name:  "the first ping of a new day closes the old one",
			steps: []step{{at: 1, what: "success"}, {at: 23, what: "success"}, {at: 25, what: "success"}},
			now:   26,
			closed: []DayCounts{
				{Day: "2026-11-02", Runs: 2, Late: 1}, // hourly: 23:00 is late
			},
			today: DayCounts{Day: "2026-11-03", Runs: 1, Late: 1},
		},
		{
			name:  "silent days with nothing open leave no record",
			steps: []step{{at: 1, what: "success"}, {at: 24*5 + 1, what: "success"}},
			now:   24*5 + 2,
			closed: []DayCounts{
				{Day: "2026-11-02", Runs: 1},
			},
			today: DayCounts{Day: "2026-11-07", Runs: 1, Late: 1},
		},
		{
			name:  "downtime across two midnights is split per day",
			steps: []step{{at: 1, what: "success"}, {at: 22, what: "fail"}, {at: 50, what: "success"}},
			now:   51,
			closed: []DayCounts{
				{Day: "2026-11-02", Runs: 2, Failures: 1, Downtime: 2 * h, LastFailTime: hoursIn(22), LastFailReason: "the job reported a failure (exit code 3)"},
				{Day: "2026-11-03", Downtime: 24 * h},
			},
			today: DayCounts{Day: "2026-11-04", Runs: 1, Downtime: 2 * h},
		},
		{
			name: "paused time is not downtime",
			steps: []step{
				{at: 1, what: "success"}, {at: 10, what: "fail"},
				{at: 12, what: "pause"}, {at: 15, what: "resume"}, {at: 16, what: "success"},
			},
			now: 20,
			today: DayCounts{Day: "2026-11-02", Runs: 3, Failures: 1, Downtime: 3 * h, Paused: 3 * h,
				LastFailTime: hoursIn(10), LastFailReason: "the job reported a failure (exit code 3)"},
		},
		{
			name:  "a failure while paused is counted, not as downtime",
			steps: []step{{at: 1, what: "success"}, {at: 2, what: "pause"}, {at: 3, what: "fail"}, {at: 5, what: "success"}},
			now:   6,
			today: DayCounts{Day: "2026-11-02", Runs: 3, Failures: 1, Paused: 4 * h,
				LastFailTime: hoursIn(3), LastFailReason: "the job reported a failure (exit code 3)"},
		},
		{
			name: "missed periods count from deadline plus grace; the open outage up to now",
			// hourly rolling, grace 0: last run at 1, deadline 2; checked at 4.5 → 3 missed (2, 3, 4).
			steps: []step{{at: 1, what: "success"}, {at: 4.5, what: "check"}},
			now:   6,
			today: DayCounts{Day: "2026-11-02", Runs: 1, Missed: 3, Downtime: 4 * h},
		},
		{
			name:  "a pause across midnight writes paused days",
			steps: []step{{at: 1, what: "success"}, {at: 20, what: "pause"}, {at: 24 + 6, what: "resume"}},
			now:   24 + 7,
			closed: []DayCounts{
				{Day: "2026-11-02", Runs: 1, Paused: 4 * h},
			},
			today: DayCounts{Day: "2026-11-03", Paused: 6 * h},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
			play(t, ev, tc.steps)
			if !reflect.DeepEqual(ev.ClosedDays, tc.closed) {
				t.Errorf("closed days\n got %+v\nwant %+v", ev.ClosedDays, tc.closed)
			}
			before := *ev
			got := ev.CountsThrough(hoursIn(tc.now))
			if !reflect.DeepEqual(*ev, before) {
				t.Error("CountsThrough changed the event")
			}
			if want := append(append([]DayCounts(nil), tc.closed...), tc.today); !reflect.DeepEqual(got, want) {
				t.Errorf("CountsThrough\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCountsThroughAddsDaysNotYetRolled(t *testing.T) {
	t.Parallel()
	// Down since 22:00 on day 0 and nothing written since: two days later
	// the counts still cover every day, with the open outage up to now.
	ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	play(t, ev, []step{{at: 1, what: "success"}, {at: 22, what: "fail"}})
	got := ev.CountsThrough(hoursIn(24*2 + 3))
	var days []string
	var down time.Duration
	for _, d := range got {
		days = append(days, d.Day)
		down += d.Downtime
	}
	if want := []string{"2026-11-02", "2026-11-03", "2026-11-04"}; !reflect.DeepEqual(days, want) {
		t.Errorf("days %v, want %v", days, want)
	}
	if down != 29*time.Hour {
		t.Errorf("downtime %v, want 29h", down)
	}
}

func TestRollBoundsALongSilentOutage(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	play(t, ev, []step{{at: 1, what: "fail"}, {at: 24 * 1000, what: "success"}})
	if n := len(ev.ClosedDays); n < maxGapDays || n > maxGapDays+2 {
		t.Errorf("%d closed days after 1000 silent days down, want about %d (older ones would expire)", n, maxGapDays)
	}
}

func TestDayCountsAdd(t *testing.T) {
	t.Parallel()
	a := DayCounts{Day: "2026-11-02", Runs: 2, Failures: 1, DurationSum: 4 * time.Second, DurationRuns: 2, DurationMax: 3 * time.Second,
		LastFailTime: hoursIn(1), LastFailReason: "a"}
	b := DayCounts{Day: "2026-11-03", Runs: 1, DurationSum: 5 * time.Second, DurationRuns: 1, DurationMax: 5 * time.Second,
		LastFailTime: hoursIn(30), LastFailReason: "b", Downtime: time.Hour}
	sum := a.Add(b)
	want := DayCounts{Day: "2026-11-02", Runs: 3, Failures: 1, DurationSum: 9 * time.Second, DurationRuns: 3, DurationMax: 5 * time.Second,
		LastFailTime: hoursIn(30), LastFailReason: "b", Downtime: time.Hour}
	if sum != want {
		t.Errorf("Add: %+v, want %+v", sum, want)
	}
	if sum.AvgDuration() != 3*time.Second {
		t.Errorf("AvgDuration %v, want 3s", sum.AvgDuration())
	}
}
