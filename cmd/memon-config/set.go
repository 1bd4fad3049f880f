package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// maxAttempts bounds the read-modify-write loop when a poll writes the
// event between our read and our conditional save.
const maxAttempts = 5

const durationForm = "one word such as 90s, 15m, 1h, 1d or 1h30m; a bare number is seconds (3600)"

// setOptions are set's flags. The settings stay text, as typed: set
// changes only the ones given, and the web form and checks files hand over
// the same text (parseSet). The two switches are values.
type setOptions struct {
	Enabled, Disabled bool
}

func setCommand() *command {
	o := &setOptions{}
	return &command{
		name: "set", args: "EVENT [flags]",
		summary: "Create an event, or edit one: only the flags given change.\n" +
			"A new event needs --period or --cron; without --type it is rolling. DUR is " + durationForm + ".",
		flags: func(fs *flag.FlagSet) {
			fs.String("period", "", "expected at least every `DUR` (more than 0, at most 366d)")
			fs.String("type", "", "`KIND` of schedule: rolling (deadline = last run + period), fixed (a grid of periods) or cron")
			fs.String("cron", "", "expected at each firing of the five-field cron `EXPR` (\"0 3 * * 1-5\", @daily); implies --type cron")
			fs.String("tz", "", "IANA time `ZONE` every typed time of the event is read in: --cron and --initial-time (default: the event's, else UTC)")
			fs.String("grace", "", "extra `DUR` after a deadline before the event is reported down (default 0, 5m for a new cron event)")
			fs.String("max-alerts", "", "`N` DOWN alerts per outage, 1 or more (default 3)")
			fs.String("description", "", "free `TEXT` shown in alerts and listings")
			fs.BoolVar(&o.Enabled, "enabled", false, "watch the event (resumes a paused one)")
			fs.BoolVar(&o.Disabled, "disabled", false, "stop watching the event (pings are still recorded)")
			fs.String("initial-date", "", "first deadline on `YYYY-MM-DD` (at 00:00 unless --initial-time)")
			fs.String("initial-time", "", "first deadline at `HH:MM`: today, or tomorrow if that time has passed; a fixed grid starts at the next grid point")
			fs.String("watch-from", "", "`WHEN` a new event is watched: first-run (not reported until its first ping; the default) or now (a missed first run is reported too)")
			controlFlags(fs)
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runSet(a, ctx, cl, o) },
	}
}

// setRequest is a validated `set`: a nil or zero field was not given.
type setRequest struct {
	name        string
	kind        memon.ScheduleKind // --type
	period      time.Duration      // --period
	cron        string             // --cron
	tz          *string
	grace       *time.Duration
	maxAlerts   *int
	description *string
	enabled     *bool
	initial     memon.InitialTime // --initial-date, --initial-time
	watchFrom   *memon.WatchFrom
	controls    controlsRequest

	scheduleWas string // set by apply: the schedule an edit replaced, "" when unchanged
}

// values returns the settings given, by key: the text flags given (set
// changes only those), and the state the two switches ask for. A switch
// given as false is a switch left out.
func (o *setOptions) values(cl *call) map[string]string {
	v := map[string]string{}
	for name := range cl.set {
		if name != "enabled" && name != "disabled" {
			v[name] = cl.fs.Lookup(name).Value.String()
		}
	}
	if o.Enabled {
		v["enabled"] = "true"
	}
	if o.Disabled {
		v["disabled"] = "true"
	}
	return v
}

// parseSet validates every flag of `set` without reading the store; all the
// problems are reported together.
func parseSet(name string, v map[string]string, now time.Time) (*setRequest, error) {
	r := &setRequest{name: name}
	var errs []error
	bad := func(err error) { errs = append(errs, asFlag(err)) }
	// badValue reports the value as typed ("0"), not as the domain reformats it ("0s").
	badValue := func(err error, typed string) {
		var fe *memon.FieldError
		if errors.As(err, &fe) {
			c := *fe
			c.Value = typed
			err = &c
		}
		bad(err)
	}
	has := func(f string) bool { _, ok := v[f]; return ok }

	if v["enabled"] == "true" && v["disabled"] == "true" {
		bad(usagef("--enabled and --disabled were both given: give one of them"))
	} else if has("enabled") || has("disabled") {
		on := v["enabled"] == "true" || v["disabled"] == "false"
		r.enabled = &on
	}
	if has("type") {
		switch k := memon.ScheduleKind(strings.ToLower(strings.TrimSpace(v["type"]))); k {
		case memon.Rolling, memon.Fixed, memon.Cron:
			r.kind = k
		default:
			bad(flagError("type", v["type"], "want rolling, fixed or cron"))
		}
	}
	if has("cron") && has("period") {
		bad(usagef("--cron %q and --period %q were both given: a schedule is either a cron expression or a period", v["cron"], v["period"]))
	}
	if has("cron") && (r.kind == memon.Rolling || r.kind == memon.Fixed) {
		bad(usagef("--cron %q and --type %s were both given: --cron makes a cron schedule; drop --type or use --period", v["cron"], r.kind))
	}
	if r.kind == memon.Cron && !has("cron") {
		bad(flagError("type", "cron", `a cron schedule needs --cron EXPR, e.g. --cron "0 3 * * *"`))
	}
	if has("period") {
		d, err := memon.ParsePeriod("period", v["period"])
		if err != nil {
			badValue(err, v["period"])
		}
		r.period = d
	}
	if has("tz") {
		zone := strings.TrimSpace(v["tz"])
		if _, err := memon.LoadZone(zone); err != nil {
			bad(err)
		}
		r.tz = &zone
	}
	if has("cron") {
		r.cron = strings.TrimSpace(v["cron"])
		s, err := memon.NewSchedule(memon.Cron, 0, r.cron, "")
		if err == nil {
			err = s.CheckFires(now)
		}
		if err != nil {
			bad(err)
		}
	}
	if has("grace") {
		d, err := memon.ParseGrace("grace", v["grace"])
		if err != nil {
			badValue(err, v["grace"])
		}
		r.grace = &d
	}
	if has("max-alerts") {
		n, err := strconv.Atoi(strings.TrimSpace(v["max-alerts"]))
		if err == nil {
			err = memon.CheckMaxAlerts("max-alerts", v["max-alerts"], n)
		} else {
			err = memon.CheckMaxAlerts("max-alerts", v["max-alerts"], 0)
		}
		if err != nil {
			bad(err)
		}
		r.maxAlerts = &n
	}
	if has("description") {
		d := v["description"]
		if err := memon.CheckDescription(d); err != nil {
			bad(err) // bounded: it is stored on the item and shown in every alert
		}
		r.description = &d
	}
	if has("initial-date") {
		d, err := time.Parse("2006-01-02", strings.TrimSpace(v["initial-date"]))
		if err != nil {
			bad(flagError("initial-date", v["initial-date"], "want a date YYYY-MM-DD, e.g. 2024-05-01"))
		}
		r.initial.Date = &d
	}
	if has("initial-time") {
		t, err := time.Parse("15:04", strings.TrimSpace(v["initial-time"]))
		if err != nil {
			bad(flagError("initial-time", v["initial-time"], "want a 24-hour time HH:MM, e.g. 03:30"))
		}
		r.initial.Clock = &t
	}
	if has("watch-from") {
		w, err := memon.ParseWatchFrom("watch-from", v["watch-from"])
		if err != nil {
			bad(err)
		}
		r.watchFrom = &w
	}
	r.controls = parseControls(v, bad)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *setRequest) scheduleGiven() bool {
	return r.kind != "" || r.period != 0 || r.cron != "" || r.tz != nil
}

// schedule resolves the flags against the current schedule (cur is zero for
// a new or unusable event) and reports whether the schedule changed.
func (r *setRequest) schedule(cur memon.Schedule) (memon.Schedule, bool, error) {
	if !r.scheduleGiven() {
		return cur, false, nil
	}
	kind := cur.Kind
	switch {
	case r.cron != "":
		kind = memon.Cron
	case r.kind != "":
		kind = r.kind
	case r.period != 0 && cur.Kind == memon.Cron:
		// Never silently: a cron schedule becomes a period only when asked.
		return cur, false, usagef("--period %s on an event with the schedule %s: to replace the cron schedule give --type rolling (or fixed) too, e.g. --period %s --type rolling",
			memon.FormatDuration(r.period), cur, memon.FormatDuration(r.period))
	case r.period != 0 && kind != memon.Fixed:
		kind = memon.Rolling // starts a new one
	}
	period, expr := r.period, r.cron
	switch {
	case kind == "":
		return cur, false, usagef("--tz alone is not a schedule: give --period DUR or --cron EXPR too")
	case kind == memon.Cron && expr == "":
		expr = cur.Expr
	case kind != memon.Cron && period == 0:
		if cur.Kind == memon.Cron || cur.Period == 0 {
			return cur, false, usagef("--type %s needs --period DUR (%s): the event has no period", kind, durationForm)
		}
		period = cur.Period
	}
	zone := cur.TimeZone
	if r.tz != nil {
		zone = *r.tz
	}
	s, err := memon.NewSchedule(kind, period, expr, zone)
	if err != nil {
		return cur, false, asFlag(err)
	}
	changed := s.Kind != cur.Kind || s.Period != cur.Period || s.Expr != cur.Expr || s.TimeZone != cur.TimeZone
	return s, changed, nil
}

// apply returns the event to write: cur edited, or a new event when cur is
// nil. unusable is why the stored item could not be read, if it could not:
// such an event needs a whole schedule, which rewrites it. The flags given
// change the event's configuration, which then passes memon.Config's one
// validation before the event takes it.
func (r *setRequest) apply(cur *memon.Event, unusable error, now time.Time) (*memon.Event, error) {
	ev := cur
	var cfg memon.Config
	if cur == nil {
		if err := memon.ValidateName(r.name); err != nil {
			return nil, asFlag(err)
		}
		if r.period == 0 && r.cron == "" {
			return nil, usagef("event %q does not exist yet: creating it needs --period DUR (%s) or --cron EXPR (\"0 3 * * *\")", r.name, durationForm)
		}
		s, _, err := r.schedule(memon.Schedule{})
		if err != nil {
			return nil, err
		}
		ev, cfg = memon.NewEvent(r.name, s), memon.NewConfig(r.name, s)
	} else {
		base := cur.Schedule
		if unusable != nil {
			if r.period == 0 && r.cron == "" {
				return nil, usagef("event %q is unusable as stored (%v): give --period DUR or --cron EXPR to rewrite its schedule", r.name, unusable)
			}
			base = memon.Schedule{}
		}
		s, changed, err := r.schedule(base)
		if err != nil {
			return nil, err
		}
		r.scheduleWas = ""
		if changed && unusable == nil {
			r.scheduleWas = cur.Schedule.String()
		}
		cfg = cur.Configured()
		cfg.Schedule = s
	}
	if r.description != nil {
		cfg.Description = *r.description
	}
	if r.grace != nil {
		cfg.Grace = *r.grace
	}
	if r.maxAlerts != nil {
		cfg.MaxAlerts = *r.maxAlerts
	}
	if r.enabled != nil {
		cfg.Enabled = *r.enabled
	}
	if r.watchFrom != nil {
		cfg.WatchFrom = *r.watchFrom
	}
	if r.initial.Given() {
		cfg.Initial = memon.InitialDeadline(cfg.Schedule, r.initial, now)
	}
	r.controls.apply(&cfg)
	if err := cfg.Validate(now); err != nil {
		return nil, asFlags(err)
	}
	ev.Configure(cfg, now)
	return ev, nil
}

func runSet(a *app, ctx context.Context, cl *call, o *setOptions) error {
	name, err := cl.event("set", false)
	if err != nil {
		return err
	}
	req, err := parseSet(name, o.values(cl), a.now())
	if err != nil {
		return err
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	ev, before, err := a.setEvent(ctx, st, req)
	if err != nil {
		return err
	}
	verb := "updated"
	if before == "" {
		verb = "created"
	}
	fmt.Fprintf(a.stdout, "%s %s: %s\n", verb, ev.Name, describe(ev, a.now()))
	if req.scheduleWas != "" {
		fmt.Fprintf(a.stdout, "schedule changed: %s → %s\n", req.scheduleWas, ev.Schedule)
	}
	if before == "" || req.initial.Given() || req.cron != "" || req.tz != nil {
		fmt.Fprintln(a.stdout, zoneNote(ev, a.now(), a.local))
	}
	if before == "" {
		fmt.Fprintln(a.stdout, watchNote(ev))
	}
	if d := ev.Deadline(); req.initial.Given() && !d.After(a.now()) {
		fmt.Fprintf(a.stderr, "memon-config set: warning: the initial deadline %s has passed: the next poll reports %s down\n",
			d.UTC().Format(time.RFC3339), ev.Name)
	}
	if before != "" {
		return a.recordToggle(ctx, st, ev, before)
	}
	return nil
}

// setEvent is set's edit with its parents checked first (they exist, no
// cycle) and told after (their Dependents), as set and the web form make it.
func (a *app) setEvent(ctx context.Context, st store, req *setRequest) (*memon.Event, memon.State, error) {
	if deps := req.controls.dependsOn; deps != nil {
		if err := checkDependsOn(ctx, st, req.name, *deps, nil); err != nil {
			return nil, "", err
		}
	}
	ev, before, err := a.applySet(ctx, st, req)
	if err != nil {
		return nil, "", err
	}
	if deps := req.controls.dependsOn; deps != nil {
		if err := a.linkParents(ctx, st, req.name, *deps); err != nil {
			return nil, "", err
		}
	}
	return ev, before, nil
}

// applySet is the one way an event is created or edited, by `set` and by
// the web form alike: a read-modify-write retried on a lost race. before is
// the status read, "" for a new event.
func (a *app) applySet(ctx context.Context, st store, req *setRequest) (*memon.Event, memon.State, error) {
	var ev *memon.Event
	var before memon.State
	err := retryRaces(func() (err error) {
		ev, before, err = a.setOnce(ctx, st, req)
		return err
	})
	return ev, before, err
}

// retryRaces runs a read-modify-write again while it loses the race to a
// poll or another edit (a conditional write failed), at most maxAttempts
// times, so a concurrent write is never undone.
func retryRaces(readModifyWrite func() error) error {
	for attempt := 1; ; attempt++ {
		err := readModifyWrite()
		if attempt < maxAttempts && (errors.Is(err, memon.ErrConflict) || errors.Is(err, memon.ErrExists)) {
			continue
		}
		return err
	}
}

// readForSet reads the event set would edit: nil when there is none, and
// why it is unusable when its item cannot be read as an event (set may
// rewrite such an item).
func readForSet(ctx context.Context, st store, name string) (cur *memon.Event, unusable, err error) {
	cur, err = st.Get(ctx, name)
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return nil, nil, nil
	case errors.Is(err, memon.ErrInvalid) && cur != nil:
		return cur, err, nil
	case err != nil:
		return nil, nil, err
	}
	return cur, nil, nil
}

// setOnce is one read-modify-write. before is the status read, "" for a
// new event.
func (a *app) setOnce(ctx context.Context, st store, req *setRequest) (*memon.Event, memon.State, error) {
	cur, unusable, err := readForSet(ctx, st, req.name)
	if err != nil {
		return nil, "", err
	}
	var before memon.State
	if cur != nil {
		before = cur.Status()
	}
	ev, err := req.apply(cur, unusable, a.now())
	if err != nil {
		return nil, "", err
	}
	if cur == nil {
		err = st.Create(ctx, ev)
	} else {
		ev.AutoCreated = false // edited by a person: no longer "auto-created"
		err = st.Save(ctx, ev)
	}
	return ev, before, err
}

// describe is the one-line summary printed after a change.
func describe(ev *memon.Event, now time.Time) string {
	s := fmt.Sprintf("%s, %s", ev.Status(), scheduleText(ev))
	if d := ev.Deadline(); !d.IsZero() {
		s += ", next deadline " + when(d, now)
	} else {
		s += ", not watched until its first run"
	}
	return s
}

// watchNote says which rule watches a new event and how to choose the other.
func watchNote(ev *memon.Event) string {
	if !ev.Watched() {
		return fmt.Sprintf("new: not watched until its first run, so a job that never pings is never reported; to be told of a missed first run too: memon-config set %s --watch-from now", memon.ShellWord(ev.Name))
	}
	if ev.WatchFrom.OrDefault() == memon.WatchNow {
		return "watched from now: a missed first run is reported down (--watch-from first-run waits for the first ping instead)"
	}
	return "watched from its initial deadline: a missed first run is reported down"
}

// zoneNote says which zone the event's typed times (--cron, --initial-time)
// are read in: the event's --tz, else UTC, never the machine's own zone.
func zoneNote(ev *memon.Event, now time.Time, local *time.Location) string {
	loc := ev.Schedule.Location()
	s := fmt.Sprintf("times typed for %s (--cron, --initial-time) are read in %s", ev.Name, loc)
	if ev.Schedule.TimeZone == "" {
		s += "; --tz ZONE reads them in another zone"
	}
	if local != nil && local.String() != loc.String() {
		_, off1 := now.In(loc).Zone()
		_, off2 := now.In(local).Zone()
		if off1 != off2 {
			s += fmt.Sprintf(" (here it is %s, %s in %s)", now.In(local).Format("15:04 MST"), now.In(loc).Format("15:04"), loc)
		}
	}
	return s
}
