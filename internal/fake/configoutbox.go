package fake

import (
	"context"
	"sort"

	"github.com/peerj/memon/pkg/memon"
)

// HeldConfigAlerts returns the CONFIG alerts waiting to be published.
func (s *Store) HeldConfigAlerts(context.Context) ([]memon.ConfigProblem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var held []memon.ConfigProblem
	for name, problem := range s.heldConfig {
		held = append(held, memon.ConfigProblem{Name: name, Problem: problem})
	}
	sort.Slice(held, func(i, j int) bool { return held[i].Name < held[j].Name })
	return held, nil
}

// HoldConfigAlerts adds CONFIG alerts whose publish failed.
func (s *Store) HoldConfigAlerts(_ context.Context, problems []memon.ConfigProblem) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.heldConfig == nil {
		s.heldConfig = map[string]string{}
	}
	for _, p := range problems {
		s.heldConfig[p.Name] = p.Problem
	}
	return nil
}

// DropHeldConfigAlerts removes waiting CONFIG alerts once published.
func (s *Store) DropHeldConfigAlerts(_ context.Context, names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		delete(s.heldConfig, n)
	}
	return nil
}
