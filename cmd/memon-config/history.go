package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func historyCommand() *command {
	var since time.Duration
	return &command{
		name: "history", args: "EVENT [--since DUR]",
		summary: "List an event's transitions (state changes and alerts), oldest first.",
		flags: func(fs *flag.FlagSet) {
			durationFlag(fs, &since, "since", 7*24*time.Hour, "how far back, `DUR`: "+durationForm)
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runHistory(a, ctx, cl, since) },
	}
}

func runHistory(a *app, ctx context.Context, cl *call, since time.Duration) error {
	name, err := cl.event("history", false)
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

// writeHistory is the transitions table of history and show EVENT.
func writeHistory(w io.Writer, recs []memon.HistoryRecord) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tCHANGE\tALERT\tREASON")
	for _, r := range recs {
		change := orDash(string(r.To))
		if r.From != "" {
			change = string(r.From) + " → " + change
		}
		if r.Superseded {
			change = "failure (superseded)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.At.UTC().Format("2006-01-02 15:04:05"), memon.SingleLine(change), orDash(string(r.Alert)), memon.SingleLine(r.Reason))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
