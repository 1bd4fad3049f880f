package poller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/pkg/memon"
)

// slowSaves holds every write back, as a poller far into a large backlog
// (or on a slow network) holds the pings it has received but not stored.
type slowSaves struct {
	Store
	delay time.Duration
}

func (s slowSaves) Save(ctx context.Context, ev *memon.Event) error {
	time.Sleep(s.delay)
	return s.Store.Save(ctx, ev)
}

// leasedPoller is a poller with the real adapters and the lease; slow makes
// its event writes slow.
func (h *harness) leasedPoller(slow time.Duration, log *strings.Builder, mu *sync.Mutex) *Poller {
	var store Store = h.pstore
	if slow > 0 {
		store = slowSaves{h.pstore, slow}
	}
	pub := notify.New(sns.NewFromConfig(h.pcfg), h.res.TopicARN)
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		h.Write(p)
		return log.Write(p)
	})
	return New(queue.NewReceiver(h.psqs, h.res.QueueURL, time.Second), store, pub,
		Config{ReconcileEvery: -1, Receivers: motoReceivers}, h.now, slog.New(slog.NewJSONHandler(w, nil))).UseLease(h.pstore)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestTwoPollersStartedTogetherNeverJudgeAPingInFlight: poller A takes a
// backlog (among it the ping of an event whose deadline has just passed) and
// is slow to store it; poller B starts beside it. Without the lease B sees
// the queue empty (A holds every message in flight), declares the event
// DOWN, and A's ping then turns it UP. With the lease B skips and says why.
func TestTwoPollersStartedTogetherNeverJudgeAPingInFlight(t *testing.T) {
	h := newHarness(t)
	var names []string
	for i := 0; i < 6; i++ {
		other := h.rolling(fmt.Sprintf("other-%d", i), time.Hour)
		h.create(other)
		names = append(names, other.Name)
	}
	h.ping("nightly", memon.Success)
	for _, n := range names {
		h.ping(n, memon.Success)
	}
	// nightly's deadline is set after its ping was sent, so the ping is on
	// time however slow a loaded machine made the sends above; no poll runs
	// before the event exists.
	ev := h.rolling("nightly", time.Hour)
	deadline := time.Now().Add(time.Second)
	ev.SetInitial(deadline)
	h.create(ev)
	time.Sleep(time.Until(deadline) + 500*time.Millisecond) // the deadline passes with the ping still queued

	var (
		mu         sync.Mutex
		logA, logB strings.Builder
		wg         sync.WaitGroup
		sumA, sumB *Summary
	)
	// B asks for the lease once A's request has been answered: moto's
	// conditional writes are not atomic under concurrent requests, so two
	// requests at once could both win there (the race is internal/fake's
	// to prove).
	aAsked := make(chan struct{})
	a := h.leasedPoller(3*time.Second, &logA, &mu).UseLease(leaseAsked{h.pstore, aAsked, &sync.Once{}})
	b := h.leasedPoller(0, &logB, &mu)
	wg.Add(2)
	go func() { defer wg.Done(); sumA, _ = a.Poll(h.ctx) }()
	go func() {
		defer wg.Done()
		<-aAsked
		time.Sleep(300 * time.Millisecond) // A has received the backlog
		sumB, _ = b.Poll(h.ctx)
	}()
	wg.Wait()
	// B normally skips; on a loaded machine B may take the lease first and
	// A skip instead. Either way exactly one judges.
	if sumA.Skipped == sumB.Skipped {
		t.Fatalf("skipped: A %v, B %v; want exactly one to skip", sumA.Skipped, sumB.Skipped)
	}
	skipper := &logB
	if sumA.Skipped {
		skipper = &logA
	}
	if !strings.Contains(skipper.String(), "another poller holds the lease") || !strings.Contains(skipper.String(), `"holder"`) {
		t.Errorf("the skipping poller's log does not say why:\n%s", skipper.String())
	}
	h.poll() // a later poll: nothing left to do
	for _, a := range kinds(h.alerts()) {
		if strings.HasPrefix(a, "nightly:") {
			t.Errorf("nightly alerted %s: its on-time ping was judged while in flight", a)
		}
	}
	for _, n := range append(names, "nightly") {
		if h.get(n).LastSuccessTime.IsZero() {
			t.Errorf("the ping of %s was lost", n)
		}
	}
	if n := h.queued(h.res.QueueURL); n != 0 {
		t.Errorf("%d pings left in the queue", n)
	}
}

// TestACrashedPollersLeaseExpiresOnceItsPingsAreVisible: a poller that took
// the lease and died never releases it; the polls of the next two minutes
// skip (the pings it received are still hidden), the third runs.
func TestACrashedPollersLeaseExpiresOnceItsPingsAreVisible(t *testing.T) {
	h := newHarness(t)
	if _, err := h.store.AcquireLease(h.ctx, "crashed", h.now(), Config{}.withDefaults().Lease); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log strings.Builder
	p := h.leasedPoller(0, &log, &mu)
	if sum, _ := p.Poll(h.ctx); !sum.Skipped {
		t.Fatal("a poll while the crashed poller's lease is fresh did not skip")
	}
	if !strings.Contains(log.String(), `"holder":"crashed"`) {
		t.Errorf("the skip does not name the holder:\n%s", log.String())
	}
	for range 2 { // the next scheduled polls: its pings may still be hidden
		h.advance(time.Minute)
		if sum, _ := p.Poll(h.ctx); !sum.Skipped {
			t.Fatal("a poll within two minutes of the crash ran while the dead poller's pings could be hidden")
		}
	}
	h.advance(time.Minute)
	sum, err := p.Poll(h.ctx)
	if err != nil || sum.Skipped || !sum.Drained {
		t.Fatalf("three minutes after the crash: skipped=%v drained=%v err=%v, want a full poll", sum.Skipped, sum.Drained, err)
	}
	// Released at the end of the poll: the next poller need not wait.
	if _, err := h.store.AcquireLease(h.ctx, "next", h.now(), time.Minute); err != nil {
		t.Fatalf("lease not released after the poll: %v", err)
	}
	var held *memon.LeaseHeldError
	if _, err := h.store.AcquireLease(h.ctx, "third", h.now(), time.Minute); !errors.As(err, &held) || held.Holder != "next" {
		t.Fatalf("a held lease was taken again: %v", err)
	}
}
