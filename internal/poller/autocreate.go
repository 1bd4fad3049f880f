package poller

import (
	"context"
	"errors"
	"fmt"

	"github.com/peerj/memon/pkg/memon"
)

// DefaultAutoCreateCap is how many events one poll may create from pings
// (Config.AutoCreateCap). Past it, the other unknown names' pings stay in the
// queue and come back after the visibility timeout, to be created by a later
// poll: a burst of new names is spread over polls, never lost, and a flood
// of junk names is bounded (after 5 receives a ping moves to the dead-letter
// queue, whose alarm says so).
const DefaultAutoCreateCap = 20

// autoCreate handles pings for an event that does not exist when
// Config.AutoCreatePeriod is set: the event is created rolling with that
// period, marked auto-created, with the pings applied (the first success is
// its first run), in one conditional create. It reports whether the pings
// may leave the queue.
func (p *Poller) autoCreate(ctx context.Context, name string, pings []memon.Ping, sum *Summary) bool {
	if err := memon.ValidateName(name); err != nil {
		p.configAlert(name, fmt.Sprintf("a ping names %q, which no event has, and it cannot be created automatically: %v", name, err), sum)
		return false
	}
	slot := false
	sum.add(func(s *Summary) {
		if s.AutoCreated < p.cfg.AutoCreateCap {
			s.AutoCreated++
			slot = true
		}
	})
	if !slot {
		sum.add(func(s *Summary) { s.AutoCreateDeferred += len(pings) })
		p.log.Warn("auto-create cap reached: pings wait in the queue for a later poll", "event", name, "cap", p.cfg.AutoCreateCap)
		return false
	}
	release := func() { sum.add(func(s *Summary) { s.AutoCreated-- }) }

	sched, err := memon.NewSchedule(memon.Rolling, p.cfg.AutoCreatePeriod, "", "")
	if err != nil { // the period was checked where it was read; keep the pings
		release()
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("auto-create", "event", name, "err", err)
		return false
	}
	ev := memon.NewEvent(name, sched)
	ev.AutoCreated = true
	applied := 0
	for _, ping := range pings {
		if _, ok := ev.Apply(ping); ok {
			applied++
		}
	}
	claimed := ev.Claim(p.now())
	switch err := p.store.Create(ctx, ev); {
	case errors.Is(err, memon.ErrExists):
		// Created meanwhile (another poller, or a person): apply as usual.
		release()
		return p.applyPings(ctx, name, pings, sum)
	case err != nil:
		release()
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("auto-create", "event", name, "err", err)
		return false
	}
	p.log.Info("auto-created event from its first ping", "event", name, "period", memon.FormatDuration(p.cfg.AutoCreatePeriod))
	sum.add(func(s *Summary) { s.Updated++; s.Stale += len(pings) - applied })
	p.deliver(ctx, ev, claimed, sum)
	return true
}
