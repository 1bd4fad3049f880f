// Package poller is one MEMon poll: drain the queue into event state, decide
// DOWN for overdue events, deliver alerts. It wires the domain (memon) to
// ports it declares itself, in domain types; the SQS, DynamoDB and SNS
// adapters satisfy them (checked where they are wired, lambdas/poller) and
// so do the in-memory fakes of internal/fake. It imports no adapter.
package poller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Queue is the ping queue.
type Queue interface {
	Receive(ctx context.Context) ([]memon.QueueMessage, error)
	Delete(ctx context.Context, msgs []memon.QueueMessage) ([]memon.QueueMessage, error)
}

// Store keeps events and their history.
type Store interface {
	Get(ctx context.Context, name string) (*memon.Event, error)
	Save(ctx context.Context, ev *memon.Event) error
	// Deadlines reads every event's deadline (a scan): the rebuild of the
	// poller's deadline table (deadlines.go).
	Deadlines(ctx context.Context, each func(memon.Deadline)) error
	Reconcile(ctx context.Context) ([]string, []memon.Listed, error)
	AppendHistory(ctx context.Context, tr memon.Transition) error
	ClaimConfigAlert(ctx context.Context, name, problem string, now time.Time) (bool, error)
	ReleaseConfigAlert(ctx context.Context, name string, now time.Time) error
	// CONFIG alerts whose publish failed, retried by every poll (config.go).
	HeldConfigAlerts(ctx context.Context) ([]memon.ConfigProblem, error)
	HoldConfigAlerts(ctx context.Context, problems []memon.ConfigProblem) error
	DropHeldConfigAlerts(ctx context.Context, names []string) error
	Create(ctx context.Context, ev *memon.Event) error // memon.ErrExists when taken (auto-create)
	// How many events pings created, bounded in total (autocreate.go).
	ClaimAutoCreate(ctx context.Context, limit int) (bool, error)
	ReleaseAutoCreate(ctx context.Context) error
}

// Publisher sends alerts.
type Publisher interface {
	Publish(ctx context.Context, a memon.Alert) error
}

// Config tunes a poll. Zero values take the defaults.
type Config struct {
	Receivers      int           // concurrent long-poll receivers (default 4)
	RoundSize      int           // messages gathered before they are applied (default 500)
	Workers        int           // events processed at once (default 8)
	Budget         time.Duration // drain time without a context deadline (default 40s)
	Reserve        time.Duration // time kept back before the context deadline (default 12s)
	ReconcileEvery time.Duration // reconcile and deadline-table rebuild cadence (default 1h; negative disables)
	Interval       time.Duration // how often polls run, to place reconcile (default 1m)
	Attempts       int           // conditional-write attempts per event (default 6)
	Lease          time.Duration // poll lease length, renewed while a poll runs (default: the longer of 3/4 of Interval and 3/2 of Visibility)
	// Visibility is the queue's visibility timeout (default DefaultVisibility):
	// how long the pings a crashed poller received stay hidden from the next.
	Visibility time.Duration
	// AutoCreatePeriod, when set, makes a ping for an unknown event create
	// it (rolling, this period) instead of a CONFIG alert; AutoCreateMax
	// bounds the events so created in all (default DefaultAutoCreateMax).
	// autocreate.go.
	AutoCreatePeriod time.Duration
	AutoCreateMax    int
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Receivers, 4)
	def(&c.RoundSize, 500)
	def(&c.Workers, 8)
	def(&c.Attempts, 6)
	def(&c.AutoCreateMax, DefaultAutoCreateMax)
	defd(&c.Budget, 40*time.Second)
	defd(&c.Reserve, 12*time.Second)
	defd(&c.ReconcileEvery, time.Hour)
	defd(&c.Interval, time.Minute)
	defd(&c.Visibility, DefaultVisibility)
	defd(&c.Lease, max(c.Interval*3/4, c.Visibility*3/2))
	return c
}

// Poller runs polls.
type Poller struct {
	queue Queue
	store Store
	pub   Publisher
	cfg   Config
	now   func() time.Time
	log   *slog.Logger

	lease      Lease   // nil: no lease (tests of concurrent pollers)
	changes    Changes // nil: writes by other tools wait for the reconcile
	holder     string  // this poller's name in the lease
	checkpoint string  // how far the change stream has been read
	deadlines  *deadlines
}

// New returns a poller. now is the clock (time.Now in production).
func New(q Queue, s Store, p Publisher, cfg Config, now func() time.Time, log *slog.Logger) *Poller {
	return &Poller{queue: q, store: s, pub: p, cfg: cfg.withDefaults(), now: now, log: log, holder: newHolder(),
		deadlines: newDeadlines()}
}

// Summary is what one poll did; it is logged as one JSON line. Workers
// update it concurrently, so every write goes through add, one way.
type Summary struct {
	Pings         int  // messages received
	Stale         int  // pings already applied (redelivered or out of order)
	Invalid       int  // malformed messages left for the dead-letter queue
	Held          int  // pings left in the queue because their event was not stored
	Undeleted     int  // applied pings whose delete failed (redelivered, then skipped)
	Updated       int  // events written
	Due           int  // events the deadline table found due
	Rebuilt       bool // the deadline table was rebuilt by a scan
	Down          int  // DOWN decisions
	AlertsSent    int  // alerts published
	ConfigAlerts  int  // CONFIG alerts published
	Reconciled    int  // items whose index attributes were repaired
	Errors        int  // failed AWS calls and lost races that gave up
	Drained       bool // the queue was seen empty, so overdue checks ran
	Skipped       bool // another poller held the lease: nothing was done
	Changed       int  // items written by other tools, read from the change stream
	ReconcileRan  bool
	DurationMilli int64

	// What a bound held back, never lost: FAILED/UP alerts held past
	// memon.MaxAlertsPerHour (one FLAPPING alert counts them), CONFIG
	// problems sent in one digest instead of one alert each, and alerts
	// whose publish failed earlier and still wait (an error, every poll).
	AlertsHeld     int
	ConfigInDigest int
	Undelivered    int

	// DOWN alerts past memon.MaxDownAlertsPerPoll go out in one digest,
	// which counts as one alert sent.
	DownInDigest int

	configs  []memon.ConfigProblem // CONFIG problems met, published at the end of the poll
	downSent int                   // DOWN alerts published one by one this poll
	downHeld []heldDown            // DOWN alerts past the limit, published in one digest at the end
	queueErr error                 // why the drain stopped early, when the queue failed

	// AWS job events (EventBridge) dropped on purpose.
	AWSUnconfigured int // for names not configured as events
	AWSIgnored      int // states that end no run

	AutoCreated       int // events created by their first ping
	AutoCreateRefused int // pings of unknown names past AutoCreateMax: CONFIG problems
	autoCreateFull    bool

	mu sync.Mutex
}

func (s *Summary) add(f func(*Summary)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// LogValue renders the summary for slog.
func (s *Summary) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("pings", s.Pings), slog.Int("stale", s.Stale), slog.Int("invalid", s.Invalid),
		slog.Int("held", s.Held), slog.Int("undeleted", s.Undeleted), slog.Int("events_updated", s.Updated), slog.Int("due", s.Due), slog.Bool("deadlines_rebuilt", s.Rebuilt),
		slog.Int("down", s.Down), slog.Int("alerts_sent", s.AlertsSent), slog.Int("config_alerts", s.ConfigAlerts),
		slog.Int("reconciled", s.Reconciled), slog.Bool("skipped", s.Skipped), slog.Int("changed", s.Changed),
		slog.Int("alerts_held", s.AlertsHeld), slog.Int("config_in_digest", s.ConfigInDigest), slog.Int("down_in_digest", s.DownInDigest), slog.Int("undelivered", s.Undelivered),
		slog.Int("aws_unconfigured", s.AWSUnconfigured), slog.Int("aws_ignored", s.AWSIgnored),
		slog.Int("auto_created", s.AutoCreated), slog.Int("auto_create_refused", s.AutoCreateRefused),
		slog.Int("errors", s.Errors), slog.Bool("drained", s.Drained), slog.Bool("reconcile", s.ReconcileRan),
		slog.Int64("duration_ms", s.DurationMilli),
	)
}

// Poll runs one poll: drain, check due events, and once an hour reconcile
// the table and rebuild the deadline table. It returns an error when anything failed; what failed is left
// for the next poll (pings stay queued, alerts stay in the outbox).
func (p *Poller) Poll(ctx context.Context) (*Summary, error) {
	start := p.now()
	sum := &Summary{}
	ctx, release, ok := p.takeLease(ctx, start, sum)
	if !ok {
		if sum.Errors > 0 {
			return sum, errors.New("poll skipped: the poll lease could not be read (see the log)")
		}
		return sum, nil
	}
	defer release()
	firstWatched := p.firstWatchedPoll()
	stopDraining := start.Add(p.cfg.Budget)
	if d, ok := ctx.Deadline(); ok {
		stopDraining = d.Add(-p.cfg.Reserve)
	}
	held, emptyAt := p.drain(ctx, stopDraining, sum)
	if !emptyAt.IsZero() {
		sum.add(func(s *Summary) { s.Drained = true })
		p.checkDue(ctx, emptyAt, held, p.reconcileDue(start), sum)
	} else if sum.queueErr != nil {
		p.log.Warn("cannot read the queue: overdue checks wait until it can be drained", "err", sum.queueErr)
	} else {
		p.log.Warn("queue not drained before the time budget: overdue checks wait for the next poll")
	}
	if p.reconcileDue(start) || firstWatched {
		p.reconcile(ctx, sum)
	}
	p.publishDownDigest(ctx, sum)
	p.publishConfig(ctx, sum)
	sum.add(func(s *Summary) { s.DurationMilli = p.now().Sub(start).Milliseconds() })
	p.log.Info("poll", slog.Any("summary", sum))
	return sum, sum.err()
}

// err is the poll's outcome. While an alert waits undelivered every poll
// fails, not only those that retried it, so the poller's Errors alarm stays
// on until the topic is fixed.
func (s *Summary) err() error {
	switch {
	case s.Undelivered > 0 && s.Errors == 0:
		return fmt.Errorf("%d alerts wait undelivered (their publish failed; see the log of the poll that tried)", s.Undelivered)
	case s.Undelivered > 0:
		return fmt.Errorf("poll finished with %d errors and %d alerts waiting undelivered (see the log); failed work is retried", s.Errors, s.Undelivered)
	case s.Errors > 0:
		return fmt.Errorf("poll finished with %d errors (see the log); failed work is retried next poll", s.Errors)
	}
	return nil
}

// reconcileDue is true for the first poll of each ReconcileEvery window.
func (p *Poller) reconcileDue(now time.Time) bool {
	every := p.cfg.ReconcileEvery
	if every < 0 {
		return false
	}
	return now.Truncate(every) != now.Add(-p.cfg.Interval).Truncate(every)
}

// Reconcile runs the reconcile now (memon-poller --reconcile).
func (p *Poller) Reconcile(ctx context.Context) *Summary {
	sum := &Summary{}
	p.reconcile(ctx, sum)
	p.publishConfig(ctx, sum)
	return sum
}

func (p *Poller) reconcile(ctx context.Context, sum *Summary) {
	sum.add(func(s *Summary) { s.ReconcileRan = true })
	fixed, unusable, err := p.store.Reconcile(ctx)
	sum.add(func(s *Summary) { s.Reconciled = len(fixed) })
	if err != nil {
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("reconcile", "err", err)
	}
	for _, u := range unusable {
		name := ""
		if u.Event != nil {
			name = u.Event.Name
		}
		p.configAlert(name, u.Err.Error(), sum)
	}
}
