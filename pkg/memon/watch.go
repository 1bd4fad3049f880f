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
// memon.py or by hand rather than by the stack): the poller cannot learn of
// other writers' writes from it, so it rebuilds its deadline table by a scan
// at every poll.
var ErrNoStream = errors.New("the events table has no stream")

// ErrStreamGap reports that the change stream no longer holds every write
// since the checkpoint (older than the stream keeps, a stream disabled and
// enabled again, a shard gone): what was read is still returned, but a
// reader that keeps state from the stream must rebuild it.
var ErrStreamGap = errors.New("the change stream has a gap since the checkpoint")

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

// Change is a write of an event item seen on the table's change stream, the
// latest one per item. One written by something other than MEMon's own code
// (the DynamoDB console, `aws dynamodb put-item`, memon.py, a script) needs a
// poller's judgement: its stored deadline cannot be trusted until a poller
// re-derives it. Every write, MEMon's own included, tells the poller when the
// item next needs a look (AlertAt): that keeps its deadline table current.
type Change struct {
	Name string
	// Own: MEMon's code made the write (it moved Version and left the item
	// in sync): nothing to judge, only a deadline to note.
	Own bool
	// Deleted: the item was removed.
	Deleted bool
	// AlertAt is the item's AlertAt as the write left it (zero: nothing to
	// watch).
	AlertAt time.Time
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

// Deadline is one event's entry as a scan of the events table reads it:
// when a poller must next look at it (zero: nothing to watch), at which
// version, on which schedule (Schedule.String: an edit that kept Version
// and changed it was made by another tool). An unusable item has no
// deadline; a poller looks at it each poll to report it (CONFIG, once an
// hour).
type Deadline struct {
	Name     string
	Version  int64
	AlertAt  time.Time
	Schedule string
	Unusable bool
}

// ChangeLog gathers the writes read from a change stream into one Change per
// item, in the order items were first written: the latest write, which
// remembers a schedule edit and a write by another tool before it (either
// still needs a poller's judgement). A MEMon write after another tool's
// keeps that write's Version: MEMon's code read the other tool's item, so
// a poller that finds the item moved past it knows it was handled.
type ChangeLog struct {
	seen map[string]int
	list []Change
}

// Add records a write, later than those added before for the same item.
func (l *ChangeLog) Add(ch Change) {
	if i, dup := l.seen[ch.Name]; dup {
		prev := l.list[i]
		ch.ScheduleEdited = ch.ScheduleEdited || prev.ScheduleEdited
		if ch.Own && !prev.Own {
			ch.Own, ch.Version = false, prev.Version
		}
		l.list[i] = ch
		return
	}
	if l.seen == nil {
		l.seen = map[string]int{}
	}
	l.seen[ch.Name] = len(l.list)
	l.list = append(l.list, ch)
}

// Changes returns one Change per item written.
func (l *ChangeLog) Changes() []Change { return l.list }
