package poller

import (
	"context"
	"slices"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// relate reads what an event's decisions depend on (memon.Relatives): which
// of its parents are down, and which of its dependents are in trouble for
// its own alert. Only events with dependencies pay these reads (consistent,
// one per relative). A relative that cannot be read counts as fine: the
// alert then goes out, never lost.
func (p *Poller) relate(ctx context.Context, ev *memon.Event, now time.Time) {
	ev.Relatives = memon.Relatives{}
	for _, name := range ev.DependsOn {
		if par, err := p.store.Get(ctx, name); err == nil && par.InTrouble(now) {
			ev.TroubledParents = append(ev.TroubledParents, name)
		}
	}
	for _, name := range ev.Dependents {
		child, err := p.store.Get(ctx, name)
		if err == nil && slices.Contains(child.DependsOn, ev.Name) && child.InTrouble(now) {
			ev.Affected = append(ev.Affected, name)
		}
	}
}
