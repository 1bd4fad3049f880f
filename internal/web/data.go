package web

import (
	"context"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Store is what the pages read: the events table and the history table.
type Store interface {
	List(ctx context.Context) ([]memon.Listed, error)
	Get(ctx context.Context, name string) (*memon.Event, error)
	History(ctx context.Context, name string, since time.Time) ([]memon.HistoryRecord, error)
}

// Days reads an event's daily records (runs, failures, durations, downtime)
// for the UTC days from..to, oldest first; today's counts are on the event
// item (memon.Event.CountsThrough). Nil means no records are kept.
type Days interface {
	Days(ctx context.Context, name string, from, to time.Time) ([]memon.DayCounts, error)
}

// Editor changes events exactly as memon-config's verbs do: fields are
// named as `memon-config set`'s flags ("period", "max-alerts") and hold
// their text; only the fields given change. Errors are the CLI's.
type Editor interface {
	Set(ctx context.Context, name string, fields map[string]string) (*memon.Event, error)
	Pause(ctx context.Context, name string) error
	Resume(ctx context.Context, name string) error
	Delete(ctx context.Context, name string) error
}
