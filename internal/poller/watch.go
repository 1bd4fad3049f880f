package poller

import (
	"context"
	"errors"

	"github.com/peerj/memon/pkg/memon"
)

// Changes reads the events table's change stream: every write, by any
// writer, since a checkpoint. It returns only the items MEMon's own code did
// not write (their deadline and index attributes cannot be trusted), and the
// checkpoint after everything it read.
type Changes interface {
	Changed(ctx context.Context, checkpoint string) ([]memon.Change, string, error)
}

// WatchChanges makes every poll read the change stream and judge the items
// other tools wrote (the DynamoDB console, put-item, memon.py) in that same
// poll, instead of waiting for the hourly reconcile.
func (p *Poller) WatchChanges(c Changes) *Poller {
	p.changes = c
	return p
}

// readChanges reads the change stream from where the last poll left it. The
// returned commit moves the checkpoint on; the caller commits only once
// every change is judged and stored, so a failure re-reads them next poll.
func (p *Poller) readChanges(ctx context.Context, sum *Summary) ([]memon.Change, func()) {
	if p.changes == nil {
		return nil, func() {}
	}
	changes, next, err := p.changes.Changed(ctx, p.checkpoint)
	if errors.Is(err, memon.ErrNoStream) {
		// Not an error of the poll: such a table still works, with the
		// hourly reconcile indexing what other tools write.
		p.log.Warn("items other tools write are indexed by the hourly reconcile only", "err", err)
		return nil, func() {}
	}
	if err != nil {
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("read the change stream (items other tools wrote are judged next poll)", "err", err)
		return nil, func() {}
	}
	sum.add(func(s *Summary) { s.Changed = len(changes) })
	return changes, func() { p.checkpoint = next }
}

// firstWatchedPoll is true for the first poll that reads the change stream
// (no checkpoint stored yet): right after the deploy that enabled the stream
// and sharded the due index. That poll also reconciles, which re-keys items
// indexed the old way and indexes any written before the stream existed.
func (p *Poller) firstWatchedPoll() bool {
	return p.changes != nil && p.checkpoint == "" && p.cfg.ReconcileEvery >= 0
}
