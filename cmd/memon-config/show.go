package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peerj/memon/pkg/memon"
)

// showOptions are show's flags.
type showOptions struct {
	OnlyErrors, JSON, UTC bool
	Tag                   string
}

func showCommand() *command {
	o := &showOptions{}
	return &command{
		name: "show", args: "[EVENT] [--only-errors] [--tag TAG] [--json] [--utc]",
		summary: "List events by next deadline, events without one last; unusable items too, with the reason.\n" +
			"With EVENT, everything about one event: settings, state, last run, next deadline, last 10 transitions.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&o.OnlyErrors, "only-errors", false, onlyErrorsHelp)
			fs.StringVar(&o.Tag, "tag", "", "list only the events tagged `TAG`")
			fs.BoolVar(&o.JSON, "json", false, "print a JSON array (snake_case keys, RFC 3339 UTC times, null when unknown)")
			fs.BoolVar(&o.UTC, "utc", false, "show times in UTC (default: each event's own zone, UTC when it has none)")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runShow(a, ctx, cl, o) },
	}
}

func runShow(a *app, ctx context.Context, cl *call, o *showOptions) error {
	name, st, err := a.eventStore(ctx, cl, "show", true)
	if err != nil {
		return err
	}
	ls, err := load(ctx, st, name)
	if err != nil {
		return err
	}
	now := a.now()
	if o.OnlyErrors {
		ls = filterErrors(ls, now)
	}
	if o.Tag != "" {
		if err := memon.CheckTag("tag", o.Tag); err != nil {
			return asFlag(err)
		}
		ls = filterTag(ls, o.Tag)
	}
	sortListed(ls)
	if o.JSON {
		return writeJSON(a.stdout, ls)
	}
	if name != "" && len(ls) == 1 {
		return writeDetail(ctx, a.stdout, st, ls[0], now, o.UTC)
	}
	return writeTable(a.stdout, ls, now, o.UTC)
}

// filterTag keeps the events tagged tag.
func filterTag(ls []memon.Listed, tag string) []memon.Listed {
	var out []memon.Listed
	for _, l := range ls {
		if l.Event != nil && l.Event.HasTag(tag) {
			out = append(out, l)
		}
	}
	return out
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

// Column widths of the table, chosen so that a 30-character name fits in
// 120 columns: what does not fit is cut with "…".
const (
	tableWidth    = 120
	nameWidth     = 30
	scheduleWidth = 20
)

func writeTable(w io.Writer, ls []memon.Listed, now time.Time, forceUTC bool) error {
	rows := [][]string{{"NAME", "STATUS", "SCHEDULE", "LAST OK", "DEADLINE", "MISSED"}}
	descs := []string{"DESCRIPTION"}
	for _, l := range ls {
		ev := l.Event
		if ev == nil {
			ev = &memon.Event{}
		}
		schedule, desc := shortSchedule(ev), ev.Description
		if l.Err != nil {
			schedule, desc = "-", l.Err.Error()
		}
		if len(ev.Tags) > 0 {
			desc = "[" + memon.TagsText(ev.Tags) + "] " + desc
		}
		if ev.AutoCreated {
			desc = "AUTO-CREATED " + desc // by its first ping; cleared by memon-config set
		}
		loc := zoneOf(ev, forceUTC)
		rows = append(rows, []string{cut(ev.Name, nameWidth), statusWord(l, now), cut(schedule, scheduleWidth),
			ago(ev.LastSuccessTime, now), clock(deadline(l), loc), fmt.Sprint(ev.ErrorCount)})
		descs = append(descs, desc)
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	used := 0
	for _, wd := range widths {
		used += wd + 2
	}
	for i, r := range rows {
		var b strings.Builder
		for j, c := range r {
			b.WriteString(c + strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c)+2))
		}
		b.WriteString(cut(descs[i], max(tableWidth-used, 11)))
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

// cut is s on one line (memon.SingleLine), at most n characters, "…" marking a cut.
func cut(s string, n int) string {
	s = memon.SingleLine(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// shortSchedule is the schedule in a table cell: "1h rolling", "1d fixed",
// "cron 0 3 * * 1-5" (the zone shows in the times).
func shortSchedule(ev *memon.Event) string {
	switch ev.Schedule.Kind {
	case memon.Cron:
		return "cron " + ev.Schedule.Expr
	case "":
		return "-"
	}
	return memon.FormatDuration(ev.Schedule.Period) + " " + string(ev.Schedule.Kind)
}

// zoneOf is the zone an event's times are shown in: its own, or UTC.
func zoneOf(ev *memon.Event, forceUTC bool) *time.Location {
	if forceUTC {
		return time.UTC
	}
	return ev.Schedule.Location()
}

// clock is a time to the minute in loc, with the zone's abbreviation.
func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// ago is how long before now t was: "50m ago"; "-" for never.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return memon.Relative(t, now)
}
