package fake

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

var day0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestQueueHasSQSSemantics(t *testing.T) {
	ctx := context.Background()
	clock := NewClock(day0)
	dlq := NewQueue(clock.Now)
	q := NewQueue(clock.Now)
	q.DeadLetter, q.MaxReceives, q.Visibility = dlq, 2, time.Minute
	q.Send("a")
	clock.Advance(time.Second)
	q.Send("b")

	first, _ := q.Receive(ctx)
	if len(first) != 2 || string(first[0].Body) != "a" || !first[0].SentAt.Equal(day0) || first[0].ReceiveCount != 1 {
		t.Fatalf("first receive %+v", first)
	}
	if again, _ := q.Receive(ctx); len(again) != 0 {
		t.Fatalf("in-flight messages handed out again before the visibility timeout: %+v", again)
	}
	clock.Advance(time.Minute)
	second, _ := q.Receive(ctx)
	if len(second) != 2 || second[0].ReceiveCount != 2 || second[0].Receipt == first[0].Receipt {
		t.Fatalf("redelivery %+v: a new receipt and a higher receive count", second)
	}
	// The first receipt is void; the latest deletes.
	failed, err := q.Delete(ctx, first[:1])
	if err == nil || len(failed) != 1 || q.Len() != 2 {
		t.Fatalf("delete with a voided receipt: failed %v err %v len %d", failed, err, q.Len())
	}
	if failed, err := q.Delete(ctx, second[:1]); err != nil || len(failed) != 0 || q.Len() != 1 {
		t.Fatalf("delete: failed %v err %v len %d", failed, err, q.Len())
	}
	// b has had its 2 receives: the next receive moves it to the dead-letter queue.
	clock.Advance(time.Minute)
	if got, _ := q.Receive(ctx); len(got) != 0 || q.Len() != 0 || dlq.Len() != 1 {
		t.Fatalf("receive %+v len %d dlq %d: redrive after MaxReceives", got, q.Len(), dlq.Len())
	}
	if m := dlq.Messages()[0]; string(m.Body) != "b" || !m.SentAt.Equal(day0.Add(time.Second)) {
		t.Fatalf("dead letter %+v keeps body and SentAt", m)
	}
	if r, d := q.Calls(); r != 4 || d != 2 {
		t.Fatalf("calls receive=%d delete=%d", r, d)
	}
}

func TestQueueBatchOrderAndFaults(t *testing.T) {
	ctx := context.Background()
	clock := NewClock(day0)
	q := NewQueue(clock.Now)
	q.Faults = &Faults{}
	for range 25 {
		q.Send("x")
	}
	q.NewestFirst = true
	got, _ := q.Receive(ctx)
	if len(got) != 10 || got[0].ID != "m25" {
		t.Fatalf("got %d, first %s: at most 10, newest first", len(got), got[0].ID)
	}
	q.Faults.FailNth(OpReceive, 2)
	if _, err := q.Receive(ctx); !errors.Is(err, ErrInjected) {
		t.Fatalf("err %v, want the injected fault", err)
	}
	q.Faults.FailAlways(OpDelete)
	if failed, err := q.Delete(ctx, got); !errors.Is(err, ErrInjected) || len(failed) != 10 {
		t.Fatalf("failed %d err %v: a failed batch call fails every message", len(failed), err)
	}
	q.Faults.Heal(OpDelete)
	if failed, err := q.Delete(ctx, got); err != nil || len(failed) != 0 || q.Len() != 15 {
		t.Fatalf("failed %d err %v len %d", len(failed), err, q.Len())
	}
	if q.Faults.Calls(OpReceive) != 2 || q.Faults.Pending() {
		t.Fatalf("calls %d pending %v", q.Faults.Calls(OpReceive), q.Faults.Pending())
	}
}

func rolling(t *testing.T, name string, deadline time.Time) *memon.Event {
	t.Helper()
	s, err := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := memon.NewEvent(name, s)
	ev.SetInitial(deadline)
	return ev
}

func TestStoreWritesAreConditionalAndReadsAreCopies(t *testing.T) {
	ctx := context.Background()
	s := NewStore()
	ev := rolling(t, "backup", day0)
	if err := s.Create(ctx, ev); err != nil || ev.Version != 1 {
		t.Fatalf("create: %v version %d", err, ev.Version)
	}
	if err := s.Create(ctx, rolling(t, "backup", day0)); !errors.Is(err, memon.ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	a, _ := s.Get(ctx, "backup")
	b, _ := s.Get(ctx, "backup")
	a.Description = "mine"
	if err := s.Save(ctx, a); err != nil || a.Version != 2 {
		t.Fatalf("save: %v version %d", err, a.Version)
	}
	if err := s.Save(ctx, b); !errors.Is(err, memon.ErrConflict) {
		t.Fatalf("save at a stale version: %v, want ErrConflict", err)
	}
	a.Description = "changed after saving"
	if s.Event("backup").Description != "mine" {
		t.Fatal("the store shares memory with a caller's event")
	}
	// Slices too: an edit in place of what was read stays out of the store.
	q, _ := s.Get(ctx, "backup")
	q.DependsOn, q.Quiet = []string{"db"}, []memon.QuietWindow{{Start: 60, End: 120}}
	if err := s.Save(ctx, q); err != nil {
		t.Fatal(err)
	}
	r, _ := s.Get(ctx, "backup")
	r.DependsOn[0], r.Quiet[0].End = "edited", 600
	if got := s.Event("backup"); got.DependsOn[0] != "db" || got.Quiet[0].End != 120 {
		t.Fatalf("the store shares slices with a caller's event: %v %v", got.DependsOn, got.Quiet)
	}
	if err := s.Save(ctx, rolling(t, "ghost", day0)); !errors.Is(err, memon.ErrConflict) {
		t.Fatalf("save of a missing item: %v", err)
	}
	if _, err := s.Get(ctx, "ghost"); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	if err := s.Delete(ctx, "ghost"); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	s.LoseRaces(1)
	c, _ := s.Get(ctx, "backup")
	if err := s.Save(ctx, c); !errors.Is(err, memon.ErrConflict) {
		t.Fatalf("lost race: %v", err)
	}
	if w := s.Writes(); len(w) != 8 || w[0] != "Create backup" {
		t.Fatalf("writes %v", w)
	}
}

func TestStoreDeadlinesReconcileAndUnusable(t *testing.T) {
	ctx := context.Background()
	due, later := rolling(t, "due", day0.Add(-time.Minute)), rolling(t, "later", day0.Add(time.Hour))
	due.Version, later.Version = 3, 3 // as MEMon wrote them
	s := NewStore(due, later)
	legacy := rolling(t, "legacy", day0.Add(-time.Hour))
	s.PutUnindexed(legacy)
	deadlines := func() map[string]time.Time {
		out := map[string]time.Time{}
		if err := s.Deadlines(ctx, func(d memon.Deadline) { out[d.Name] = d.AlertAt }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := deadlines(); len(got) != 3 || !got["due"].Equal(day0.Add(-time.Minute)) || !got["legacy"].Equal(day0.Add(-time.Hour)) {
		t.Fatalf("deadlines %v", got)
	}
	s.MarkUnusable("later", &memon.FieldError{Field: "Period", Value: "x", Want: "seconds"})
	if got := deadlines(); !got["later"].IsZero() {
		t.Fatalf("an unusable item has deadline %v, want none", got["later"])
	}
	fixed, unusable, err := s.Reconcile(ctx)
	if err != nil || len(fixed) != 1 || fixed[0] != "legacy" || len(unusable) != 1 || unusable[0].Name() != "later" {
		t.Fatalf("reconcile fixed %v unusable %v err %v", fixed, unusable, err)
	}
	ls, _ := s.List(ctx)
	if len(ls) != 3 || ls[1].Err == nil {
		t.Fatalf("list %+v", ls)
	}
}

// TestStoreStreamRecordsEveryWriter: every write is on the stream once per
// read, marked with who made it; a reader resumes from its checkpoint, and
// is told when the stream cannot continue it.
func TestStoreStreamRecordsEveryWriter(t *testing.T) {
	ctx := context.Background()
	s := NewStore(rolling(t, "a", day0.Add(time.Hour)))
	changes, cp, err := s.Changed(ctx, "")
	if err != nil || len(changes) != 1 || !changes[0].Own || !changes[0].AlertAt.Equal(day0.Add(time.Hour)) {
		t.Fatalf("first read %+v %v", changes, err)
	}
	s.Edit("a", func(ev *memon.Event) { ev.Schedule.Period = time.Minute }) // the console
	ev, _ := s.Get(ctx, "a")
	_ = s.Save(ctx, ev)
	_ = s.Delete(ctx, "a")
	s.HoldStream()
	_ = s.Create(ctx, rolling(t, "b", day0))
	changes, cp2, err := s.Changed(ctx, cp)
	if err != nil || len(changes) != 1 || changes[0].Own || !changes[0].Deleted || !changes[0].ScheduleEdited {
		t.Fatalf("a console edit, a save and a delete: %+v %v; want one change, the latest (deleted), not own, schedule edited", changes, err)
	}
	s.ReleaseStream()
	s.SplitShard()
	_ = s.Create(ctx, rolling(t, "c", day0))
	changes, cp3, err := s.Changed(ctx, cp2)
	if err != nil || len(changes) != 2 || changes[0].Name != "b" || changes[1].Name != "c" {
		t.Fatalf("after the hold and a shard split: %+v %v", changes, err)
	}
	s.ExpireStream()
	if _, _, err := s.Changed(ctx, cp3); err != nil {
		t.Fatalf("a current checkpoint survives the expiry: %v", err)
	}
	if _, _, err := s.Changed(ctx, cp); !errors.Is(err, memon.ErrStreamGap) {
		t.Fatalf("an expired checkpoint: %v, want ErrStreamGap", err)
	}
	s.DisableStream()
	if _, _, err := s.Changed(ctx, cp3); !errors.Is(err, memon.ErrNoStream) {
		t.Fatalf("disabled: %v, want ErrNoStream", err)
	}
	s.EnableStream()
	ev, _ = s.Get(ctx, "b")
	_ = s.Save(ctx, ev)
	if changes, _, err := s.Changed(ctx, cp3); !errors.Is(err, memon.ErrStreamGap) || len(changes) != 1 {
		t.Fatalf("re-enabled: %+v %v, want the new stream's record and ErrStreamGap", changes, err)
	}
}

func TestStoreHistoryAndConfigClaims(t *testing.T) {
	ctx := context.Background()
	s := NewStore()
	tr := memon.Transition{ID: "1", Event: "backup", At: day0, From: memon.New, To: memon.Up, Reason: "first run"}
	_ = s.AppendHistory(ctx, tr)
	_ = s.AppendHistory(ctx, tr) // a retry overwrites
	won, _ := s.ClaimConfigAlert(ctx, "backup", "broken", day0.Add(10*time.Minute))
	again, _ := s.ClaimConfigAlert(ctx, "backup", "broken", day0.Add(50*time.Minute))
	if !won || again {
		t.Fatalf("claims %v %v: one per hour", won, again)
	}
	recs, _ := s.History(ctx, "backup", day0)
	if len(recs) != 2 || recs[0].Reason != "first run" || recs[1].Alert != memon.KindConfig {
		t.Fatalf("history %+v", recs)
	}
	_ = s.ReleaseConfigAlert(ctx, "backup", day0.Add(10*time.Minute))
	if won, _ := s.ClaimConfigAlert(ctx, "backup", "broken", day0.Add(56*time.Minute)); !won {
		t.Fatal("a released claim can be won again")
	}
	_ = s.ReleaseConfigAlert(ctx, "backup", day0.Add(56*time.Minute))
	if recs, _ := s.History(ctx, "backup", day0.Add(time.Minute)); len(recs) != 0 {
		t.Fatalf("history since 10:01 %+v", recs)
	}
}

// TestStoreConfigClaimIsASlidingHour: a name alerted at 19:59 is not alerted
// again at 20:01 (another clock hour), only an hour after its claim.
func TestStoreConfigClaimIsASlidingHour(t *testing.T) {
	ctx := context.Background()
	s := NewStore()
	at := time.Date(2026, 12, 1, 19, 59, 0, 0, time.UTC)
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{at, true},
		{at.Add(2 * time.Minute), false}, // 20:01
		{at.Add(time.Hour - time.Millisecond), false}, // 20:58:59.999
		{at.Add(time.Hour), true},                     // 20:59
		{at.Add(time.Hour + 30*time.Minute), false},   // 21:29, within the hour of 20:59
	} {
		if got, err := s.ClaimConfigAlert(ctx, "typo", "no such event", tc.now); err != nil || got != tc.want {
			t.Errorf("claim at %s: %v %v, want %v", tc.now.Format("15:04:05.000"), got, err, tc.want)
		}
	}
}

// TestStoreConfigClaimHasOneWinnerUnderRace: pollers claiming one name's
// CONFIG alert at once, as two Lambda environments may, get one winner.
func TestStoreConfigClaimHasOneWinnerUnderRace(t *testing.T) {
	s := NewStore()
	at := time.Date(2026, 12, 1, 19, 59, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var won atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimConfigAlert(context.Background(), "typo", "no such event", at)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := won.Load(); n != 1 {
		t.Fatalf("%d of 8 concurrent claims won, want 1", n)
	}
}

func TestPublisherRecordsAndFails(t *testing.T) {
	p := &Publisher{Faults: &Faults{}}
	p.Faults.FailNth(OpPublish, 1)
	a := memon.Alert{Kind: memon.KindDown, Event: "x"}
	if err := p.Publish(context.Background(), a); !errors.Is(err, ErrInjected) || len(p.Alerts()) != 0 {
		t.Fatalf("err %v alerts %v", err, p.Alerts())
	}
	_ = p.Publish(context.Background(), a)
	if got := Kinds(p.Take()); len(got) != 1 || got[0] != "x:down" || len(p.Alerts()) != 0 {
		t.Fatalf("got %v", got)
	}
}
