package poller

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/peerj/memon/pkg/memon"
)

// configAlert notes a configuration problem found during the poll. They are
// published together at the end of the poll (publishConfig), so that a
// sender naming many unknown events cannot flood the topic.
func (p *Poller) configAlert(_ context.Context, name, problem string, sum *Summary) {
	p.log.Warn("configuration problem", "event", name, "problem", problem)
	sum.add(func(s *Summary) { s.configs = append(s.configs, memon.ConfigProblem{Name: name, Problem: problem}) })
}

// publishConfig publishes the poll's CONFIG alerts: at most one per name per
// hour across pollers (the history table holds the claim), the first
// memon.MaxConfigAlertsPerPoll one by one, the rest in one digest. A
// publish that fails releases its claims so a later poll tries again.
func (p *Poller) publishConfig(ctx context.Context, sum *Summary) {
	sum.mu.Lock()
	problems := sum.configs
	sum.configs = nil
	sum.mu.Unlock()
	now := p.now()

	seen := map[string]bool{}
	var (
		mu  sync.Mutex
		won = map[string]bool{}
		g   errgroup.Group
	)
	g.SetLimit(p.cfg.Workers)
	var unique []memon.ConfigProblem
	for _, c := range problems {
		if seen[c.Name] {
			continue
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
	var claimed []memon.ConfigProblem // in the order the poll met them
	for _, c := range unique {
		if won[c.Name] {
			claimed = append(claimed, c)
		}
	}
	n := min(len(claimed), memon.MaxConfigAlertsPerPoll)
	for _, c := range claimed[:n] {
		p.publishClaimed(ctx, memon.ConfigAlert(c.Name, c.Problem), []memon.ConfigProblem{c}, now, sum)
	}
	if rest := claimed[n:]; len(rest) > 0 {
		if p.publishClaimed(ctx, memon.ConfigDigest(rest), rest, now, sum) {
			sum.add(func(s *Summary) { s.ConfigInDigest += len(rest) })
		}
	}
}

// publishClaimed publishes a CONFIG alert whose claims this poll holds, and
// releases them when the publish fails.
func (p *Poller) publishClaimed(ctx context.Context, a memon.Alert, covers []memon.ConfigProblem, now time.Time, sum *Summary) bool {
	if err := p.pub.Publish(ctx, a); err != nil {
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("publish config alert", "subject", a.Subject, "err", err)
		for _, c := range covers {
			if rerr := p.store.ReleaseConfigAlert(ctx, c.Name, now); rerr != nil {
				p.log.Error("release config alert claim: this hour's CONFIG alert is lost", "event", c.Name, "err", rerr)
			}
		}
		return false
	}
	sum.add(func(s *Summary) { s.ConfigAlerts++ })
	return true
}
