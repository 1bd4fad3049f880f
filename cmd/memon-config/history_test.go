package main

import (
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// A superseded failure is a history line of its own kind, so `history` and
// `show` tell it from the success that made it old news.
func TestWriteHistoryMarksASupersededFailure(t *testing.T) {
	at := time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)
	var b strings.Builder
	err := writeHistory(&b, []memon.HistoryRecord{
		{Name: "job", At: at, From: memon.Up, To: memon.Up, Reason: "superseded: the job reported a failure", Superseded: true},
		{Name: "job", At: at.Add(time.Minute), From: memon.Down, To: memon.Up, Alert: memon.KindUp, Reason: "ok"},
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "failure (superseded)") || strings.Contains(lines[2], "superseded") {
		t.Errorf("history:\n%s", b.String())
	}
}
