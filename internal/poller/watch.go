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

// streamRead is what one poll read from the change stream.
type streamRead struct {
	changes []memon.Change
	next    string // the checkpoint after them
	rebuild bool   // the deadline table cannot have seen every write: rebuild it
	read    bool   // next may be committed once the changes are judged
}

// readChanges reads the change stream from where this process's deadline
// table was left, or in a new process from where the last poll (of any
// process) left it. Every write moves the deadline table on; the ones other
// tools made are judged this poll. The caller commits next only once every
// change is judged and stored, so a failure re-reads them next poll.
func (p *Poller) readChanges(ctx context.Context, sum *Summary) streamRead {
	if p.changes == nil {
		return streamRead{rebuild: true}
	}
	from := p.checkpoint
	if p.deadlines.built {
		from = p.deadlines.pos
	}
	changes, next, err := p.changes.Changed(ctx, from)
	switch {
	case errors.Is(err, memon.ErrNoStream):
		// Not an error of the poll: such a table still works, by a scan of
		// the whole table every poll (memon.py's cost).
		p.log.Warn("the events table has no stream: every poll scans the whole table to find what is due (enable the stream: deploy the stack)", "err", err)
		return streamRead{rebuild: true}
	case errors.Is(err, memon.ErrStreamGap):
		p.log.Warn("the change stream lost writes since the last poll: the deadline table is rebuilt by a scan", "err", err)
		return streamRead{changes: changes, next: next, rebuild: true, read: true}
	case err != nil:
		sum.add(func(s *Summary) { s.Errors++ })
		p.log.Error("read the change stream (items other tools wrote are judged next poll)", "err", err)
		return streamRead{rebuild: !p.deadlines.built, next: from}
	}
	return streamRead{changes: changes, next: next, read: true}
}

// firstWatchedPoll is true for the first poll that reads the change stream
// (no checkpoint stored yet): right after the deploy that enabled the stream.
// That poll also reconciles, which rewrites items written before the stream
// existed and items an earlier release indexed.
func (p *Poller) firstWatchedPoll() bool {
	return p.changes != nil && p.checkpoint == "" && p.cfg.ReconcileEvery >= 0
}
