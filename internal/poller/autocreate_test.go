package poller

import (
	"fmt"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
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

// TestUnitAutoCreateIsBoundedInTotal: 30 junk names and one real first
// ping in one poll all become events at once (nothing is deferred behind
// the junk); past the total bound, unknown names are CONFIG problems in one
// digest, poll after poll, and no more events are made.
func TestUnitAutoCreateIsBoundedInTotal(t *testing.T) {
	w := newWorld(t)
	cfg := Config{AutoCreatePeriod: time.Hour, AutoCreateMax: 40}
	for i := range 30 {
		w.ping(fmt.Sprintf("junk%02d", i), memon.Success)
	}
	w.ping("real-job", memon.Success)
	sum := w.pollWith(cfg)
	if sum.AutoCreated != 31 || len(w.store.Names()) != 31 || w.queue.Len() != 0 || w.store.Event("real-job") == nil {
		t.Fatalf("summary %+v, %d events, %d queued: want all 31 created in their first poll", sum, len(w.store.Names()), w.queue.Len())
	}
	for i := range 30 {
		w.ping(fmt.Sprintf("more%02d", i), memon.Success)
	}
	w.clock.Advance(time.Second)
	sum = w.pollWith(cfg)
	if sum.AutoCreated != 9 || sum.AutoCreateRefused != 21 || len(w.store.Names()) != 40 {
		t.Fatalf("summary %+v, %d events: want 9 more created (40 in all) and 21 refused", sum, len(w.store.Names()))
	}
	alerts := w.pub.Take()
	configs, digests := 0, 0
	for _, a := range alerts {
		switch {
		case a.Kind == memon.KindConfig && a.Event == "":
			digests++
		case a.Kind == memon.KindConfig:
			configs++
		}
	}
	if configs != memon.MaxConfigAlertsPerPoll || digests != 1 {
		t.Fatalf("alerts %v: want %d CONFIG alerts and one digest for the refused names", subjects(alerts), memon.MaxConfigAlertsPerPoll)
	}
	w.clock.Advance(2 * time.Minute) // past the visibility timeout: the refused pings come back
	w.ping("late-real-job", memon.Success)
	if sum = w.pollWith(cfg); sum.AutoCreated != 0 || len(w.store.Names()) != 40 {
		t.Fatalf("summary %+v, %d events: the bound holds across polls", sum, len(w.store.Names()))
	}
}

func TestUnitAutoCreateSlotIsGivenBackWhenTheNameIsTaken(t *testing.T) {
	w := newWorld(t)
	w.ping("job", memon.Success)
	w.faults.FailNth(fake.OpCreate, 1)
	cfg := Config{AutoCreatePeriod: time.Hour, AutoCreateMax: 1}
	if sum := w.pollWith(cfg); sum.AutoCreated != 0 || sum.Errors == 0 {
		t.Fatalf("summary %+v: a failed create is an error and creates nothing", sum)
	}
	w.clock.Advance(2 * time.Minute)
	if sum := w.pollWith(cfg); sum.AutoCreated != 1 || w.store.Event("job") == nil {
		t.Fatalf("summary %+v: the failed create gave its slot back, so the retry creates the event", sum)
	}
}

// TestUnitAPingURLNeverCreatesAnEvent: the endpoint checked that the event
// existed, then it was deleted before the poll: with create-on-first-ping
// on, the URL's ping is a CONFIG problem, never a new event.
func TestUnitAPingURLNeverCreatesAnEvent(t *testing.T) {
	w := newWorld(t)
	w.send(memon.Message{Name: "deleted-job", Via: memon.ViaURL})
	w.pollWith(Config{AutoCreatePeriod: time.Hour})
	if w.store.Event("deleted-job") != nil {
		t.Fatal("a ping URL's ping created the event")
	}
	if got := w.alerts(); got != "deleted-job:config" {
		t.Fatalf("alerts %q, want one CONFIG", got)
	}
}

func TestUnitAPingThatAsksCreatesItsEventEvenWithAutoCreateOff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		period time.Duration
	}{
		{"auto-create off: a day", Config{}, DefaultCreatePeriod},
		{"the stack's auto-create period", Config{AutoCreatePeriod: 6 * time.Hour}, 6 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.send(memon.Message{Name: "nightly-db", Time: memon.EpochSeconds(w.clock.Now()), Signal: memon.Start, Via: memon.ViaURL, Create: true})
			w.clock.Advance(2 * time.Second)
			sum := w.pollWith(tc.cfg)
			ev := w.get("nightly-db")
			if !ev.AutoCreated || ev.Schedule.Kind != memon.Rolling || ev.Schedule.Period != tc.period || ev.LastStartTime.IsZero() {
				t.Fatalf("created %+v, want a rolling %s event marked auto-created, its start applied", ev, tc.period)
			}
			if got := w.alerts(); got != "" || sum.AutoCreated != 1 || w.queue.Len() != 0 {
				t.Fatalf("alerts %q, summary %+v, %d queued", got, sum, w.queue.Len())
			}
		})
	}
}

func TestUnitPingsThatAskToCreateShareTheAutoCreateBound(t *testing.T) {
	w := newWorld(t)
	for _, name := range []string{"a", "b", "c"} {
		w.send(memon.Message{Name: name, Time: memon.EpochSeconds(w.clock.Now()), Via: memon.ViaURL, Create: true})
	}
	w.ping("d", memon.Success) // create-on-first-ping, same total
	w.clock.Advance(2 * time.Second)
	sum := w.pollWith(Config{AutoCreatePeriod: time.Hour, AutoCreateMax: 2})
	if sum.AutoCreated != 2 || sum.AutoCreateRefused != 2 {
		t.Fatalf("summary %+v: want 2 created and 2 refused past AutoCreateMax 2", sum)
	}
	// Through the token form (no Create), a URL never makes an event.
	w2 := newWorld(t)
	w2.send(memon.Message{Name: "gone", Time: memon.EpochSeconds(w2.clock.Now()), Via: memon.ViaURL})
	w2.clock.Advance(2 * time.Second)
	if sum := w2.pollWith(Config{AutoCreatePeriod: time.Hour}); sum.AutoCreated != 0 || w2.store.Event("gone") != nil {
		t.Fatalf("a ping URL's ping without create made an event: %+v", sum)
	}
}
