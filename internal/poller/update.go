package poller

import (
	"context"
	"errors"
	"fmt"

	"github.com/peerj/memon/pkg/memon"
)

// errTooManyWriters reports that every attempt at a conditional write lost
// a race; the work is retried by the next poll.
var errTooManyWriters = errors.New("too many concurrent writers, retrying next poll")

// update is every read-modify-write of the poller: change is applied to the
// event and the result stored with a write conditional on the version read;
// a lost race re-reads the event and applies change again. ev is the event
// as already read, or nil to read it first. change reports whether there is
// anything to write. update returns the event as stored, or nil when change
// found nothing to write.
func (p *Poller) update(ctx context.Context, name string, ev *memon.Event, change func(*memon.Event) bool) (*memon.Event, error) {
	for range p.cfg.Attempts {
		if ev == nil {
			var err error
			if ev, err = p.store.Get(ctx, name); errors.Is(err, memon.ErrNotFound) {
				p.deadlines.forget(name)
			}
			if err != nil {
				return nil, err
			}
			p.deadlines.set(ev) // a consistent read: the deadline as it is
		}
		if !change(ev) {
			return nil, nil
		}
		err := p.store.Save(ctx, ev)
		if err == nil {
			p.deadlines.set(ev)
			return ev, nil
		}
		if !errors.Is(err, memon.ErrConflict) {
			return nil, err
		}
		ev = nil
	}
	return nil, fmt.Errorf("store event %q: %w", name, errTooManyWriters)
}
