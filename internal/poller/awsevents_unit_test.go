package poller

import (
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// TestUnitAWSEvents (under -short, on the fakes): AWS job events for
// configured jobs are pings; for unconfigured jobs, and states that end no
// run, they are deleted and counted, with no alert of any kind.
func TestUnitAWSEvents(t *testing.T) {
	w := newWorld(t)
	w.rolling("batch:nightly-etl", 24*time.Hour, time.Time{})
	w.queue.Send(awsEvent(t, "batch_failed", "nightly-etl", "nightly-etl"))
	w.queue.Send(awsEvent(t, "glue_timeout", "clickstream to parquet", "not watched"))
	w.queue.Send(awsEvent(t, "glue_timeout", "clickstream to parquet", "not watched either"))
	w.queue.Send(awsEvent(t, "ecs_running", "s3-sync", "s3-sync"))
	w.clock.Advance(time.Second)
	sum := w.poll()
	if got := w.alerts(); got != "batch:nightly-etl:failed" {
		t.Fatalf("alerts %q, want only the configured job's FAILED", got)
	}
	if ev := w.get("batch:nightly-etl"); ev.State != memon.Down || ev.LastExitCode == nil || *ev.LastExitCode != 3 {
		t.Fatalf("state %s exit %v", ev.State, ev.LastExitCode)
	}
	if sum.AWSUnconfigured != 2 || sum.AWSIgnored != 1 || sum.Held != 0 || sum.Invalid != 0 || sum.ConfigAlerts != 0 {
		t.Fatalf("summary %+v", sum)
	}
	if w.queue.Len() != 0 {
		t.Fatalf("%d messages left: unconfigured AWS events must not wait for the dead-letter queue", w.queue.Len())
	}
}

// TestUnitAWSEventsNeverAutoCreate: with auto-create on (pings through the
// ping URL create their events), AWS still reports every job of the account,
// and only configured ones are watched: no event is created from an AWS event.
func TestUnitAWSEventsNeverAutoCreate(t *testing.T) {
	w := newWorld(t)
	w.queue.Send(awsEvent(t, "states_succeeded", "invoice-run", "invoice-run"))
	w.clock.Advance(time.Second)
	sum := w.pollWith(Config{AutoCreatePeriod: 24 * time.Hour})
	if sum.AWSUnconfigured != 1 || sum.AutoCreated != 0 || w.queue.Len() != 0 {
		t.Fatalf("summary %+v, %d queued", sum, w.queue.Len())
	}
	if _, err := w.store.Get(w.ctx, "states:invoice-run"); err == nil {
		t.Fatal("an AWS event created an event")
	}
}
