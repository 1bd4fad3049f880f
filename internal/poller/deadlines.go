package poller

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// deadlines is the poller's deadline table: when each event next needs a
// look. It takes the place of an index on the events table, whose key would
// move with every deadline and cost two index writes a ping. It is fed by
// the poller's own consistent reads and writes and by the change stream
// (every writer's writes), and rebuilt by a scan whenever it cannot be
// trusted to hold every write: in a new process, after a gap in the stream,
// for a table without a stream, and once an hour as a safety net.
//
// An entry may be early (the event is re-read and found not due: one read),
// never late: a write the table has not seen is on the stream it reads next,
// or the table is rebuilt.
type deadlines struct {
	mu    sync.Mutex
	at    map[string]deadline
	built bool   // rebuilt by a scan since the process started
	pos   string // the stream checkpoint the table holds every write up to
}

type deadline struct {
	at      int64 // AlertAt in Unix nanoseconds; 0: nothing to watch; lookNow: re-read at the next check
	version int64
	sched   uint64 // a hash of the schedule seen at version; 0: not known (a stream record)
}

// lookNow marks an entry to re-read at the next due check: an item removed
// (it may have been created again since) or only known from a hint.
const lookNow = math.MinInt64

func newDeadlines() *deadlines { return &deadlines{at: map[string]deadline{}} }

// scheduleHash identifies a schedule (memon.Schedule.String) in 8 bytes.
func scheduleHash(s string) uint64 {
	if s == "" {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64() | 1 // never 0, which means not known
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// set records what a consistent read or a successful write of ev showed:
// the truth at its version.
func (d *deadlines) set(ev *memon.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.at[ev.Name] = deadline{at: unixNano(ev.AlertAt()), version: ev.Version, sched: scheduleHash(ev.Schedule.String())}
}

// forget drops an event found missing by a consistent read.
func (d *deadlines) forget(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.at, name)
}

// apply notes writes read from the change stream. The stream may lag behind
// the poller's own writes: a record older than the entry (a lower Version)
// is skipped. Other writers keep Version as it was, so an equal one is
// applied; a removal is re-read rather than trusted.
func (d *deadlines) apply(changes []memon.Change) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ch := range changes {
		cur, known := d.at[ch.Name]
		if known && ch.Version < cur.version {
			continue
		}
		e := deadline{at: unixNano(ch.AlertAt), version: ch.Version}
		if ch.Deleted {
			e.at = lookNow
		}
		d.at[ch.Name] = e
	}
}

// due returns the events whose deadline has come by cutoff, sorted.
func (d *deadlines) due(cutoff time.Time) []string {
	c := cutoff.UnixNano()
	d.mu.Lock()
	defer d.mu.Unlock()
	var names []string
	for name, e := range d.at {
		if e.at != 0 && e.at <= c {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// rebuild replaces the table with what a scan of the events table reads.
// Writes the scan cannot have seen are on the stream after the position the
// caller read to before it (pos), which the next poll reads from. It returns
// the items whose schedule changed while their Version stayed (another tool
// edited it, and no stream said so: a table without one, or a gap), to be
// judged on the new schedule as a stream's change would be.
func (d *deadlines) rebuild(ctx context.Context, s Store, pos string) ([]memon.Change, error) {
	d.mu.Lock()
	old := d.at
	d.mu.Unlock()
	fresh := make(map[string]deadline, len(old))
	var edited []memon.Change
	err := s.Deadlines(ctx, func(dl memon.Deadline) {
		e := deadline{at: unixNano(dl.AlertAt), version: dl.Version, sched: scheduleHash(dl.Schedule)}
		if dl.Unusable {
			e.at = lookNow // re-read each poll, which reports it (CONFIG, once an hour)
		}
		if was, ok := old[dl.Name]; ok && was.version == e.version && was.sched != 0 && e.sched != 0 && was.sched != e.sched {
			edited = append(edited, memon.Change{Name: dl.Name, Version: dl.Version, AlertAt: dl.AlertAt, ScheduleEdited: true})
		}
		fresh[dl.Name] = e
	})
	if err != nil {
		return nil, fmt.Errorf("rebuild the deadline table: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.at, d.built, d.pos = fresh, true, pos
	return edited, nil
}
