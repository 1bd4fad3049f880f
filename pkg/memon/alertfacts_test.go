package memon

import (
	"testing"
	"time"
)

// TestAlertFactsFollowTheTransition: a decided alert carries the facts its
// text shows, and a retry that renders it again (PendingAlert) carries the
// same ones.
func TestAlertFactsFollowTheTransition(t *testing.T) {
	t.Parallel()
	s, err := NewSchedule(Rolling, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := NewEvent("job", s)
	t0 := at(1700000000)
	ev.Apply(Ping{Name: "job", Signal: Success, SentAt: t0})
	code := 2
	trs, _ := ev.Apply(Ping{Name: "job", Signal: Fail, SentAt: t0.Add(time.Minute), ExitCode: &code, RunID: "r1", Host: "h1",
		Duration: 1500 * time.Millisecond, Message: "boom"})
	f := trs[0].Alert.Facts
	if f.ID != trs[0].ID || !f.At.Equal(t0.Add(time.Minute)) || f.State != Down || f.ExitCode == nil || *f.ExitCode != 2 ||
		f.RunID != "r1" || f.Host != "h1" || f.Duration != 1.5 || f.Message != "boom" || !f.LastRun.Equal(t0.Add(time.Minute)) ||
		!f.LastSuccess.Equal(t0) || !f.Deadline.Equal(t0.Add(time.Minute+time.Hour)) {
		t.Fatalf("FAILED facts %+v", f)
	}
	stored := trs[0]
	stored.Alert = &Alert{Kind: stored.Alert.Kind, Event: "job"} // as the store keeps it: no text
	if again := ev.PendingAlert(stored); again.Facts.ID != f.ID || again.Facts.RunID != "r1" || again.Facts.ExitCode == nil {
		t.Fatalf("retried alert facts %+v, want %+v", again.Facts, f)
	}

	downs, _ := ev.CheckDue(t0.Add(5 * time.Hour))
	d := downs[0].Alert.Facts
	if d.State != Down || d.Missed == 0 || d.ExitCode != nil || d.RunID != "" || d.Deadline.IsZero() {
		t.Fatalf("DOWN facts %+v: want missed runs and the deadline, not the last run's details", d)
	}
}
