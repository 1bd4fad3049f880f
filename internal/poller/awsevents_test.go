package poller

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// awsEvent reads an example EventBridge event from the domain's testdata,
// with its job name replaced: the body is exactly what an EventBridge rule
// with an SQS target puts on the queue.
func awsEvent(t *testing.T, file, from, to string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "pkg", "memon", "testdata", "awsevents", file+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), from, to)
}

// TestAWSJobEventsBecomePings: a Batch FAILED and a Step Functions
// SUCCEEDED event, as EventBridge delivers them, give FAILED and a first run
// for configured events; the same events for names nobody configured give
// nothing at all (no CONFIG alert, no dead letter) and are counted.
func TestAWSJobEventsBecomePings(t *testing.T) {
	h := newHarness(t)
	h.create(h.rolling("batch:nightly-etl", 24*time.Hour))
	h.create(h.rolling("states:invoice-run", 24*time.Hour))
	h.shortVisibility()

	h.send(awsEvent(t, "batch_failed", "nightly-etl", "nightly-etl"))
	h.send(awsEvent(t, "states_succeeded", "invoice-run", "invoice-run"))
	h.send(awsEvent(t, "batch_failed", "nightly-etl", "someone-elses-job"))
	h.send(awsEvent(t, "states_succeeded", "invoice-run", "not-watched"))
	h.send(awsEvent(t, "batch_running", "nightly-etl", "nightly-etl"))
	sum := h.poll()

	got := h.alerts()
	if strings.Join(kinds(got), ",") != "batch:nightly-etl:failed" {
		t.Fatalf("alerts %v, want only batch:nightly-etl:failed", kinds(got))
	}
	if a := got[0]; a.Subject != "[MEMon] Failed: batch:nightly-etl" || !strings.Contains(a.Body, "Exit code:     3") ||
		!strings.Contains(a.Body, "7d4c9a10-1111-4b6e-8f00-0000000000aa") || !strings.Contains(a.Body, "17 rows rejected") {
		t.Fatalf("FAILED alert lacks the job's exit code, run id or reason:\n%s\n%s", a.Subject, a.Body)
	}
	etl := h.get("batch:nightly-etl")
	if etl.State != memon.Down || etl.LastExitCode == nil || *etl.LastExitCode != 3 || etl.LastDuration != 605500*time.Millisecond {
		t.Fatalf("batch event state=%s exit=%v duration=%s", etl.State, etl.LastExitCode, etl.LastDuration)
	}
	inv := h.get("states:invoice-run")
	if inv.State != memon.Up || inv.LastRunID != "daily-2026-03-02" || inv.NextBlockTime.IsZero() {
		t.Fatalf("step functions event state=%s run=%q next=%s, want up after its first run", inv.State, inv.LastRunID, inv.NextBlockTime)
	}
	recs, err := h.store.History(h.ctx, "states:invoice-run", time.Time{})
	if err != nil || len(recs) != 1 || recs[0].Reason != "first run" || recs[0].To != memon.Up {
		t.Fatalf("history %+v, %v; want one first-run record", recs, err)
	}
	if sum.AWSUnconfigured != 2 || sum.AWSIgnored != 1 || sum.Invalid != 0 || sum.Held != 0 || sum.ConfigAlerts != 0 {
		t.Fatalf("summary %+v: want 2 unconfigured and 1 ignored AWS events, nothing invalid, held or alerted", sum)
	}
	time.Sleep(2100 * time.Millisecond) // past the short visibility: anything kept would be back
	if n := h.queued(h.res.QueueURL); n != 0 {
		t.Fatalf("%d messages left in the queue: AWS events must never wait for the dead-letter queue", n)
	}
	if !strings.Contains(h.log.String(), `"aws_unconfigured":2`) {
		t.Fatalf("the poll summary line does not count the unconfigured AWS events:\n%s", h.log.String())
	}

	// The job's next run succeeds: UP.
	h.send(strings.Replace(awsEvent(t, "batch_succeeded_oldest", "report_daily", "nightly-etl"), "0e6b2a34", "0e6b2a35", 1))
	h.poll()
	if got := h.alerts(); strings.Join(kinds(got), ",") != "batch:nightly-etl:up" {
		t.Fatalf("alerts %v, want batch:nightly-etl:up", kinds(got))
	}
}
