package poller

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// The fakes fit the poller's ports.
var (
	_ Queue     = (*fake.Queue)(nil)
	_ Store     = (*fake.Store)(nil)
	_ Lease     = (*fake.Store)(nil)
	_ Publisher = (*fake.Publisher)(nil)
)

// world is one MEMon in memory for unit tests: a queue with SQS semantics
// and its dead-letter queue (5 receives, as the stack), a store, a
// publisher, one clock for all of them and one set of faults. No server.
type world struct {
	t      *testing.T
	ctx    context.Context
	clock  *fake.Clock
	faults *fake.Faults
	queue  *fake.Queue
	dlq    *fake.Queue
	store  *fake.Store
	pub    *fake.Publisher

	logMu sync.Mutex
	log   strings.Builder
}

// day0 is a Monday 10:00:30 UTC: not the first poll of an hour, so the
// hourly reconcile stays out of the way unless a test asks for it.
var day0 = time.Date(2026, 3, 2, 10, 0, 30, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), clock: fake.NewClock(day0), faults: &fake.Faults{}}
	w.dlq = fake.NewQueue(w.clock.Now)
	w.queue = fake.NewQueue(w.clock.Now)
	w.queue.DeadLetter, w.queue.MaxReceives, w.queue.Faults = w.dlq, 5, w.faults
	w.store = fake.NewStore()
	w.store.Faults = w.faults
	w.pub = &fake.Publisher{Faults: w.faults}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("poller log:\n%s", w.logText())
		}
	})
	return w
}

func (w *world) Write(p []byte) (int, error) {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	return w.log.Write(p)
}

func (w *world) logText() string {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	return w.log.String()
}

// poller builds a poller on the world, with the poll lease as production
// wires it; the hourly reconcile is off unless cfg sets ReconcileEvery.
func (w *world) poller(cfg Config) *Poller { return w.pollerWithoutLease(cfg).UseLease(w.store) }

// pollerWithoutLease is a poller that never waits for another: for tests of
// what conditional writes alone guarantee to concurrent pollers.
func (w *world) pollerWithoutLease(cfg Config) *Poller {
	if cfg.ReconcileEvery == 0 {
		cfg.ReconcileEvery = -1
	}
	return New(w.queue, w.store, w.pub, cfg, w.clock.Now, slog.New(slog.NewJSONHandler(w, nil)))
}

// poll runs one poll with the default configuration.
func (w *world) poll() *Summary { return w.pollWith(Config{}) }

// pollWith runs one poll and returns its summary; the error a poll returns
// is implied by Summary.Errors, which tests check where it matters.
func (w *world) pollWith(cfg Config) *Summary {
	sum, _ := w.poller(cfg).Poll(w.ctx)
	return sum
}

// rolling stores an enabled rolling event whose first deadline is at
// deadline (none when zero).
func (w *world) rolling(name string, period time.Duration, deadline time.Time, edit ...func(*memon.Event)) *memon.Event {
	w.t.Helper()
	s, err := memon.NewSchedule(memon.Rolling, period, "", "")
	if err != nil {
		w.t.Fatal(err)
	}
	ev := memon.NewEvent(name, s)
	if !deadline.IsZero() {
		ev.SetInitial(deadline)
	}
	for _, e := range edit {
		e(ev)
	}
	ev.Version = 1
	w.store.Put(ev)
	return ev
}

// ping puts a memon-send message on the queue, sent now by the clock.
func (w *world) ping(name string, signal memon.Signal) {
	w.t.Helper()
	b, err := json.Marshal(memon.Message{Name: name, Time: float64(w.clock.Now().UnixMilli()) / 1000, Signal: signal})
	if err != nil {
		w.t.Fatal(err)
	}
	w.queue.Send(string(b))
}

func (w *world) get(name string) *memon.Event {
	w.t.Helper()
	ev := w.store.Event(name)
	if ev == nil {
		w.t.Fatalf("no event %q", name)
	}
	return ev
}

// alerts returns the alerts published since the last call, as sorted
// "event:kind" strings.
func (w *world) alerts() string { return strings.Join(fake.Kinds(w.pub.Take()), ",") }

// send queues m a millisecond after the previous ping (one SQS timestamp
// each: equal ones would be taken for redeliveries).
func (w *world) send(m memon.Message) {
	w.t.Helper()
	w.clock.Advance(time.Millisecond)
	b, err := json.Marshal(m)
	if err != nil {
		w.t.Fatal(err)
	}
	w.queue.Send(string(b))
}

// rollingEvent is a new rolling event, not yet stored.
func rollingEvent(t *testing.T, name string, period time.Duration) *memon.Event {
	t.Helper()
	s, err := memon.NewSchedule(memon.Rolling, period, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return memon.NewEvent(name, s)
}

func subjects(alerts []memon.Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Subject)
	}
	return out
}
