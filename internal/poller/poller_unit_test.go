package poller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// Unit tests of the poll against the in-memory fakes: they run under -short
// with no server. The moto tests (poller_test.go) keep what only AWS proves.

func TestUnitPingIsStoredThenDeleted(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, time.Time{})
	// memon.py's body, exactly: name and an integer time.
	w.queue.Send(fmt.Sprintf(`{"name": "backup", "time": %d}`, day0.Unix()))
	w.clock.Advance(3 * time.Second)
	sum := w.poll()
	ev := w.get("backup")
	if ev.State != memon.Up || !ev.LastSuccessTime.Equal(day0) || !ev.NextBlockTime.Equal(day0.Add(time.Hour)) {
		t.Fatalf("state %s success %s next %s: want up, the queue's SentAt and one period on", ev.State, ev.LastSuccessTime, ev.NextBlockTime)
	}
	if sum.Pings != 1 || sum.Updated != 1 || !sum.Drained || sum.Errors != 0 {
		t.Fatalf("summary %+v", sum)
	}
	if w.queue.Len() != 0 {
		t.Fatalf("%d messages left after the state was stored", w.queue.Len())
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %s: a first run alerts nobody", got)
	}
	if recs := w.store.Records("backup"); len(recs) != 1 || recs[0].Reason != "first run" {
		t.Fatalf("history %+v, want the first run", recs)
	}
	if len(w.get("backup").Outbox) != 0 {
		t.Fatal("delivered transition left in the outbox")
	}
}

func TestUnitQueueDelayNeverMakesAJobLate(t *testing.T) {
	w := newWorld(t)
	w.rolling("quick", time.Hour, day0.Add(2*time.Second))
	w.ping("quick", memon.Success) // sent before the deadline
	w.clock.Advance(10 * time.Minute)
	w.poll() // processed long after it
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %s: a ping sent on time was judged by its processing time", got)
	}
	if ev := w.get("quick"); ev.State != memon.Up || ev.ErrorCount != 0 {
		t.Fatalf("state %s errors %d", ev.State, ev.ErrorCount)
	}
}

func TestUnitDownRepeatsUpToMaxAlertsThenUp(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, day0.Add(-time.Minute), func(ev *memon.Event) { ev.MaxAlerts = 2 })
	sum := w.poll()
	if got := w.alerts(); got != "backup:down" || sum.Down != 1 || sum.Due != 1 {
		t.Fatalf("alerts %q summary %+v, want one DOWN", got, sum)
	}
	w.poll()
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q: DOWN repeated within the same period", got)
	}
	for i, want := range []string{"backup:down", "", ""} { // the second period alerts, then MaxAlerts=2 is reached
		w.clock.Advance(time.Hour)
		w.poll()
		if got := w.alerts(); got != want {
			t.Fatalf("period %d: alerts %q, want %q", i+2, got, want)
		}
	}
	if ev := w.get("backup"); ev.ErrorCount != 4 || ev.State != memon.Down {
		t.Fatalf("errors %d state %s: every missed period counts", ev.ErrorCount, ev.State)
	}
	w.ping("backup", memon.Success)
	w.poll()
	if got := w.alerts(); got != "backup:up" {
		t.Fatalf("alerts %q, want UP", got)
	}
	var trail []string
	for _, r := range w.store.Records("backup") {
		trail = append(trail, fmt.Sprintf("%s>%s/%s", r.From, r.To, r.Alert))
	}
	if want := "new>down/down,down>down/down,down>down/,down>down/,down>up/up"; strings.Join(trail, ",") != want {
		t.Fatalf("history %v, want %s", trail, want)
	}
}

func TestUnitLateAndFailed(t *testing.T) {
	w := newWorld(t)
	w.rolling("late", time.Hour, day0.Add(-2*time.Minute), func(ev *memon.Event) { ev.Grace = time.Minute })
	w.rolling("broken", time.Hour, day0.Add(time.Hour))
	w.ping("late", memon.Success)
	code := 3
	b := fmt.Sprintf(`{"name": "broken", "time": %d, "signal": "fail", "exit_code": %d}`, day0.Unix(), code)
	w.queue.Send(b)
	w.poll()
	if got := w.alerts(); got != "broken:failed,late:late" {
		t.Fatalf("alerts %q", got)
	}
	if ev := w.get("broken"); ev.State != memon.Down || ev.LastExitCode == nil || *ev.LastExitCode != code {
		t.Fatalf("broken: state %s exit %v", ev.State, ev.LastExitCode)
	}
}

func TestUnitUnknownEventGetsOneConfigAlertAnHourAndItsPingStays(t *testing.T) {
	w := newWorld(t)
	w.ping("typo", memon.Success)
	sum := w.poll()
	if got := w.alerts(); got != "typo:config" || sum.ConfigAlerts != 1 || sum.Held != 1 {
		t.Fatalf("alerts %q summary %+v", got, sum)
	}
	if w.queue.Len() != 1 {
		t.Fatal("the ping for an unknown event left the queue: it must reach the dead-letter queue to be redriven")
	}
	w.clock.Advance(2 * time.Minute) // past the visibility timeout: redelivered, same hour
	w.poll()
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q: a second CONFIG alert within the hour", got)
	}
	w.clock.Advance(time.Hour)
	w.poll()
	if got := w.alerts(); got != "typo:config" {
		t.Fatalf("alerts %q: the next hour alerts again", got)
	}
	for range 4 {
		w.clock.Advance(2 * time.Minute)
		w.poll()
	}
	if w.queue.Len() != 0 || w.dlq.Len() != 1 {
		t.Fatalf("queue %d dead letters %d: after 5 receives the ping moves to the dead-letter queue", w.queue.Len(), w.dlq.Len())
	}
}

func TestUnitUnusableItemGetsConfigAlert(t *testing.T) {
	w := newWorld(t)
	w.rolling("legacy", time.Hour, day0.Add(-time.Minute))
	w.store.MarkUnusable("legacy", &memon.FieldError{Field: "Period", Value: "abc", Want: "seconds"})
	w.ping("legacy", memon.Success)
	sum := w.poll()
	if got := w.alerts(); got != "legacy:config" || sum.Held != 1 {
		t.Fatalf("alerts %q summary %+v, want one CONFIG (from the ping; the due check skips a held event)", got, sum)
	}
	w.queue.Delete(w.ctx, w.queue.Messages()) // no ping waiting: the due index still lists the broken item
	w.clock.Advance(time.Hour)
	w.poll()
	if got := w.alerts(); got != "legacy:config" {
		t.Fatalf("alerts %q: the due check of an unusable item alerts CONFIG", got)
	}
}

func TestUnitConfigAlertIsRetriedWhenItsPublishFails(t *testing.T) {
	w := newWorld(t)
	w.ping("typo", memon.Success)
	w.faults.FailNth(fake.OpPublish, 1)
	if _, err := w.poller(Config{}).Poll(w.ctx); err == nil {
		t.Fatal("a failed publish must fail the poll")
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q", got)
	}
	w.clock.Advance(2 * time.Minute)
	w.poll()
	if got := w.alerts(); got != "typo:config" {
		t.Fatalf("alerts %q: the released claim must let a later poll alert", got)
	}
}

func TestUnitMalformedPingsEndInTheDeadLetterQueue(t *testing.T) {
	w := newWorld(t)
	w.queue.Send(`{"name": "x"`)
	w.queue.Send(`{"time": 1}`)
	for range 6 {
		sum := w.poll()
		if sum.Errors != 0 {
			t.Fatalf("a malformed ping is not an error of the poll: %+v", sum)
		}
		w.clock.Advance(2 * time.Minute)
	}
	if w.queue.Len() != 0 || w.dlq.Len() != 2 {
		t.Fatalf("queue %d dead letters %d, want 0 and 2", w.queue.Len(), w.dlq.Len())
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q", got)
	}
}

func TestUnitRedeliveredAndOutOfOrderPingsAreStale(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, time.Time{})
	w.ping("backup", memon.Success)
	w.clock.Advance(time.Minute)
	w.ping("backup", memon.Success)
	w.queue.NewestFirst = true
	w.queue.Batch = 1
	w.faults.FailNth(fake.OpDelete, 1) // the first delete fails: the pings come back
	sum, err := w.poller(Config{Receivers: 1, RoundSize: 1}).Poll(w.ctx)
	if sum.Undeleted == 0 || sum.Errors == 0 || err == nil {
		t.Fatalf("summary %+v error %v: a failed delete is counted and fails the poll (a delete that always fails must not wait for the dead-letter alarm)", sum, err)
	}
	newest := w.get("backup").LastSuccessTime
	w.clock.Advance(2 * time.Minute)
	sum = w.poll()
	if sum.Stale != sum.Pings || sum.Pings == 0 {
		t.Fatalf("summary %+v: every redelivered or older ping is stale", sum)
	}
	if got := w.get("backup").LastSuccessTime; !got.Equal(newest) || !got.Equal(day0.Add(time.Minute)) {
		t.Fatalf("LastSuccessTime %s, want the newest ping's %s: time never goes backwards", got, newest)
	}
	if w.queue.Len() != 0 {
		t.Fatal("stale pings must be deleted")
	}
}

// TestUnitFailureDeliveredAfterALaterSuccessIsRecorded: SQS hands the
// failure over after the later success; the poll records it in history
// (marked superseded) and in the day's counts, and sends no FAILED alert.
func TestUnitFailureDeliveredAfterALaterSuccessIsRecorded(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, time.Time{})
	w.ping("backup", memon.Fail)
	w.clock.Advance(time.Minute)
	w.ping("backup", memon.Success)
	w.queue.NewestFirst = true
	w.queue.Batch = 1
	if sum := w.pollWith(Config{Receivers: 1, RoundSize: 1}); sum.Errors != 0 || w.queue.Len() != 0 {
		t.Fatalf("summary %+v, %d left in the queue", sum, w.queue.Len())
	}
	if got := w.alerts(); got != "" {
		t.Errorf("alerts %q: a failure superseded by a later success alerts nobody", got)
	}
	var superseded []memon.HistoryRecord
	for _, r := range w.store.Records("backup") {
		if r.Superseded {
			superseded = append(superseded, r)
		}
	}
	if len(superseded) != 1 || !superseded[0].At.Equal(day0) || !strings.Contains(superseded[0].Reason, "superseded") {
		t.Fatalf("history %+v: want the failure at %s recorded, marked superseded", w.store.Records("backup"), day0)
	}
	ev := w.get("backup")
	if ev.State != memon.Up || ev.Today.Failures != 1 || ev.Today.Runs != 2 {
		t.Errorf("state %s, day counts %+v: want up, 2 runs, 1 failure", ev.State, ev.Today)
	}
}

func TestUnitHeldEventIsNotJudged(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, day0.Add(-time.Minute))
	w.ping("backup", memon.Success)
	w.faults.FailAlways(fake.OpSave)
	sum := w.poll()
	if sum.Held != 1 || sum.Down != 0 || w.queue.Len() != 1 || sum.Errors == 0 {
		t.Fatalf("summary %+v queue %d: a ping that could not be stored stays and its event is not judged", sum, w.queue.Len())
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q: DOWN while the event's ping waits", got)
	}
	w.faults.Heal(fake.OpSave)
	w.clock.Advance(2 * time.Minute)
	w.poll()
	if got := w.alerts(); got != "backup:late" {
		t.Fatalf("alerts %q: the ping sent after the deadline is LATE, never DOWN", got)
	}
}

func TestUnitOutboxIsDeliveredByALaterPollAfterAFailedPublish(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, day0.Add(-time.Minute))
	w.faults.FailAlways(fake.OpPublish)
	w.poll()
	ob := w.get("backup").Outbox
	if len(ob) != 1 || ob[0].Tries != 1 || !ob[0].NextTry.After(w.clock.Now()) {
		t.Fatalf("outbox %+v: the failed alert waits with a backoff", ob)
	}
	w.faults.Heal(fake.OpPublish)
	w.clock.Advance(time.Minute)
	w.poll()
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q: retried before its backoff", got)
	}
	w.clock.Advance(5 * time.Minute)
	sum := w.poll()
	if got := w.alerts(); got != "backup:down" || sum.AlertsSent != 1 {
		t.Fatalf("alerts %q summary %+v: the outbox is delivered once its retry time comes", got, sum)
	}
	if ob := w.get("backup").Outbox; len(ob) != 0 {
		t.Fatalf("outbox %+v after delivery", ob)
	}
	if recs := w.store.Records("backup"); len(recs) != 1 {
		t.Fatalf("history %+v: a retried delivery overwrites its record", recs)
	}
}

func TestUnitLostRacesAreRetriedThenGiveUp(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, time.Time{})
	w.ping("backup", memon.Success)
	w.store.LoseRaces(2)
	sum := w.poll()
	if sum.Updated != 1 || sum.Errors != 0 || w.get("backup").State != memon.Up {
		t.Fatalf("summary %+v: two lost races are re-read and re-applied", sum)
	}
	w.clock.Advance(time.Second)
	w.ping("backup", memon.Success)
	w.store.LoseRaces(100)
	_, err := w.poller(Config{Attempts: 3}).Poll(w.ctx)
	if err == nil || !strings.Contains(w.logText(), errTooManyWriters.Error()) {
		t.Fatalf("err %v: a write that keeps losing gives up and says why", err)
	}
	if w.queue.Len() != 1 {
		t.Fatal("the ping of a write that gave up must stay queued")
	}
}

// TestUnitLaggingStreamDecidesNothingWrong: the stream is behind the
// poller's own writes (a record not readable yet is older than what the
// poller wrote): the deadline table keeps the newer deadline, and nothing is
// judged on the older one.
func TestUnitLaggingStreamDecidesNothingWrong(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, day0.Add(-time.Minute))
	p := w.poller(Config{}).WatchChanges(w.store)
	w.store.HoldStream() // the ping's write is not on the stream yet
	w.clock.Advance(-2 * time.Minute)
	w.ping("backup", memon.Success) // sent before the deadline
	w.clock.Advance(2 * time.Minute)
	sum, _ := p.Poll(w.ctx)
	if got := w.alerts(); got != "" || sum.Down != 0 {
		t.Fatalf("alerts %q summary %+v: the consistent read says it ran", got, sum)
	}
	w.store.ReleaseStream()
	w.clock.Advance(time.Minute)
	if sum, _ := p.Poll(w.ctx); sum.Due != 0 || sum.Down != 0 {
		t.Fatalf("summary %+v: caught up, nothing is due", sum)
	}
}

// TestUnitMemonPyItemsAreJudgedAtOnceAndReconciled: an item as memon.py
// wrote it (no Version, no State) is in the deadline table from the first
// poll, which judges it; the hourly reconcile rewrites what is left of such
// items and reports unusable ones.
func TestUnitMemonPyItemsAreJudgedAtOnceAndReconciled(t *testing.T) {
	w := newWorld(t)
	s, _ := memon.NewSchedule(memon.Fixed, time.Hour, "", "")
	seed := memon.NewEvent("nightly", s)
	seed.SetInitial(day0.Add(-time.Hour))
	w.store.PutUnindexed(seed) // as memon.py wrote it: no Version
	fine := memon.NewEvent("fine", s)
	fine.SetInitial(day0.Add(time.Hour))
	w.store.PutUnindexed(fine)
	w.rolling("broken", time.Hour, time.Time{})
	w.store.MarkUnusable("broken", &memon.FieldError{Field: "Type", Value: "weekly", Want: "rolling, fixed or cron"})
	if sum := w.poll(); sum.Down != 1 {
		t.Fatalf("summary %+v: the overdue memon.py item is judged by the first poll", sum)
	}
	if got := w.alerts(); got != "broken:config,nightly:down" {
		t.Fatalf("alerts %q, want nightly DOWN and the unusable item reported", got)
	}
	// The first poll of an hour reconciles.
	w.clock.Advance(time.Hour - 30*time.Second)
	sum, _ := w.poller(Config{ReconcileEvery: time.Hour}).Poll(w.ctx)
	if !sum.ReconcileRan || sum.Reconciled != 1 {
		t.Fatalf("summary %+v: reconcile rewrites the memon.py item nothing wrote since", sum)
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q, want none within the hour after the CONFIG alert", got)
	}
	w.clock.Advance(30 * time.Second) // a sliding hour after the first CONFIG alert
	w.poll()
	if got := w.alerts(); !strings.Contains(got, "broken:config") {
		t.Fatalf("alerts %q, want the unusable item reported again an hour on", got)
	}
	// memon-poller --reconcile runs it on demand.
	if sum := w.poller(Config{}).Reconcile(w.ctx); !sum.ReconcileRan || sum.Reconciled != 0 {
		t.Fatalf("summary %+v: nothing left to fix", sum)
	}
}

func TestUnitNoOverdueDecisionWithoutADrainedQueue(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, day0.Add(-time.Minute))
	w.faults.FailAlways(fake.OpReceive)
	sum, err := w.poller(Config{}).Poll(w.ctx)
	if err == nil || sum.Drained || sum.Down != 0 || w.alerts() != "" {
		t.Fatalf("err %v summary %+v: an unreachable queue means no overdue decisions", err, sum)
	}
	w.faults.Heal(fake.OpReceive)
	// A context whose deadline leaves less than the reserve: no time to drain.
	ctx, cancel := context.WithDeadline(w.ctx, w.clock.Now().Add(5*time.Second))
	defer cancel()
	sum, _ = w.poller(Config{}).Poll(ctx)
	if sum.Drained || sum.Down != 0 {
		t.Fatalf("summary %+v: out of time, nothing judged", sum)
	}
	if sum := w.poll(); sum.Down != 1 || w.alerts() != "backup:down" {
		t.Fatalf("summary %+v: a drained poll decides", sum)
	}
}

func TestUnitFourPollersAlertEachTransitionExactlyOnce(t *testing.T) {
	w := newWorld(t)
	want := map[string]int{}
	for i := range 10 {
		onTime := w.rolling(fmt.Sprintf("ontime-%d", i), 24*time.Hour, day0.Add(time.Hour))
		down := w.rolling(fmt.Sprintf("down-%d", i), 24*time.Hour, day0.Add(-time.Minute))
		want[down.Name+":down"] = 1
		late := w.rolling(fmt.Sprintf("late-%d", i), 24*time.Hour, day0.Add(-2*time.Minute), func(ev *memon.Event) { ev.Grace = time.Minute })
		want[late.Name+":late"] = 1
		up := w.rolling(fmt.Sprintf("up-%d", i), 24*time.Hour, day0.Add(-time.Hour), func(ev *memon.Event) { ev.State, ev.ErrorCount = memon.Down, 1 })
		want[up.Name+":up"] = 1
		failed := w.rolling(fmt.Sprintf("failed-%d", i), 24*time.Hour, day0.Add(time.Hour))
		want[failed.Name+":failed"] = 1
		w.ping(failed.Name, memon.Fail)
		for _, name := range []string{onTime.Name, late.Name, up.Name} {
			w.ping(name, memon.Success)
			w.clock.Advance(time.Millisecond)
			w.ping(name, memon.Success) // a second run: no second transition
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = w.pollerWithoutLease(Config{Receivers: 2, RoundSize: 10, Workers: 3}).Poll(w.ctx)
		}()
	}
	wg.Wait()
	w.clock.Advance(10 * time.Minute)
	w.poll() // settle anything a poller left in flight
	got := perEvent(w.pub.Alerts())
	foldLateRaces(got, "late-", 10)
	alertedExactly(t, got, want)
}

// TestUnitNoPingOrAlertLostWhenAnyCallFailsOnce injects one failure into
// each call a poll makes, in turn, then lets later polls run: every ping
// ends stored, every alert published (a duplicate after a failure is
// allowed, a loss is not), the queue empty and every outbox delivered.
func TestUnitNoPingOrAlertLostWhenAnyCallFailsOnce(t *testing.T) {
	// A run without faults counts the calls each port gets.
	calls := map[fake.Op]int{}
	clean := newWorld(t)
	recoveryScenario(clean)
	for _, op := range fake.Ops {
		calls[op] = clean.faults.Calls(op)
	}
	for _, op := range fake.Ops {
		for call := 1; call <= min(calls[op], 4); call++ {
			t.Run(fmt.Sprintf("%s-%d", op, call), func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				w.faults.FailNth(op, call)
				recoveryScenario(w)
				if w.faults.Pending() {
					t.Fatalf("the fault at %s call %d never fired", op, call)
				}
				got := map[string]int{}
				for _, a := range w.pub.Alerts() {
					got[a.Event+":"+string(a.Kind)]++
				}
				for _, k := range []string{"missed:down", "late:late", "back:up", "broken:failed", "typo:config"} {
					if got[k] < 1 || got[k] > 2 {
						t.Errorf("%s alerted %d times, want 1 (2 at most after a failure)", k, got[k])
					}
				}
				for _, n := range []string{"ontime", "late", "back"} {
					if w.get(n).LastSuccessTime.IsZero() {
						t.Errorf("the ping for %s was lost", n)
					}
				}
				if w.get("broken").LastFailTime.IsZero() {
					t.Error("the fail ping was lost")
				}
				if n := w.queue.Len(); n != 1 { // the unknown event's ping waits for the dead-letter queue
					t.Errorf("%d pings queued after recovery, want only the unknown event's", n)
				}
				for _, n := range []string{"ontime", "missed", "late", "back", "broken"} {
					if ob := w.get(n).Outbox; len(ob) != 0 {
						t.Errorf("%s still has %d undelivered transitions", n, len(ob))
					}
				}
			})
		}
	}
}

// recoveryScenario is an on-time, a missed, a late, a recovering and a
// failing event, a ping for an unknown one, then four polls (the first at
// the top of the hour, so the reconcile runs too) spaced past the retry
// backoffs and the visibility timeout.
func recoveryScenario(w *world) {
	mk := func(name string, deadline time.Time, grace time.Duration, edit ...func(*memon.Event)) {
		w.rolling(name, 24*time.Hour, deadline, append(edit, func(ev *memon.Event) { ev.Grace = grace })...)
	}
	mk("ontime", day0.Add(time.Hour), 0)
	mk("missed", day0.Add(-time.Minute), 0)
	mk("late", day0.Add(-2*time.Minute), time.Minute)
	mk("back", day0.Add(-time.Hour), 0, func(ev *memon.Event) { ev.State, ev.ErrorCount = memon.Down, 1 })
	mk("broken", day0.Add(time.Hour), 0)
	for _, n := range []string{"ontime", "late", "back"} {
		w.ping(n, memon.Success)
	}
	w.ping("broken", memon.Fail)
	w.ping("typo", memon.Success)
	cfg := Config{ReconcileEvery: time.Hour, Interval: time.Minute}
	w.clock.Advance(-30 * time.Second) // 10:00:00, the hour's first poll
	w.pollWith(cfg)
	for range 3 {
		w.clock.Advance(6 * time.Minute)
		w.pollWith(cfg)
	}
}

func TestUnitSummaryLogsOneLine(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, time.Time{})
	w.ping("backup", memon.Success)
	w.poll()
	var poll string
	for _, line := range strings.Split(w.logText(), "\n") {
		if strings.Contains(line, `"msg":"poll"`) {
			poll = line
		}
	}
	for _, want := range []string{`"pings":1`, `"events_updated":1`, `"drained":true`, `"errors":0`} {
		if !strings.Contains(poll, want) {
			t.Errorf("poll summary line lacks %s: %s", want, poll)
		}
	}
	if !errors.Is(fmt.Errorf("x: %w", fake.ErrInjected), fake.ErrInjected) {
		t.Fatal("unreachable")
	}
}

func TestUnitLeaseLetsOnePollerJudge(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, day0.Add(-time.Minute))
	w.ping("backup", memon.Success)
	w.store.TakeLease("lambda", day0.Add(30*time.Second))
	sum, err := w.poller(Config{}).Poll(w.ctx)
	if err != nil || !sum.Skipped || sum.Pings != 0 || w.queue.Len() != 1 || w.alerts() != "" {
		t.Fatalf("err %v summary %+v: another poller holds the lease, this one does nothing", err, sum)
	}
	if !strings.Contains(w.logText(), `"holder":"lambda"`) {
		t.Error("the skipping poller does not say who holds the lease")
	}
	w.clock.Advance(31 * time.Second) // the holder crashed: its lease expires
	sum = w.poll()
	if sum.Skipped || sum.Pings != 1 || w.alerts() != "backup:late" {
		t.Fatalf("summary %+v: an expired lease is taken over", sum)
	}
	if holder, until := w.store.LeaseHolder(); holder == "lambda" || !until.Equal(w.clock.Now()) {
		t.Fatalf("lease %s until %s: released at the end of the poll", holder, until)
	}
	w.faults.FailNext(fake.OpAcquireLease)
	if sum, err := w.poller(Config{}).Poll(w.ctx); err == nil || sum.Pings != 0 || sum.Errors != 1 {
		t.Fatalf("err %v summary %+v: an unreadable lease skips the poll and says so", err, sum)
	}
}

// A poller that dies holding pings it received leaves them hidden for the
// visibility timeout. The poll that takes over its lease must not find the
// queue "empty" and judge an event whose on-time ping is one of them.
func TestUnitPingsHeldByACrashedPollerAreNeverJudgedMissing(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, day0.Add(40*time.Second))
	w.ping("backup", memon.Success) // on time, 40 s before the deadline
	// The crashed poller: it took the lease, received the ping and died.
	if _, err := w.store.AcquireLease(w.ctx, "crashed", w.clock.Now(), Config{}.withDefaults().Lease); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.queue.Receive(w.ctx); len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	for range 3 { // the next polls, one a minute
		w.clock.Advance(time.Minute)
		w.poll()
		if got := w.alerts(); got != "" {
			t.Fatalf("alerts %s at %s: an on-time ping still hidden by a dead poller was judged missing", got, w.clock.Now().Format(time.TimeOnly))
		}
	}
	if ev := w.get("backup"); ev.State != memon.Up || !ev.LastSuccessTime.Equal(day0) || w.queue.Len() != 0 {
		t.Fatalf("state %s last success %s queue %d: the ping is applied once the lease is taken over", ev.State, ev.LastSuccessTime, w.queue.Len())
	}
	if lease := (Config{}).withDefaults().Lease; lease < DefaultVisibility*3/2 {
		t.Fatalf("lease %s: shorter than 3/2 of the visibility timeout", lease)
	}
}

func TestUnitLogPingIsRecordedWithoutARun(t *testing.T) {
	w := newWorld(t)
	w.rolling("backup", time.Hour, time.Time{})
	w.ping("backup", memon.Success)
	w.clock.Advance(time.Second)
	w.poll()
	before := w.get("backup")
	w.clock.Advance(10 * time.Minute)
	w.queue.Send(`{"name":"backup","time":1,"signal":"log","message":"pruned 3 archives","via":"url"}`)
	w.clock.Advance(time.Second)
	sum := w.poll()
	ev := w.get("backup")
	if ev.State != memon.Up || !ev.NextBlockTime.Equal(before.NextBlockTime) || !ev.LastSuccessTime.Equal(before.LastSuccessTime) ||
		ev.Today.Runs != before.Today.Runs || ev.LastMessage != before.LastMessage {
		t.Fatalf("a log ping changed the event: state %s next %s runs %d message %q", ev.State, ev.NextBlockTime, ev.Today.Runs, ev.LastMessage)
	}
	recs := w.store.Records("backup")
	if len(recs) != 2 || recs[1].Change() != "log" || recs[1].Reason != "log: pruned 3 archives" {
		t.Fatalf("history %+v, want the first run then the log record", recs)
	}
	if got := w.alerts(); got != "" || sum.Updated != 1 || w.queue.Len() != 0 || len(ev.Outbox) != 0 {
		t.Fatalf("alerts %q, summary %+v, %d queued, outbox %v: want the record delivered, no alert", got, sum, w.queue.Len(), ev.Outbox)
	}
}
