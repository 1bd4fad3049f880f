package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// fakeStore is an in-memory store that records every call, so tests can
// prove that bad input reached no store at all.
type fakeStore struct {
	events    map[string]*memon.Event
	unusable  map[string]error // Get/List return the event with this error
	records   []dynamo.Record
	history   []memon.Transition
	calls     []string
	conflicts int // Save loses this many races first
}

func newFake(evs ...*memon.Event) *fakeStore {
	f := &fakeStore{events: map[string]*memon.Event{}, unusable: map[string]error{}}
	for _, ev := range evs {
		f.events[ev.Name] = ev
	}
	return f
}

func (f *fakeStore) copyOf(name string) *memon.Event {
	c := *f.events[name]
	return &c
}

func (f *fakeStore) Get(_ context.Context, name string) (*memon.Event, error) {
	f.calls = append(f.calls, "Get "+name)
	if _, ok := f.events[name]; !ok {
		return nil, fmt.Errorf("event %q: %w", name, memon.ErrNotFound)
	}
	return f.copyOf(name), f.unusable[name]
}

func (f *fakeStore) Save(_ context.Context, ev *memon.Event) error {
	f.calls = append(f.calls, "Save "+ev.Name)
	if f.conflicts > 0 {
		f.conflicts--
		f.events[ev.Name].Version++ // someone else wrote
		return dynamo.ErrConflict
	}
	cur, ok := f.events[ev.Name]
	if !ok || cur.Version != ev.Version {
		return dynamo.ErrConflict
	}
	ev.Version++
	c := *ev
	f.events[ev.Name] = &c
	delete(f.unusable, ev.Name)
	return nil
}

func (f *fakeStore) Create(_ context.Context, ev *memon.Event) error {
	f.calls = append(f.calls, "Create "+ev.Name)
	if _, ok := f.events[ev.Name]; ok {
		return dynamo.ErrExists
	}
	ev.Version = 1
	c := *ev
	f.events[ev.Name] = &c
	return nil
}

func (f *fakeStore) Delete(_ context.Context, name string) error {
	f.calls = append(f.calls, "Delete "+name)
	if _, ok := f.events[name]; !ok {
		return memon.ErrNotFound
	}
	delete(f.events, name)
	return nil
}

func (f *fakeStore) List(context.Context) ([]dynamo.Listed, error) {
	f.calls = append(f.calls, "List")
	var out []dynamo.Listed
	for name := range f.events {
		out = append(out, dynamo.Listed{Event: f.copyOf(name), Err: f.unusable[name]})
	}
	return out, nil
}

func (f *fakeStore) History(_ context.Context, name string, since time.Time) ([]dynamo.Record, error) {
	f.calls = append(f.calls, "History "+name+" "+since.UTC().Format(time.RFC3339))
	return f.records, nil
}

func (f *fakeStore) AppendHistory(_ context.Context, tr memon.Transition) error {
	f.calls = append(f.calls, "AppendHistory "+tr.Event)
	f.history = append(f.history, tr)
	return nil
}

// writes counts the calls that change the store.
func (f *fakeStore) writes() []string {
	var w []string
	for _, c := range f.calls {
		if !strings.HasPrefix(c, "Get") && !strings.HasPrefix(c, "List") && !strings.HasPrefix(c, "History") {
			w = append(w, c)
		}
	}
	return w
}

// t0 is the tests' fixed "now": a Wednesday, 10:00 UTC.
var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
	opened         int
}

// runWith runs memon-config against a fake store with a fixed clock.
func runWith(t *testing.T, f *fakeStore, now time.Time, args ...string) result {
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
func mustSchedule(t *testing.T, kind memon.Kind, period time.Duration, expr, zone string) memon.Schedule {
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
