package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// The noise-control flags of `set` (memon.Controls).

// listFlag is a repeatable flag; String joins the values with ";" (which
// no value may contain) for the call's value map.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ";") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func controlFlags(fs *flag.FlagSet) {
	fs.String("failures-before-alert", "", "send FAILED only after `N` failed runs in a row (default 1); a success resets the count")
	fs.String("max-runtime", "", "a start ping with no outcome within `DUR` raises one OVERRUN alert (0: off, the default)")
	fs.String("min-runtime", "", "a successful run shorter than `DUR` counts as a failure (0: off, the default)")
	fs.String("repeat-every", "", "DOWN reminders every `DUR` instead of once per missed period, still at most --max-alerts (0: off)")
	fs.Var(&listFlag{}, "depends-on", "the event needs `PARENT`: while it is down this event's alerts are held and listed in the parent's (repeatable; 'none' clears)")
	fs.Var(&listFlag{}, "tag", "group the event under `TAG` (a-z 0-9 - _ .); every alert carries its tags and the deploy's routes send them to a team (repeatable; 'none' clears)")
	fs.Var(&listFlag{}, "quiet", "hold the event's alerts in the recurring `WINDOW` 'Mon-Fri 22:00-23:30' (event's zone; repeatable; 'none' clears)")
}

// controlsRequest is the noise-control flags given; nil fields were not.
type controlsRequest struct {
	failuresBeforeAlert *int
	maxRuntime          *time.Duration
	minRuntime          *time.Duration
	quiet               *[]memon.QuietWindow
	repeatEvery         *time.Duration
	dependsOn           *[]string
	tags                *[]string
}

// parseControls validates the control flags; bad collects each problem.
func parseControls(v map[string]string, bad func(error)) controlsRequest {
	var c controlsRequest
	if s, ok := v["failures-before-alert"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			n = 0
		}
		if err := memon.CheckFailuresBeforeAlert("failures-before-alert", s, n); err != nil {
			bad(err)
		}
		c.failuresBeforeAlert = &n
	}
	duration := func(name string, check func(field, typed string, d time.Duration) error) *time.Duration {
		s, ok := v[name]
		if !ok {
			return nil
		}
		d, err := memon.ParseRuntime(name, s)
		if err == nil {
			err = check(name, s, d)
		}
		if err != nil {
			bad(err)
		}
		return &d
	}
	c.maxRuntime = duration("max-runtime", memon.CheckRuntime)
	c.minRuntime = duration("min-runtime", memon.CheckRuntime)
	c.repeatEvery = duration("repeat-every", memon.CheckRepeatEvery)
	if s, ok := v["depends-on"]; ok {
		deps := []string{}
		for _, d := range strings.Split(s, ";") {
			if d = strings.TrimSpace(d); d != "" && !strings.EqualFold(d, "none") {
				deps = append(deps, d)
			}
		}
		c.dependsOn = &deps
	}
	if s, ok := v[memon.KeyTag]; ok {
		tags := memon.ParseTags([]string{s})
		if err := memon.ValidateTags(memon.KeyTag, tags); err != nil {
			bad(asFlag(err))
		}
		c.tags = &tags
	}
	if s, ok := v["quiet"]; ok {
		ws := []memon.QuietWindow{}
		for _, one := range strings.Split(s, ";") {
			if strings.EqualFold(strings.TrimSpace(one), "none") {
				continue
			}
			w, err := memon.ParseQuiet("quiet", one)
			if err != nil {
				bad(asFlag(err))
				continue
			}
			ws = append(ws, w)
		}
		c.quiet = &ws
	}
	return c
}

// apply sets the controls given on c.
func (r controlsRequest) apply(c *memon.Config) {
	if r.failuresBeforeAlert != nil {
		c.FailuresBeforeAlert = *r.failuresBeforeAlert
	}
	if r.maxRuntime != nil {
		c.MaxRuntime = *r.maxRuntime
	}
	if r.minRuntime != nil {
		c.MinRuntime = *r.minRuntime
	}
	if r.quiet != nil {
		c.Quiet = *r.quiet
	}
	if r.repeatEvery != nil {
		c.RepeatEvery = *r.repeatEvery
	}
	if r.dependsOn != nil {
		c.DependsOn = *r.dependsOn
	}
	if r.tags != nil {
		c.Tags = *r.tags
	}
}

// controlsLine is `show EVENT`'s line about the noise controls.
func controlsLine(ev *memon.Event) string {
	var parts []string
	if ev.FailuresBeforeAlert > 1 {
		parts = append(parts, fmt.Sprintf("FAILED after %d failures in a row (%d so far)", ev.FailuresBeforeAlert, ev.FailStreak))
	}
	if ev.MinRuntime > 0 {
		parts = append(parts, "min run time "+memon.FormatDuration(ev.MinRuntime))
	}
	if ev.MaxRuntime > 0 {
		parts = append(parts, "max run time "+memon.FormatDuration(ev.MaxRuntime))
	}
	if ev.RepeatEvery > 0 {
		parts = append(parts, "DOWN reminders every "+memon.FormatDuration(ev.RepeatEvery))
	}
	if len(ev.DependsOn) > 0 {
		parts = append(parts, "depends on "+strings.Join(ev.DependsOn, ", "))
	}
	for _, w := range ev.Quiet {
		parts = append(parts, "quiet "+w.String())
	}
	if !ev.PausedUntil.IsZero() {
		parts = append(parts, "paused until "+memon.FormatTime(ev.PausedUntil))
	}
	if !ev.RunningSince.IsZero() {
		parts = append(parts, "running since "+memon.FormatTime(ev.RunningSince))
	}
	if !ev.HeldUntil.IsZero() {
		parts = append(parts, fmt.Sprintf("%s alert held until %s", ev.HeldKind, memon.FormatTime(ev.HeldUntil)))
	}
	if len(parts) == 0 {
		return "alert controls: none (memon-config set --help lists them)"
	}
	return "alert controls: " + memon.SingleLine(strings.Join(parts, "; "))
}

// controlsJSON is the controls in `show --json`.
type controlsJSON struct {
	FailuresBeforeAlert int      `json:"failures_before_alert"`
	MaxRuntimeSeconds   float64  `json:"max_runtime_seconds"`
	MinRuntimeSeconds   float64  `json:"min_runtime_seconds"`
	RepeatEverySeconds  float64  `json:"repeat_every_seconds"`
	Quiet               []string `json:"quiet"`
	DependsOn           []string `json:"depends_on"`
	Tags                []string `json:"tags"`
	PausedUntil         *string  `json:"paused_until"`
	RunningSince        *string  `json:"running_since"`
}

func toControlsJSON(ev *memon.Event) controlsJSON {
	c := controlsJSON{FailuresBeforeAlert: max(ev.FailuresBeforeAlert, 1), MaxRuntimeSeconds: ev.MaxRuntime.Seconds(),
		MinRuntimeSeconds: ev.MinRuntime.Seconds(), RepeatEverySeconds: ev.RepeatEvery.Seconds(), Quiet: []string{},
		DependsOn: append([]string{}, ev.DependsOn...), Tags: append([]string{}, ev.Tags...),
		PausedUntil: rfc3339(ev.PausedUntil), RunningSince: rfc3339(ev.RunningSince)}
	for _, w := range ev.Quiet {
		c.Quiet = append(c.Quiet, w.String())
	}
	return c
}

// checkDependsOn refuses parents that do not exist, and a dependency
// cycle, before anything is written. planned are the parents of events
// about to be written with it (a checks file's), by name: they count as
// existing, with those parents.
func checkDependsOn(ctx context.Context, st store, name string, deps []string, planned map[string][]string) error {
	if err := memon.ValidateDependsOn("depends-on", name, deps); err != nil {
		return asFlag(err)
	}
	if len(deps) == 0 {
		return nil
	}
	ls, err := st.List(ctx)
	if err != nil {
		return err
	}
	graph := map[string][]string{}
	for _, l := range ls {
		if l.Event != nil {
			graph[l.Event.Name] = l.Event.DependsOn
		}
	}
	for n, ps := range planned {
		graph[n] = ps
	}
	for _, d := range deps {
		if _, ok := graph[d]; !ok {
			return flagError("depends-on", d, "no event has that name: create it first")
		}
	}
	if cycle := memon.DependencyCycle(name, deps, graph); cycle != "" {
		return usagef("--depends-on would make a dependency cycle %s: an event cannot wait on itself", cycle)
	}
	return nil
}

// linkParents records name on each parent (Dependents), so the parent's
// alerts can list it. A conditional write per parent, retried on a race.
func (a *app) linkParents(ctx context.Context, st store, name string, deps []string) error {
	for _, d := range deps {
		err := retryRaces(func() error {
			par, err := getUsable(ctx, st, d)
			if err != nil {
				return err
			}
			if slices.Contains(par.Dependents, name) {
				return nil
			}
			par.Dependents = append(par.Dependents, name)
			return st.Save(ctx, par)
		})
		if err != nil {
			return fmt.Errorf("%s now depends on %s, but %s's list of dependents was not updated (its alerts will not list %s): %w", name, d, d, name, err)
		}
	}
	return nil
}
