package poller

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/peerj/memon/pkg/memon"
)

// drain applies rounds of messages until the queue is seen empty or the
// time runs out. It returns the events whose pings could not be stored
// (they must not be declared overdue this poll) and, when the queue was seen
// empty, the moment it was: every ping sent before then has been applied.
func (p *Poller) drain(ctx context.Context, stop time.Time, sum *Summary) (map[string]bool, time.Time) {
	held := map[string]bool{}
	for p.now().Before(stop) && ctx.Err() == nil {
		roundStart := p.now()
		msgs, empty, err := p.receiveRound(ctx, stop)
		if err != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("receive", "err", err)
		}
		sum.add(func(s *Summary) { s.Pings += len(msgs) })
		if len(msgs) > 0 {
			for name := range p.apply(ctx, msgs, sum) {
				held[name] = true
			}
		}
		if empty && err == nil {
			return held, roundStart
		}
		if err != nil && len(msgs) == 0 {
			sum.add(func(s *Summary) { s.queueErr = err }) // unreachable or missing: no overdue decisions this poll
			break
		}
	}
	return held, time.Time{}
}

// receiveRound runs concurrent long-poll receivers until they have a round's
// worth of messages or every one of them came back empty.
func (p *Poller) receiveRound(ctx context.Context, stop time.Time) ([]memon.QueueMessage, bool, error) {
	var (
		mu       sync.Mutex
		msgs     []memon.QueueMessage
		empties  int
		firstErr error
		wg       sync.WaitGroup
	)
	for range p.cfg.Receivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				full := len(msgs) >= p.cfg.RoundSize
				mu.Unlock()
				if full || !p.now().Before(stop) || ctx.Err() != nil {
					return
				}
				got, err := p.queue.Receive(ctx)
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
					}
				case len(got) == 0:
					empties++
				default:
					msgs = append(msgs, got...)
				}
				mu.Unlock()
				if err != nil || len(got) == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	return msgs, empties == p.cfg.Receivers, firstErr
}

// apply decodes a round, applies each event's pings in one conditional
// write, and deletes the messages whose state is stored. It returns the
// events whose pings stay queued.
func (p *Poller) apply(ctx context.Context, msgs []memon.QueueMessage, sum *Summary) map[string]bool {
	byName := map[string][]memon.Ping{}
	msgsOf := map[string][]memon.QueueMessage{}
	var deletable []memon.QueueMessage
	for _, m := range msgs {
		ping, err := decode(m)
		if errors.Is(err, memon.ErrAWSIgnored) {
			// An AWS event that ends no run (MEMon's rules send none, a
			// broader rule of the user's may): nothing to keep.
			sum.add(func(s *Summary) { s.AWSIgnored++ })
			deletable = append(deletable, m)
			continue
		}
		if err != nil {
			// Left in the queue: after the redrive limit it moves to the
			// dead-letter queue, where a person can read it.
			sum.add(func(s *Summary) { s.Invalid++ })
			p.log.Warn("malformed ping left for the dead-letter queue", "message_id", m.ID, "receives", m.ReceiveCount, "err", err)
			continue
		}
		byName[ping.Name] = append(byName[ping.Name], ping)
		msgsOf[ping.Name] = append(msgsOf[ping.Name], m)
	}

	var (
		mu   sync.Mutex
		held = map[string]bool{}
	)
	var g errgroup.Group
	g.SetLimit(p.cfg.Workers)
	for name, pings := range byName {
		g.Go(func() error {
			stored := p.applyPings(ctx, name, pings, sum)
			mu.Lock()
			defer mu.Unlock()
			if stored {
				deletable = append(deletable, msgsOf[name]...)
			} else {
				held[name] = true
				sum.add(func(s *Summary) { s.Held += len(pings) })
			}
			return nil
		})
	}
	_ = g.Wait()

	// Only now, with the state stored, do the messages leave the queue.
	// A message whose delete failed comes back and is skipped as stale, so
	// no state is wrong; but the poll reports the error: a delete that
	// always fails (a lost permission, a wrong queue) would otherwise show
	// only five receives later, in the dead-letter alarm, with every ping
	// of the fleet moved there.
	if failed, err := p.queue.Delete(ctx, deletable); err != nil {
		sum.add(func(s *Summary) { s.Undeleted += len(failed); s.Errors++ })
		p.log.Error("delete applied pings (they will be redelivered and skipped as stale)", "count", len(failed), "err", err)
	}
	return held
}

// applyPings folds one event's pings (oldest first) into its stored state
// with a conditional write, then delivers what that decided. It reports
// whether the pings may leave the queue.
func (p *Poller) applyPings(ctx context.Context, name string, pings []memon.Ping, sum *Summary) bool {
	sort.Slice(pings, func(i, j int) bool { return pings[i].SentAt.Before(pings[j].SentAt) })
	var (
		applied, heldAlerts int
		claimed             []memon.Transition
	)
	ev, err := p.update(ctx, name, nil, func(ev *memon.Event) bool {
		applied, heldAlerts = 0, 0
		p.relate(ctx, ev, p.now()) // parents and dependents (relatives.go)
		for _, ping := range pings {
			before := ev.AlertsHeld
			if _, ok := ev.Apply(ping); ok {
				applied++
			}
			if ev.AlertsHeld > before {
				heldAlerts++ // past the hourly limit (memon.MaxAlertsPerHour)
			}
		}
		if applied == 0 {
			return false
		}
		claimed = ev.Claim(p.now())
		return true
	})
	switch {
	case errors.Is(err, memon.ErrNotFound) && allFromAWS(pings):
		// AWS reports every job of the account; only the configured
		// ones are watched. Counted, never a CONFIG alert or a dead letter.
		sum.add(func(s *Summary) { s.AWSUnconfigured += len(pings) })
		return true
	case errors.Is(err, memon.ErrNotFound) && (anyAsksCreate(pings) || p.cfg.AutoCreatePeriod > 0 && !anyViaURL(pings)):
		// A slug ping with ?create=1 asks for it, with or without
		// create-on-first-ping; a token's URL never brings an event back.
		return p.autoCreate(ctx, name, pings, sum)
	case errors.Is(err, memon.ErrNotFound) && anyViaURL(pings):
		// The endpoint found the event when it took the ping; it was
		// deleted since. A token's URL never brings an event back.
		p.configAlert(name, fmt.Sprintf("a ping through a ping URL names %q, which was deleted after the URL was used: "+
			"its token died with it (memon-config token %s makes a new one once the event exists)", name, memon.ShellWord(name)), sum)
		return false
	case errors.Is(err, memon.ErrNotFound):
		p.configAlert(name, fmt.Sprintf("a ping names %q but no such event exists: create it with `memon-config set %s --period DUR` (or --cron EXPR)", name, name), sum)
		return false
	case errors.Is(err, memon.ErrInvalid):
		p.configAlert(name, fmt.Sprintf("the item for %q cannot be used: %v", name, err), sum)
		return false
	case err != nil:
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("store pings", "event", name, "err", err)
		return false
	}
	sum.add(func(s *Summary) { s.Stale += len(pings) - applied; s.AlertsHeld += heldAlerts })
	if ev == nil {
		return true // every ping was already applied: safe to delete
	}
	sum.add(func(s *Summary) { s.Updated++ })
	p.deliver(ctx, ev, claimed, sum)
	return true
}

// anyAsksCreate is true when a ping asks for its event to be created.
func anyAsksCreate(pings []memon.Ping) bool {
	for _, p := range pings {
		if p.Create {
			return true
		}
	}
	return false
}

// anyViaURL is true when a ping came through the HTTPS endpoint.
func anyViaURL(pings []memon.Ping) bool {
	for _, p := range pings {
		if p.Via == memon.ViaURL {
			return true
		}
	}
	return false
}

// allFromAWS is true when every ping came from an AWS job event.
func allFromAWS(pings []memon.Ping) bool {
	for _, p := range pings {
		if p.Source == "" {
			return false
		}
	}
	return true
}
