package main

import (
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func TestSetControls(t *testing.T) {
	t.Parallel()
	f := newFake(event(t, "backup", time.Hour, t0.Add(-time.Minute)))
	r := runWith(t, f, t0, "set", "backup", "--failures-before-alert", "3", "--max-runtime", "2h", "--min-runtime", "30s",
		"--quiet", "Mon-Fri 22:00-23:30", "--quiet", "Sat,Sun 00:00-24:00", "--repeat-every", "4h")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	ev := f.Event("backup")
	if ev.FailuresBeforeAlert != 3 || ev.MaxRuntime != 2*time.Hour || ev.MinRuntime != 30*time.Second || len(ev.Quiet) != 2 ||
		ev.Quiet[1].String() != "Sat,Sun 00:00-24:00" || ev.RepeatEvery != 4*time.Hour {
		t.Errorf("controls %+v", ev.Config)
	}
	show := runWith(t, f, t0, "show", "backup").stdout
	if !strings.Contains(show, "alert controls: FAILED after 3 failures in a row (0 so far); min run time 30s; max run time 2h; DOWN reminders every 4h; quiet Mon,Tue,Wed,Thu,Fri 22:00-23:30; quiet Sat,Sun 00:00-24:00") {
		t.Errorf("show:\n%s", show)
	}

	// Off again; the other settings stay.
	runWith(t, f, t0, "set", "backup", "--max-runtime", "0", "--quiet", "none")
	ev = f.Event("backup")
	if ev.MaxRuntime != 0 || len(ev.Quiet) != 0 || ev.MinRuntime != 30*time.Second || ev.FailuresBeforeAlert != 3 {
		t.Errorf("after clearing: %+v", ev.Config)
	}
}

func TestSetControlsRefusesBadValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--failures-before-alert", "0"}, "--failures-before-alert"},
		{[]string{"--failures-before-alert", "many"}, "--failures-before-alert"},
		{[]string{"--max-runtime", "soon"}, "--max-runtime"},
		{[]string{"--min-runtime", "-5m"}, "--min-runtime"},
		{[]string{"--min-runtime", "2h", "--max-runtime", "1h"}, "not shorter than --max-runtime"},
		{[]string{"--quiet", "weekends"}, "Mon-Fri 22:00-23:30"},
		{[]string{"--repeat-every", "10s"}, "at least 1m"},
		{[]string{"--quiet", "Mon 22:00-25:00"}, "--quiet"},
	} {
		f := newFake(event(t, "backup", time.Hour, t0))
		r := runWith(t, f, t0, append([]string{"set", "backup"}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || len(f.Writes()) != 0 {
			t.Errorf("%v: exit %d %q, writes %v; want 2 naming %q and no write", tc.args, r.code, r.stderr, f.Writes(), tc.want)
		}
	}
}

func TestPauseUntil(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	cases := []struct {
		until string
		want  time.Time
	}{
		{"2h", t0.Add(2 * time.Hour)},
		{"2024-05-02T08:00:00Z", time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)},
		{"2024-05-02 08:00", time.Date(2024, 5, 2, 8, 0, 0, 0, berlin)},
		{"09:00", time.Date(2024, 5, 2, 9, 0, 0, 0, berlin)}, // t0 is 12:00 in Berlin: tomorrow
		{"13:00", time.Date(2024, 5, 1, 13, 0, 0, 0, berlin)},
	}
	for _, tc := range cases {
		ev := event(t, "etl", time.Hour, t0.Add(-time.Minute))
		ev.Schedule = mustSchedule(t, memon.Cron, 0, "0 3 * * *", "Europe/Berlin")
		f := newFake(ev)
		r := runWith(t, f, t0, "pause", "etl", "--until", tc.until)
		got := f.Event("etl")
		if r.code != exitOK || got.Enabled || !got.PausedUntil.Equal(tc.want) || !got.AlertAt().Equal(tc.want) {
			t.Errorf("--until %s: exit %d %s; paused until %v alert at %v, want %v", tc.until, r.code, r.stderr, got.PausedUntil, got.AlertAt(), tc.want)
		}
		if !strings.Contains(r.stdout, "paused until") {
			t.Errorf("stdout %q", r.stdout)
		}
	}
	for _, bad := range []string{"yesterday", "-1h", "2020-01-01T00:00:00Z", "400d"} {
		f := newFake(event(t, "etl", time.Hour, t0))
		if r := runWith(t, f, t0, "pause", "etl", "--until", bad); r.code != exitUsage || !strings.Contains(r.stderr, "--until") || len(f.Writes()) != 0 {
			t.Errorf("--until %s: exit %d %q", bad, r.code, r.stderr)
		}
	}
	// resume clears the time.
	f := newFake(event(t, "etl", time.Hour, t0))
	runWith(t, f, t0, "pause", "etl", "--until", "1h")
	runWith(t, f, t0, "resume", "etl")
	if ev := f.Event("etl"); !ev.Enabled || !ev.PausedUntil.IsZero() {
		t.Errorf("after resume: enabled %v until %v", ev.Enabled, ev.PausedUntil)
	}
}

func TestSetDependsOn(t *testing.T) {
	t.Parallel()
	f := newFake(event(t, "db", time.Hour, t0), event(t, "report", time.Hour, t0), event(t, "export", time.Hour, t0))
	if r := runWith(t, f, t0, "set", "report", "--depends-on", "db"); r.code != exitOK {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	runWith(t, f, t0, "set", "export", "--depends-on", "report")
	if got := f.Event("report").DependsOn; len(got) != 1 || got[0] != "db" {
		t.Errorf("report depends on %v", got)
	}
	if got := f.Event("db").Dependents; len(got) != 1 || got[0] != "report" {
		t.Errorf("db's dependents %v", got)
	}
	if show := runWith(t, f, t0, "show", "report").stdout; !strings.Contains(show, "depends on db") {
		t.Errorf("show:\n%s", show)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"set", "db", "--depends-on", "export"}, "dependency cycle db → export → report → db"},
		{[]string{"set", "db", "--depends-on", "db"}, "itself"},
		{[]string{"set", "report", "--depends-on", "nosuch"}, "no event has that name"},
	} {
		before := len(f.Writes())
		r := runWith(t, f, t0, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || len(f.Writes()) != before {
			t.Errorf("%v: exit %d %q (writes %v), want 2 naming %q", tc.args, r.code, r.stderr, f.Writes()[before:], tc.want)
		}
	}
	runWith(t, f, t0, "set", "report", "--depends-on", "none")
	if got := f.Event("report").DependsOn; len(got) != 0 {
		t.Errorf("after none: %v", got)
	}
}
