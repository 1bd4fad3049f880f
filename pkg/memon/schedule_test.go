package memon

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestNewScheduleErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		kind         ScheduleKind
		period       time.Duration
		expr, zone   string
		field, wants string
	}{
		{"unknown type", "weekly", time.Hour, "", "", "type", "want rolling, fixed or cron"},
		{"empty type", "", time.Hour, "", "", "type", "want rolling, fixed or cron"},
		{"cron with a period", Cron, time.Hour, "0 3 * * *", "", "period", "takes no period"},
		{"rolling with a cron expression", Rolling, time.Hour, "0 3 * * *", "", "cron", "either --cron or --period"},
		{"bad cron", Cron, 0, "0 25 * * *", "", "cron", "five fields"},
		{"six fields", Cron, 0, "0 0 3 * * *", "", "cron", "five fields"},
		{"empty cron", Cron, 0, "  ", "", "cron", "five fields"},
		{"@every", Cron, 0, "@every 5m", "", "cron", "for an interval use --period"},
		{"TZ= prefix", Cron, 0, "TZ=Europe/Berlin 0 3 * * *", "", "cron", "for a zone --tz"},
		{"CRON_TZ= prefix", Cron, 0, "CRON_TZ=UTC 0 3 * * *", "", "cron", "for a zone --tz"},
		{"unknown zone", Cron, 0, "0 3 * * *", "Mars/Olympus", "tz", "IANA time zone"},
		{"Local is not a zone", Cron, 0, "0 3 * * *", "Local", "tz", "IANA time zone"},
		{"unknown zone on rolling", Rolling, time.Hour, "", "Europe/Nowhere", "tz", "IANA"},
		{"zero period", Rolling, 0, "", "", "period", "more than 0"},
		{"negative period", Fixed, -time.Hour, "", "", "period", "more than 0"},
		{"period over 366d", Fixed, MaxPeriod + time.Second, "", "", "period", "at most 366d"},
		{"sub-second period", Rolling, 1500 * time.Millisecond, "", "", "period", "whole number of seconds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewSchedule(tc.kind, tc.period, tc.expr, tc.zone)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v, want a FieldError for %q", err, tc.field)
			}
			if !strings.HasPrefix(err.Error(), tc.field+" ") || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("error %q should name %q and say %q", err, tc.field, tc.wants)
			}
		})
	}
}

func TestNewScheduleOK(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind       ScheduleKind
		period     time.Duration
		expr, zone string
		str, loc   string
	}{
		{Rolling, time.Hour, "", "", "every 1h (rolling)", "UTC"},
		{Fixed, 5 * time.Second, "", "", "every 5s (fixed)", "UTC"},
		{Fixed, 36 * time.Hour, "", "America/New_York", "every 1d12h (fixed)", "America/New_York"},
		{Cron, 0, "0 3 * * 1-5", "Europe/Berlin", `cron "0 3 * * 1-5" Europe/Berlin`, "Europe/Berlin"},
		{Cron, 0, " @daily ", "UTC", `cron "@daily" UTC`, "UTC"},
		{Cron, 0, "*/15 * * * *", "", `cron "*/15 * * * *" UTC`, "UTC"},
	}
	for _, tc := range cases {
		s, err := NewSchedule(tc.kind, tc.period, tc.expr, tc.zone)
		if err != nil {
			t.Errorf("NewSchedule(%s %v %q %q): %v", tc.kind, tc.period, tc.expr, tc.zone, err)
			continue
		}
		if s.String() != tc.str || s.Location().String() != tc.loc {
			t.Errorf("String %q Location %q, want %q %q", s.String(), s.Location(), tc.str, tc.loc)
		}
	}
	if (Schedule{}).Location() != time.UTC {
		t.Error("zero Schedule is not in UTC")
	}
}

func TestCronWeekdaysInZone(t *testing.T) {
	t.Parallel()
	berlin := mustZone(t, "Europe/Berlin")
	ev := NewEvent("job", mustSchedule(t, Cron, 0, "0 3 * * 1-5", "Europe/Berlin"))
	ev.Grace = 30 * time.Minute
	fri := time.Date(2025, 6, 6, 3, 4, 0, 0, berlin) // a Friday
	trs, _ := ev.Apply(success("job", fri))
	ev.Delivered(trs[0].ID)                           // the silent first run
	want := time.Date(2025, 6, 9, 3, 0, 0, 0, berlin) // Monday
	if !ev.NextBlockTime.Equal(want) || !ev.AlertAt().Equal(want.Add(30*time.Minute)) {
		t.Fatalf("after Friday's run: deadline %v, AlertAt %v; want Monday %v", ev.NextBlockTime.In(berlin), ev.AlertAt(), want)
	}
	if _, ok := ev.CheckDue(want.Add(29 * time.Minute)); ok {
		t.Fatal("DOWN over the weekend or inside grace")
	}
	trs, ok := ev.CheckDue(want.Add(30 * time.Minute))
	if !ok || !slices.Equal(kinds(trs), []AlertKind{KindDown}) {
		t.Fatalf("Monday missed: %v", kinds(trs))
	}
	// Both zones in the alert body.
	body := trs[0].Alert.Body
	for _, s := range []string{"Missed since:  2025-06-09 01:00:00 UTC (2025-06-09 03:00:00 CEST Europe/Berlin)",
		"Next deadline: 2025-06-10 01:00:00 UTC (2025-06-10 03:00:00 CEST Europe/Berlin)", "Missed runs:   1", `cron "0 3 * * 1-5" Europe/Berlin, grace 30m`, "Last success:  2025-06-06 01:04:00 UTC"} {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q:\n%s", s, body)
		}
	}
	// A poller outage from Monday to Thursday noon: one DOWN, four missed.
	ev2 := NewEvent("job", mustSchedule(t, Cron, 0, "0 3 * * 1-5", "Europe/Berlin"))
	ev2.Apply(success("job", fri))
	trs, _ = ev2.CheckDue(time.Date(2025, 6, 12, 12, 0, 0, 0, berlin))
	if !slices.Equal(kinds(trs), []AlertKind{KindDown}) || ev2.ErrorCount != 4 {
		t.Fatalf("outage: %v, missed %d", kinds(trs), ev2.ErrorCount)
	}
	if want := time.Date(2025, 6, 13, 3, 0, 0, 0, berlin); !ev2.Deadline().Equal(want) {
		t.Errorf("next deadline %v, want Friday 03:00", ev2.Deadline().In(berlin))
	}
}

func TestCronRunWithinGraceIsOnTime(t *testing.T) {
	t.Parallel()
	// A cron job starts at its firing and pings when it is done: the ping is
	// always after the firing. Within grace it is on time, not LATE.
	ev := NewEvent("job", mustSchedule(t, Cron, 0, "0 3 * * *", "UTC"))
	ev.Grace = 15 * time.Minute
	day := func(d, h, m int) time.Time { return time.Date(2025, 6, d, h, m, 0, 0, time.UTC) }
	ev.Apply(success("job", day(1, 3, 2)))
	for d := 2; d <= 5; d++ {
		if trs, _ := ev.CheckDue(day(d, 3, 1)); len(trs) != 0 {
			t.Fatalf("day %d: DOWN inside grace", d)
		}
		trs, ok := ev.Apply(success("job", day(d, 3, 5)))
		if !ok || len(trs) != 0 {
			t.Fatalf("day %d: an on-time cron run decided %v", d, kinds(trs))
		}
	}
}

// A cron run is judged like any other: on time by firing + grace, LATE
// after it when no DOWN went out first, whether or not the following
// firing has come.
func TestCronLateRunIsPastFiringPlusGrace(t *testing.T) {
	t.Parallel()
	day := func(d, h, m int) time.Time { return time.Date(2025, 6, d, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		name  string
		grace time.Duration
		run   time.Time
		want  []AlertKind
	}{
		{"inside grace", 15 * time.Minute, day(2, 3, 14), nil},
		{"exactly at firing + grace", 15 * time.Minute, day(2, 3, 15), nil},
		{"past grace, before the next firing", 15 * time.Minute, day(2, 3, 16), []AlertKind{KindLate}},
		{"hours past grace", 15 * time.Minute, day(2, 20, 0), []AlertKind{KindLate}},
		{"after the next firing", 15 * time.Minute, day(3, 3, 5), []AlertKind{KindLate}},
		{"after the next firing, inside a grace wider than a day", 36 * time.Hour, day(3, 3, 5), nil},
		{"past a grace wider than a day", 36 * time.Hour, day(3, 15, 1), []AlertKind{KindLate}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := NewEvent("job", mustSchedule(t, Cron, 0, "0 3 * * *", "UTC"))
			ev.Grace = c.grace
			ev.Apply(success("job", day(1, 3, 2))) // awaits day 2 03:00
			trs, ok := ev.Apply(success("job", c.run))
			if !ok || !slices.Equal(kinds(trs), c.want) {
				t.Fatalf("run at %s: %v, want %v", c.run.Format(time.DateTime), kinds(trs), c.want)
			}
			if want := ev.Schedule.nextFire(c.run); !ev.Deadline().Equal(want) {
				t.Errorf("next deadline %v, want the firing after the run %v", ev.Deadline(), want)
			}
		})
	}
}

// wallClock returns the instants in loc on the given day at h:m: none when a
// spring-forward skips it, two when a fall-back repeats it.
func wallClock(loc *time.Location, y int, mo time.Month, d, h, m int) []time.Time {
	var out []time.Time
	start := time.Date(y, mo, d, 0, 0, 0, 0, loc).Add(-3 * time.Hour)
	for t := start; t.Before(start.Add(30 * time.Hour)); t = t.Add(time.Minute) {
		lt := t.In(loc)
		if lt.Day() == d && lt.Hour() == h && lt.Minute() == m {
			out = append(out, t)
		}
	}
	return out
}

func TestCronDST(t *testing.T) {
	t.Parallel()
	type night struct {
		zone       string
		y          int
		mo         time.Month
		d          int
		h, m       int
		skip, dupe bool // the wall time does not exist / exists twice that night
	}
	nights := []night{
		{"America/New_York", 2025, time.March, 9, 2, 30, true, false},
		{"America/New_York", 2025, time.March, 9, 1, 30, false, false},
		{"America/New_York", 2025, time.November, 2, 1, 30, false, true},
		{"America/New_York", 2025, time.November, 2, 2, 30, false, false},
		{"Europe/Berlin", 2025, time.March, 30, 2, 30, true, false},
		{"Europe/Berlin", 2025, time.March, 30, 1, 30, false, false},
		{"Europe/Berlin", 2025, time.October, 26, 2, 30, false, true},
		{"Europe/Berlin", 2025, time.October, 26, 1, 30, false, false},
		{"Australia/Lord_Howe", 2025, time.October, 5, 2, 15, true, false},
		{"Australia/Lord_Howe", 2025, time.April, 6, 1, 45, false, true},
	}
	// How cron daemons run a job on such a night.
	daemons := []string{"once at the first occurrence, skipped time not run", "skipped time run after the jump, repeated time run twice"}
	for _, n := range nights {
		for di, daemon := range daemons {
			name := n.zone + "/" + time.Date(n.y, n.mo, n.d, n.h, n.m, 0, 0, time.UTC).Format("Jan02-15:04") + "/" + daemon
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				loc := mustZone(t, n.zone)
				if got := wallClock(loc, n.y, n.mo, n.d, n.h, n.m); (len(got) == 0) != n.skip || (len(got) == 2) != n.dupe {
					t.Fatalf("test premise: %d occurrences of %02d:%02d", len(got), n.h, n.m)
				}
				expr := strings.Join([]string{itoa(n.m), itoa(n.h), "*", "*", "*"}, " ")
				ev := NewEvent("nightly", mustSchedule(t, Cron, 0, expr, n.zone))
				ev.Grace = 20 * time.Minute

				// The job's runs from 3 days before to 3 days after the night.
				var runs []time.Time
				for off := -3; off <= 3; off++ {
					day := time.Date(n.y, n.mo, n.d+off, 12, 0, 0, 0, loc)
					occ := wallClock(loc, day.Year(), day.Month(), day.Day(), n.h, n.m)
					switch {
					case len(occ) == 0 && di == 1:
						jump := wallClock(loc, day.Year(), day.Month(), day.Day(), n.h+1, 0)
						if n.zone == "Australia/Lord_Howe" {
							jump = wallClock(loc, day.Year(), day.Month(), day.Day(), 2, 30)
						}
						runs = append(runs, jump[0])
					case len(occ) == 0:
					case di == 1:
						runs = append(runs, occ...)
					default:
						runs = append(runs, occ[0])
					}
				}
				sort.Slice(runs, func(i, j int) bool { return runs[i].Before(runs[j]) })

				simulate := func(ev *Event, runs []time.Time, from, to time.Time) (alerts []Transition, checks int) {
					pings := make([]time.Time, len(runs))
					for i, r := range runs {
						pings[i] = r.Add(3 * time.Minute) // the job takes 3 minutes
					}
					next := 0
					for now := from; !now.After(to); now = now.Add(5 * time.Minute) {
						for next < len(pings) && !pings[next].After(now) {
							trs, _ := ev.Apply(success("nightly", pings[next]))
							next++
							for _, tr := range trs {
								if tr.Alert != nil {
									alerts = append(alerts, tr)
								}
							}
						}
						trs, _ := ev.CheckDue(now)
						checks++
						for _, tr := range trs {
							if tr.Alert != nil {
								alerts = append(alerts, tr)
							}
						}
					}
					return alerts, checks
				}
				from := runs[0].Add(-time.Hour)
				to := runs[len(runs)-1].Add(10 * time.Minute)
				alerts, _ := simulate(ev, runs, from, to)
				for _, a := range alerts {
					t.Errorf("false alert %s at %v: %s", a.Alert.Subject, a.At.In(loc), a.Reason)
				}
				if ev.State != Up || ev.ErrorCount != 0 {
					t.Errorf("end state %s, missed %d", ev.State, ev.ErrorCount)
				}

				// The same schedule does notice a job that stops the night
				// after: one DOWN, a day later (plus grace), not earlier.
				ev2 := NewEvent("nightly", mustSchedule(t, Cron, 0, expr, n.zone))
				ev2.Grace = 20 * time.Minute
				var before []time.Time
				for _, r := range runs {
					if r.Before(time.Date(n.y, n.mo, n.d, 23, 0, 0, 0, loc)) {
						before = append(before, r)
					}
				}
				alerts, _ = simulate(ev2, before, from, to)
				if len(alerts) == 0 || alerts[0].Alert.Kind != KindDown {
					t.Fatalf("a stopped job was not reported: %v", alerts)
				}
				down := alerts[0].At
				want := time.Date(n.y, n.mo, n.d+1, n.h, n.m, 0, 0, loc).Add(20 * time.Minute)
				if !down.Equal(want) {
					t.Errorf("DOWN decided at %v, want the day after the night at %02d:%02d + grace: %v", down.In(loc), n.h, n.m, want.In(loc))
				}
			})
		}
	}
}

func TestCronNextFireSkipsRepeatedHour(t *testing.T) {
	t.Parallel()
	ny := mustZone(t, "America/New_York")
	s := mustSchedule(t, Cron, 0, "*/10 1 * * *", "America/New_York")
	// Fall-back night: 01:00-01:59 happens twice; the job is expected once
	// per wall-clock time.
	var fires []string
	f := time.Date(2025, 11, 2, 0, 59, 0, 0, ny)
	for i := 0; i < 7; i++ {
		f = s.nextFire(f)
		fires = append(fires, f.In(ny).Format("Jan02 15:04 MST"))
	}
	want := "Nov02 01:00 EDT,Nov02 01:10 EDT,Nov02 01:20 EDT,Nov02 01:30 EDT,Nov02 01:40 EDT,Nov02 01:50 EDT,Nov03 01:00 EST"
	if strings.Join(fires, ",") != want {
		t.Fatalf("fires %s\nwant  %s", strings.Join(fires, ","), want)
	}
	every := mustSchedule(t, Cron, 0, "* 1 * * *", "America/New_York")
	f = time.Date(2025, 11, 2, 1, 58, 0, 0, ny)
	if got := every.nextFire(f); got.In(ny).Format("Jan02 15:04 MST") != "Nov02 01:59 EDT" {
		t.Fatalf("got %v", got.In(ny))
	}
	if got := every.nextFire(f.Add(time.Minute)); got.In(ny).Format("Jan02 15:04 MST") != "Nov03 01:00 EST" {
		t.Fatalf("every-minute job expected again in the repeated hour: %v", got.In(ny))
	}
}

func TestCronPrevFire(t *testing.T) {
	t.Parallel()
	cases := []struct {
		expr      string
		now, want time.Time
	}{
		{"0 3 * * *", time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC), time.Date(2025, 6, 2, 3, 0, 0, 0, time.UTC)},
		{"0 3 * * *", time.Date(2025, 6, 2, 3, 0, 0, 0, time.UTC), time.Date(2025, 6, 2, 3, 0, 0, 0, time.UTC)},
		{"0 0 1 * *", time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"0 0 1 1 *", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"0 0 29 2 *", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		s := mustSchedule(t, Cron, 0, tc.expr, "UTC")
		if got := s.prevFire(tc.now); !got.Equal(tc.want) {
			t.Errorf("%q prevFire(%v) = %v, want %v", tc.expr, tc.now, got, tc.want)
		}
	}
}

func TestZeroScheduleDoesNotPanic(t *testing.T) {
	t.Parallel()
	// An event whose schedule was not built by NewSchedule (a broken item)
	// must not crash a poll.
	for _, s := range []Schedule{{}, {Kind: Cron, Expr: "0 3 * * *"}} {
		ev := &Event{Config: Config{Name: "x", Enabled: true, Schedule: s}, State: Up, NextBlockTime: at(60), LastSuccessTime: at(0)}
		ev.CheckDue(at(1000))
		ev.Apply(success("x", at(2000)))
		ev.Rearm(at(3000))
	}
}

// Lord Howe falls back half an hour (02:00 to 01:30) on 5 April 2026: every
// firing of that day is still expected once, a repeated one at its first
// occurrence.
func TestCronHalfHourFallBack(t *testing.T) {
	t.Parallel()
	utc := func(d, h, m int) time.Time { return time.Date(2026, 4, d, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		expr string
		want []time.Time // from 3 April 12:00 local
	}{
		{"0 3 * * *", []time.Time{utc(3, 16, 0), utc(4, 16, 30), utc(5, 16, 30)}},
		{"15 22 * * *", []time.Time{utc(3, 11, 15), utc(4, 11, 15), utc(5, 11, 45)}},
		{"45 1 * * *", []time.Time{utc(3, 14, 45), utc(4, 14, 45), utc(5, 15, 15)}},
		{"0 2 * * *", []time.Time{utc(3, 15, 0), utc(4, 15, 30), utc(5, 15, 30)}}, // on the 5th the clock goes back at 02:00, which comes once, half an hour on
	} {
		s := mustSchedule(t, Cron, 0, c.expr, "Australia/Lord_Howe")
		at := time.Date(2026, 4, 3, 1, 0, 0, 0, time.UTC) // 12:00 local
		for i, want := range c.want {
			at = s.nextFire(at)
			if !at.Equal(want) {
				t.Errorf("%s: firing %d at %s, want %s", c.expr, i+1, at, want)
				break
			}
		}
	}
}
