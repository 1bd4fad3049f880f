package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func historyCommand() *command {
	var since time.Duration
	return &command{
		name: "history", args: "[EVENT] [--since DUR]",
		summary: "List an event's transitions (state changes and alerts), oldest first; without EVENT, the latest of every event.",
		flags: func(fs *flag.FlagSet) {
			durationFlag(fs, &since, "since", 7*24*time.Hour, "how far back, `DUR`: "+durationForm)
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runHistory(a, ctx, cl, since) },
	}
}

func runHistory(a *app, ctx context.Context, cl *call, since time.Duration) error {
	name, err := cl.event("history", true)
	if err != nil {
		return err
	}
	if since <= 0 {
		return flagError("since", memon.FormatDuration(since), "want a duration more than 0: "+durationForm)
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	if name == "" {
		return allHistory(ctx, a, st, since)
	}
	// An unusable item still has a history; a missing one has none to show.
	if _, err := st.Get(ctx, name); errors.Is(err, memon.ErrNotFound) {
		return notFound(name)
	} else if err != nil && !errors.Is(err, memon.ErrInvalid) {
		return err
	}
	recs, err := st.History(ctx, name, a.now().Add(-since))
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintf(a.stdout, "no history for %s in the last %s\n", memon.SingleLine(name), memon.FormatDuration(since))
		return nil
	}
	return writeHistory(a.stdout, recs)
}

// allHistoryRows bounds `history` without an event: the latest transitions.
const allHistoryRows = 50

// allHistory is `history` without EVENT: the latest transitions of every
// event within since, oldest first, with the event's name.
func allHistory(ctx context.Context, a *app, st store, since time.Duration) error {
	listed, err := st.List(ctx)
	if err != nil {
		return err
	}
	var recs []memon.HistoryRecord
	for _, l := range listed {
		if l.Event == nil {
			continue
		}
		rs, err := st.History(ctx, l.Event.Name, a.now().Add(-since))
		if err != nil {
			return err
		}
		recs = append(recs, rs...)
	}
	if len(recs) == 0 {
		fmt.Fprintf(a.stdout, "no history for any event in the last %s\n", memon.FormatDuration(since))
		return nil
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].At.Before(recs[j].At) })
	if len(recs) > allHistoryRows {
		fmt.Fprintf(a.stdout, "the latest %d of %d transitions in the last %s (memon-config history EVENT for one event's):\n", allHistoryRows, len(recs), memon.FormatDuration(since))
		recs = recs[len(recs)-allHistoryRows:]
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tEVENT\tCHANGE\tALERT\tREASON")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.At.UTC().Format("2006-01-02 15:04:05"), memon.SingleLine(r.Name), memon.SingleLine(changeText(r)), orDash(string(r.Alert)), memon.SingleLine(r.Reason))
	}
	return tw.Flush()
}

// changeText is a transition's CHANGE column: "up → down".
func changeText(r memon.HistoryRecord) string { return orDash(r.Change()) }

// writeHistory is the transitions table of history and show EVENT.
func writeHistory(w io.Writer, recs []memon.HistoryRecord) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tCHANGE\tALERT\tREASON")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.At.UTC().Format("2006-01-02 15:04:05"), memon.SingleLine(changeText(r)), orDash(string(r.Alert)), memon.SingleLine(r.Reason))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
