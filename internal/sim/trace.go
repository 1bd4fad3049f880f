package sim

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// A trace is one event's life in a replay, for finding why a problem
// happened: its job's pings and people's edits, the faults of the polls
// around them, the poller's log lines naming it (at virtual time), what was
// published naming it and what the oracle expected, in time order.
type tracer struct {
	names map[string]bool
	mu    sync.Mutex
	rows  []traceRow
}

type traceRow struct {
	at   time.Time
	seq  int
	text string
}

func (t *tracer) traces(name string) bool { return t != nil && t.names[name] }

func (t *tracer) add(at time.Time, format string, args ...any) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows = append(t.rows, traceRow{at, len(t.rows), fmt.Sprintf(format, args...)})
}

// logger is the poller's JSON log stamped with the virtual time; with a
// trace it keeps only the lines naming the traced event.
func (t *tracer) logger(out io.Writer, now func() time.Time) *slog.Logger {
	stamp := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Time(slog.TimeKey, now())
		}
		return a
	}
	switch {
	case t == nil && out == nil:
		return slog.New(slog.DiscardHandler)
	case t == nil:
		return slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{ReplaceAttr: stamp}))
	}
	return slog.New(slog.NewJSONHandler(traceLog{t, now}, &slog.HandlerOptions{ReplaceAttr: stamp}))
}

type traceLog struct {
	t   *tracer
	now func() time.Time
}

func (w traceLog) Write(b []byte) (int, error) {
	for name := range w.t.names {
		if bytes.Contains(b, []byte(`"`+name+`"`)) || bytes.Contains(b, []byte(name+":")) {
			w.t.add(w.now(), "log     %s", bytes.TrimSpace(b))
			break
		}
	}
	return len(b), nil
}

// write prints the trace in time order.
func (t *tracer) write(out io.Writer) {
	if t == nil || out == nil {
		return
	}
	sort.SliceStable(t.rows, func(i, j int) bool {
		if !t.rows[i].at.Equal(t.rows[j].at) {
			return t.rows[i].at.Before(t.rows[j].at)
		}
		return t.rows[i].seq < t.rows[j].seq
	})
	for _, r := range t.rows {
		fmt.Fprintf(out, "%s %s\n", r.at.UTC().Format("2006-01-02T15:04:05"), r.text)
	}
}

// describe is an action as the trace shows it.
func (a action) describe() string {
	switch {
	case a.pause && !a.until.IsZero():
		return "pause --until " + a.until.UTC().Format(time.RFC3339)
	case a.pause:
		return "pause"
	case a.resume:
		return "resume"
	case a.create:
		return "create --watch-from now"
	case a.del:
		return "delete"
	case a.period > 0:
		return "set --period " + a.period.String()
	case a.start:
		return "ping start"
	case a.fail:
		return fmt.Sprintf("ping fail dur=%s", a.dur)
	}
	return fmt.Sprintf("ping success dur=%s", a.dur)
}

// describe is the plan as the trace shows it: the schedule, the controls
// and the job's and people's plans.
func (ev *eventPlan) describe() string {
	var quiet []string
	for _, q := range ev.Quiet {
		quiet = append(quiet, q.text)
	}
	d := fmt.Sprintf("%s period=%s expr=%q zone=%s grace=%s max-alerts=%d", ev.Kind, ev.Period, ev.Expr, ev.Zone, ev.Grace, ev.MaxAlerts)
	for _, f := range []struct {
		name string
		v    any
		set  bool
	}{
		{"initial", ev.Initial.Format(time.RFC3339), !ev.Initial.IsZero()},
		{"failures-before-alert", ev.FailuresBeforeAlert, ev.FailuresBeforeAlert > 0},
		{"min-runtime", ev.MinRuntime, ev.MinRuntime > 0},
		{"max-runtime", ev.MaxRuntime, ev.MaxRuntime > 0},
		{"repeat-every", ev.RepeatEvery, ev.RepeatEvery > 0},
		{"quiet", quiet, len(quiet) > 0},
		{"created", ev.Created.Format(time.RFC3339), !ev.Created.IsZero()},
		{"dies", ev.dies.Format(time.RFC3339), !ev.dies.IsZero()},
		{"silent", true, ev.silent},
	} {
		if f.set {
			d += fmt.Sprintf(" %s=%v", f.name, f.v)
		}
	}
	return d
}
