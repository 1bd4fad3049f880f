package poller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// changeFeed is the change stream as a test scripts it: each poll reads
// what is queued and the checkpoint it was given.
type changeFeed struct {
	changes []memon.Change
	err     error
	seen    []string // checkpoints passed in
}

func (f *changeFeed) Changed(_ context.Context, from string) ([]memon.Change, string, error) {
	f.seen = append(f.seen, from)
	if f.err != nil {
		return nil, from, f.err
	}
	return f.changes, fmt.Sprintf("cp%d", len(f.seen)), nil
}

// TestAConsoleShortenedPeriodIsJudgedOnTheNewPeriodOnce: a period cut in
// the console (the stored deadline still the old period's, Version kept) is
// re-armed from the last run and judged at once; reading the same change
// again (a crash before the checkpoint was stored) judges nothing twice.
func TestAConsoleShortenedPeriodIsJudgedOnTheNewPeriodOnce(t *testing.T) {
	w := newWorld(t)
	ev := w.rolling("etl", time.Hour, time.Time{}, func(ev *memon.Event) {
		run := day0.Add(-10 * time.Minute)
		ev.State, ev.LastSuccessTime, ev.LastBlockTime, ev.NextBlockTime = memon.Up, run, run, run.Add(time.Hour)
	})
	short, err := memon.NewSchedule(memon.Rolling, 5*time.Minute, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ev.Schedule = short // as the console leaves it: NextBlockTime still an hour after the run
	w.store.Put(ev)
	feed := &changeFeed{changes: []memon.Change{{Name: "etl", ScheduleEdited: true, Version: ev.Version}}}
	p := w.poller(Config{}).WatchChanges(feed)
	if sum, _ := p.Poll(w.ctx); sum.Changed != 1 || sum.Down != 1 {
		t.Fatalf("changed %d down %d, want the edited event judged DOWN on its new period", sum.Changed, sum.Down)
	}
	if got := w.alerts(); got != "etl:down" {
		t.Fatalf("alerts %q, want etl:down", got)
	}
	if sum, _ := w.poller(Config{}).WatchChanges(feed).Poll(w.ctx); sum.Down != 0 {
		t.Fatalf("the same change read again judged it again (down %d)", sum.Down)
	}
	if got := w.alerts(); got != "" {
		t.Fatalf("alerts %q on the re-read, want none", got)
	}
}

// TestAStreamFailureKeepsTheCheckpoint: a failed read is a poll error and
// the next poll reads from the same place; a table without a stream is only
// a warning.
func TestAStreamFailureKeepsTheCheckpoint(t *testing.T) {
	w := newWorld(t)
	feed := &changeFeed{}
	p := w.pollerWithoutLease(Config{}).WatchChanges(feed)
	if sum, _ := p.Poll(w.ctx); sum.Errors != 0 {
		t.Fatalf("errors %d", sum.Errors)
	}
	feed.err = errors.New("throttled")
	if sum, _ := p.Poll(w.ctx); sum.Errors != 1 {
		t.Fatalf("a failed stream read: errors %d, want 1", sum.Errors)
	}
	feed.err = fmt.Errorf("table memon: %w", memon.ErrNoStream)
	if sum, _ := p.Poll(w.ctx); sum.Errors != 0 {
		t.Fatalf("a table without a stream: errors %d, want 0 (a warning)", sum.Errors)
	}
	if want := []string{"", "cp1", "cp1"}; strings.Join(feed.seen, ",") != strings.Join(want, ",") {
		t.Fatalf("checkpoints read from %q, want %q", feed.seen, want)
	}
	if !strings.Contains(w.logText(), "the events table has no stream") {
		t.Errorf("no warning for the missing stream:\n%s", w.logText())
	}
}

// TestAnItemWrittenToBeWatchedFromNowIsArmedByThePoll: an item the CDK
// construct (or the console) creates with WatchFrom now and no deadline is
// armed by the poll that sees it, and reported DOWN when its first run is
// missed; one without the setting (memon.py's rule) never is.
func TestAnItemWrittenToBeWatchedFromNowIsArmedByThePoll(t *testing.T) {
	w := newWorld(t)
	s, err := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	watched, unwatched := memon.NewEvent("etl", s), memon.NewEvent("legacy", s)
	watched.WatchFrom = memon.WatchNow
	w.store.Put(watched)
	w.store.Put(unwatched)
	feed := &changeFeed{changes: []memon.Change{{Name: "etl", Version: watched.Version}, {Name: "legacy", Version: unwatched.Version}}}
	if _, err := w.poller(Config{}).WatchChanges(feed).Poll(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := w.store.Event("etl").Deadline(), day0.Add(time.Hour); !got.Equal(want) {
		t.Fatalf("etl's first deadline %s, want %s (the poll that saw it plus the period)", got, want)
	}
	if got := w.store.Event("legacy").Deadline(); !got.IsZero() {
		t.Fatalf("legacy armed at %s: an item without WatchFrom waits for its first run", got)
	}
	w.clock.Advance(time.Hour + time.Minute)
	feed.changes = nil
	if _, err := w.poller(Config{}).WatchChanges(feed).Poll(w.ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.alerts(); got != "etl:down" {
		t.Fatalf("alerts %q, want etl:down only", got)
	}
}
