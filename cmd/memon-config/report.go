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
	return &command{
		name: "report", args: "[--since DUR | --from DATE --to DATE] [--json]",
		summary: "Per event over a period: runs, failures, missed periods, downtime and uptime, last failure, run durations;\n" +
			"worst first, a one-line summary on top. Counted in whole UTC days; paused time is not downtime.",
		flags: func(fs *flag.FlagSet) {
			fs.String("since", "7d", "the UTC days from `DUR` ago through today: "+durationForm)
			fs.String("from", "", "first UTC day, `YYYY-MM-DD` (with --to)")
			fs.String("to", "", "last UTC day, `YYYY-MM-DD`, inclusive (default today)")
			fs.Bool("json", false, "print JSON instead of a table")
		},
		run: runReport,
	}
}

// reportPeriod reads --since or --from/--to.
func reportPeriod(cl *call, now time.Time) (memon.Period, error) {
	val := func(name string) string { return cl.fs.Lookup(name).Value.String() }
	if cl.set["since"] && (cl.set["from"] || cl.set["to"]) {
		return memon.Period{}, usagef("give --since DUR or --from DATE [--to DATE], not both")
	}
	if !cl.set["from"] && !cl.set["to"] {
		since, err := memon.ParseDuration(val("since"))
		if err != nil || since <= 0 {
			return memon.Period{}, flagError("since", val("since"), "want a duration more than 0: "+durationForm)
		}
		return memon.PeriodSince(since, now), nil
	}
	if !cl.set["from"] {
		return memon.Period{}, usagef("--to needs --from DATE (YYYY-MM-DD), the first day of the report")
	}
	day := func(name string) (time.Time, error) {
		t, err := time.Parse(memon.DayLayout, val(name))
		if err != nil {
			return t, flagError(name, val(name), "want a UTC day YYYY-MM-DD, e.g. 2026-11-02")
		}
		return t, nil
	}
	from, err := day("from")
	if err != nil {
		return memon.Period{}, err
	}
	if from.After(now) {
		return memon.Period{}, flagError("from", val("from"), "want a day no later than today")
	}
	to := now.UTC()
	if cl.set["to"] {
		if to, err = day("to"); err != nil {
			return memon.Period{}, err
		}
	}
	if to.Before(from) {
		return memon.Period{}, flagError("to", val("to"), "want a day on or after --from "+val("from"))
	}
	return memon.PeriodBetween(from, to, now), nil
}

func runReport(a *app, ctx context.Context, cl *call) error {
	if len(cl.args) > 0 {
		return usagef("report takes no EVENT (it covers every event); got %q", cl.args[0])
	}
	now := a.now()
	p, err := reportPeriod(cl, now)
	if err != nil {
		return err
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	r, err := report.Build(ctx, st, "Report", p, now)
	if err != nil {
		return err
	}
	if cl.fs.Lookup("json").Value.String() == "true" {
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
