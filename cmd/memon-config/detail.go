package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// detailTransitions is how many of the latest transitions `show EVENT` lists.
const detailTransitions = 10

// writeDetail is `show EVENT`: every setting, the state, the last run, the
// next deadline in both zones and the last transitions. Every stored text is
// SingleLine'd; the output tail is a quoted block.
func writeDetail(ctx context.Context, w io.Writer, st store, l memon.Listed, now time.Time, forceUTC bool) error {
	ev := l.Event
	if ev == nil {
		ev = &memon.Event{}
	}
	var b strings.Builder
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-15s %s\n", label+":", memon.SingleLine(value))
		}
	}
	fmt.Fprintf(&b, "%s\n", memon.SingleLine(ev.Name))
	row("description", ev.Description)
	row("tags", memon.TagsText(ev.Tags))
	status := statusWord(l, now)
	if ev.AutoCreated {
		status += " (AUTO-CREATED by its first ping; memon-config set clears it)"
	}
	row("status", status)
	if l.Err != nil {
		row("problem", l.Err.Error())
		row("fix", fmt.Sprintf("memon-config set %s --period DUR or --cron EXPR", memon.ShellWord(ev.Name)))
	} else {
		row("schedule", scheduleText(ev))
		row("max alerts", fmt.Sprintf("%s per outage (%d sent in this one)", plural(ev.MaxAlertsOrDefault(), "DOWN alert"), ev.DownAlerts))
		row("enabled", pausedHint(ev))
		if ev.Watched() {
			row("next deadline", bothZonesAt(ev.Deadline(), ev, now, forceUTC))
		} else {
			row("next deadline", "new: not watched until its first run (memon-config set "+memon.ShellWord(ev.Name)+" --watch-from now watches it from now)")
		}
		if d := ev.AlertAt(); !d.IsZero() {
			row("next check", bothZonesAt(d, ev, now, forceUTC))
		}
	}
	row("missed runs", fmt.Sprint(ev.ErrorCount))
	row("last success", bothZonesAt(ev.LastSuccessTime, ev, now, forceUTC))
	if ev.LastFailTime.After(ev.LastSuccessTime) {
		row("last failure", bothZonesAt(ev.LastFailTime, ev, now, forceUTC))
	}
	row("last start", bothZonesAt(ev.LastStartTime, ev, now, forceUTC))
	var run []string
	if ev.LastDuration > 0 {
		run = append(run, "duration "+memon.FormatRunDuration(ev.LastDuration))
	}
	if ev.LastExitCode != nil {
		run = append(run, fmt.Sprintf("exit code %d", *ev.LastExitCode))
	}
	if ev.LastHost != "" {
		run = append(run, "host "+ev.LastHost)
	}
	if ev.LastRunID != "" {
		run = append(run, "run id "+ev.LastRunID)
	}
	row("last run", strings.Join(run, ", "))
	if ev.LastMessage != "" {
		fmt.Fprintf(&b, "  %-15s\n", "output (tail):")
		for _, line := range strings.Split(strings.TrimRight(ev.LastMessage, "\n"), "\n") {
			fmt.Fprintf(&b, "    | %s\n", memon.SingleLine(line))
		}
	}
	row("pending alerts", fmt.Sprint(len(ev.Outbox)))
	fmt.Fprintf(&b, "  %s\n  %s\n", tokenLine(ev), controlsLine(ev))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}

	recs, err := st.History(ctx, ev.Name, time.Time{})
	if err != nil {
		return fmt.Errorf("read the history of %q: %w", ev.Name, err)
	}
	if len(recs) > detailTransitions {
		recs = recs[len(recs)-detailTransitions:]
	}
	fmt.Fprintf(w, "\nLast %d transitions (memon-config history %s --since 30d for more):\n", detailTransitions, memon.ShellWord(ev.Name))
	if len(recs) == 0 {
		fmt.Fprintln(w, "  none yet")
		return nil
	}
	return writeHistory(w, recs)
}

// bothZonesAt is a time in the event's zone and, when that is not UTC, in
// UTC too, with how far it is from now.
func bothZonesAt(t time.Time, ev *memon.Event, now time.Time, forceUTC bool) string {
	if t.IsZero() {
		return ""
	}
	loc := zoneOf(ev, forceUTC)
	s := t.In(loc).Format("2006-01-02 15:04:05 MST")
	if loc != time.UTC {
		s += " " + loc.String() + " = " + memon.FormatTime(t)
	}
	return s + " (" + memon.Relative(t, now) + ")"
}

func pausedHint(ev *memon.Event) string {
	if ev.Enabled {
		return "yes"
	}
	return "no (paused: memon-config resume " + memon.ShellWord(ev.Name) + ")"
}

// plural is "1 DOWN alert", "3 DOWN alerts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
