package poller

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/peerj/memon/pkg/memon"
)

// maxHeldConfig bounds the CONFIG alerts kept waiting for the topic; past
// it a failed one releases its claim instead, and the ping's redelivery
// claims it again later.
const maxHeldConfig = 200

// configAlert notes a configuration problem found during the poll. They are
// published together at the end of the poll (publishConfig), so that a
// sender naming many unknown events cannot flood the topic.
func (p *Poller) configAlert(name, problem string, sum *Summary) {
	p.log.Warn("configuration problem", "event", name, "problem", problem)
	sum.add(func(s *Summary) { s.configs = append(s.configs, memon.ConfigProblem{Name: name, Problem: problem}) })
}

// publishConfig publishes the poll's CONFIG alerts: at most one per name per
// hour across pollers (the history table holds the claim), the first
// memon.MaxConfigAlertsPerPoll one by one, the rest in one digest. Those
// whose publish failed wait in the store and are published first by the
// next polls: every poll reads them, and fails while any waits.
func (p *Poller) publishConfig(ctx context.Context, sum *Summary) {
	var problems []memon.ConfigProblem
	sum.add(func(s *Summary) { problems, s.configs = s.configs, nil })
	now := p.now()

	held, err := p.store.HeldConfigAlerts(ctx)
	if err != nil {
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("read the waiting CONFIG alerts", "err", err)
	}
	wasHeld := map[string]bool{}
	for _, c := range held {
		wasHeld[c.Name] = true
	}
	all := append([]memon.ConfigProblem(nil), held...) // the waiting ones first
	all = append(all, p.claimConfig(ctx, problems, wasHeld, now, sum)...)
	if len(all) == 0 {
		return
	}
	heldCount := len(held)
	n := min(len(all), memon.MaxConfigAlertsPerPoll)
	for _, c := range all[:n] {
		p.publishConfigAlert(ctx, memon.ConfigAlert(c.Name, c.Problem), []memon.ConfigProblem{c}, wasHeld, &heldCount, now, sum)
	}
	if rest := all[n:]; len(rest) > 0 {
		if p.publishConfigAlert(ctx, memon.ConfigDigest(rest), rest, wasHeld, &heldCount, now, sum) {
			sum.add(func(s *Summary) { s.ConfigInDigest += len(rest) })
		}
	}
}

// claimConfig claims the hour's CONFIG alert of each problem's name (in
// parallel) and returns those this poll won, in the order it met them.
func (p *Poller) claimConfig(ctx context.Context, problems []memon.ConfigProblem, skip map[string]bool, now time.Time, sum *Summary) []memon.ConfigProblem {
	var (
		mu     sync.Mutex
		won    = map[string]bool{}
		g      errgroup.Group
		unique []memon.ConfigProblem
		seen   = map[string]bool{}
	)
	g.SetLimit(p.cfg.Workers)
	for _, c := range problems {
		if seen[c.Name] || skip[c.Name] {
			continue // met twice, or already claimed and waiting
		}
		seen[c.Name] = true
		unique = append(unique, c)
		g.Go(func() error {
			ok, err := p.store.ClaimConfigAlert(ctx, c.Name, c.Problem, now)
			if err != nil {
				sum.add(func(s *Summary) { s.Errors++ })
				p.log.Error("claim config alert", "event", c.Name, "err", err)
			}
			mu.Lock()
			won[c.Name] = ok
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait()
	var claimed []memon.ConfigProblem
	for _, c := range unique {
		if won[c.Name] {
			claimed = append(claimed, c)
		}
	}
	return claimed
}

// publishConfigAlert publishes a CONFIG alert standing for covers. Covers
// that were waiting leave the store once it went out; new ones whose
// publish failed are kept waiting (up to maxHeldConfig, else their claim is
// released for a later poll).
func (p *Poller) publishConfigAlert(ctx context.Context, a memon.Alert, covers []memon.ConfigProblem,
	wasHeld map[string]bool, heldCount *int, now time.Time, sum *Summary) bool {
	var waiting []string
	var fresh []memon.ConfigProblem
	for _, c := range covers {
		if wasHeld[c.Name] {
			waiting = append(waiting, c.Name)
		} else {
			fresh = append(fresh, c)
		}
	}
	if err := p.pub.Publish(ctx, a); err != nil {
		sum.add(func(s *Summary) { s.Errors++; s.Undelivered += len(covers) })
		p.log.Error("publish config alert (retried by every later poll until it goes out)", "subject", a.Subject, "err", err)
		keep := fresh[:min(len(fresh), max(0, maxHeldConfig-*heldCount))]
		if err := p.store.HoldConfigAlerts(ctx, keep); err != nil {
			p.log.Error("keep config alerts for a later poll", "err", err)
			keep = nil
		}
		*heldCount += len(keep)
		for _, c := range fresh[len(keep):] {
			if rerr := p.store.ReleaseConfigAlert(ctx, c.Name, now); rerr != nil {
				p.log.Error("release config alert claim: this hour's CONFIG alert is lost", "event", c.Name, "err", rerr)
			}
		}
		return false
	}
	sum.add(func(s *Summary) { s.ConfigAlerts++ })
	if len(waiting) > 0 {
		if err := p.store.DropHeldConfigAlerts(ctx, waiting); err != nil {
			sum.add(func(s *Summary) { s.Errors++ })
			p.log.Error("drop published config alerts (they may be published again)", "err", err)
		}
	}
	return true
}
