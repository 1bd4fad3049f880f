package memon

import (
	"slices"
	"testing"
	"time"
)

func TestWatchNewArmsFromCreation(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 12, 1, 20, 1, 30, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		sched Schedule
		grace time.Duration
		from  WatchFrom
		want  time.Time // first deadline; zero: not watched
	}{
		{"first-run: never watched", mustSchedule(t, Rolling, time.Hour, "", ""), 0, WatchFirstRun, time.Time{}},
		{"unset is first-run (memon.py's items)", mustSchedule(t, Fixed, time.Hour, "", ""), 0, "", time.Time{}},
		{"now, rolling: creation plus period", mustSchedule(t, Rolling, time.Hour, "", ""), 0, WatchNow, created.Add(time.Hour)},
		{"now, fixed: the next grid point of a grid started now", mustSchedule(t, Fixed, 6*time.Hour, "", ""), 0, WatchNow, created.Add(6 * time.Hour)},
		{"now, cron: the next firing", mustSchedule(t, Cron, 0, "* * * * *", ""), 0, WatchNow, time.Date(2026, 12, 1, 20, 2, 0, 0, time.UTC)},
		{"now, cron in a zone", mustSchedule(t, Cron, 0, "0 3 * * *", "Europe/Berlin"), 5 * time.Minute, WatchNow, time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := NewEvent("job", tc.sched)
			ev.Grace, ev.WatchFrom = tc.grace, tc.from
			armed := ev.WatchNew(created)
			if armed != !tc.want.IsZero() || !ev.Deadline().Equal(tc.want) {
				t.Fatalf("armed %v, deadline %v; want %v", armed, ev.Deadline(), tc.want)
			}
			if ev.Status() != New {
				t.Fatalf("status %s, want new until its first run", ev.Status())
			}
			early := cloneEvent(ev)
			far := created.Add(48 * time.Hour)
			trs, down := ev.CheckDue(far)
			if tc.want.IsZero() {
				if down || ev.Watched() {
					t.Fatalf("a first-run event was reported: %v", kinds(trs))
				}
				return
			}
			// Never ran: DOWN once the first deadline plus grace has passed, not before.
			if _, isDown := early.CheckDue(tc.want.Add(tc.grace - time.Second)); isDown {
				t.Fatal("DOWN before the first deadline plus grace")
			}
			if !down || !slices.Equal(kinds(trs), []AlertKind{KindDown}) || trs[0].From != New {
				t.Fatalf("never-run event watched from now: %v", kinds(trs))
			}
			if ev.WatchNew(far) {
				t.Fatal("WatchNew re-armed an armed event")
			}
		})
	}
}

// cloneEvent copies an event's configuration and state for a second look.
func cloneEvent(ev *Event) *Event {
	c := *ev
	c.Outbox = slices.Clone(ev.Outbox)
	return &c
}

func TestWatchNewLeavesRunAndArmedEventsAlone(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	ran := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	ran.WatchFrom = WatchNow
	ran.Apply(success("job", now.Add(-10*time.Minute)))
	next := ran.NextBlockTime
	if ran.WatchNew(now) || !ran.NextBlockTime.Equal(next) {
		t.Fatalf("a run event was re-armed: %v", ran.NextBlockTime)
	}
	armed := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
	armed.WatchFrom = WatchNow
	armed.SetInitial(now.Add(3 * time.Hour))
	if armed.WatchNew(now) || !armed.NextBlockTime.Equal(now.Add(3*time.Hour)) {
		t.Fatalf("an initial deadline was replaced: %v", armed.NextBlockTime)
	}
}

func TestParseWatchFrom(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]WatchFrom{"": WatchFirstRun, "first-run": WatchFirstRun, " NOW ": WatchNow} {
		if got, err := ParseWatchFrom("watch-from", in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	if _, err := ParseWatchFrom("watch-from", "creation"); err == nil {
		t.Error("creation accepted")
	}
}

func TestInitialDeadline(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	date := func(s string) *time.Time { d, _ := time.Parse("2006-01-02", s); return &d }
	clock := func(s string) *time.Time { c, _ := time.Parse("15:04", s); return &c }
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	evening := time.Date(2026, 12, 1, 20, 1, 0, 0, time.UTC)
	rolling := mustSchedule(t, Rolling, 24*time.Hour, "", "")
	for _, tc := range []struct {
		name  string
		sched Schedule
		in    InitialTime
		now   time.Time
		want  time.Time
	}{
		// memon.py's rule for a time alone: today, or tomorrow when it has passed.
		{"time later today", rolling, InitialTime{Clock: clock("12:00")}, t0, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)},
		{"time passed: tomorrow", rolling, InitialTime{Clock: clock("09:59")}, t0, time.Date(2024, 5, 2, 9, 59, 0, 0, time.UTC)},
		{"time now exactly: tomorrow", rolling, InitialTime{Clock: clock("10:00")}, t0, time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)},
		// The event's zone reads the time: 10:00 UTC is 12:00 in Berlin (CEST).
		{"zone decides today", mustSchedule(t, Rolling, time.Hour, "", "Europe/Berlin"), InitialTime{Clock: clock("11:00")}, t0, time.Date(2024, 5, 2, 11, 0, 0, 0, berlin)},
		{"zone decides today, later", mustSchedule(t, Rolling, time.Hour, "", "Europe/Berlin"), InitialTime{Clock: clock("13:00")}, t0, time.Date(2024, 5, 1, 13, 0, 0, 0, berlin)},
		{"zone decides the date", mustSchedule(t, Rolling, time.Hour, "", "Europe/Berlin"), InitialTime{Clock: clock("08:00")}, time.Date(2024, 5, 1, 23, 30, 0, 0, time.UTC), time.Date(2024, 5, 2, 8, 0, 0, 0, berlin)},
		{"no zone is UTC", rolling, InitialTime{Clock: clock("20:00")}, t0, time.Date(2024, 5, 1, 20, 0, 0, 0, time.UTC)},
		{"date alone is midnight", mustSchedule(t, Rolling, time.Hour, "", "Europe/Berlin"), InitialTime{Date: date("2024-06-01")}, t0, time.Date(2024, 6, 1, 0, 0, 0, 0, berlin)},
		{"date and time", rolling, InitialTime{Date: date("2024-06-01"), Clock: clock("03:30")}, t0, time.Date(2024, 6, 1, 3, 30, 0, 0, time.UTC)},
		{"a past date stays (rolling)", rolling, InitialTime{Date: date("2024-01-01"), Clock: clock("03:30")}, t0, time.Date(2024, 1, 1, 3, 30, 0, 0, time.UTC)},
		// A fixed grid: the next grid point after now.
		{"hourly grid at 09:00, typed at 20:01: 21:00 today", mustSchedule(t, Fixed, time.Hour, "", ""), InitialTime{Clock: clock("09:00")}, evening, time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)},
		{"6-hour grid at 09:00, typed at 20:01: 21:00 today", mustSchedule(t, Fixed, 6*time.Hour, "", ""), InitialTime{Clock: clock("09:00")}, evening, time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)},
		{"daily grid: tomorrow, as memon.py", mustSchedule(t, Fixed, 24*time.Hour, "", ""), InitialTime{Clock: clock("09:00")}, evening, time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)},
		{"grid point still ahead today", mustSchedule(t, Fixed, 24*time.Hour, "", ""), InitialTime{Clock: clock("21:00")}, evening, time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)},
		{"15m grid anchored later today: the next quarter", mustSchedule(t, Fixed, 15*time.Minute, "", ""), InitialTime{Clock: clock("23:00")}, evening, time.Date(2026, 12, 1, 20, 15, 0, 0, time.UTC)},
		{"grid on a point exactly: the next one", mustSchedule(t, Fixed, time.Hour, "", ""), InitialTime{Clock: clock("09:00")}, time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)},
		{"grid from a past date", mustSchedule(t, Fixed, 6*time.Hour, "", ""), InitialTime{Date: date("2026-11-01"), Clock: clock("03:00")}, evening, time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)},
		{"grid from a future date starts then", mustSchedule(t, Fixed, 6*time.Hour, "", ""), InitialTime{Date: date("2026-12-24"), Clock: clock("03:00")}, evening, time.Date(2026, 12, 24, 3, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := InitialDeadline(tc.sched, tc.in, tc.now); !got.Equal(tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
