package fake

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Store is an in-memory events and history store with the DynamoDB
// semantics the poller and memon-config rely on: every write is conditional
// on the version read (a lost race is memon.ErrConflict), reads return
// copies, every write of every writer is a record on the table's change
// stream (which can lag, lose records past its retention, or be disabled:
// stream.go), history writes are idempotent puts keyed by time and kind,
// and a CONFIG claim admits one alert per name per hour. It records every
// call, so a test can prove what was written. Safe for concurrent use.
type Store struct {
	Faults *Faults

	mu        sync.Mutex
	events    map[string]*stored
	history   map[string]map[string]memon.HistoryRecord // name -> key -> record
	days      map[string]map[string]memon.DayCounts     // name -> day -> daily record
	calls     []string
	conflicts int
	stream    stream
	lease     struct {
		holder, checkpoint string
		until              time.Time
	}
	heldConfig  map[string]string // CONFIG alerts waiting to be published (configoutbox.go)
	autoCreated int               // events pings created (autocreate.go)
}

type stored struct {
	ev       *memon.Event
	err      error // the item is unusable: Get and List return it with the event
	unsynced bool  // written as memon.py or a console leaves an item: Reconcile rewrites it
}

// NewStore returns a store holding evs, each indexed as if MEMon wrote it.
func NewStore(evs ...*memon.Event) *Store {
	s := &Store{events: map[string]*stored{}, history: map[string]map[string]memon.HistoryRecord{}, stream: stream{readable: -1}}
	for _, ev := range evs {
		s.Put(ev)
	}
	return s
}

// Put stores ev as it is (version included), as MEMon's own write leaves it.
func (s *Store) Put(ev *memon.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.events[ev.Name]
	s.events[ev.Name] = &stored{ev: cloneEvent(ev)}
	s.record(old, s.events[ev.Name], true)
}

// PutUnindexed stores ev as memon.py or a console edit left it: a write of
// another tool on the stream, rewritten by Reconcile.
func (s *Store) PutUnindexed(ev *memon.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.events[ev.Name]
	s.events[ev.Name] = &stored{ev: cloneEvent(ev), unsynced: true}
	s.record(old, s.events[ev.Name], false)
}

// MarkUnusable makes the stored item name unusable, as a bad console edit
// does: Get and List return its event with err, which should wrap
// memon.ErrInvalid. A Save repairs it.
func (s *Store) MarkUnusable(name string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.events[name]
	old.ev = cloneEvent(old.ev)
	s.events[name].err = err
	s.record(&old, s.events[name], false)
}

// Edit changes the stored item in place, as an edit in the DynamoDB console
// does: its version does not move.
func (s *Store) Edit(name string, change func(*memon.Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.events[name]
	old.ev = cloneEvent(old.ev)
	change(s.events[name].ev)
	s.record(&old, s.events[name], false)
}

// Event returns a copy of the stored event, or nil.
func (s *Store) Event(name string) *memon.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.events[name]; ok {
		return cloneEvent(st.ev)
	}
	return nil
}

// Names lists the stored events, sorted.
func (s *Store) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.events))
}

// LoseRaces makes the next n Saves lose to a concurrent writer: the stored
// version moves on and the Save returns memon.ErrConflict.
func (s *Store) LoseRaces(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conflicts = n
}

// Calls returns every call so far, one "Op args" string each.
func (s *Store) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Writes returns the calls that change the store.
func (s *Store) Writes() []string {
	var w []string
	for _, c := range s.Calls() {
		for _, op := range []string{"Save ", "Create ", "Delete ", "AppendHistory ", "ClaimConfigAlert ", "ReleaseConfigAlert "} {
			if strings.HasPrefix(c, op) {
				w = append(w, c)
			}
		}
	}
	return w
}

func (s *Store) call(op Op, format string, args ...any) error {
	s.mu.Lock()
	s.calls = append(s.calls, fmt.Sprintf(format, args...))
	s.mu.Unlock()
	return s.Faults.hit(op)
}

// Get reads an event: memon.ErrNotFound when there is none; an unusable
// item returns the event with its error.
func (s *Store) Get(_ context.Context, name string) (*memon.Event, error) {
	if err := s.call(OpGet, "Get %s", name); err != nil {
		return nil, fmt.Errorf("get event %q: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.events[name]
	if !ok {
		return nil, fmt.Errorf("event %q: %w", name, memon.ErrNotFound)
	}
	return cloneEvent(st.ev), st.err
}

// Save writes ev if the stored version is still the one it was read at
// (and the item exists); on success ev.Version is the new version.
func (s *Store) Save(_ context.Context, ev *memon.Event) error {
	if err := s.call(OpSave, "Save %s", ev.Name); err != nil {
		return fmt.Errorf("save event %q: %w", ev.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.events[ev.Name]
	if ok && s.conflicts > 0 {
		s.conflicts--
		cur.ev.Version++ // someone else wrote meanwhile
	}
	if !ok || cur.ev.Version != ev.Version {
		return fmt.Errorf("save event %q: %w", ev.Name, memon.ErrConflict)
	}
	ev.Version++
	s.write(ev)
	return nil
}

// Create writes a new event; memon.ErrExists when the name is taken.
func (s *Store) Create(_ context.Context, ev *memon.Event) error {
	if err := s.call(OpCreate, "Create %s", ev.Name); err != nil {
		return fmt.Errorf("create event %q: %w", ev.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[ev.Name]; ok {
		return fmt.Errorf("create event %q: %w", ev.Name, memon.ErrExists)
	}
	ev.Version = 1
	s.write(ev)
	return nil
}

func (s *Store) write(ev *memon.Event) {
	s.writeDays(ev) // in the same write, as DynamoDB's transaction does
	old := s.events[ev.Name]
	s.events[ev.Name] = &stored{ev: cloneEvent(ev)}
	s.record(old, s.events[ev.Name], true)
}

// Delete removes an event; memon.ErrNotFound when there is none.
func (s *Store) Delete(_ context.Context, name string) error {
	if err := s.call(OpDeleteEvent, "Delete %s", name); err != nil {
		return fmt.Errorf("delete event %q: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.events[name]
	if !ok {
		return fmt.Errorf("delete event %q: %w", name, memon.ErrNotFound)
	}
	delete(s.events, name)
	s.record(old, nil, true)
	return nil
}

// List returns every stored item, sorted by name.
func (s *Store) List(context.Context) ([]memon.Listed, error) {
	if err := s.call(OpList, "List"); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []memon.Listed
	for _, name := range slices.Sorted(maps.Keys(s.events)) {
		st := s.events[name]
		out = append(out, memon.Listed{Event: cloneEvent(st.ev), Err: st.err})
	}
	return out, nil
}

// Deadlines reports every usable event's deadline (a scan), sorted by
// name; an unusable item is marked so.
func (s *Store) Deadlines(_ context.Context, each func(memon.Deadline)) error {
	if err := s.call(OpDeadlines, "Deadlines"); err != nil {
		return fmt.Errorf("scan for deadlines: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock() // each must not call the store
	for _, name := range slices.Sorted(maps.Keys(s.events)) {
		st := s.events[name]
		d := memon.Deadline{Name: name, Version: st.ev.Version, Unusable: st.err != nil}
		if st.err == nil {
			d.AlertAt, d.Schedule = st.ev.AlertAt(), st.ev.Schedule.String()
		}
		each(d)
	}
	return nil
}

// Reconcile rewrites every usable item that MEMon did not write (memon.py's
// items, console puts) and returns the names it fixed and the items it
// could not use.
func (s *Store) Reconcile(ctx context.Context) ([]string, []memon.Listed, error) {
	if err := s.call(OpReconcile, "Reconcile"); err != nil {
		return nil, nil, fmt.Errorf("reconcile: %w", err)
	}
	var (
		fixed    []string
		unusable []memon.Listed
		stale    []*memon.Event
	)
	s.mu.Lock()
	for _, name := range slices.Sorted(maps.Keys(s.events)) {
		st := s.events[name]
		switch {
		case st.err != nil:
			unusable = append(unusable, memon.Listed{Event: cloneEvent(st.ev), Err: st.err})
		case st.ev.Version == 0 || st.unsynced:
			stale = append(stale, cloneEvent(st.ev))
		}
	}
	s.mu.Unlock()
	for _, ev := range stale {
		switch err := s.Save(ctx, ev); {
		case errors.Is(err, memon.ErrConflict): // written meanwhile: that write indexed it
		case err != nil:
			return fixed, unusable, err
		default:
			fixed = append(fixed, ev.Name)
		}
	}
	return fixed, unusable, nil
}

// AppendHistory records a delivered transition. Idempotent.
func (s *Store) AppendHistory(_ context.Context, tr memon.Transition) error {
	if err := s.call(OpAppendHistory, "AppendHistory %s %s", tr.Event, tr.ID); err != nil {
		return fmt.Errorf("write history of %q: %w", tr.Event, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putRecord(tr.Record())
	return nil
}

// AddHistory stores records as if the poller had written them.
func (s *Store) AddHistory(rs ...memon.HistoryRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rs {
		s.putRecord(r)
	}
}

func (s *Store) putRecord(r memon.HistoryRecord) {
	if s.history[r.Name] == nil {
		s.history[r.Name] = map[string]memon.HistoryRecord{}
	}
	s.history[r.Name][r.Key()] = r
}

// History returns name's records since a time, oldest first.
func (s *Store) History(_ context.Context, name string, since time.Time) ([]memon.HistoryRecord, error) {
	if err := s.call(OpHistory, "History %s %s", name, since.UTC().Format(time.RFC3339)); err != nil {
		return nil, fmt.Errorf("read history of %q: %w", name, err)
	}
	return s.records(name, since), nil
}

// Records returns every history record of name, oldest first (CONFIG
// claims included), without counting as a call.
func (s *Store) Records(name string) []memon.HistoryRecord { return s.records(name, time.Time{}) }

func (s *Store) records(name string, since time.Time) []memon.HistoryRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := since.UTC().Format(memon.HistoryTimeLayout)
	var out []memon.HistoryRecord
	for _, key := range slices.Sorted(maps.Keys(s.history[name])) {
		if key >= from {
			out = append(out, s.history[name][key])
		}
	}
	return out
}

// ClaimConfigAlert claims name's CONFIG alert at now unless one was claimed
// in the sliding hour before, and reports whether this caller won it.
func (s *Store) ClaimConfigAlert(_ context.Context, name, problem string, now time.Time) (bool, error) {
	if err := s.call(OpClaimConfig, "ClaimConfigAlert %s", name); err != nil {
		return false, fmt.Errorf("claim config alert for %q: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	claim := memon.ConfigClaim(name, problem, now)
	for _, r := range s.history[name] {
		if r.Alert == memon.KindConfig && memon.ConfigClaimHolds(r.At, claim.At) {
			return false, nil
		}
	}
	s.putRecord(claim)
	return true, nil
}

// ReleaseConfigAlert undoes the claim for name made at now.
func (s *Store) ReleaseConfigAlert(_ context.Context, name string, now time.Time) error {
	if err := s.call(OpReleaseConfig, "ReleaseConfigAlert %s", name); err != nil {
		return fmt.Errorf("release config alert for %q: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.history[name], memon.ConfigClaim(name, "", now).Key())
	return nil
}

// cloneEvent copies ev deeply enough that neither copy can change the
// other: the outbox, its alerts and the exit code are copied.
func cloneEvent(ev *memon.Event) *memon.Event {
	if ev == nil {
		return nil
	}
	c := *ev
	if ev.LastExitCode != nil {
		code := *ev.LastExitCode
		c.LastExitCode = &code
	}
	// Slices are copied like the store's items, so a caller's edit of what it
	// read never reaches what is stored (DynamoDB shares nothing either).
	c.Quiet = slices.Clone(ev.Quiet)
	c.DependsOn = slices.Clone(ev.DependsOn)
	c.Tags = slices.Clone(ev.Tags)
	c.Dependents = slices.Clone(ev.Dependents)
	c.ClosedDays = slices.Clone(ev.ClosedDays)
	c.Outbox = slices.Clone(ev.Outbox)
	for i, tr := range c.Outbox {
		if tr.Alert != nil {
			a := *tr.Alert
			c.Outbox[i].Alert = &a
		}
	}
	return &c
}
