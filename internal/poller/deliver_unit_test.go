package poller

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// TestFlappingSenderGetsSixAlertsAndOneFlapping: 60
// alternating fail/success pings in one poll publish 6 FAILED/UP alerts and
// one FLAPPING alert that counts the 54 held; the next poll in the hour
// publishes nothing for the event; the state follows every ping.
func TestFlappingSenderGetsSixAlertsAndOneFlapping(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.store.Put(rollingEvent(t, "flaky", time.Hour))
	p := w.pollerWithoutLease(Config{})
	for i := range 60 {
		sig := memon.Fail
		if i%2 == 1 {
			sig = memon.Success
		}
		w.send(memon.Message{Name: "flaky", Signal: sig})
	}
	sum, err := p.Poll(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := w.pub.Take()
	want := []string{"[MEMon] Failed: flaky", "[MEMon] Up: flaky", "[MEMon] Failed: flaky", "[MEMon] Up: flaky",
		"[MEMon] Failed: flaky", "[MEMon] Up: flaky", "[MEMon] Flapping: flaky"}
	if strings.Join(subjects(got), ";") != strings.Join(want, ";") {
		t.Fatalf("alerts %v, want %v", subjects(got), want)
	}
	if fl := got[6]; fl.Kind != memon.KindFlapping || !strings.Contains(fl.Body, "54 more held") {
		t.Fatalf("flapping alert does not say how many were held:\n%s", fl.Body)
	}
	if sum.AlertsHeld != 54 || !strings.Contains(w.logText(), `"alerts_held":54`) {
		t.Fatalf("summary alerts_held %d, want 54 in the poll's summary line", sum.AlertsHeld)
	}
	ev := w.store.Event("flaky")
	if ev.State != memon.Up || ev.LastSuccessTime.IsZero() || len(ev.Outbox) != 0 {
		t.Fatalf("state %s outbox %d, want up (the last ping) and nothing waiting", ev.State, len(ev.Outbox))
	}

	w.clock.Advance(10 * time.Minute)
	for range 10 {
		w.send(memon.Message{Name: "flaky", Signal: memon.Fail})
	}
	if _, err := p.Poll(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.pub.Take(); len(got) != 0 {
		t.Fatalf("alerts within the flapping hour: %v", subjects(got))
	}
	if ev := w.store.Event("flaky"); ev.State != memon.Down || ev.AlertsHeld != 64 {
		t.Fatalf("state %s held %d, want down 64", ev.State, ev.AlertsHeld)
	}
}

// TestManyUnknownEventsGiveFiveConfigAlertsAndADigest: 40
// pings naming 40 unknown events publish 5 CONFIG alerts and one digest
// listing the other 35; the next poll within the hour publishes none.
func TestManyUnknownEventsGiveFiveConfigAlertsAndADigest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.pollerWithoutLease(Config{})
	for i := range 40 {
		w.send(memon.Message{Name: fmt.Sprintf("ghost-%02d", i)})
	}
	sum, err := p.Poll(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := w.pub.Take()
	if len(got) != 6 {
		t.Fatalf("%d alerts %v, want 5 CONFIG alerts and 1 digest", len(got), subjects(got))
	}
	var digest memon.Alert
	singles := 0
	for _, a := range got {
		switch {
		case a.Kind != memon.KindConfig:
			t.Fatalf("alert %q of kind %s", a.Subject, a.Kind)
		case a.Subject == "[MEMon] Config: 35 unknown events":
			digest = a
		case strings.HasPrefix(a.Subject, "[MEMon] Config: ghost-"):
			singles++
		}
	}
	if singles != 5 || digest.Body == "" || digest.Event != "" {
		t.Fatalf("alerts %v: want 5 single CONFIG alerts and the digest (no event attribute)", subjects(got))
	}
	listed := 0
	for i := range 40 {
		if strings.Contains(digest.Body, fmt.Sprintf("%q", fmt.Sprintf("ghost-%02d", i))) {
			listed++
		}
	}
	if listed != 35 {
		t.Fatalf("digest lists %d names, want the 35 not alerted alone:\n%s", listed, digest.Body)
	}
	if sum.ConfigAlerts != 6 || sum.ConfigInDigest != 35 || sum.Held != 40 {
		t.Fatalf("summary config_alerts %d config_in_digest %d held %d, want 6 35 40", sum.ConfigAlerts, sum.ConfigInDigest, sum.Held)
	}
	w.clock.Advance(2 * time.Minute) // the pings come back
	if _, err := p.Poll(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.pub.Take(); len(got) != 0 {
		t.Fatalf("CONFIG alerts again within the hour: %v", subjects(got))
	}
}

// TestEveryPollFailsWhileAnAlertIsUndeliverable: with the
// topic broken, every poll reports an error, also those that do not retry
// the alert (it waits for its backoff), so the Errors alarm stays on; once
// the topic works the alert goes out and polls succeed again.
func TestEveryPollFailsWhileAnAlertIsUndeliverable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.store.Put(rollingEvent(t, "backup", time.Hour))
	p := w.pollerWithoutLease(Config{})
	w.faults.FailAlways(fake.OpPublish)
	w.send(memon.Message{Name: "backup", Signal: memon.Fail})
	for i := range 20 {
		sum, err := p.Poll(w.ctx)
		if err == nil {
			t.Fatalf("poll %d (minute %d) succeeded while the FAILED alert is undeliverable (summary %+v)", i+1, i, sum)
		}
		if i > 0 && sum.Errors == 0 && (sum.Undelivered != 1 || !strings.Contains(err.Error(), "undelivered")) {
			t.Fatalf("poll %d: %v (undelivered %d), want the waiting alert reported", i+1, err, sum.Undelivered)
		}
		w.clock.Advance(time.Minute)
	}
	w.faults.Heal(fake.OpPublish)
	var delivered bool
	for range 16 { // the backoff is at most 15 minutes
		_, err := p.Poll(w.ctx)
		if got := w.pub.Take(); len(got) > 0 {
			if len(got) != 1 || got[0].Subject != "[MEMon] Failed: backup" {
				t.Fatalf("after the fix: %v", subjects(got))
			}
			delivered = true
		}
		if delivered && err == nil {
			return
		}
		w.clock.Advance(time.Minute)
	}
	t.Fatalf("the alert was not delivered, or polls kept failing, after the topic was fixed (delivered %v)", delivered)
}

// TestAlertDoesNotWaitOnHistory: with the history table
// failing, the alert is published at once and once only; the record is
// written when the table works again.
func TestAlertDoesNotWaitOnHistory(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.store.Put(rollingEvent(t, "backup", time.Hour))
	p := w.pollerWithoutLease(Config{})
	w.faults.FailAlways(fake.OpAppendHistory)
	w.send(memon.Message{Name: "backup", Signal: memon.Fail})
	if _, err := p.Poll(w.ctx); err == nil {
		t.Fatal("a failed history write is not reported")
	}
	if got := w.pub.Take(); len(got) != 1 || got[0].Kind != memon.KindFailed {
		t.Fatalf("alerts %v, want the FAILED alert published although history failed", subjects(got))
	}
	for range 5 {
		w.clock.Advance(5 * time.Minute)
		_, _ = p.Poll(w.ctx)
	}
	w.faults.Heal(fake.OpAppendHistory)
	for range 4 {
		w.clock.Advance(5 * time.Minute)
		_, _ = p.Poll(w.ctx)
	}
	if got := w.pub.Take(); len(got) != 0 {
		t.Fatalf("published again while only history waited: %v", subjects(got))
	}
	recs := w.store.Records("backup")
	if len(recs) != 1 || recs[0].Alert != memon.KindFailed {
		t.Fatalf("history %+v, want the FAILED record once the table works", recs)
	}
	if ob := w.store.Event("backup").Outbox; len(ob) != 0 {
		t.Fatalf("outbox %+v, want empty", ob)
	}
}

// TestUnreachableQueueIsNotCalledSlow: a poll that cannot
// read the queue says so, with the queue's error, not that the queue was
// not drained in time.
func TestUnreachableQueueIsNotCalledSlow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.pollerWithoutLease(Config{})
	w.faults.FailAlways(fake.OpReceive)
	if _, err := p.Poll(w.ctx); err == nil {
		t.Fatal("a poll that cannot read the queue succeeded")
	}
	log := w.logText()
	if strings.Contains(log, "time budget") || !strings.Contains(log, "cannot read the queue") || !strings.Contains(log, "injected fault") {
		t.Fatalf("log does not say the queue could not be read:\n%s", log)
	}
}

// TestEveryPollFailsWhileAConfigAlertIsUndeliverable: a
// CONFIG alert has no event item to wait in; it waits in the store, every
// poll retries it and fails until it goes out, once.
func TestEveryPollFailsWhileAConfigAlertIsUndeliverable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.pollerWithoutLease(Config{})
	w.faults.FailAlways(fake.OpPublish)
	w.send(memon.Message{Name: "ghost"})
	for i := range 5 {
		sum, err := p.Poll(w.ctx)
		if err == nil || sum.Undelivered != 1 {
			t.Fatalf("poll %d: err %v undelivered %d, want the waiting CONFIG alert reported", i+1, err, sum.Undelivered)
		}
		w.clock.Advance(time.Minute)
	}
	w.faults.Heal(fake.OpPublish)
	if _, err := p.Poll(w.ctx); err != nil {
		t.Fatalf("poll after the fix: %v", err)
	}
	w.clock.Advance(time.Minute)
	if _, err := p.Poll(w.ctx); err != nil {
		t.Fatalf("second poll after the fix: %v", err)
	}
	if got := w.pub.Take(); len(got) != 1 || got[0].Subject != "[MEMon] Config: ghost" {
		t.Fatalf("alerts %v, want the CONFIG alert once", subjects(got))
	}
}

// TestMoreThanTenDownsGoOutAsTenAndOneDigest: 25 events miss their
// deadline in one poll: 10 DOWN alerts go out one by one and one DOWN
// digest names the other 15; every event is DOWN with its history record
// and nothing left in its outbox, so the next poll sends nothing.
func TestMoreThanTenDownsGoOutAsTenAndOneDigest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 25 {
		w.rolling(fmt.Sprintf("job%02d", i), time.Hour, day0.Add(-time.Hour))
	}
	sum, err := w.poller(Config{}).Poll(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := w.pub.Take()
	var single, digests []memon.Alert
	for _, a := range got {
		if a.Event == "" {
			digests = append(digests, a)
		} else {
			single = append(single, a)
		}
	}
	if len(single) != memon.MaxDownAlertsPerPoll || len(digests) != 1 {
		t.Fatalf("%d alerts of one event and %d digests, want %d and 1: %v", len(single), len(digests), memon.MaxDownAlertsPerPoll, subjects(got))
	}
	d := digests[0]
	if d.Kind != memon.KindDown || d.Subject != "[MEMon] Down: 15 more events" {
		t.Errorf("digest kind %s subject %q", d.Kind, d.Subject)
	}
	alerted := map[string]bool{}
	for _, a := range single {
		alerted[a.Event] = true
	}
	for i := range 25 {
		name := fmt.Sprintf("job%02d", i)
		if inDigest := strings.Contains(d.Body, "  - "+name+": "); inDigest == alerted[name] {
			t.Errorf("%s: alerted alone %v, in the digest %v; want exactly one", name, alerted[name], inDigest)
		}
		ev := w.get(name)
		if ev.State != memon.Down || ev.ErrorCount == 0 || len(ev.Outbox) != 0 {
			t.Errorf("%s: state %s missed %d outbox %d, want down, some, empty", name, ev.State, ev.ErrorCount, len(ev.Outbox))
		}
		if recs := w.store.Records(name); len(recs) != 1 || recs[0].Alert != memon.KindDown {
			t.Errorf("%s: history %+v, want its DOWN record", name, recs)
		}
	}
	if sum.Down != 25 || sum.DownInDigest != 15 || sum.AlertsSent != 11 || !strings.Contains(w.logText(), `"down_in_digest":15`) {
		t.Errorf("summary down %d in digest %d sent %d, want 25, 15, 11", sum.Down, sum.DownInDigest, sum.AlertsSent)
	}
	w.clock.Advance(time.Minute)
	w.poll()
	if got := w.pub.Take(); len(got) != 0 {
		t.Errorf("the next poll sent %v", subjects(got))
	}
}

// A fleet-wide outage holds more DOWN alerts than one digest's text may
// carry: they go out in as many digests as it takes, and every event is
// named in exactly one of them (none is left to "... and N more").
func TestDownDigestsNameEveryEvent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const n = 700 // about 130 bytes a line: more than one digest's 48 KiB
	for i := range n {
		w.rolling(fmt.Sprintf("nightly-warehouse-export-%04d", i), time.Hour, day0.Add(-time.Hour))
	}
	sum, err := w.poller(Config{}).Poll(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]int{}
	digests := 0
	for _, a := range w.pub.Take() {
		if a.Event != "" {
			named[a.Event]++
			continue
		}
		digests++
		if strings.Contains(a.Body, "... and ") {
			t.Errorf("digest %q leaves events out", a.Subject)
		}
		for _, m := range digestLine.FindAllStringSubmatch(a.Body, -1) {
			named[m[1]]++
		}
	}
	if digests < 2 {
		t.Errorf("%d digests, want the held alerts split over several", digests)
	}
	for i := range n {
		if name := fmt.Sprintf("nightly-warehouse-export-%04d", i); named[name] != 1 {
			t.Errorf("%s named %d times, want once", name, named[name])
		}
	}
	if sum.DownInDigest != n-memon.MaxDownAlertsPerPoll || sum.AlertsSent != memon.MaxDownAlertsPerPoll+digests {
		t.Errorf("summary in digest %d sent %d, want %d and %d", sum.DownInDigest, sum.AlertsSent, n-memon.MaxDownAlertsPerPoll, memon.MaxDownAlertsPerPoll+digests)
	}
	for i := range n {
		if ev := w.get(fmt.Sprintf("nightly-warehouse-export-%04d", i)); len(ev.Outbox) != 0 {
			t.Fatalf("%s: %d entries still waiting", ev.Name, len(ev.Outbox))
		}
	}
}

// TestFailedDownDigestIsRetriedLater: the digest's publish fails; the poll
// fails, and the held alerts wait in their outboxes for a later poll, which
// delivers them (ten one by one, the rest in a digest again).
func TestFailedDownDigestIsRetriedLater(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 12 {
		w.rolling(fmt.Sprintf("job%02d", i), time.Hour, day0.Add(-time.Hour))
	}
	w.faults.FailNth(fake.OpPublish, memon.MaxDownAlertsPerPoll+1)
	if _, err := w.poller(Config{}).Poll(w.ctx); err == nil {
		t.Fatal("a failed DOWN digest must fail the poll")
	}
	if got := w.pub.Take(); len(got) != memon.MaxDownAlertsPerPoll {
		t.Fatalf("alerts %v, want the first %d", subjects(got), memon.MaxDownAlertsPerPoll)
	}
	waiting := 0
	for i := range 12 {
		waiting += len(w.get(fmt.Sprintf("job%02d", i)).Outbox)
	}
	if waiting != 2 {
		t.Fatalf("%d outbox entries wait, want the 2 of the failed digest", waiting)
	}
	w.clock.Advance(10 * time.Minute)
	w.poll()
	got := w.pub.Take()
	if len(got) != 2 || got[0].Kind != memon.KindDown || got[1].Kind != memon.KindDown {
		t.Fatalf("retry sent %v, want the 2 DOWN alerts", subjects(got))
	}
}

// TestADrainPastItsBudgetLeavesTheRestAndTheDueChecks: a poll whose drain
// budget ends before the queue is empty keeps and deletes what it took,
// leaves the rest on the queue and judges no deadline (a job's ping may be
// among the rest: judging it overdue then would be a false DOWN); the next
// poll takes the rest, then judges.
func TestADrainPastItsBudgetLeavesTheRestAndTheDueChecks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.rolling("backup", time.Hour, time.Time{}, func(ev *memon.Event) {
		run := day0.Add(-2 * time.Hour)
		ev.State, ev.LastSuccessTime, ev.LastBlockTime, ev.NextBlockTime = memon.Up, run, run, run.Add(time.Hour)
	})
	w.store.Put(rollingEvent(t, "etl", time.Hour))
	const pings = 40
	for range pings {
		w.send(memon.Message{Name: "etl", Signal: memon.Success})
	}
	w.queue.Batch = 2 // 20 receive rounds for the 40 pings
	// A clock a second later at each reading: the 5 s budget ends a few
	// rounds in.
	slow := func() time.Time { w.clock.Advance(time.Second); return w.clock.Now() }
	p := New(w.queue, w.store, w.pub, Config{ReconcileEvery: -1, Receivers: 1, Budget: 5 * time.Second}, slow,
		slog.New(slog.NewJSONHandler(w, nil)))
	sum, err := p.Poll(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	left := w.queue.Len()
	if sum.Drained || sum.Down != 0 || sum.Pings == 0 || left == 0 || sum.Pings+left != pings {
		t.Fatalf("drained %v down %d pings %d left %d, want some of the %d pings taken, the rest left and no deadline judged",
			sum.Drained, sum.Down, sum.Pings, left, pings)
	}
	if !strings.Contains(w.logText(), "queue not drained before the time budget") {
		t.Fatalf("the poll's log does not say the budget ended:\n%s", w.logText())
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q before the queue was drained, want none", got)
	}
	if ev := w.store.Event("etl"); ev.LastSuccessTime.IsZero() {
		t.Fatal("the pings taken were not kept")
	}

	sum = w.poll()
	if !sum.Drained || sum.Pings != left || sum.Down != 1 || w.queue.Len() != 0 {
		t.Fatalf("next poll: drained %v pings %d down %d left %d, want the %d left taken and backup judged DOWN",
			sum.Drained, sum.Pings, sum.Down, w.queue.Len(), left)
	}
	if got := w.alerts(); got != "backup:down" {
		t.Fatalf("alerts %q, want backup's DOWN", got)
	}
}
