package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/peerj/memon/internal/report"
	"github.com/peerj/memon/pkg/memon"
)

func reportCommand() *command {
	o := &reportOptions{}
	return &command{
		name: "report", args: "[--since DUR | --from DATE --to DATE] [--tag TAG] [--json]",
		summary: "Per event over a period: runs, failures, missed periods, downtime and uptime, last failure, run durations;\n" +
			"worst first, a one-line summary on top. Counted in whole UTC days; paused time is not downtime.",
		flags: func(fs *flag.FlagSet) {
			durationFlag(fs, &o.since, "since", 7*24*time.Hour, "the UTC days from `DUR` ago through today: "+durationForm)
			fs.StringVar(&o.from, "from", "", "first UTC day, `YYYY-MM-DD` (with --to)")
			fs.StringVar(&o.to, "to", "", "last UTC day, `YYYY-MM-DD`, inclusive (default today)")
			fs.StringVar(&o.tag, "tag", "", "only the events tagged `TAG`")
			fs.BoolVar(&o.json, "json", false, "print JSON instead of a table")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runReport(a, ctx, cl, o) },
	}
}

// reportOptions are report's flags.
type reportOptions struct {
	since    time.Duration
	from, to string
	tag      string
	json     bool
}

// reportPeriod reads --since or --from/--to. Which of them were typed is
// asked only to refuse the two forms together.
func reportPeriod(cl *call, o *reportOptions, now time.Time) (memon.Period, error) {
	if cl.set["since"] && (o.from != "" || o.to != "") {
		return memon.Period{}, usagef("give --since DUR or --from DATE [--to DATE], not both")
	}
	if o.from == "" && o.to == "" {
		if o.since <= 0 {
			return memon.Period{}, flagError("since", memon.FormatDuration(o.since), "want a duration more than 0: "+durationForm)
		}
		return memon.PeriodSince(o.since, now), nil
	}
	if o.from == "" {
		return memon.Period{}, usagef("--to needs --from DATE (YYYY-MM-DD), the first day of the report")
	}
	day := func(name, v string) (time.Time, error) {
		t, err := time.Parse(memon.DayLayout, v)
		if err != nil {
			return t, flagError(name, v, "want a UTC day YYYY-MM-DD, e.g. 2026-11-02")
		}
		return t, nil
	}
	from, err := day("from", o.from)
	if err != nil {
		return memon.Period{}, err
	}
	if from.After(now) {
		return memon.Period{}, flagError("from", o.from, "want a day no later than today")
	}
	to := now.UTC()
	if o.to != "" {
		if to, err = day("to", o.to); err != nil {
			return memon.Period{}, err
		}
	}
	if to.Before(from) {
		return memon.Period{}, flagError("to", o.to, "want a day on or after --from "+o.from)
	}
	return memon.PeriodBetween(from, to, now), nil
}

func runReport(a *app, ctx context.Context, cl *call, o *reportOptions) error {
	if len(cl.args) > 0 {
		return usagef("report takes no EVENT (it covers every event); got %q", cl.args[0])
	}
	now := a.now()
	p, err := reportPeriod(cl, o, now)
	if err != nil {
		return err
	}
	title := "Report"
	if o.tag != "" {
		if err := memon.CheckTag("tag", o.tag); err != nil {
			return asFlag(err)
		}
		title = "Report for tag " + o.tag
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	r, err := report.BuildTagged(ctx, st, title, o.tag, p, now)
	if err != nil {
		return err
	}
	if o.json {
		b, err := r.JSON()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprint(a.stdout, r.Text())
	return err
}
