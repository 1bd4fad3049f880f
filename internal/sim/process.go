package sim

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// errCrashed is what every call of a crashed poller process returns: the
// process is gone, so nothing it would still do takes effect.
var errCrashed = errors.New("the poller process crashed")

// process is one poller process (a Lambda environment, a memon-poller
// run). It can crash before any of its calls: from its dieAt-th call on,
// every call fails without reaching the fakes, as if the process had died
// between two calls. A crash keeps what was done before it (a received
// message stays in flight, a held lease runs to its expiry).
type process struct {
	mu    sync.Mutex
	calls int
	dieAt int // 0: never
	dead  bool
}

func (p *process) call() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead {
		return errCrashed
	}
	p.calls++
	if p.dieAt > 0 && p.calls >= p.dieAt {
		p.dead = true
		return errCrashed
	}
	return nil
}

// arm makes the process crash before the n-th call from now (0: never).
func (p *process) arm(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dieAt, p.calls = n, 0
}

func (p *process) crashed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dead
}

// The process's view of the ports: the fakes behind a crash check. Each
// embeds its fake, so a port method added later reaches the fake directly.

type procQueue struct {
	*fake.Queue
	p *process
}

func (q procQueue) Receive(ctx context.Context) ([]memon.QueueMessage, error) {
	if err := q.p.call(); err != nil {
		return nil, err
	}
	return q.Queue.Receive(ctx)
}

func (q procQueue) Delete(ctx context.Context, msgs []memon.QueueMessage) ([]memon.QueueMessage, error) {
	if err := q.p.call(); err != nil {
		return msgs, err
	}
	return q.Queue.Delete(ctx, msgs)
}

type procStore struct {
	*fake.Store
	p *process
}

func (s procStore) Get(ctx context.Context, name string) (*memon.Event, error) {
	if err := s.p.call(); err != nil {
		return nil, err
	}
	return s.Store.Get(ctx, name)
}

func (s procStore) Save(ctx context.Context, ev *memon.Event) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.Save(ctx, ev)
}

func (s procStore) Create(ctx context.Context, ev *memon.Event) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.Create(ctx, ev)
}

func (s procStore) Deadlines(ctx context.Context, each func(memon.Deadline)) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.Deadlines(ctx, each)
}

func (s procStore) Changed(ctx context.Context, checkpoint string) ([]memon.Change, string, error) {
	if err := s.p.call(); err != nil {
		return nil, "", err
	}
	return s.Store.Changed(ctx, checkpoint)
}

func (s procStore) Reconcile(ctx context.Context) ([]string, []memon.Listed, error) {
	if err := s.p.call(); err != nil {
		return nil, nil, err
	}
	return s.Store.Reconcile(ctx)
}

func (s procStore) AppendHistory(ctx context.Context, tr memon.Transition) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.AppendHistory(ctx, tr)
}

func (s procStore) ClaimConfigAlert(ctx context.Context, name, problem string, now time.Time) (bool, error) {
	if err := s.p.call(); err != nil {
		return false, err
	}
	return s.Store.ClaimConfigAlert(ctx, name, problem, now)
}

func (s procStore) ReleaseConfigAlert(ctx context.Context, name string, now time.Time) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.ReleaseConfigAlert(ctx, name, now)
}

func (s procStore) HeldConfigAlerts(ctx context.Context) ([]memon.ConfigProblem, error) {
	if err := s.p.call(); err != nil {
		return nil, err
	}
	return s.Store.HeldConfigAlerts(ctx)
}

func (s procStore) HoldConfigAlerts(ctx context.Context, problems []memon.ConfigProblem) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.HoldConfigAlerts(ctx, problems)
}

func (s procStore) DropHeldConfigAlerts(ctx context.Context, names []string) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.DropHeldConfigAlerts(ctx, names)
}

func (s procStore) AcquireLease(ctx context.Context, holder string, now time.Time, ttl time.Duration) (string, error) {
	if err := s.p.call(); err != nil {
		return "", err
	}
	return s.Store.AcquireLease(ctx, holder, now, ttl)
}

func (s procStore) RenewLease(ctx context.Context, holder string, now time.Time, ttl time.Duration) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.RenewLease(ctx, holder, now, ttl)
}

func (s procStore) ReleaseLease(ctx context.Context, holder string, now time.Time, checkpoint string) error {
	if err := s.p.call(); err != nil {
		return err
	}
	return s.Store.ReleaseLease(ctx, holder, now, checkpoint)
}

// published is one alert as it reached the topic.
type published struct {
	at    time.Time
	alert memon.Alert
	proc  *process
}

// procPub publishes through the shared fake publisher (whose faults are
// the topic's outages) and records what went out, when and by whom.
type procPub struct {
	pub  *fake.Publisher
	p    *process
	now  func() time.Time
	mu   *sync.Mutex
	sink *[]published
}

func (pp procPub) Publish(ctx context.Context, a memon.Alert) error {
	if err := pp.p.call(); err != nil {
		return err
	}
	if err := pp.pub.Publish(ctx, a); err != nil {
		return err
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	*pp.sink = append(*pp.sink, published{at: pp.now(), alert: a, proc: pp.p})
	return nil
}
