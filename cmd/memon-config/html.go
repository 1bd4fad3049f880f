package main

import (
	"context"
	"flag"

	"github.com/peerj/memon/internal/web"
)

// htmlOptions are html's flags.
type htmlOptions struct {
	OnlyErrors bool
}

func htmlCommand() *command {
	o := &htmlOptions{}
	return &command{
		name: "html", args: "[--only-errors] > dashboard.html",
		summary: "Print a self-contained HTML snapshot of the overview, events in trouble first.\n" +
			"The same templates as memon-config ui, with the style and script inline.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&o.OnlyErrors, "only-errors", false, onlyErrorsHelp)
		},
		run: func(a *app, ctx context.Context, cl *call) error {
			if err := cl.noArgs("html"); err != nil {
				return err
			}
			st, err := a.open(ctx, cl.g)
			if err != nil {
				return err
			}
			return web.Snapshot(ctx, a.stdout, st, daysOf(st), a.now(), o.OnlyErrors)
		},
	}
}
