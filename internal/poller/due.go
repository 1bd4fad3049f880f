package poller

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/peerj/memon/pkg/memon"
)

// checkDue decides DOWN for the events the deadline table says are due, and
// delivers outbox entries whose retry time has come. cutoff is when the
// queue was seen empty: no ping sent before it is still waiting, so a
// deadline before it really was missed. Each event is re-read consistently
// and decided with a conditional write. Items other tools wrote since the
// last poll (read from the change stream) are judged here too, whatever
// their deadline. rebuild asks for the deadline table to be rebuilt by a
// scan whatever the stream says (the hourly safety net).
func (p *Poller) checkDue(ctx context.Context, cutoff time.Time, held map[string]bool, rebuild bool, sum *Summary) {
	read := p.readChanges(ctx, sum)
	if rebuild || read.rebuild || !p.deadlines.built {
		// After the stream read: a write the scan misses is on the stream
		// after the position read to, which the next poll reads from.
		pos := p.checkpoint
		if p.deadlines.built {
			pos = p.deadlines.pos
		}
		edited, err := p.deadlines.rebuild(ctx, p.store, pos)
		if err != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("find due events", "err", err)
			return
		}
		sum.add(func(s *Summary) { s.Rebuilt = true })
		read.changes = append(edited, read.changes...) // the stream's, later, win in the check
	}
	p.deadlines.apply(read.changes)
	names := p.deadlines.due(cutoff)
	sum.add(func(s *Summary) { s.Due = len(names) })
	check := map[string]*memon.Change{}
	for _, name := range names {
		check[name] = nil
	}
	foreign := 0
	for i, ch := range read.changes {
		if !ch.Own && !ch.Deleted {
			check[ch.Name] = &read.changes[i]
			foreign++
		}
	}
	sum.add(func(s *Summary) { s.Changed = foreign })
	var (
		g      errgroup.Group
		failed atomic.Bool
	)
	g.SetLimit(p.cfg.Workers)
	for name, ch := range check {
		if held[name] {
			continue // its pings are still queued: deciding now could be wrong
		}
		g.Go(func() error {
			if !p.checkEvent(ctx, name, cutoff, ch, sum) && ch != nil {
				failed.Store(true)
			}
			return nil
		})
	}
	_ = g.Wait()
	if read.read && !failed.Load() {
		p.checkpoint = read.next // else the next poll reads those changes again
		p.deadlines.pos = read.next
	}
}

// checkEvent judges one event; ch is set for an item another tool wrote,
// which is always rewritten and, when its schedule was edited,
// re-armed on the new schedule first. It reports false when the event could
// not be stored.
func (p *Poller) checkEvent(ctx context.Context, name string, cutoff time.Time, ch *memon.Change, sum *Summary) bool {
	var (
		down    bool
		claimed []memon.Transition
		waiting int
	)
	ev, err := p.update(ctx, name, nil, func(ev *memon.Event) bool {
		// A poller rewrote the item after the change was seen: handled.
		foreign := ch != nil && ev.Version == ch.Version
		if foreign && ch.ScheduleEdited {
			ev.Reschedule(ev.Schedule) // the stored deadline is the old schedule's
		}
		if foreign {
			ev.WatchNew(cutoff) // created by another tool (the CDK construct) to be watched from now
		}
		p.relate(ctx, ev, cutoff) // parents and dependents (relatives.go)
		_, down = ev.CheckDue(cutoff)
		claimed = ev.Claim(p.now())
		waiting = ev.Undelivered(claimed)          // failed before, not retried yet: still reported
		return down || len(claimed) > 0 || foreign // else the deadline table was early
	})
	if err == nil && waiting > 0 {
		sum.add(func(s *Summary) { s.Undelivered += waiting })
	}
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return true // deleted since the deadline was noted
	case errors.Is(err, memon.ErrInvalid):
		p.configAlert(name, fmt.Sprintf("the item for %q cannot be used: %v", name, err), sum)
		return true
	case err != nil:
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("store due event", "event", name, "err", err)
		return false
	case ev == nil:
		return true
	}
	sum.add(func(s *Summary) {
		s.Updated++
		if down {
			s.Down++
		}
	})
	p.deliver(ctx, ev, claimed, sum)
	return true
}
