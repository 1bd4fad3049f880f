package web

import (
	"context"
	"time"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// Store is what the pages read: the events table and the history table.
type Store interface {
	List(ctx context.Context) ([]dynamo.Listed, error)
	Get(ctx context.Context, name string) (*memon.Event, error)
	History(ctx context.Context, name string, since time.Time) ([]dynamo.Record, error)
}

// Day is one event's runs on one UTC day.
type Day struct {
	Date     time.Time // midnight UTC
	Runs     int       // successes and failures
	Failures int
	Timed    int           // runs that reported a duration
	Total    time.Duration // their summed durations
	Max      time.Duration // the longest of them
}

// Days reads the daily run counts the poller keeps (one record per event
// and day). Nil means no counts are kept: the charts say so.
type Days interface {
	Days(ctx context.Context, name string, since time.Time) ([]Day, error)
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
