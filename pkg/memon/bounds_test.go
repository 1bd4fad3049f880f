package memon

import (
	"strings"
	"testing"
	"time"
)

func TestValidateDescription(t *testing.T) {
	t.Parallel()
	if err := ValidateDescription(strings.Repeat("d", MaxDescriptionLen)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	err := ValidateDescription(strings.Repeat("d", 120*1024))
	if err == nil || !strings.Contains(err.Error(), "description") || !strings.Contains(err.Error(), "1024") {
		t.Fatalf("120 KB description: %v, want an error naming the field and the limit", err)
	}
	if got := LimitDescription(strings.Repeat("é", 1000)); len(got) > MaxDescriptionLen || !strings.HasPrefix(strings.Repeat("é", 1000), got) {
		t.Fatalf("LimitDescription cut %d bytes or split a rune", len(got))
	}
}

// TestOutboxIsCappedAndCoalesced: whatever piles up while
// nothing can be delivered, the outbox holds at most MaxOutbox entries;
// older ones are folded into the next, an unpublished alert among them
// stays to be published and says what it stands for.
func TestOutboxIsCappedAndCoalesced(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	ev.MaxAlerts = 1000
	now := at(3600)
	for i := range 200 { // 200 hours of DOWN with nothing delivered
		now = now.Add(time.Hour)
		if _, ok := ev.CheckDue(now); !ok {
			t.Fatalf("hour %d: no DOWN", i)
		}
		for _, tr := range ev.Claim(now) {
			ev.DeliveryFailed(tr.ID, now)
		}
	}
	if len(ev.Outbox) != MaxOutbox {
		t.Fatalf("outbox %d entries, want the cap %d", len(ev.Outbox), MaxOutbox)
	}
	total := 0
	for _, tr := range ev.Outbox {
		total += 1 + tr.Coalesced
		if tr.Alert == nil || tr.Published {
			t.Fatalf("entry %s lost its waiting alert", tr.ID)
		}
		if len(tr.Reason) > MaxReasonLen {
			t.Fatalf("reason of %d bytes", len(tr.Reason))
		}
	}
	if total != 200 {
		t.Fatalf("outbox stands for %d transitions, want all 200", total)
	}
	first := ev.Outbox[0]
	if !strings.Contains(first.Reason, "earlier transitions since") || first.Since.IsZero() {
		t.Fatalf("coalesced entry does not say what it stands for: %q", first.Reason)
	}
	a := ev.PendingAlert(first)
	if !strings.Contains(a.Body, "coalesced while waiting for delivery") || a.Subject != "[MEMon] Down: job" {
		t.Fatalf("coalesced alert:\n%s\n%s", a.Subject, a.Body)
	}
}

// TestPendingAlertKeepsOutputOnlyForTheLatestRun: a retried alert is
// rendered from the event; the job output is stored once (LastMessage) and
// belongs to the latest run only.
func TestPendingAlertKeepsOutputOnlyForTheLatestRun(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	p1 := fail("job", at(100), 3)
	p1.Message = "first run output"
	ev.Apply(p1)
	p2 := fail("job", at(200), 4)
	p2.Message = "second run output"
	ev.Apply(p2)
	if len(ev.Outbox) != 2 {
		t.Fatalf("outbox %d", len(ev.Outbox))
	}
	stored := func(tr Transition) Transition { // as the store keeps it: no text
		a := *tr.Alert
		a.Body = ""
		tr.Alert = &a
		return tr
	}
	older, newer := ev.PendingAlert(stored(ev.Outbox[0])), ev.PendingAlert(stored(ev.Outbox[1]))
	if strings.Contains(older.Body, "output") || strings.Contains(older.Body, "Exit code:     4") {
		t.Fatalf("the earlier run's alert carries the later run's output:\n%s", older.Body)
	}
	if !strings.Contains(older.Body, "exit code 3") {
		t.Fatalf("the earlier run's alert lost its reason:\n%s", older.Body)
	}
	if !strings.Contains(newer.Body, "second run output") {
		t.Fatalf("the latest run's alert lacks its output:\n%s", newer.Body)
	}
}
