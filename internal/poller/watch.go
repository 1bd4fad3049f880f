package poller

import (
	"context"

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
