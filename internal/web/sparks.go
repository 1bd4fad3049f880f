package web

import (
	"context"
	"sync"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// sparks computes and caches the overview's small charts. Reading an
// event's history is one query, so the live overview renders from the
// cache at once and fills what is missing in the background: the next
// self-update shows it. The cache keeps a chart for sparkTTL.
type sparks struct {
	st   Store
	days Days
	now  func() time.Time

	mu      sync.Mutex
	cache   map[string]sparkEntry
	filling bool
}

type sparkEntry struct {
	s  *spark
	at time.Time
}

const sparkTTL = 2 * time.Minute

// sparkBudget is how long a live page waits for missing charts.
const sparkBudget = 150 * time.Millisecond

// fillers bounds the concurrent history queries of one fill.
const fillers = 8

// fill sets each row's chart. wait computes the missing ones before it
// returns (the snapshot); otherwise they are computed in the background.
func (sp *sparks) fill(ctx context.Context, rows []row, ls []memon.Listed, wait bool) {
	now := sp.now()
	byName := map[string]memon.Listed{}
	for _, l := range ls {
		if l.Event != nil && l.Err == nil {
			byName[l.Event.Name] = l
		}
	}
	sp.mu.Lock()
	if sp.cache == nil {
		sp.cache = map[string]sparkEntry{}
	}
	var missing []memon.Listed
	for i := range rows {
		l, ok := byName[rows[i].Name]
		if !ok {
			continue
		}
		e, ok := sp.cache[rows[i].Name]
		if ok {
			rows[i].Spark = e.s
		}
		if !ok || now.Sub(e.at) > sparkTTL {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 || (!wait && sp.filling) {
		sp.mu.Unlock()
		return
	}
	sp.filling = true
	sp.mu.Unlock()

	done := make(chan struct{})
	run := func(ctx context.Context) {
		defer close(done)
		sp.compute(ctx, missing, now)
		sp.mu.Lock()
		sp.filling = false
		sp.mu.Unlock()
	}
	if wait {
		run(ctx)
	} else {
		// A small table's charts are ready within the budget and show at
		// once; a big one's follow with the next self-update.
		go run(context.WithoutCancel(ctx))
		select {
		case <-done:
		case <-time.After(sparkBudget):
			return
		}
	}
	sp.mu.Lock()
	for i := range rows {
		if e, ok := sp.cache[rows[i].Name]; ok {
			rows[i].Spark = e.s
		}
	}
	sp.mu.Unlock()
}

func (sp *sparks) compute(ctx context.Context, ls []memon.Listed, now time.Time) {
	work := make(chan memon.Listed)
	var wg sync.WaitGroup
	for range min(fillers, len(ls)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range work {
				s, err := sp.one(ctx, l, now)
				if err != nil {
					continue // no chart this time; the next fill retries
				}
				sp.mu.Lock()
				sp.cache[l.Event.Name] = sparkEntry{s: s, at: now}
				sp.mu.Unlock()
			}
		}()
	}
	for _, l := range ls {
		work <- l
	}
	close(work)
	wg.Wait()
}

func (sp *sparks) one(ctx context.Context, l memon.Listed, now time.Time) (*spark, error) {
	since := now.UTC().Truncate(day).Add(-(sparkDays - 1) * day)
	recs, err := sp.st.History(ctx, l.Event.Name, since)
	if err != nil {
		return nil, err
	}
	var stored []memon.DayCounts
	if sp.days != nil {
		if stored, err = sp.days.Days(ctx, l.Event.Name, since, now); err != nil {
			return nil, err
		}
	}
	runs := fillDays(stored, l.Event, now, sparkDays)
	states, _, _ := availability(recs, runs, l.Event, now, sparkDays)
	return newSpark(states, runs), nil
}
