package poller

import (
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func TestUnitUnknownEventIsConfigWithoutAutoCreate(t *testing.T) {
	w := newWorld(t)
	w.ping("newjob", memon.Success)
	sum := w.poll()
	if w.store.Event("newjob") != nil || sum.AutoCreated != 0 {
		t.Fatal("an event was created with auto-create off")
	}
	if got := w.alerts(); got != "newjob:config" {
		t.Fatalf("alerts %q, want one CONFIG", got)
	}
	if w.queue.Len() != 1 {
		t.Fatalf("%d queued, want the ping kept for a redrive", w.queue.Len())
	}
}

func TestUnitAutoCreateMakesARollingEventWithThePingAsFirstRun(t *testing.T) {
	w := newWorld(t)
	w.ping("ci:nightly", memon.Success)
	sent := w.clock.Now()
	w.clock.Advance(2 * time.Second)
	sum := w.pollWith(Config{AutoCreatePeriod: 6 * time.Hour})
	ev := w.get("ci:nightly")
	if !ev.AutoCreated || ev.Schedule.Kind != memon.Rolling || ev.Schedule.Period != 6*time.Hour || !ev.Enabled {
		t.Fatalf("created %+v, want an enabled rolling 6h event marked auto-created", ev)
	}
	if ev.State != memon.Up || !ev.LastSuccessTime.Equal(sent) || !ev.NextBlockTime.Equal(sent.Add(6*time.Hour)) {
		t.Fatalf("state %s, last success %s, deadline %s: want the ping as its first run", ev.State, ev.LastSuccessTime, ev.NextBlockTime)
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q: creating an event alerts nobody (no CONFIG)", got)
	}
	if w.queue.Len() != 0 || sum.AutoCreated != 1 || sum.Errors != 0 {
		t.Fatalf("queue %d, summary %+v", w.queue.Len(), sum)
	}
	if recs := w.store.Records("ci:nightly"); len(recs) != 1 || recs[0].Reason != "first run" {
		t.Fatalf("history %+v, want the first run", recs)
	}
	// Later pings find the event and are applied as usual.
	w.ping("ci:nightly", memon.Fail)
	w.clock.Advance(time.Second)
	w.pollWith(Config{AutoCreatePeriod: 6 * time.Hour})
	if got := w.alerts(); got != "ci:nightly:failed" {
		t.Fatalf("alerts %q after a failure, want FAILED", got)
	}
}

func TestUnitAutoCreateKeepsTheSendersNameRule(t *testing.T) {
	w := newWorld(t)
	w.ping("has space", memon.Success) // acceptable to the decoder, not to memon-send
	w.pollWith(Config{AutoCreatePeriod: time.Hour})
	if w.store.Event("has space") != nil {
		t.Fatal("created an event whose name breaks the sender's rule")
	}
	if got := w.alerts(); got != "has space:config" {
		t.Fatalf("alerts %q, want a CONFIG naming the rule", got)
	}
}

func TestUnitAutoCreateCapDefersTheRestToLaterPolls(t *testing.T) {
	w := newWorld(t)
	for _, n := range []string{"a", "b", "c"} {
		w.ping(n, memon.Success)
	}
	cfg := Config{AutoCreatePeriod: time.Hour, AutoCreateCap: 2}
	sum := w.pollWith(cfg)
	if sum.AutoCreated != 2 || sum.AutoCreateDeferred != 1 || len(w.store.Names()) != 2 {
		t.Fatalf("summary %+v, events %v: want 2 created, 1 deferred", sum, w.store.Names())
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q: past the cap nothing is alerted", got)
	}
	if w.queue.Len() != 1 {
		t.Fatalf("%d queued, want the deferred ping kept", w.queue.Len())
	}
	w.clock.Advance(2 * time.Minute) // past the visibility timeout
	if sum = w.pollWith(cfg); sum.AutoCreated != 1 || len(w.store.Names()) != 3 || w.queue.Len() != 0 {
		t.Fatalf("next poll: summary %+v, events %v, queued %d", sum, w.store.Names(), w.queue.Len())
	}
}
