package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func showCommand() *command {
	return &command{
		name: "show", args: "[EVENT] [--only-errors] [--json]",
		summary: "List events (or one) by next deadline, events without one last; unusable items too, with the reason.",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("only-errors", false, "only events that are down or unusable")
			fs.Bool("json", false, "print a JSON array (snake_case keys, RFC 3339 UTC times, null when unknown)")
		},
		run: runShow,
	}
}

func runShow(a *app, ctx context.Context, cl *call) error {
	name, st, err := a.eventStore(ctx, cl, "show", true)
	if err != nil {
		return err
	}
	ls, err := load(ctx, st, name)
	if err != nil {
		return err
	}
	if cl.set["only-errors"] {
		ls = filterErrors(ls)
	}
	sortListed(ls)
	if cl.set["json"] {
		return writeJSON(a.stdout, ls)
	}
	if err := writeTable(a.stdout, ls, a.now()); err != nil {
		return err
	}
	if name != "" && len(ls) == 1 && ls[0].Event != nil {
		fmt.Fprintln(a.stdout, tokenLine(ls[0].Event))
		fmt.Fprintln(a.stdout, controlsLine(ls[0].Event))
	}
	return nil
}

// tokenLine says whether the event has an HTTPS ping token, never what it is.
func tokenLine(ev *memon.Event) string {
	if ev.HasToken {
		return fmt.Sprintf("ping token: yes (memon-config token %s --rotate replaces it)", ev.Name)
	}
	return fmt.Sprintf("ping token: none (memon-config token %s creates one)", ev.Name)
}

// load reads one event (which must exist) or all of them.
func load(ctx context.Context, st store, name string) ([]memon.Listed, error) {
	if name == "" {
		return st.List(ctx)
	}
	ev, err := st.Get(ctx, name)
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return nil, notFound(name)
	case errors.Is(err, memon.ErrInvalid) && ev != nil:
		return []memon.Listed{{Event: ev, Err: err}}, nil
	case err != nil:
		return nil, err
	}
	return []memon.Listed{{Event: ev}}, nil
}

func writeJSON(w io.Writer, ls []memon.Listed) error {
	out := make([]record, 0, len(ls))
	for _, l := range ls {
		out = append(out, toRecord(l))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeTable(w io.Writer, ls []memon.Listed, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tSCHEDULE\tLAST SUCCESS\tDEADLINE\tMISSED\tDESCRIPTION")
	for _, l := range ls {
		ev := l.Event
		if ev == nil {
			ev = &memon.Event{}
		}
		schedule, desc := scheduleText(ev), ev.Description
		if l.Err != nil {
			schedule, desc = "-", l.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", memon.SingleLine(ev.Name), statusText(l), memon.SingleLine(schedule),
			when(ev.LastSuccessTime, now), when(deadline(l), now), ev.ErrorCount, memon.SingleLine(desc))
	}
	return tw.Flush()
}
