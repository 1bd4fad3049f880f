package main

import (
	"context"
	"flag"
	"html/template"
	"io"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

func htmlCommand() *command {
	return &command{
		name: "html", args: "[--only-errors] > dashboard.html",
		summary: "Print a self-contained HTML dashboard (inline CSS, no scripts): events in error first, then the rest.",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("only-errors", false, "only events that are down or unusable")
		},
		run: func(a *app, ctx context.Context, cl *call) error {
			if err := cl.noArgs("html"); err != nil {
				return err
			}
			st, err := a.open(ctx, cl.g)
			if err != nil {
				return err
			}
			ls, err := st.List(ctx)
			if err != nil {
				return err
			}
			return writeHTML(a.stdout, ls, a.now(), cl.set["only-errors"])
		},
	}
}

// htmlRow is one event as the dashboard shows it.
type htmlRow struct {
	Name, Status, Schedule, LastSuccess, Deadline, Description, Problem string
	Missed                                                              int
	Class                                                               string // CSS class of the status cell
}

type dashboard struct {
	Generated string
	Errors    []htmlRow
	Others    []htmlRow
	OnlyErrs  bool
}

func toHTMLRow(l memon.Listed, now time.Time) htmlRow {
	ev := l.Event
	if ev == nil {
		ev = &memon.Event{}
	}
	r := htmlRow{
		Name: memon.SingleLine(ev.Name), Status: statusText(l), Description: memon.SingleLine(ev.Description), Missed: ev.ErrorCount,
		LastSuccess: when(ev.LastSuccessTime, now), Deadline: when(deadline(l), now),
		Class: string(ev.Status()),
	}
	if l.Err != nil {
		r.Problem, r.Class, r.Schedule = memon.SingleLine(l.Err.Error()), "unusable", "-"
	} else {
		r.Schedule = scheduleText(ev)
	}
	return r
}

// writeHTML renders the dashboard; html/template escapes every value.
func writeHTML(w io.Writer, ls []memon.Listed, now time.Time, onlyErrors bool) error {
	sortListed(ls)
	d := dashboard{Generated: stamp(now), OnlyErrs: onlyErrors}
	for _, l := range ls {
		switch {
		case inError(l):
			d.Errors = append(d.Errors, toHTMLRow(l, now))
		case !onlyErrors:
			d.Others = append(d.Others, toHTMLRow(l, now))
		}
	}
	return dashboardTemplate.Execute(w, d)
}

var dashboardTemplate = template.Must(template.New("dashboard").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MEMon dashboard</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35em .7em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f4f4f4; }
td.status { font-weight: bold; white-space: nowrap; }
.down, .unusable { color: #b00020; } .up { color: #1b7f3b; } .paused { color: #777; } .new { color: #2255aa; }
.problem { color: #b00020; font-family: monospace; }
.empty { color: #777; font-style: italic; }
footer { margin-top: 2em; color: #777; font-size: .85em; }
</style>
</head>
<body>
<h1>MEMon</h1>
<p>Generated {{.Generated}}.</p>
<h2>Events in error ({{len .Errors}})</h2>
{{template "rows" .Errors}}
{{if not .OnlyErrs}}<h2>Other events ({{len .Others}})</h2>
{{template "rows" .Others}}
{{end}}<footer>memon-config html</footer>
</body>
</html>
{{define "rows"}}{{if .}}<table>
<tr><th>Name</th><th>Status</th><th>Schedule</th><th>Last success</th><th>Deadline</th><th>Missed</th><th>Description</th></tr>
{{range .}}<tr><td>{{.Name}}</td><td class="status {{.Class}}">{{.Status}}</td><td>{{.Schedule}}</td><td>{{.LastSuccess}}</td><td>{{.Deadline}}</td><td>{{.Missed}}</td><td>{{.Description}}{{if .Problem}}<div class="problem">{{.Problem}}</div>{{end}}</td></tr>
{{end}}</table>{{else}}<p class="empty">None.</p>{{end}}{{end}}
`))
