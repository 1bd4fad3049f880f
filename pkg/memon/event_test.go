package memon

import (
	"slices"
	"testing"
	"time"
)

func TestResume(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	cases := []struct {
		name     string
		ev       func(t *testing.T) *Event
		now      time.Time
		wantNext time.Time
	}{
		{"rolling: deadline passed while paused is re-armed from now",
			func(t *testing.T) *Event { return seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0)) },
			at(10 * 3600), at(11 * 3600)},
		{"rolling: a deadline still ahead is kept",
			func(t *testing.T) *Event { return seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0)) },
			at(1800), at(3600)},
		{"fixed: stays on its grid, the next block after now",
			func(t *testing.T) *Event { return seedEvent(t, Fixed, 5*time.Second, at(5), at(10), at(4)) },
			at(32), at(40)},
		{"fixed: resumed just before a grid point still gets a whole block",
			func(t *testing.T) *Event { return seedEvent(t, Fixed, 5*time.Second, at(5), at(10), at(4)) },
			at(34), at(40)},
		{"fixed: resumed on a grid point",
			func(t *testing.T) *Event { return seedEvent(t, Fixed, 5*time.Second, at(5), at(10), at(4)) },
			at(35), at(40)},
		{"cron: the next firing after now",
			func(t *testing.T) *Event {
				ev := NewEvent("job", mustSchedule(t, Cron, 0, "0 3 * * *", "UTC"))
				ev.Apply(success("job", time.Date(2025, 6, 1, 3, 1, 0, 0, time.UTC)))
				return ev
			},
			time.Date(2025, 6, 9, 12, 0, 0, 0, time.UTC), time.Date(2025, 6, 10, 3, 0, 0, 0, time.UTC)},
		{"down and out of alerts: re-armed, missed count reset",
			func(t *testing.T) *Event {
				ev := seedEvent(t, Rolling, day, at(0), at(86400), at(0))
				ev.CheckDue(at(10 * 86400))
				return ev
			},
			at(20 * 86400), at(21 * 86400)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := tc.ev(t)
			ev.Enabled = false
			ev.Outbox = nil
			ev.Resume(tc.now)
			if !ev.Enabled || ev.Status() == Paused {
				t.Fatal("not enabled")
			}
			if !ev.NextBlockTime.Equal(tc.wantNext) || ev.ErrorCount != 0 {
				t.Fatalf("next %v (%d), missed %d; want %v", ev.NextBlockTime, ev.NextBlockTime.Unix(), ev.ErrorCount, tc.wantNext)
			}
			if trs, ok := ev.CheckDue(tc.now); ok || len(trs) != 0 {
				t.Fatalf("immediate DOWN after resume: %v", kinds(trs))
			}
			if !ev.AlertAt().After(tc.now) {
				t.Fatalf("AlertAt %v not after now %v", ev.AlertAt(), tc.now)
			}
		})
	}
	t.Run("never run and not armed: stays unwatched", func(t *testing.T) {
		t.Parallel()
		ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
		ev.Enabled = false
		ev.Resume(at(1000))
		if !ev.Enabled || !ev.NextBlockTime.IsZero() || !ev.AlertAt().IsZero() {
			t.Fatalf("%+v", ev)
		}
	})
}

func TestRearmWithoutDeadline(t *testing.T) {
	t.Parallel()
	ev := NewEvent("job", mustSchedule(t, Fixed, time.Hour, "", ""))
	ev.Rearm(at(100))
	if !ev.NextBlockTime.IsZero() || !ev.LastBlockTime.IsZero() {
		t.Fatal("Rearm armed a never-run event")
	}
}

func TestReschedule(t *testing.T) {
	t.Parallel()
	run := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC) // a Monday
	t.Run("rolling shortened: from the last run, overdue at once", func(t *testing.T) {
		t.Parallel()
		ev := seedEvent(t, Rolling, 24*time.Hour, run, run.Add(24*time.Hour), run)
		ev.Reschedule(mustSchedule(t, Rolling, time.Hour, "", ""))
		if !ev.NextBlockTime.Equal(run.Add(time.Hour)) {
			t.Fatalf("next %v", ev.NextBlockTime)
		}
		trs, ok := ev.CheckDue(run.Add(2 * time.Hour))
		if !ok || !slices.Equal(kinds(trs), []AlertKind{KindDown}) || ev.ErrorCount != 2 {
			t.Fatalf("%v missed %d", kinds(trs), ev.ErrorCount)
		}
	})
	t.Run("fixed weekly to daily cron: from the last run, not the block end", func(t *testing.T) {
		t.Parallel()
		ev := seedEvent(t, Fixed, 7*24*time.Hour, time.Time{}, time.Time{}, time.Time{})
		ev.LastBlockTime, ev.NextBlockTime = run.Add(time.Hour-7*24*time.Hour), run.Add(time.Hour)
		ev.Apply(success("job", run)) // covers the block ending run+1h
		if !ev.LastBlockTime.Equal(run.Add(time.Hour)) {
			t.Fatalf("premise: block end %v", ev.LastBlockTime)
		}
		ev.Reschedule(mustSchedule(t, Cron, 0, "0 12 * * *", "UTC"))
		if want := time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC); !ev.NextBlockTime.Equal(want) {
			t.Fatalf("next %v, want %v", ev.NextBlockTime, want)
		}
	})
	t.Run("fixed to rolling: last success plus the period", func(t *testing.T) {
		t.Parallel()
		ev := seedEvent(t, Fixed, 7*24*time.Hour, time.Time{}, time.Time{}, time.Time{})
		ev.LastBlockTime, ev.NextBlockTime = run.Add(time.Hour-7*24*time.Hour), run.Add(time.Hour)
		ev.Apply(success("job", run))
		ev.Reschedule(mustSchedule(t, Rolling, 2*time.Hour, "", ""))
		if !ev.NextBlockTime.Equal(run.Add(2 * time.Hour)) {
			t.Fatalf("next %v, want the run + 2h", ev.NextBlockTime)
		}
	})
	t.Run("fixed period change keeps the block boundary", func(t *testing.T) {
		t.Parallel()
		ev := seedEvent(t, Fixed, 5*time.Second, at(5), at(10), at(4))
		ev.Reschedule(mustSchedule(t, Fixed, 10*time.Second, "", ""))
		if !ev.LastBlockTime.Equal(at(5)) || !ev.NextBlockTime.Equal(at(15)) {
			t.Fatalf("blocks %d/%d", ev.LastBlockTime.Unix(), ev.NextBlockTime.Unix())
		}
	})
	t.Run("down event: missed count restarts", func(t *testing.T) {
		t.Parallel()
		ev := seedEvent(t, Rolling, time.Hour, run, run.Add(time.Hour), run)
		ev.CheckDue(run.Add(5 * time.Hour))
		ev.Reschedule(mustSchedule(t, Rolling, 24*time.Hour, "", ""))
		if ev.ErrorCount != 0 || !ev.Deadline().Equal(run.Add(24*time.Hour)) {
			t.Fatalf("missed %d deadline %v", ev.ErrorCount, ev.Deadline())
		}
	})
	t.Run("armed, never run: the initial deadline is kept", func(t *testing.T) {
		t.Parallel()
		first := time.Date(2025, 7, 1, 4, 0, 0, 0, time.UTC)
		ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
		ev.SetInitial(first)
		ev.Reschedule(mustSchedule(t, Rolling, 24*time.Hour, "", ""))
		if !ev.NextBlockTime.Equal(first) {
			t.Fatalf("next %v, want the initial %v", ev.NextBlockTime, first)
		}
		ev.Reschedule(mustSchedule(t, Cron, 0, "30 4 * * *", "UTC"))
		if want := first.Add(30 * time.Minute); !ev.NextBlockTime.Equal(want) {
			t.Fatalf("cron: next %v, want the first firing at or after the initial time %v", ev.NextBlockTime, want)
		}
	})
	t.Run("never run, not armed: stays unwatched", func(t *testing.T) {
		t.Parallel()
		ev := NewEvent("job", mustSchedule(t, Rolling, time.Hour, "", ""))
		s := mustSchedule(t, Fixed, time.Minute, "", "")
		ev.Reschedule(s)
		if ev.Schedule.Kind != Fixed || !ev.NextBlockTime.IsZero() {
			t.Fatalf("%+v", ev)
		}
	})
}

func TestSetInitialCron(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	ev := NewEvent("job", mustSchedule(t, Cron, 0, "0 3 * * 1-5", "Europe/Berlin"))
	ev.SetInitial(time.Date(2025, 6, 7, 0, 0, 0, 0, berlin)) // a Saturday
	if want := time.Date(2025, 6, 9, 3, 0, 0, 0, berlin); !ev.NextBlockTime.Equal(want) {
		t.Fatalf("next %v, want Monday 03:00", ev.NextBlockTime.In(berlin))
	}
	if want := time.Date(2025, 6, 6, 3, 0, 0, 0, berlin); !ev.LastBlockTime.Equal(want) {
		t.Fatalf("last %v, want Friday 03:00", ev.LastBlockTime.In(berlin))
	}
	exact := time.Date(2025, 6, 9, 3, 0, 0, 0, berlin)
	ev.SetInitial(exact)
	if !ev.NextBlockTime.Equal(exact) {
		t.Fatalf("an initial time on a firing is that firing: %v", ev.NextBlockTime.In(berlin))
	}
}
