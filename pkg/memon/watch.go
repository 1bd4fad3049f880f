package memon

import (
	"errors"
	"fmt"
	"time"
)

// ErrLeaseHeld reports that another poller holds the poll lease: the caller
// must skip this poll rather than judge events whose pings the other poller
// may still hold in flight.
var ErrLeaseHeld = errors.New("another poller holds the poll lease")

// ErrNoStream reports an events table without a stream (one created by
// memon.py or by hand rather than by the stack): other writers' items are
// then indexed only by the hourly reconcile.
var ErrNoStream = errors.New("the events table has no stream")

// LeaseHeldError names the poller holding the lease and until when.
type LeaseHeldError struct {
	Holder string
	Until  time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("%s (%s, until %s)", ErrLeaseHeld, e.Holder, e.Until.UTC().Format(time.RFC3339))
}

// Unwrap lets errors.Is(err, ErrLeaseHeld) hold.
func (e *LeaseHeldError) Unwrap() error { return ErrLeaseHeld }

// Change is an event item written by something other than MEMon's own code
// (the DynamoDB console, `aws dynamodb put-item`, memon.py, a script), as
// seen on the table's change stream: its stored deadline and due-index
// attributes cannot be trusted until a poller re-derives them.
type Change struct {
	Name string
	// ScheduleEdited: the write changed the schedule (Type, Period, Cron or
	// TimeZone) of an existing item, so the deadline it kept belongs to the
	// old schedule and must be recomputed from the last run (Reschedule),
	// as `memon-config set` does.
	ScheduleEdited bool
	// Version is the item's Version in the write seen (other writers leave
	// it as it was). An item whose Version has moved on since was rewritten
	// by a poller after the change: the change is already handled, and
	// reading the stream again (after a crash) must not handle it twice.
	Version int64
}
