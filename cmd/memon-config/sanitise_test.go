package main

import (
	"strings"
	"testing"
	"time"
)

// TestListingsNeverPrintControlCharacters: an item edited in the DynamoDB
// console (or written by memon.py) can hold anything; show, history and html
// print it escaped on one line.
func TestListingsNeverPrintControlCharacters(t *testing.T) {
	t.Parallel()
	ev := event(t, "backup", time.Hour, t0.Add(-time.Minute))
	ev.Description = "dumps\x1b]0;owned\x07 the db\nSTATUS up"
	ev.LastHost, ev.LastRunID, ev.LastMessage = "h\x1b[31m", "r\r1", "out\x1b[2J"
	for _, args := range [][]string{{"show"}, {"show", "backup"}, {"html"}} {
		r := runWith(t, newFake(ev), t0, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		if strings.ContainsAny(r.stdout, "\x1b\x07\r") {
			t.Errorf("%v prints control characters: %q", args, r.stdout)
		}
		if !strings.Contains(r.stdout, `dumps\x1b]0;owned\x07 the db\nSTATUS up`) {
			t.Errorf("%v does not show the description escaped:\n%s", args, r.stdout)
		}
	}
}
