package poller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/peerj/memon/pkg/memon"
)

// checkDue decides DOWN for the events the due index returns, and delivers
// outbox entries whose retry time has come. cutoff is when the queue was
// seen empty: no ping sent before it is still waiting, so a deadline before
// it really was missed. The index is eventually consistent; each event is
// re-read consistently and decided with a conditional write.
func (p *Poller) checkDue(ctx context.Context, cutoff time.Time, held map[string]bool, sum *Summary) {
	names, err := p.store.Due(ctx, cutoff)
	if err != nil {
		sum.Errors++
		p.log.Error("query due events", "err", err)
		return
	}
	sum.Due = len(names)
	var g errgroup.Group
	g.SetLimit(p.cfg.Workers)
	for _, name := range names {
		if held[name] {
			continue // its pings are still queued: deciding now could be wrong
		}
		g.Go(func() error {
			p.checkEvent(ctx, name, cutoff, sum)
			return nil
		})
	}
	_ = g.Wait()
}

func (p *Poller) checkEvent(ctx context.Context, name string, cutoff time.Time, sum *Summary) {
	var (
		down    bool
		claimed []memon.Transition
		waiting int
	)
	ev, err := p.update(ctx, name, nil, func(ev *memon.Event) bool {
		_, down = ev.CheckDue(cutoff)
		claimed = ev.Claim(p.now())
		waiting = ev.Undelivered(claimed) // failed before, not retried yet: still reported
		return down || len(claimed) > 0   // else the index lagged behind a write
	})
	if err == nil && waiting > 0 {
		sum.add(func(s *Summary) { s.Undelivered += waiting })
	}
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return // deleted since the index was read
	case errors.Is(err, memon.ErrInvalid):
		p.configAlert(ctx, name, fmt.Sprintf("the item for %q cannot be used: %v", name, err), sum)
		return
	case err != nil:
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("store due event", "event", name, "err", err)
		return
	case ev == nil:
		return
	}
	sum.add(func(s *Summary) {
		s.Updated++
		if down {
			s.Down++
		}
	})
	p.deliver(ctx, ev, claimed, sum)
}
