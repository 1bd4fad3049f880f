package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

const untilForm = "want a duration (2h, 3d) or a time: 2026-11-24T18:00:00Z, '2026-11-24 18:00' or 18:00 (in the event's zone; 18:00 is today, or tomorrow once passed)"

func pauseFlags(fs *flag.FlagSet, until *string) {
	fs.StringVar(until, "until", "", "resume by itself at `TIME|DUR` (the poller does it): "+untilForm)
}

// pauseUntil parses --until against now, in the event's zone.
func pauseUntil(v string, now time.Time, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	var at time.Time
	if d, err := memon.ParseDuration(v); err == nil {
		at = now.Add(d)
	} else if t, err := time.Parse(time.RFC3339, v); err == nil {
		at = t
	} else if t, err := time.ParseInLocation("2006-01-02 15:04", v, loc); err == nil {
		at = t
	} else if t, err := time.ParseInLocation("2006-01-02T15:04", v, loc); err == nil {
		at = t
	} else if c, err := time.Parse("15:04", v); err == nil {
		today := now.In(loc)
		at = time.Date(today.Year(), today.Month(), today.Day(), c.Hour(), c.Minute(), 0, 0, loc)
		if !at.After(now) {
			at = time.Date(today.Year(), today.Month(), today.Day()+1, c.Hour(), c.Minute(), 0, 0, loc)
		}
	} else {
		return at, flagError("until", v, untilForm)
	}
	if !at.After(now) || at.After(now.Add(366*24*time.Hour)) {
		return at, flagError("until", v, "want a time after now and at most 366 days ahead")
	}
	return at.UTC(), nil
}

// pauseWithUntil is `pause EVENT --until TIME|DUR`: paused now (or still
// paused), resumed by the poller at that time.
func (a *app) pauseWithUntil(ctx context.Context, cl *call, raw string) error {
	name, err := cl.event("pause", false)
	if err != nil {
		return err
	}
	// Check the form before touching the store (the zone comes later).
	if _, err := pauseUntil(raw, a.now(), time.UTC); err != nil {
		return err
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	var ev *memon.Event
	var before memon.State
	err = retryRaces(func() (err error) {
		if ev, err = getUsable(ctx, st, name); err != nil {
			return err
		}
		before = ev.Status()
		until, err := pauseUntil(raw, a.now(), ev.Schedule.Location())
		if err != nil {
			return err
		}
		if ev.Enabled {
			ev.PauseUntil(a.now(), until)
		} else {
			ev.PausedUntil = until
		}
		return st.Save(ctx, ev)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s: paused until %s\n", name, memon.FormatTime(ev.PausedUntil))
	return a.recordToggle(ctx, st, ev, before)
}
