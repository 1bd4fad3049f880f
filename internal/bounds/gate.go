// Package bounds is what every public endpoint of MEMon (the ping API and
// the read endpoint) puts around each request, so that a flood costs what
// the docs say and no answer tells by its timing what was looked up: a
// latency floor from the request's start, a pool of in-flight slots past
// which a request is turned away at once, and a token bucket per key.
package bounds

import (
	"context"
	"time"
)

// Limits are one endpoint's bounds.
type Limits struct {
	// MinLatency is the least time an answer takes from the request's
	// start. It hides how long a lookup took (an unknown key answers as
	// late as a known one) and, in Lambda, caps the requests one instance
	// serves a second, which is what bounds the cost of a flood
	// (docs/security.md).
	MinLatency time.Duration
	// MaxInFlight is how many requests are served at once; more are
	// answered at once, holding nothing. In Lambda each instance serves one
	// request, and reserved concurrency does this job.
	MaxInFlight int
	// KeyRate and KeyBurst bound the requests of one key (per instance):
	// past them it is refused, after the floor. In Lambda the floor already
	// caps an instance at 1/MinLatency requests a second; this keeps one
	// key from taking all of them.
	KeyRate  float64
	KeyBurst int
}

// Or returns l with each unset limit (zero; for the counts and rates, zero
// or less) taken from defaults.
func (l Limits) Or(defaults Limits) Limits {
	if l.MinLatency == 0 {
		l.MinLatency = defaults.MinLatency
	}
	if l.MaxInFlight <= 0 {
		l.MaxInFlight = defaults.MaxInFlight
	}
	if l.KeyRate <= 0 {
		l.KeyRate = defaults.KeyRate
	}
	if l.KeyBurst <= 0 {
		l.KeyBurst = defaults.KeyBurst
	}
	return l
}

// Gate applies one endpoint's Limits.
type Gate struct {
	limits Limits
	slots  chan struct{}
	perKey *Limiter
	now    func() time.Time
	// Sleep waits d or until ctx ends; tests replace it to see the floor
	// without waiting it.
	Sleep func(ctx context.Context, d time.Duration)
}

// NewGate returns the gate of limits (every one set: see Limits.Or); now is
// the clock (time.Now in production).
func NewGate(limits Limits, now func() time.Time) *Gate {
	return &Gate{limits: limits, slots: make(chan struct{}, limits.MaxInFlight),
		perKey: NewLimiter(limits.KeyRate, limits.KeyBurst), now: now, Sleep: sleepCtx}
}

// Enter takes an in-flight slot if one is free. The caller calls leave when
// it has answered; without a slot (ok false) it answers at once.
func (g *Gate) Enter() (leave func(), ok bool) {
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, true
	default:
		return nil, false
	}
}

// Floor waits until MinLatency has passed since start.
func (g *Gate) Floor(ctx context.Context, start time.Time) {
	g.Sleep(ctx, start.Add(g.limits.MinLatency).Sub(g.now()))
}

// AllowKey takes one request of key's bucket now, if it has one.
func (g *Gate) AllowKey(key string) bool {
	return g.perKey.Allow(key, g.now())
}

func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
