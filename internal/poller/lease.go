package poller

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Lease lets one poller at a time judge events. Without it two pollers (the
// Lambda and a self-hosted `memon-poller --every 1m`) could interleave so
// that one declares an event DOWN while the other still holds its ping in
// flight, and the ping then arrives as UP: a false DOWN-then-UP. Conditional
// writes keep each transition single; the lease keeps the judgement sound.
type Lease interface {
	// AcquireLease returns the checkpoint the last holder stored, or a
	// *memon.LeaseHeldError when another poller holds an unexpired lease.
	AcquireLease(ctx context.Context, holder string, now time.Time, ttl time.Duration) (string, error)
	RenewLease(ctx context.Context, holder string, now time.Time, ttl time.Duration) error
	ReleaseLease(ctx context.Context, holder string, now time.Time, checkpoint string) error
}

// UseLease makes every poll take the lease first and skip (logging who holds
// it) when another poller has it. A crashed holder's lease expires after
// Config.Lease.
//
// That is at least 3/2 of the queue's visibility timeout, so that the poll
// which takes over a dead holder's lease sees every ping the holder had
// received: those stay hidden for the visibility timeout after their
// receive, and a receive comes at most a third of the lease after the last
// renewal. A shorter lease let the next poll find the queue "empty" while a
// ping sent before a deadline was still hidden, and judge it: a false DOWN,
// then UP when the ping came back.
func (p *Poller) UseLease(l Lease) *Poller {
	p.lease = l
	return p
}

// DefaultVisibility is the stack's queue visibility timeout: twice the
// poller Lambda's 55 s timeout (infra/stack.go).
const DefaultVisibility = 110 * time.Second

// newHolder names this poller process in the lease item, for the log line
// of the poller that skips.
func newHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// takeLease acquires the lease and keeps renewing it while the poll runs.
// It returns the poll's context (cancelled if the lease is lost), a release
// func to defer, and false when the poll must be skipped.
func (p *Poller) takeLease(ctx context.Context, now time.Time, sum *Summary) (context.Context, func(), bool) {
	if p.lease == nil {
		return ctx, func() {}, true
	}
	ttl := p.cfg.Lease
	checkpoint, err := p.lease.AcquireLease(ctx, p.holder, now, ttl)
	var held *memon.LeaseHeldError
	switch {
	case errors.As(err, &held):
		sum.add(func(s *Summary) { s.Skipped = true })
		p.log.Info("poll skipped: another poller holds the lease, so this one must not judge events it may hold pings for",
			"holder", held.Holder, "until", held.Until.UTC().Format(time.RFC3339Nano))
		return ctx, nil, false
	case err != nil:
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("poll skipped: cannot take the poll lease", "err", err)
		return ctx, nil, false
	}
	p.checkpoint = checkpoint
	ctx, cancel := context.WithCancel(ctx)
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		p.renewLease(ctx, cancel, stop, now.Add(ttl), sum)
	}()
	release := func() {
		close(stop)
		<-stopped
		cancel()
		// A fresh context: the poll's may be cancelled, the release must
		// still happen so the next poller need not wait for the expiry.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer rcancel()
		if err := p.lease.ReleaseLease(rctx, p.holder, p.now(), p.checkpoint); err != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("release the poll lease (it expires by itself)", "err", err)
		}
	}
	return ctx, release, true
}

// renewLease extends the lease every third of its length. A lease lost to
// another poller (this one overran it) cancels the poll: the other one now
// judges, so this one must stop writing decisions.
func (p *Poller) renewLease(ctx context.Context, cancel func(), stop <-chan struct{}, until time.Time, sum *Summary) {
	ttl := p.cfg.Lease
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := p.now()
		err := p.lease.RenewLease(ctx, p.holder, now, ttl)
		if err == nil {
			until = now.Add(ttl)
			continue
		}
		var held *memon.LeaseHeldError
		if errors.As(err, &held) || !p.now().Before(until) {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("poll lease lost: stopping this poll", "holder", p.holder, "err", err)
			cancel()
			return
		}
		p.log.Warn("renew the poll lease (retrying)", "err", err)
	}
}
