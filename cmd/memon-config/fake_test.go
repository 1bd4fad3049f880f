package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// t0 is the tests' fixed "now": a Wednesday, 10:00 UTC.
var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
	opened         int
}

// newFake is a store holding evs.
func newFake(evs ...*memon.Event) *fake.Store { return fake.NewStore(evs...) }

// runWith runs memon-config against a fake store with a fixed clock.
func runWith(t *testing.T, f *fake.Store, now time.Time, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	r := result{}
	a := &app{
		now: func() time.Time { return now }, local: time.UTC,
		env:    func(string) string { return "" },
		stdout: &out, stderr: &errb,
		open: func(context.Context, *globals) (store, error) { r.opened++; return f, nil },
	}
	r.code = a.run(context.Background(), args)
	r.stdout, r.stderr = out.String(), errb.String()
	return r
}

// mustSchedule builds a schedule or fails the test.
func mustSchedule(t *testing.T, kind memon.ScheduleKind, period time.Duration, expr, zone string) memon.Schedule {
	t.Helper()
	s, err := memon.NewSchedule(kind, period, expr, zone)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// event is a stored event with a schedule and a last run.
func event(t *testing.T, name string, period time.Duration, lastRun time.Time) *memon.Event {
	t.Helper()
	ev := memon.NewEvent(name, mustSchedule(t, memon.Rolling, period, "", ""))
	ev.Version = 3
	if !lastRun.IsZero() {
		ev.State = memon.Up
		ev.LastSuccessTime, ev.LastBlockTime, ev.NextBlockTime = lastRun, lastRun, lastRun.Add(period)
	}
	return ev
}
