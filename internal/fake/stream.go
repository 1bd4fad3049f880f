package fake

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/peerj/memon/pkg/memon"
)

// The events table's change stream, as DynamoDB Streams keeps it for the
// poller (NEW_AND_OLD_IMAGES, read by the DynamoDB adapter's Stream): every
// write of every writer is a record, in order; a reader resumes from a
// checkpoint. The faults of the real stream are there to be caused: records
// that are not readable yet (HoldStream), records gone past the 24-hour
// retention (ExpireStream), a stream disabled and enabled again
// (DisableStream, EnableStream: a new stream, whose positions are its own), a
// shard split (SplitShard). A reader whose checkpoint the stream can no
// longer continue is told so (memon.ErrStreamGap), as the adapter tells it.

type stream struct {
	off      bool
	id       int // which stream: a new one each time it is enabled again
	shard    int // the open shard: a split opens the next
	seq      int // the last record's sequence number
	trimmed  int // records up to this sequence number are gone
	readable int // records after this are not readable yet (held); -1: all are
	records  []streamRecord
}

type streamRecord struct {
	seq int
	ch  memon.Change
}

// record appends the write that turned old into cur (nil: removed) to the
// stream. own is a write of MEMon's code (it moved Version and kept the item
// in sync). Called with s.mu held.
func (s *Store) record(old, cur *stored, own bool) {
	st := &s.stream
	if st.off {
		return
	}
	st.seq++
	var ch memon.Change
	switch {
	case cur == nil:
		ch = memon.Change{Name: old.ev.Name, Own: true, Deleted: true, Version: old.ev.Version}
	default:
		ch = memon.Change{Name: cur.ev.Name, Own: own && cur.err == nil, Version: cur.ev.Version}
		if cur.err == nil {
			ch.AlertAt = cur.ev.AlertAt()
		}
		ch.ScheduleEdited = old != nil && old.ev.Schedule.String() != cur.ev.Schedule.String()
	}
	st.records = append(st.records, streamRecord{seq: st.seq, ch: ch})
}

// Changed reads the stream after checkpoint (empty: from the oldest record
// kept), as the DynamoDB adapter's Stream.Changed does: each item's latest
// write once, and the checkpoint after them. When the stream cannot continue
// from checkpoint (records gone, another stream) the error wraps
// memon.ErrStreamGap and what is returned is still good.
func (s *Store) Changed(_ context.Context, checkpoint string) ([]memon.Change, string, error) {
	if err := s.call(OpChanged, "Changed %s", checkpoint); err != nil {
		return nil, checkpoint, fmt.Errorf("read the change stream: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.stream
	if st.off {
		return nil, checkpoint, fmt.Errorf("fake table: %w", memon.ErrNoStream)
	}
	after, gap := st.trimmed, false
	if checkpoint != "" {
		id, _, seq, ok := parsePosition(checkpoint)
		switch {
		case !ok || id != st.id:
			gap = true // another stream's position: this one's records from its start
		case seq < st.trimmed:
			gap = true
		default:
			after = seq // the shard split since is continued: its child follows on
		}
	}
	last := after
	var log memon.ChangeLog
	// Records are in sequence order: start at the first one after the
	// checkpoint, so a reader that keeps up reads only what is new (a
	// month of polls in the fleet simulation would otherwise rescan them all).
	from := sort.Search(len(st.records), func(i int) bool { return st.records[i].seq > after })
	for _, r := range st.records[from:] {
		if st.readable >= 0 && r.seq > st.readable {
			break
		}
		last = r.seq
		log.Add(r.ch)
	}
	changes := log.Changes()
	next := fmt.Sprintf("fake-stream/%d/%d/%d", st.id, st.shard, last)
	if gap {
		return changes, next, fmt.Errorf("fake table: %w", memon.ErrStreamGap)
	}
	return changes, next, nil
}

func parsePosition(p string) (id, shard, seq int, ok bool) {
	f := strings.Split(p, "/")
	if len(f) != 4 || f[0] != "fake-stream" {
		return 0, 0, 0, false
	}
	var err [3]error
	id, err[0] = strconv.Atoi(f[1])
	shard, err[1] = strconv.Atoi(f[2])
	seq, err[2] = strconv.Atoi(f[3])
	return id, shard, seq, err[0] == nil && err[1] == nil && err[2] == nil
}

// HoldStream makes the records of writes from now on unreadable until
// ReleaseStream, as a stream that has not caught up yet.
func (s *Store) HoldStream() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream.readable = s.stream.seq
}

// ReleaseStream makes every record readable.
func (s *Store) ReleaseStream() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream.readable = -1
}

// ExpireStream drops every record written so far, as 24 hours of retention
// do: a checkpoint before now can no longer be continued.
func (s *Store) ExpireStream() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream.trimmed, s.stream.records = s.stream.seq, nil
}

// DisableStream turns the stream off: writes leave no record, and readers
// are told the table has none (memon.ErrNoStream).
func (s *Store) DisableStream() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream.off, s.stream.records = true, nil
}

// EnableStream turns a new stream on (DynamoDB gives it a new ARN): the old
// one's checkpoints cannot be continued.
func (s *Store) EnableStream() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream.off = false
	s.stream.id++
	s.stream.trimmed, s.stream.records = s.stream.seq, nil
}

// SplitShard closes the open shard and opens its child, as DynamoDB does
// every few hours: a reader must read the parent to its end, then the child.
func (s *Store) SplitShard() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stream.shard++
}
