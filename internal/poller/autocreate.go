package poller

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// DefaultAutoCreateMax is how many events pings may create in all
// (Config.AutoCreateMax; MEMON_AUTO_CREATE_MAX, stack context
// autoCreateMax). The count is kept in the store, across polls and pollers.
// Within it a first ping creates its event in the poll it arrives, however
// many junk names arrive with it; past it, unknown names are CONFIG problems
// (one digest past the first few, config.go), as with auto-create off, so a
// sender spraying names makes at most this many events (and their DOWN
// alerts go out in one digest past ten a poll).
const DefaultAutoCreateMax = 50

// DefaultCreatePeriod is the period of an event a ping asked to create
// (memon.Ping.Create: a slug ping with ?create=1) where the stack sets no
// auto-create period.
const DefaultCreatePeriod = 24 * time.Hour

// autoCreate handles pings for an event that does not exist when
// Config.AutoCreatePeriod is set or a ping asks for it: the event is
// created rolling with Config.AutoCreatePeriod (else
// DefaultCreatePeriod), marked auto-created, with the pings applied (the
// first success is its first run), in one conditional create. It reports whether the pings
// may leave the queue.
func (p *Poller) autoCreate(ctx context.Context, name string, pings []memon.Ping, sum *Summary) bool {
	period := cmp.Or(p.cfg.AutoCreatePeriod, DefaultCreatePeriod)
	if err := memon.ValidateName(name); err != nil {
		p.configAlert(name, fmt.Sprintf("a ping names %q, which no event has, and it cannot be created automatically: %v", name, err), sum)
		return false
	}
	full := false
	sum.add(func(s *Summary) { full = s.autoCreateFull })
	if !full {
		ok, err := p.store.ClaimAutoCreate(ctx, p.cfg.AutoCreateMax)
		if err != nil { // the pings stay queued and are tried again
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("auto-create", "event", name, "err", err)
			return false
		}
		full = !ok
	}
	if full {
		// Once full, the rest of the poll asks the store no more.
		sum.add(func(s *Summary) { s.autoCreateFull = true; s.AutoCreateRefused += len(pings) })
		p.configAlert(name, fmt.Sprintf("a ping names %q, which no event has, and pings have created the most events they may (%d; "+
			"MEMON_AUTO_CREATE_MAX, stack context autoCreateMax): create it with `memon-config set %s --period DUR`",
			name, p.cfg.AutoCreateMax, memon.ShellWord(name)), sum)
		return false
	}
	release := func() {
		if err := p.store.ReleaseAutoCreate(ctx); err != nil {
			p.log.Error("release an auto-create slot (one fewer event may be auto-created)", "event", name, "err", err)
		}
	}

	sched, err := memon.NewSchedule(memon.Rolling, period, "", "")
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
	p.log.Info("auto-created event from its first ping", "event", name, "period", memon.FormatDuration(period))
	sum.add(func(s *Summary) { s.AutoCreated++; s.Updated++; s.Stale += len(pings) - applied })
	p.deliver(ctx, ev, claimed, sum)
	return true
}
