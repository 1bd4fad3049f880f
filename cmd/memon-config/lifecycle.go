package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/peerj/memon/pkg/memon"
)

func deleteCommand() *command {
	return &command{
		name: "delete", args: "EVENT", summary: "Remove an event. Its history stays until the history table's TTL drops it.",
		run: func(a *app, ctx context.Context, cl *call) error {
			name, st, err := a.eventStore(ctx, cl, "delete", false)
			if err != nil {
				return err
			}
			if err := a.deleteEvent(ctx, cl.g, st, name); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "deleted %s\n", name)
			return nil
		},
	}
}

// deleteEvent removes an event that must exist: `delete` and the web page.
// Its ping token goes first, so a leftover token can never name a deleted
// event.
func (a *app) deleteEvent(ctx context.Context, g *globals, st store, name string) error {
	if err := a.revokeToken(ctx, g, st, name); err != nil {
		return err
	}
	if err := st.Delete(ctx, name); errors.Is(err, memon.ErrNotFound) {
		return notFound(name)
	} else if err != nil {
		return err
	}
	return nil
}

func pauseCommand() *command {
	var until string
	return &command{
		name: "pause", args: "EVENT [--until TIME|DUR]",
		summary: "Stop watching an event: its pings are still recorded, it is never reported down.\n" +
			"With --until the poller resumes it by itself at that time.",
		flags: func(fs *flag.FlagSet) { pauseFlags(fs, &until) },
		run: func(a *app, ctx context.Context, cl *call) error {
			if until != "" {
				return a.pauseWithUntil(ctx, cl, until)
			}
			return a.toggle(ctx, cl, "pause", false)
		},
	}
}

func resumeCommand() *command {
	return &command{
		name: "resume", args: "EVENT",
		summary: "Watch a paused event again; a deadline that passed while it was paused restarts from now.",
		run:     func(a *app, ctx context.Context, cl *call) error { return a.toggle(ctx, cl, "resume", true) },
	}
}

// toggle pauses or resumes an event with a conditional write, re-reading on
// a lost race, and records the change in the history.
func (a *app) toggle(ctx context.Context, cl *call, cmd string, enable bool) error {
	name, st, err := a.eventStore(ctx, cl, cmd, false)
	if err != nil {
		return err
	}
	ev, before, changed, err := a.setEnabled(ctx, st, name, enable)
	if err != nil {
		return err
	}
	if !changed {
		fmt.Fprintf(a.stdout, "%s is already %s\n", name, before)
		return nil
	}
	fmt.Fprintf(a.stdout, "%s: %s\n", name, describe(ev, a.now()))
	return a.recordToggle(ctx, st, ev, before)
}

// setEnabled pauses or resumes an event, for `pause`, `resume` and the web
// page: a conditional write, re-read on a lost race. changed is false when
// the event already was as asked.
func (a *app) setEnabled(ctx context.Context, st store, name string, enable bool) (ev *memon.Event, before memon.State, changed bool, err error) {
	err = retryRaces(func() (err error) {
		if ev, err = getUsable(ctx, st, name); err != nil {
			return err
		}
		before = ev.Status()
		if changed = ev.Enabled != enable; !changed {
			return nil
		}
		if enable {
			ev.Resume(a.now())
		} else {
			ev.Pause(a.now())
		}
		return st.Save(ctx, ev)
	})
	return ev, before, changed, err
}

// eventStore returns the EVENT argument and the store, for commands with
// nothing else to validate first.
func (a *app) eventStore(ctx context.Context, cl *call, cmd string, optional bool) (string, store, error) {
	name, err := cl.event(cmd, optional)
	if err != nil {
		return "", nil, err
	}
	st, err := a.open(ctx, cl.g)
	return name, st, err
}

// getUsable reads an event that must exist and be usable.
func getUsable(ctx context.Context, st store, name string) (*memon.Event, error) {
	ev, err := st.Get(ctx, name)
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return nil, notFound(name)
	case errors.Is(err, memon.ErrInvalid):
		// Not the user's input at fault: a runtime failure (exit 1), so %v.
		return nil, fmt.Errorf("event %q is unusable as stored: %v; fix it with memon-config set %s --period DUR or --cron EXPR", name, err, name)
	case err != nil:
		return nil, err
	}
	return ev, nil
}

// recordToggle writes a history record when an edit paused or resumed the
// event; other edits are not transitions.
func (a *app) recordToggle(ctx context.Context, st store, ev *memon.Event, before memon.State) error {
	after := ev.Status()
	if before == after || (before != memon.Paused && after != memon.Paused) {
		return nil
	}
	reason := "paused by memon-config"
	if after != memon.Paused {
		reason = "resumed by memon-config"
	}
	now := a.now().UTC()
	if err := st.AppendHistory(ctx, ev.ByHand(now, before, after, reason)); err != nil {
		return fmt.Errorf("%s was %s, but its history record was not written: %w", ev.Name, map[bool]string{true: "paused", false: "resumed"}[after == memon.Paused], err)
	}
	return nil
}

// revokeToken ends every ping URL of the event: the one its item names and
// any token item left naming it. An event that has no token asks nothing of
// the tokens table (a stack without HTTPS pings has none); a missing one
// does, as another tool may have deleted its item and left its tokens.
func (a *app) revokeToken(ctx context.Context, g *globals, st store, name string) error {
	ev, err := st.Get(ctx, name)
	missing := errors.Is(err, memon.ErrNotFound)
	if err != nil && !missing && !errors.Is(err, memon.ErrInvalid) {
		return err
	}
	hasToken := ev != nil && ev.HasToken
	if !hasToken && !missing {
		return nil
	}
	if a.tokens == nil {
		if !hasToken {
			return nil
		}
		return fmt.Errorf("event %q has a ping token and no tokens table is configured to revoke it", name)
	}
	ts, err := a.tokens(ctx, g)
	if err != nil {
		return err
	}
	if err := ts.Revoke(ctx, name); err != nil {
		return fmt.Errorf("revoke the ping tokens of %q before deleting it: %w", name, err)
	}
	return nil
}
