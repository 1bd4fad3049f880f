package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/peerj/memon/pkg/memon"
)

// TestShowFits120Columns: 30-character names, a cron event in
// its own zone and a long description fit 120 columns; the missed count is
// shown once; times are in each event's zone unless --utc; an event past
// deadline + grace that no poll has judged says "overdue".
func TestShowFits120Columns(t *testing.T) {
	t.Parallel()
	long := event(t, strings.Repeat("n", 30), time.Hour, t0.Add(-30*time.Minute))
	long.Description = strings.Repeat("a very long description ", 20)
	berlin := memon.NewEvent("etl-berlin-weekdays-0300-xxxxx", mustSchedule(t, memon.Cron, 0, "0 3 * * 1-5", "Europe/Berlin"))
	berlin.Version, berlin.State = 1, memon.Up
	berlin.LastSuccessTime, berlin.LastBlockTime, berlin.NextBlockTime = t0.Add(-time.Hour), t0.Add(-time.Hour), t0.Add(20*time.Hour)
	late := event(t, "overdue-job", time.Hour, t0.Add(-61*time.Minute)) // deadline 1m ago, no grace, not polled
	down := event(t, "down-job", time.Hour, t0.Add(-3*time.Hour))
	down.State, down.ErrorCount = memon.Down, 2
	f := newFake(long, berlin, late, down)
	r := runWith(t, f, t0, "show")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, line := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 120 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
	for _, want := range []string{strings.Repeat("n", 30) + "  ", "a very long descript…",
		"2024-05-02 08:00 CEST", "overdue-job                     overdue", "cron 0 3 * * 1-5"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "ERRORS(") {
		t.Errorf("the missed count is shown twice:\n%s", r.stdout)
	}
	utc := runWith(t, f, t0, "show", "--utc")
	if !strings.Contains(utc.stdout, "2024-05-02 06:00 UTC") || strings.Contains(utc.stdout, "CEST") {
		t.Errorf("show --utc:\n%s", utc.stdout)
	}
}

// TestShowEventDetail: every setting, the state, the last run
// with its output tail, the deadline in both zones and the last 10
// transitions.
func TestShowEventDetail(t *testing.T) {
	t.Parallel()
	ev := memon.NewEvent("etl", mustSchedule(t, memon.Cron, 0, "0 3 * * *", "Europe/Berlin"))
	ev.Version, ev.Description, ev.Grace, ev.MaxAlerts = 1, "loads the warehouse", 20*time.Minute, 4
	code := 3
	ev.State, ev.LastFailTime, ev.LastSuccessTime = memon.Down, t0.Add(-time.Hour), t0.Add(-25*time.Hour)
	ev.LastBlockTime, ev.NextBlockTime = t0.Add(-time.Hour), t0.Add(20*time.Hour)
	ev.LastExitCode, ev.LastDuration, ev.LastHost, ev.LastRunID = &code, 90*time.Second, "etl-1", "run-7"
	ev.LastMessage = "loading\ndisk full\x1b[2J\n"
	f := newFake(ev)
	for i := range 12 {
		f.AddHistory(memon.HistoryRecord{Name: "etl", At: t0.Add(time.Duration(i-20) * time.Hour), From: memon.Up, To: memon.Down,
			Alert: memon.KindDown, Reason: fmt.Sprintf("transition %d", i)})
	}
	r := runWith(t, f, t0, "show", "etl")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"etl\n", "description:    loads the warehouse", "status:         failed",
		`schedule:       cron "0 3 * * *" Europe/Berlin, grace 20m`, "max alerts:     4 DOWN alerts per outage",
		"next deadline:  2024-05-02 08:00:00 CEST Europe/Berlin = 2024-05-02 06:00:00 UTC (in 20h)",
		"last failure:   2024-05-01 11:00:00 CEST Europe/Berlin = 2024-05-01 09:00:00 UTC (1h ago)",
		"last run:       duration 1m30s, exit code 3, host etl-1, run id run-7",
		"    | loading\n    | disk full\\x1b[2J\n",
		"ping token:", "alert controls:", "Last 10 transitions", "transition 11", "transition 2\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("detail lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "transition 1\n") || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("more than 10 transitions, or a raw escape:\n%s", r.stdout)
	}
}

func TestSetTagAndShowTag(t *testing.T) {
	t.Parallel()
	f := newFake(event(t, "load", time.Hour, t0.Add(-time.Hour)), event(t, "mail", time.Hour, t0.Add(-time.Hour)))
	if r := runWith(t, f, t0, "set", "load", "--tag", "data", "--tag", "nightly"); r.code != exitOK {
		t.Fatalf("set --tag: %s", r.stderr)
	}
	r := runWith(t, f, t0, "show", "--tag", "data")
	if !strings.Contains(r.stdout, "load") || strings.Contains(r.stdout, "mail") || !strings.Contains(r.stdout, "[data, nightly]") {
		t.Errorf("show --tag data:\n%s", r.stdout)
	}
	if r := runWith(t, f, t0, "show", "load"); !strings.Contains(r.stdout, "tags:           data, nightly") {
		t.Errorf("show load has no tags row:\n%s", r.stdout)
	}
	if r := runWith(t, f, t0, "show", "--tag", "nobody", "--json"); strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("show --tag nobody --json: %s", r.stdout)
	}
	for _, bad := range [][]string{{"--tag", "Data"}, {"--tag", "a b!"}, {"--tag", "none", "--tag", strings.Repeat("x", 41)}} {
		r := runWith(t, f, t0, append([]string{"set", "load"}, bad...)...)
		if r.code == exitOK || !strings.Contains(r.stderr, "--tag") {
			t.Errorf("set load %q: exit %d, %s", bad, r.code, r.stderr)
		}
	}
	if r := runWith(t, f, t0, "set", "load", "--tag", "none"); r.code != exitOK {
		t.Fatalf("set --tag none: %s", r.stderr)
	}
	if ev, _ := f.Get(context.Background(), "load"); len(ev.Tags) != 0 {
		t.Errorf("--tag none left %q", ev.Tags)
	}
}
