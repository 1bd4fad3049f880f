package poller

import (
	"context"

	"github.com/peerj/memon/pkg/memon"
)

// deliver publishes each claimed transition's alert and writes it to
// history, then records the outcome in the outbox: delivered entries leave
// it, the rest wait for a later poll. The two are independent: an alert
// never waits on the history table (a failed history write leaves the entry
// marked published, and only the record is retried), and a record is
// written even while the topic fails. Recording is a conditional write too;
// a lost race re-reads the event and records the same outcome on it.
func (p *Poller) deliver(ctx context.Context, ev *memon.Event, claimed []memon.Transition, sum *Summary) {
	if len(claimed) == 0 {
		return
	}
	now := p.now()
	type outcome struct{ published, done bool }
	results := map[string]outcome{}
	for _, tr := range claimed {
		var o outcome
		o.published = tr.Alert == nil || tr.Published
		if !o.published {
			if err := p.pub.Publish(ctx, ev.PendingAlert(tr)); err != nil {
				sum.add(func(s *Summary) { s.Errors++ })
				p.log.Error("publish alert (retried by every later poll until it goes out)", "event", tr.Event, "transition", tr.ID, "err", err)
			} else {
				o.published = true
				sum.add(func(s *Summary) { s.AlertsSent++ })
			}
		}
		if err := p.store.AppendHistory(ctx, tr); err != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("write history (retried by a later poll)", "event", tr.Event, "transition", tr.ID, "err", err)
		} else {
			o.done = o.published
		}
		results[tr.ID] = o
		attrs := []any{"event", tr.Event, "from", tr.From, "to", tr.To, "reason", tr.Reason}
		if tr.Alert != nil {
			attrs = append(attrs, "alert", tr.Alert.Kind, "published", o.published)
		}
		p.log.Info("transition", attrs...)
	}
	// Record the outcome on the event as read; a lost race re-reads it and
	// records the same outcome again.
	_, err := p.update(ctx, ev.Name, ev, func(e *memon.Event) bool {
		for id, o := range results {
			switch {
			case o.done:
				e.Delivered(id)
			case o.published:
				e.MarkPublished(id)
				e.DeliveryFailed(id, now)
			default:
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
