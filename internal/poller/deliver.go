package poller

import (
	"context"
	"errors"

	"golang.org/x/sync/errgroup"

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
	type outcome struct{ published, done, digest bool }
	results := map[string]outcome{}
	for _, tr := range claimed {
		var o outcome
		o.published = tr.Alert == nil || tr.Published
		if !o.published && tr.Alert.Kind == memon.KindDown && !p.downSlot(sum) {
			o.digest = true // published by the poll's DOWN digest (publishDownDigest)
		} else if !o.published {
			if err := p.pub.Publish(ctx, ev.PendingAlert(tr)); err != nil {
				sum.add(func(s *Summary) { s.Errors++ })
				p.log.Error("publish alert (retried by every later poll until it goes out)", "event", tr.Event, "transition", tr.ID, "err", err)
			} else {
				o.published = true
				sum.add(func(s *Summary) { s.AlertsSent++ })
			}
		}
		historyErr := p.store.AppendHistory(ctx, tr)
		if historyErr != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("write history (retried by a later poll)", "event", tr.Event, "transition", tr.ID, "err", historyErr)
		} else {
			o.done = o.published
		}
		if o.digest {
			// Its outbox entry stays claimed until the digest is out.
			held := heldDown{HeldDown: memon.HeldDown{Name: ev.Name, Reason: tr.Reason, Tags: ev.Tags}, id: tr.ID, recorded: historyErr == nil}
			sum.add(func(s *Summary) { s.downHeld = append(s.downHeld, held) })
		} else {
			results[tr.ID] = o
		}
		attrs := []any{"event", tr.Event, "from", tr.From, "to", tr.To, "reason", tr.Reason}
		if tr.Alert != nil {
			attrs = append(attrs, "alert", tr.Alert.Kind, "published", o.published, "in_digest", o.digest)
		}
		p.log.Info("transition", attrs...)
	}
	if len(results) == 0 {
		return // every alert waits for the digest
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

// heldDown is a DOWN alert held for the poll's digest, with its outbox
// entry, whether its history record is written and whether its digest
// went out.
type heldDown struct {
	memon.HeldDown
	id        string
	recorded  bool
	published bool // its digest went out
}

// downSlot takes one of the poll's memon.MaxDownAlertsPerPoll DOWN
// alerts; false when they are taken and the alert goes to the digest.
func (p *Poller) downSlot(sum *Summary) bool {
	ok := false
	sum.add(func(s *Summary) {
		if s.downSent < memon.MaxDownAlertsPerPoll {
			s.downSent++
			ok = true
		}
	})
	return ok
}

// publishDownDigest publishes the DOWN alerts held past the poll's limit
// in memon.DownDigests, as many as it takes to name each, then records each held entry's outcome on its
// event as deliver would have: delivered, or failed and retried by a later
// poll (which applies the same limit).
func (p *Poller) publishDownDigest(ctx context.Context, sum *Summary) {
	var held []heldDown
	sum.add(func(s *Summary) { held, s.downHeld = s.downHeld, nil })
	if len(held) == 0 {
		return
	}
	names := make([]memon.HeldDown, len(held))
	for i, h := range held {
		names[i] = h.HeldDown
	}
	// As many digests as it takes to name every event (each within the
	// size one message may have); each held entry records its own.
	for at := 0; at < len(held); {
		digest, n := memon.DownDigest(names[at:])
		err := p.pub.Publish(ctx, digest)
		if err != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("publish the DOWN digest (each alert is retried by a later poll)", "events", n, "err", err)
		} else {
			sum.add(func(s *Summary) { s.AlertsSent++; s.DownInDigest += n })
		}
		for i := at; i < at+n; i++ {
			held[i].published = err == nil
		}
		at += n
	}
	now := p.now()
	byEvent := map[string][]heldDown{} // one write per event, whatever it held
	for _, h := range held {
		byEvent[h.Name] = append(byEvent[h.Name], h)
	}
	var g errgroup.Group
	g.SetLimit(p.cfg.Workers)
	for name, hs := range byEvent {
		g.Go(func() error {
			_, err := p.update(ctx, name, nil, func(e *memon.Event) bool {
				changed := false
				for _, h := range hs {
					if !e.Pending(h.id) {
						continue
					}
					changed = true
					switch {
					case h.published && h.recorded:
						e.Delivered(h.id)
					case h.published:
						e.MarkPublished(h.id)
						e.DeliveryFailed(h.id, now)
					default:
						e.DeliveryFailed(h.id, now)
					}
				}
				return changed
			})
			if err != nil && !errors.Is(err, memon.ErrNotFound) {
				sum.add(func(s *Summary) { s.Errors++ })
				p.log.Error("record the DOWN digest's delivery (a later poll may deliver again)", "event", name, "err", err)
			}
			return nil
		})
	}
	_ = g.Wait()
}
