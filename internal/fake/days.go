package fake

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// writeDays stores the finished days a winning write carries, as the
// DynamoDB store does in the same transaction. Called with s.mu held.
func (s *Store) writeDays(ev *memon.Event) {
	if len(ev.ClosedDays) == 0 {
		return
	}
	if s.days == nil {
		s.days = map[string]map[string]memon.DayCounts{}
	}
	if s.days[ev.Name] == nil {
		s.days[ev.Name] = map[string]memon.DayCounts{}
	}
	for _, d := range ev.ClosedDays {
		s.days[ev.Name][d.Day] = d
	}
	ev.ClosedDays = nil
}

// AddDays stores daily records as if earlier writes had closed those days.
func (s *Store) AddDays(name string, ds ...memon.DayCounts) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeDays(&memon.Event{Config: memon.Config{Name: name}, ClosedDays: ds})
}

// Days returns name's daily records for the UTC days of from..to, oldest first.
func (s *Store) Days(_ context.Context, name string, from, to time.Time) ([]memon.DayCounts, error) {
	if err := s.call(OpDays, "Days %s %s %s", name, memon.DayOf(from), memon.DayOf(to)); err != nil {
		return nil, fmt.Errorf("read daily records of %q: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []memon.DayCounts
	for _, day := range slices.Sorted(maps.Keys(s.days[name])) {
		if day >= memon.DayOf(from) && day <= memon.DayOf(to) {
			out = append(out, s.days[name][day])
		}
	}
	return out, nil
}
