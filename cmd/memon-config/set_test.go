package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

func TestSetRejectsBadInputBeforeAnyStoreCall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want []string // the message names the field, the value and the form
	}{
		{"unknown type", []string{"--period", "1h", "--type", "weekly"}, []string{"--type", `"weekly"`, "rolling, fixed or cron"}},
		{"zero period", []string{"--period", "0"}, []string{"--period", `"0"`, "more than 0"}},
		{"negative period", []string{"--period", "-5m"}, []string{"--period", `"-5m"`, "more than 0"}},
		{"period over a year", []string{"--period", "367d"}, []string{"--period", `"367d"`, "at most 366d"}},
		{"malformed period", []string{"--period", "soon"}, []string{"--period", `"soon"`, "90s, 15m, 1h, 1d", "a bare number is seconds"}},
		{"duration in two words", []string{"--period", "1", "hour"}, []string{"--period", `"1 hour"`, "write --period 1h: a duration is one word"}},
		{"grace in two words", []string{"--period=1h", "--grace=15", "minutes"}, []string{"--grace", `"15 minutes"`, "write --grace 15m"}},
		{"bad cron", []string{"--cron", "61 * * * *"}, []string{"--cron", `"61 * * * *"`, "five fields"}},
		{"cron never fires", []string{"--cron", "0 0 30 2 *"}, []string{"--cron", `"0 0 30 2 *"`, "never fires in the next 5 years"}},
		{"cron @every", []string{"--cron", "@every 5m"}, []string{"--cron", `"@every 5m"`, "use --period"}},
		{"unknown zone", []string{"--period", "1h", "--tz", "Mars/Olympus"}, []string{"--tz", `"Mars/Olympus"`, "IANA time zone"}},
		{"malformed date", []string{"--period", "1h", "--initial-date", "01/05/2024"}, []string{"--initial-date", `"01/05/2024"`, "YYYY-MM-DD"}},
		{"impossible date", []string{"--period", "1h", "--initial-date", "2024-02-30"}, []string{"--initial-date", `"2024-02-30"`, "YYYY-MM-DD"}},
		{"malformed time", []string{"--period", "1h", "--initial-time", "3pm"}, []string{"--initial-time", `"3pm"`, "HH:MM"}},
		{"hour out of range", []string{"--period", "1h", "--initial-time", "24:30"}, []string{"--initial-time", `"24:30"`, "HH:MM"}},
		{"cron with period", []string{"--cron", "0 3 * * *", "--period", "1h"}, []string{"--cron", "--period", "either a cron expression or a period"}},
		{"cron with fixed", []string{"--cron", "0 3 * * *", "--type", "fixed"}, []string{"--cron", "--type fixed", "drop --type"}},
		{"cron with rolling", []string{"--cron", "0 3 * * *", "--type", "rolling"}, []string{"--cron", "--type rolling"}},
		{"type cron without expression", []string{"--type", "cron"}, []string{"--type", `"cron"`, "--cron EXPR"}},
		{"enabled and disabled", []string{"--period", "1h", "--enabled", "--disabled"}, []string{"--enabled", "--disabled", "give one"}},
		{"max alerts zero", []string{"--period", "1h", "--max-alerts", "0"}, []string{"--max-alerts", `"0"`, "whole number from 1"}},
		{"max alerts text", []string{"--period", "1h", "--max-alerts", "many"}, []string{"--max-alerts", `"many"`, "whole number"}},
		{"bad grace", []string{"--period", "1h", "--grace", "-1m"}, []string{"--grace", `"-1m"`, "0 or more"}},
		{"unknown flag", []string{"--perod", "1h"}, []string{"-perod", "--help"}},
		{"flag without value", []string{"--period"}, []string{"-period", "needs an argument"}},
		{"two names", []string{"other", "--period", "1h"}, []string{"too many arguments", "one EVENT"}},
		{"escape in description", []string{"--period", "1h", "--description", "ok\x1b[2Jgone"}, []string{"--description", `"ok\x1b[2Jgone"`, "control characters"}},
		{"120 KB description", []string{"--period", "1h", "--description", strings.Repeat("x", 120*1024)}, []string{"--description", "122880 bytes", "at most 1024 bytes"}},
		{"line break in description", []string{"--period", "1h", "--description", "a\nWhat happened: x"}, []string{"--description", "one line of plain text"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			r := runWith(t, f, t0, append([]string{"set", "backup"}, tc.args...)...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", r.code, exitUsage, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if r.opened != 0 || len(f.Calls()) != 0 {
				t.Errorf("store used: opened %d, calls %v", r.opened, f.Calls())
			}
		})
	}
}

func TestSetReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	r := runWith(t, newFake(), t0, "set", "x", "--period", "0", "--tz", "Nowhere/Else", "--max-alerts", "-1")
	for _, w := range []string{"--period", "--tz", "--max-alerts"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %s", r.stderr, w)
		}
	}
}

// Errors that need the stored event: they read it, and write nothing.
func TestSetRejectsAfterReadingWithoutWriting(t *testing.T) {
	t.Parallel()
	cronEv := memon.NewEvent("nightly", mustSchedule(t, memon.Cron, 0, "0 3 * * *", ""))
	for _, tc := range []struct {
		name  string
		store *fake.Store
		args  []string
		want  []string
	}{
		{"new event without schedule", newFake(), []string{"set", "fresh", "--description", "x"}, []string{`"fresh" does not exist`, "--period DUR", "--cron EXPR"}},
		{"new event with a bad name", newFake(), []string{"set", "bad name!", "--period", "1h"}, []string{"EVENT", `"bad name!"`, "A-Z a-z 0-9"}},
		{"rolling on a cron event needs a period", newFake(cronEv), []string{"set", "nightly", "--type", "rolling"}, []string{"--type rolling", "--period DUR"}},
		{"tz alone on a new event", newFake(), []string{"set", "fresh", "--tz", "UTC"}, []string{"--period DUR"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runWith(t, tc.store, t0, tc.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr %s", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q lacks %q", r.stderr, w)
				}
			}
			if w := tc.store.Writes(); len(w) != 0 {
				t.Errorf("wrote %v", w)
			}
		})
	}
}

func TestSetDurationForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"3600", time.Hour},
		{"5", 5 * time.Second},
		{"90s", 90 * time.Second},
		{"1h30m", 90 * time.Minute},
		{"7d", 7 * 24 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"366d", 366 * 24 * time.Hour},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			r := runWith(t, f, t0, "set", "job", "--period", tc.in, "--grace", tc.in)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			ev := f.Event("job")
			if ev.Schedule.Period != tc.want || ev.Grace != tc.want || ev.Schedule.Kind != memon.Rolling {
				t.Errorf("period %s grace %s kind %s, want %s rolling", ev.Schedule.Period, ev.Grace, ev.Schedule.Kind, tc.want)
			}
		})
	}
}

func TestSetCreates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, ev *memon.Event)
	}{
		{"rolling by default, flags after the name", []string{"set", "backup", "--period", "1h", "--description", "nightly <db> backup"}, func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Rolling || ev.Description != "nightly <db> backup" || !ev.Enabled || ev.State != memon.New {
				t.Errorf("got %+v", ev)
			}
		}},
		{"flags before the name", []string{"set", "--period", "2h", "--type", "FIXED", "backup"}, func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Fixed || ev.Schedule.Period != 2*time.Hour {
				t.Errorf("got %s", ev.Schedule)
			}
		}},
		{"global flags before the command", []string{"--table", "t", "set", "backup", "--period", "1h"}, func(t *testing.T, ev *memon.Event) {}},
		{"cron implies type cron", []string{"set", "backup", "--cron", "0 3 * * 1-5", "--tz", "Europe/Berlin", "--type", "cron"}, func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Cron || ev.Schedule.Expr != "0 3 * * 1-5" || ev.Schedule.TimeZone != "Europe/Berlin" {
				t.Errorf("got %s", ev.Schedule)
			}
		}},
		{"a new cron event gets the default grace", []string{"set", "backup", "--cron", "0 3 * * *"}, func(t *testing.T, ev *memon.Event) {
			if ev.Grace != memon.DefaultCronGrace {
				t.Errorf("grace %s, want %s", ev.Grace, memon.DefaultCronGrace)
			}
		}},
		{"an explicit grace wins, zero included", []string{"set", "backup", "--cron", "0 3 * * *", "--grace", "0"}, func(t *testing.T, ev *memon.Event) {
			if ev.Grace != 0 {
				t.Errorf("grace %s, want 0", ev.Grace)
			}
		}},
		{"a rolling event keeps grace 0 (memon.py's behaviour)", []string{"set", "backup", "--period", "1h"}, func(t *testing.T, ev *memon.Event) {
			if ev.Grace != 0 {
				t.Errorf("grace %s, want 0", ev.Grace)
			}
		}},
		{"disabled, with max alerts", []string{"set", "backup", "--period", "1h", "--disabled", "--max-alerts", "5"}, func(t *testing.T, ev *memon.Event) {
			if ev.Enabled || ev.MaxAlerts != 5 {
				t.Errorf("got enabled %v max %d", ev.Enabled, ev.MaxAlerts)
			}
		}},
		{"initial date and time arm the deadline", []string{"set", "backup", "--period", "1h", "--initial-date", "2024-05-02", "--initial-time", "03:30"}, func(t *testing.T, ev *memon.Event) {
			if want := time.Date(2024, 5, 2, 3, 30, 0, 0, time.UTC); !ev.NextBlockTime.Equal(want) || !ev.LastBlockTime.Equal(want.Add(-time.Hour)) {
				t.Errorf("next %s last %s, want %s", ev.NextBlockTime, ev.LastBlockTime, want)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			setAndCheck(t, newFake(), tc.args, "created backup: ", tc.check)
		})
	}
}

func TestSetEditsOnlyWhatIsGiven(t *testing.T) {
	t.Parallel()
	last := t0.Add(-30 * time.Minute)
	stored := func() *memon.Event {
		ev := event(t, "backup", time.Hour, last)
		ev.Description, ev.Grace, ev.MaxAlerts = "keep me", 5*time.Minute, 4
		return ev
	}
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, ev *memon.Event)
	}{
		{"description only", []string{"--description", "new text"}, func(t *testing.T, ev *memon.Event) {
			if ev.Description != "new text" || ev.Schedule.Period != time.Hour || ev.Grace != 5*time.Minute || ev.MaxAlerts != 4 || !ev.NextBlockTime.Equal(last.Add(time.Hour)) {
				t.Errorf("got %+v", ev)
			}
		}},
		{"empty description clears it", []string{"--description", ""}, func(t *testing.T, ev *memon.Event) {
			if ev.Description != "" {
				t.Errorf("description %q", ev.Description)
			}
		}},
		{"period reschedules from the last run", []string{"--period", "2h"}, func(t *testing.T, ev *memon.Event) {
			if !ev.NextBlockTime.Equal(last.Add(2*time.Hour)) || ev.Description != "keep me" || ev.Schedule.Kind != memon.Rolling {
				t.Errorf("next %s desc %q kind %s", ev.NextBlockTime, ev.Description, ev.Schedule.Kind)
			}
		}},
		{"type alone keeps the period", []string{"--type", "fixed"}, func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Fixed || ev.Schedule.Period != time.Hour {
				t.Errorf("got %s", ev.Schedule)
			}
		}},
		{"cron replaces the period", []string{"--cron", "@daily"}, func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Cron || ev.Schedule.Period != 0 {
				t.Errorf("got %s", ev.Schedule)
			}
		}},
		{"disabled", []string{"--disabled"}, func(t *testing.T, ev *memon.Event) {
			if ev.Enabled || ev.Description != "keep me" {
				t.Errorf("got %+v", ev)
			}
		}},
		{"initial time uses the event's zone", []string{"--tz", "Asia/Tokyo", "--initial-time", "09:00"}, func(t *testing.T, ev *memon.Event) {
			// 10:00 UTC is 19:00 in Tokyo: 09:00 there has passed, so tomorrow's.
			if want := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC); !ev.NextBlockTime.Equal(want) {
				t.Errorf("next %s, want %s", ev.NextBlockTime, want)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			setAndCheck(t, newFake(stored()), append([]string{"set", "backup"}, tc.args...), "updated backup: ", tc.check)
		})
	}
}

// setAndCheck runs a set that must succeed and checks the stored "backup".
func setAndCheck(t *testing.T, f *fake.Store, args []string, said string, check func(*testing.T, *memon.Event)) {
	t.Helper()
	r := runWith(t, f, t0, args...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, said) {
		t.Errorf("stdout %q, want %q...", r.stdout, said)
	}
	check(t, f.Event("backup"))
}

func TestSetRetriesALostRace(t *testing.T) {
	t.Parallel()
	f := newFake(event(t, "backup", time.Hour, t0.Add(-time.Minute)))
	f.LoseRaces(2)
	r := runWith(t, f, t0, "set", "backup", "--description", "d")
	if r.code != 0 || f.Event("backup").Description != "d" {
		t.Fatalf("exit %d %s: %+v", r.code, r.stderr, f.Event("backup"))
	}
	if got := strings.Count(strings.Join(f.Calls(), ","), "Get backup"); got != 3 {
		t.Errorf("read %d times, want 3: %v", got, f.Calls())
	}

	f = newFake(event(t, "backup", time.Hour, t0.Add(-time.Minute)))
	f.LoseRaces(maxAttempts)
	if r := runWith(t, f, t0, "set", "backup", "--description", "d"); r.code != exitFailure || !strings.Contains(r.stderr, memon.ErrConflict.Error()) {
		t.Errorf("exit %d %s, want a conflict failure", r.code, r.stderr)
	}
}

func TestSetEnabledResumesAndRecordsHistory(t *testing.T) {
	t.Parallel()
	ev := event(t, "backup", time.Hour, t0.Add(-5*time.Hour)) // deadline passed while paused
	ev.Enabled = false
	f := newFake(ev)
	r := runWith(t, f, t0, "set", "backup", "--enabled")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := f.Event("backup")
	if !got.Enabled || !got.NextBlockTime.After(t0) {
		t.Errorf("enabled %v next %s: want enabled and re-armed after %s", got.Enabled, got.NextBlockTime, t0)
	}
	if len(f.Records("backup")) != 1 || f.Records("backup")[0].From != memon.Paused || f.Records("backup")[0].Reason != "resumed by memon-config" {
		t.Errorf("history %+v", f.Records("backup"))
	}
}

func TestSetFixesAnUnusableItem(t *testing.T) {
	t.Parallel()
	ev := &memon.Event{Config: memon.Config{Name: "legacy item", Enabled: true}, State: memon.New}
	f := newFake(ev)
	f.MarkUnusable("legacy item", &memon.FieldError{Field: "Period", Want: "the item has no Period"})
	if r := runWith(t, f, t0, "set", "legacy item", "--description", "x"); r.code != exitUsage || !strings.Contains(r.stderr, "unusable as stored") {
		t.Errorf("exit %d %q, want 2 naming the unusable item", r.code, r.stderr)
	}
	// A seed name that ValidateName would refuse can still be edited.
	if r := runWith(t, f, t0, "set", "legacy item", "--period", "1h"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got := f.Event("legacy item"); got.Schedule.Period != time.Hour {
		t.Errorf("got %s", got.Schedule)
	}
}

func TestSetInitialTimeIsReadInUTCWithoutTz(t *testing.T) {
	t.Parallel()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	f := newFake()
	a := &app{now: func() time.Time { return t0 }, local: tokyo, env: func(string) string { return "" },
		stdout: &strings.Builder{}, stderr: &strings.Builder{},
		open: func(_ context.Context, _ *globals) (store, error) { return f, nil }}
	if code := a.run(context.Background(), []string{"set", "job", "--period", "1d", "--initial-time", "20:00"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// The machine is in Tokyo, but a typed time is read in the event's
	// zone, as its cron would be: UTC without --tz, and set says so.
	if got, want := f.Event("job").NextBlockTime, time.Date(2024, 5, 1, 20, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
	out := a.stdout.(*strings.Builder).String()
	for _, want := range []string{"are read in UTC", "--tz ZONE", "19:00 JST"} {
		if !strings.Contains(out, want) {
			t.Errorf("set's output lacks %q:\n%s", want, out)
		}
	}
}

func TestUsageErrorsMapToExitCodes(t *testing.T) {
	t.Parallel()
	if !isUsage(flagError("x", "y", "z")) || !isUsage(usagef("x")) || isUsage(errors.New("network")) {
		t.Error("isUsage misclassifies")
	}
}

// TestSetHelpSaysWhatADurationLooksLike: the help gives the forms a duration takes.
func TestSetHelpSaysWhatADurationLooksLike(t *testing.T) {
	t.Parallel()
	r := runWith(t, newFake(), t0, "set", "--help")
	for _, want := range []string{"90s, 15m, 1h, 1d", "a bare number is seconds"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("set --help lacks %q (exit %d):\n%s", want, r.code, r.stdout)
		}
	}
}

// TestScheduleKindChangeIsNeverSilent: --period alone on a cron
// event is refused with the flag to add; an explicit change says what it
// replaced.
func TestScheduleKindChangeIsNeverSilent(t *testing.T) {
	t.Parallel()
	cronEvent := func() *memon.Event {
		ev := memon.NewEvent("nightly-backup", mustSchedule(t, memon.Cron, 0, "0 2 * * *", "Europe/Berlin"))
		ev.Version = 1
		return ev
	}
	f := newFake(cronEvent())
	r := runWith(t, f, t0, "set", "nightly-backup", "--period", "1d")
	if r.code != exitUsage || !strings.Contains(r.stderr, `cron "0 2 * * *" Europe/Berlin`) || !strings.Contains(r.stderr, "--type rolling") {
		t.Errorf("exit %d stderr %q: want a refusal naming the schedule and --type rolling", r.code, r.stderr)
	}
	if got := f.Event("nightly-backup").Schedule.Kind; got != memon.Cron || len(f.Writes()) != 0 {
		t.Errorf("kind %s, writes %v: nothing may change", got, f.Writes())
	}

	r = runWith(t, f, t0, "set", "nightly-backup", "--period", "1d", "--type", "rolling")
	if want := "schedule changed: cron \"0 2 * * *\" Europe/Berlin → every 1d (rolling)\n"; r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d stdout %q: want %q", r.code, r.stdout, want)
	}
	r = runWith(t, f, t0, "set", "nightly-backup", "--cron", "30 1 * * *")
	if want := "schedule changed: every 1d (rolling) → cron \"30 1 * * *\" Europe/Berlin\n"; r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d stdout %q: want %q", r.code, r.stdout, want)
	}
	r = runWith(t, f, t0, "set", "nightly-backup", "--description", "db")
	if r.code != 0 || strings.Contains(r.stdout, "schedule changed") {
		t.Errorf("exit %d stdout %q: an edit that keeps the schedule says nothing about it", r.code, r.stdout)
	}
}

func TestSetWatchFrom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		args   []string
		want   time.Time // first deadline; zero: not watched
		stored memon.WatchFrom
		said   string
	}{
		{"default: first run", []string{"--cron", "* * * * *", "--grace", "0s"}, time.Time{}, "", "--watch-from now"},
		{"first-run chosen", []string{"--period", "1h", "--watch-from", "first-run"}, time.Time{}, memon.WatchFirstRun, "not watched until its first run"},
		{"now, cron: the next firing", []string{"--cron", "* * * * *", "--grace", "0s", "--watch-from", "now"}, t0.Add(time.Minute), memon.WatchNow, "--watch-from first-run"},
		{"now, rolling: creation plus period", []string{"--period", "2h", "--watch-from", "now"}, t0.Add(2 * time.Hour), memon.WatchNow, "watched from now"},
		{"now, fixed: the next grid point", []string{"--period", "6h", "--type", "fixed", "--watch-from", "now"}, t0.Add(6 * time.Hour), memon.WatchNow, "watched from now"},
		{"an initial time wins over now", []string{"--period", "1h", "--type", "fixed", "--initial-time", "09:00", "--watch-from", "now"}, t0.Add(time.Hour), memon.WatchNow, "watched from now"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			r := runWith(t, f, t0, append([]string{"set", "job"}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			ev := f.Event("job")
			if !ev.Deadline().Equal(tc.want) || ev.WatchFrom != tc.stored || ev.Status() != memon.New {
				t.Errorf("deadline %s, watch-from %q, status %s; want %s, %q", ev.Deadline(), ev.WatchFrom, ev.Status(), tc.want, tc.stored)
			}
			if !strings.Contains(r.stdout, tc.said) {
				t.Errorf("set's message lacks %q:\n%s", tc.said, r.stdout)
			}
		})
	}
	t.Run("an edit to now arms a never-run event from the edit", func(t *testing.T) {
		t.Parallel()
		f := newFake()
		if r := runWith(t, f, t0, "set", "job", "--period", "1h"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		later := t0.Add(3 * time.Hour)
		if r := runWith(t, f, later, "set", "job", "--watch-from", "now"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		if got := f.Event("job").Deadline(); !got.Equal(later.Add(time.Hour)) {
			t.Errorf("deadline %s, want %s", got, later.Add(time.Hour))
		}
	})
	t.Run("a typo is refused with the accepted words", func(t *testing.T) {
		t.Parallel()
		r := runWith(t, newFake(), t0, "set", "job", "--period", "1h", "--watch-from", "creation")
		if r.code == 0 || !strings.Contains(r.stderr, "first-run") || !strings.Contains(r.stderr, "now") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
	})
}
