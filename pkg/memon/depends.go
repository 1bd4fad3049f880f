package memon

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Dependencies: an event that needs another (DependsOn) does not page while
// that parent is down: its DOWN, LATE, FAILED and OVERRUN alerts are held
// (recorded, with why) and the parent's DOWN and FAILED alerts list the
// children in trouble ("also affected: ..."). When the parent recovers, a
// child still in trouble alerts normally at its next look (every
// ParentRecheck while held).

// ParentRecheck is how often a child held by a parent is looked at again.
const ParentRecheck = 5 * time.Minute

// Relatives is what the poller read about an event's relatives just
// before deciding: never stored.
type Relatives struct {
	TroubledParents []string // parents (DependsOn) now down
	Affected        []string // dependents now down or overdue, for the parent's alert
}

// InTrouble reports whether an event should count as down for its
// dependents (parent) or its parent's alert (child) at now: watched, and
// down or past its deadline plus grace.
func (ev *Event) InTrouble(now time.Time) bool {
	if !ev.Enabled {
		return false
	}
	if ev.State == Down {
		return true
	}
	due := ev.dueAt()
	return !due.IsZero() && !now.Before(due)
}

// holdForParents holds a child's alert while a parent is down; it reports
// whether it did.
func (ev *Event) holdForParents(tr *Transition, at time.Time) bool {
	if len(ev.TroubledParents) == 0 {
		return false
	}
	kind := tr.Alert.Kind
	tr.Alert = nil
	tr.Reason += " (held: " + plural(len(ev.TroubledParents), "parent") + " down: " + strings.Join(ev.TroubledParents, ", ") + ")"
	if kind != KindLate {
		if kind != KindOverrun {
			ev.Unannounced = true
		}
		ev.HeldKind, ev.HeldUntil = kind, at.Add(ParentRecheck)
	}
	return true
}

// alsoAffected adds the dependents in trouble to a parent's DOWN or FAILED.
func (ev *Event) alsoAffected(tr *Transition) {
	if len(ev.Affected) > 0 && (tr.Alert.Kind == KindDown || tr.Alert.Kind == KindFailed) {
		tr.Reason += "; also affected: " + strings.Join(ev.Affected, ", ")
		a := Render(tr.Alert.Kind, ev, tr.Reason)
		a.Facts = transitionFacts(tr.Alert.Kind, ev, *tr)
		tr.Alert = &a
	}
}

// DependencyCycle returns the cycle that giving name the parents deps
// would make, given every other event's DependsOn, as "a → b → a"; ""
// when there is none.
func DependencyCycle(name string, deps []string, graph map[string][]string) string {
	parents := func(n string) []string {
		if n == name {
			return deps
		}
		return graph[n]
	}
	var path []string
	seen := map[string]bool{}
	var walk func(n string) bool
	walk = func(n string) bool {
		path = append(path, n)
		for _, p := range parents(n) {
			if p == name {
				path = append(path, p)
				return true
			}
			if !seen[p] {
				seen[p] = true
				if walk(p) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if walk(name) {
		return strings.Join(path, " → ")
	}
	return ""
}

// ValidateDependsOn checks a DependsOn list: existing-looking names, not
// the event itself, no duplicates, at most MaxDependsOn.
func ValidateDependsOn(field, name string, deps []string) error {
	if len(deps) > MaxDependsOn {
		return &FieldError{Field: field, Value: strings.Join(deps, ","), Want: fmt.Sprintf("want at most %d parents", MaxDependsOn)}
	}
	for i, d := range deps {
		if d == name {
			return &FieldError{Field: field, Value: d, Want: "an event cannot depend on itself"}
		}
		if err := ValidateName(d); err != nil {
			return &FieldError{Field: field, Value: d, Want: "want the name of an existing event"}
		}
		if slices.Contains(deps[:i], d) {
			return &FieldError{Field: field, Value: d, Want: "given twice"}
		}
	}
	return nil
}

// MaxDependsOn bounds an event's parents (each is read when it decides).
const MaxDependsOn = 10
