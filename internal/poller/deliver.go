package poller

import (
	"context"

	"github.com/peerj/memon/pkg/memon"
)

// deliver writes each claimed transition to history and publishes its
// alert, then records the outcome in the outbox: delivered entries leave it,
// failed ones wait for a later poll. Recording is a conditional write too;
// a lost race re-reads the event and records the same outcome on it.
func (p *Poller) deliver(ctx context.Context, ev *memon.Event, claimed []memon.Transition, sum *Summary) {
	if len(claimed) == 0 {
		return
	}
	now := p.now()
	delivered := map[string]bool{}
	for _, tr := range claimed {
		err := p.deliverOne(ctx, tr)
		delivered[tr.ID] = err == nil
		if err != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("deliver transition (retried by a later poll)", "event", tr.Event, "transition", tr.ID, "err", err)
			continue
		}
		if tr.Alert != nil {
			sum.add(func(s *Summary) { s.AlertsSent++ })
		}
		attrs := []any{"event", tr.Event, "from", tr.From, "to", tr.To, "reason", tr.Reason}
		if tr.Alert != nil {
			attrs = append(attrs, "alert", tr.Alert.Kind)
		}
		p.log.Info("transition", attrs...)
	}
	// Record the outcome on the event as read; a lost race re-reads it and
	// records the same outcome again.
	_, err := p.update(ctx, ev.Name, ev, func(e *memon.Event) bool {
		for id, ok := range delivered {
			if ok {
				e.Delivered(id)
			} else {
				e.DeliveryFailed(id, now)
			}
		}
		return true
	})
	if err != nil {
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("record delivery (a later poll may deliver again)", "event", ev.Name, "err", err)
	}
}

// deliverOne writes history first (an idempotent put) and publishes second,
// so a retry after a failed publish never leaves a record without an alert.
func (p *Poller) deliverOne(ctx context.Context, tr memon.Transition) error {
	if err := p.store.AppendHistory(ctx, tr); err != nil {
		return err
	}
	if tr.Alert == nil {
		return nil
	}
	return p.pub.Publish(ctx, *tr.Alert)
}

// configAlert publishes a CONFIG alert at most once per name per hour,
// across pollers: the history table holds the claim. A publish that fails
// releases the claim so a later poll tries again.
func (p *Poller) configAlert(ctx context.Context, name, problem string, sum *Summary) {
	now := p.now()
	won, err := p.store.ClaimConfigAlert(ctx, name, problem, now)
	if err != nil {
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("claim config alert", "event", name, "err", err)
		return
	}
	p.log.Warn("configuration problem", "event", name, "problem", problem, "alert", won)
	if !won {
		return // already alerted this hour
	}
	if err := p.pub.Publish(ctx, memon.ConfigAlert(name, problem)); err != nil {
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("publish config alert", "event", name, "err", err)
		if rerr := p.store.ReleaseConfigAlert(ctx, name, now); rerr != nil {
			p.log.Error("release config alert claim: this hour's CONFIG alert is lost", "event", name, "err", rerr)
		}
		return
	}
	sum.add(func(s *Summary) { s.ConfigAlerts++ })
}
