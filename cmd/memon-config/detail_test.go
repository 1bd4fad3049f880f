package main

import (
	"strings"
	"testing"
	"time"
)

func TestWriteDetailWords(t *testing.T) {
	t.Parallel()
	f := newFake()
	for _, args := range [][]string{
		{"set", "never-ran", "--period", "1h"},
		{"set", "watched", "--period", "1h", "--watch-from", "now"},
		{"set", "nightly-db", "--period", "1d", "--max-alerts", "1", "--disabled"},
	} {
		if r := runWith(t, f, t0, args...); r.code != 0 {
			t.Fatalf("%v: %s", args, r.stderr)
		}
	}
	ev := f.Event("nightly-db")
	ev.LastDuration = 1010999999 * time.Nanosecond
	ev.LastSuccessTime = t0
	ev.LastRunID = "run-7"
	f.Put(ev)
	for name, want := range map[string][]string{
		"never-ran":  {"new: not watched until its first run", "--watch-from now"},
		"watched":    {"next deadline:  2024-05-01 11:00:00 UTC"},
		"nightly-db": {"duration 1.01s", "1 DOWN alert per outage", "memon-config resume nightly-db", "run id run-7"},
	} {
		r := runWith(t, f, t0, "show", name)
		if r.code != 0 {
			t.Fatalf("show %s: %s", name, r.stderr)
		}
		for _, w := range want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("show %s lacks %q:\n%s", name, w, r.stdout)
			}
		}
	}
}
