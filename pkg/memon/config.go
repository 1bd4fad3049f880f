package memon

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is what a person configures for an event: every setting that
// memon-config set, the web form, a checks file and the CDK construct can
// write, and nothing the poller keeps. Each front end builds a Config and
// calls Validate; none has rules of its own.
//
// Adding a setting: a field here, its rule in Validate, its text in
// Settings, then the front ends (set's flags, the form, the CDK props) and
// the item's attributes. The round-trip test of memon-config reads the
// fields of this type and fails until every front end carries the new one.
type Config struct {
	Name        string
	Description string
	Enabled     bool
	Schedule    Schedule
	Grace       time.Duration
	MaxAlerts   int // DOWN alerts per outage; a stored 0 means DefaultMaxAlerts

	// The alert controls (noise.go, depends.go).
	FailuresBeforeAlert int           // FAILED only after this many failed runs in a row; 0 or 1: every failure
	MaxRuntime          time.Duration // a start with no outcome within it is an OVERRUN; 0: off
	MinRuntime          time.Duration // a shorter successful run is a failure; 0: off
	Quiet               []QuietWindow // alerts are held in these windows, in the schedule's zone
	DependsOn           []string      // parents: while one is down, this event's alerts are held
	RepeatEvery         time.Duration // DOWN reminders at this interval instead of once per missed period; 0: off

	// Tags group the event and route its alerts (tags.go): every alert
	// carries them, and a deploy's routes send a tag's alerts to its team.
	Tags []string

	// WatchFrom is when a new event starts being watched: "" (first-run) or
	// now (watchfrom.go).
	WatchFrom WatchFrom

	// Initial is the first deadline of an event that has never run
	// (memon.py's --initial-date/--initial-time); zero: watched from its
	// first run. Not stored apart: in an Event it is derived from the
	// deadline (Configured) and applied by Configure.
	Initial time.Time
}

// The keys of the settings as people type them: memon-config set's flags,
// which the web form's fields and a checks file's keys reuse.
const (
	KeyType                = "type"
	KeyPeriod              = "period"
	KeyCron                = "cron"
	KeyTZ                  = "tz"
	KeyGrace               = "grace"
	KeyMaxAlerts           = "max-alerts"
	KeyDescription         = "description"
	KeyEnabled             = "enabled"
	KeyFailuresBeforeAlert = "failures-before-alert"
	KeyMaxRuntime          = "max-runtime"
	KeyMinRuntime          = "min-runtime"
	KeyRepeatEvery         = "repeat-every"
	KeyQuiet               = "quiet"
	KeyDependsOn           = "depends-on"
	KeyInitialDate         = "initial-date"
	KeyInitialTime         = "initial-time"
	KeyWatchFrom           = "watch-from"
	KeyTag                 = "tag"
)

// SettingKeys lists every setting's key in the order forms and files show them.
func SettingKeys() []string {
	return []string{KeyType, KeyPeriod, KeyCron, KeyTZ, KeyGrace, KeyMaxAlerts, KeyDescription, KeyEnabled,
		KeyFailuresBeforeAlert, KeyMaxRuntime, KeyMinRuntime, KeyRepeatEvery, KeyQuiet, KeyDependsOn,
		KeyTag, KeyWatchFrom, KeyInitialDate, KeyInitialTime}
}

// The limits of the settings.
const (
	MaxMaxAlerts           = 1000
	MaxFailuresBeforeAlert = 100
	MinRepeatEvery         = time.Minute // the poller looks once a minute
)

// NewConfig is the configuration of a new event with schedule s: enabled,
// the default alert limits, and for a cron schedule DefaultCronGrace (a cron
// job reports when it finishes, after its firing: without grace any run
// longer than a poll would be reported down).
func NewConfig(name string, s Schedule) Config {
	c := Config{Name: name, Enabled: true, Schedule: s, MaxAlerts: DefaultMaxAlerts, FailuresBeforeAlert: 1}
	if s.Kind == Cron {
		c.Grace = DefaultCronGrace
	}
	return c
}

// WithDefaults resolves the stored "0 means the default" of MaxAlerts and
// FailuresBeforeAlert, so that the configuration validates and reads as
// what the poller does.
func (c Config) WithDefaults() Config {
	if c.MaxAlerts <= 0 {
		c.MaxAlerts = DefaultMaxAlerts
	}
	c.FailuresBeforeAlert = max(c.FailuresBeforeAlert, 1)
	return c
}

// Validate applies the rules of every setting and reports each problem
// (FieldErrors naming the setting's key). It compiles the schedule in place,
// so a Config built field by field (the CDK construct) is usable after it.
// The name is checked when an event is created (ValidateNew): memon.py's
// items keep names that rule refuses, and stay editable.
func (c *Config) Validate(now time.Time) error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if s, err := NewSchedule(c.Schedule.Kind, c.Schedule.Period, c.Schedule.Expr, c.Schedule.TimeZone); err != nil {
		add(err)
	} else {
		add(s.CheckFires(now))
		c.Schedule = s
	}
	add(CheckGrace(KeyGrace, "", c.Grace))
	add(CheckMaxAlerts(KeyMaxAlerts, "", c.MaxAlerts))
	add(CheckDescription(c.Description))
	add(CheckFailuresBeforeAlert(KeyFailuresBeforeAlert, "", c.FailuresBeforeAlert))
	add(CheckRuntime(KeyMaxRuntime, "", c.MaxRuntime))
	add(CheckRuntime(KeyMinRuntime, "", c.MinRuntime))
	add(CheckRepeatEvery(KeyRepeatEvery, "", c.RepeatEvery))
	if c.MaxRuntime > 0 && c.MinRuntime >= c.MaxRuntime {
		add(invalid(KeyMinRuntime, FormatDuration(c.MinRuntime),
			fmt.Sprintf("not shorter than --max-runtime %s: no run could pass both", FormatDuration(c.MaxRuntime))))
	}
	add(ValidateDependsOn(KeyDependsOn, c.Name, c.DependsOn))
	add(ValidateTags(KeyTag, c.Tags))
	if _, err := ParseWatchFrom(KeyWatchFrom, string(c.WatchFrom)); err != nil {
		add(err)
	}
	return errors.Join(errs...)
}

// ValidateNew is Validate for a new event: its name too.
func (c *Config) ValidateNew(now time.Time) error {
	return errors.Join(ValidateName(c.Name), c.Validate(now))
}

// given is the text a person typed, quoted in an error; "" quotes the
// value as MEMon writes it.
func given(typed, written string) string {
	if typed == "" {
		return written
	}
	return typed
}

// CheckGrace bounds a grace: 0 or more whole seconds, at most MaxPeriod.
func CheckGrace(field, typed string, d time.Duration) error {
	if d < 0 || d > MaxPeriod || d%time.Second != 0 {
		return invalid(field, given(typed, FormatDuration(d)), "must be 0 or more whole seconds, at most 366d")
	}
	return nil
}

// CheckMaxAlerts bounds the DOWN alerts per outage: 1 to MaxMaxAlerts.
func CheckMaxAlerts(field, typed string, n int) error {
	if n < 1 || n > MaxMaxAlerts {
		return invalid(field, given(typed, strconv.Itoa(n)), fmt.Sprintf("want a whole number from 1 to %d", MaxMaxAlerts))
	}
	return nil
}

// CheckFailuresBeforeAlert bounds the failures in a row before FAILED.
func CheckFailuresBeforeAlert(field, typed string, n int) error {
	if n < 1 || n > MaxFailuresBeforeAlert {
		return invalid(field, given(typed, strconv.Itoa(n)),
			fmt.Sprintf("want a whole number from 1 to %d (1: every failure alerts)", MaxFailuresBeforeAlert))
	}
	return nil
}

// CheckRuntime bounds a run time limit: 0 (off) to MaxPeriod.
func CheckRuntime(field, typed string, d time.Duration) error {
	if d < 0 || d > MaxPeriod {
		return invalid(field, given(typed, FormatDuration(d)), "want a duration from 0 (off) to 366d: "+durationForm)
	}
	return nil
}

// CheckRepeatEvery bounds the DOWN reminder interval: 0 (off), or
// MinRepeatEvery to MaxPeriod.
func CheckRepeatEvery(field, typed string, d time.Duration) error {
	if err := CheckRuntime(field, typed, d); err != nil {
		return err
	}
	if d > 0 && d < MinRepeatEvery {
		return invalid(field, given(typed, FormatDuration(d)), "want at least 1m (the poller looks once a minute), or 0 for off")
	}
	return nil
}

// CheckDescription bounds a description (it is stored on the item and shown
// in every alert) and keeps it to one line of plain text.
func CheckDescription(d string) error {
	if err := ValidateDescription(d); err != nil {
		return err
	}
	if SingleLine(d) != d {
		return invalid(KeyDescription, d, "control characters (line breaks, tabs, escape sequences) are not allowed: give one line of plain text")
	}
	return nil
}

// ParseRuntime reads a run time limit as set takes it: a duration, or
// "off" for 0.
func ParseRuntime(field, s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "off" {
		return 0, nil
	}
	d, err := ParseDuration(s)
	if err != nil {
		return 0, invalid(field, s, "want a duration from 0 (off) to 366d: "+durationForm)
	}
	return d, nil
}

// Setting is one setting as text, the way memon-config set takes it.
type Setting struct {
	Key    string
	Value  string   // the one value; for a list, its items joined with "; "
	List   []string // the items of a list setting (quiet, depends-on, tag)
	IsList bool
}

// Settings is the configuration as text, one entry per key that applies
// (period or cron, not both; the initial deadline only while it is
// pending), spelled so that giving them back to set changes nothing. Times
// are written in the event's zone, the one set reads typed times in.
func (c *Config) Settings() []Setting {
	var out []Setting
	one := func(k, v string) { out = append(out, Setting{Key: k, Value: v}) }
	list := func(k string, items []string) {
		out = append(out, Setting{Key: k, Value: strings.Join(items, "; "), List: append([]string{}, items...), IsList: true})
	}
	kind := c.Schedule.Kind
	if kind == "" {
		kind = Rolling
	}
	one(KeyType, string(kind))
	if kind == Cron {
		one(KeyCron, c.Schedule.Expr)
	} else {
		one(KeyPeriod, FormatDuration(c.Schedule.Period))
	}
	one(KeyTZ, c.Schedule.TimeZone)
	one(KeyGrace, FormatDuration(c.Grace))
	w := c.WithDefaults()
	one(KeyMaxAlerts, strconv.Itoa(w.MaxAlerts))
	one(KeyDescription, c.Description)
	one(KeyEnabled, strconv.FormatBool(c.Enabled))
	one(KeyFailuresBeforeAlert, strconv.Itoa(w.FailuresBeforeAlert))
	one(KeyMaxRuntime, FormatDuration(c.MaxRuntime))
	one(KeyMinRuntime, FormatDuration(c.MinRuntime))
	one(KeyRepeatEvery, FormatDuration(c.RepeatEvery))
	quiet := make([]string, len(c.Quiet))
	for i, q := range c.Quiet {
		quiet[i] = q.String()
	}
	list(KeyQuiet, quiet)
	list(KeyDependsOn, c.DependsOn)
	list(KeyTag, c.Tags)
	one(KeyWatchFrom, string(c.WatchFrom.OrDefault()))
	if !c.Initial.IsZero() {
		t := c.Initial.In(c.Schedule.Location())
		one(KeyInitialDate, t.Format("2006-01-02"))
		one(KeyInitialTime, t.Format("15:04"))
	}
	return out
}

// Configured is the event's configuration, its stored defaults resolved and
// the initial deadline derived: the deadline of an event that has never run.
func (ev *Event) Configured() Config {
	c := ev.Config.WithDefaults()
	c.Quiet = append([]QuietWindow(nil), ev.Quiet...)
	c.DependsOn = append([]string(nil), ev.DependsOn...)
	c.Tags = append([]string(nil), ev.Tags...)
	c.Initial = time.Time{}
	if !ev.hasRun() && ev.ErrorCount == 0 {
		c.Initial = ev.NextBlockTime
	}
	return c
}

// hasRun says whether any run was ever recorded.
func (ev *Event) hasRun() bool {
	return !ev.LastSuccessTime.IsZero() || !ev.LastFailTime.IsZero() || !ev.LastStartTime.IsZero()
}

// Configure makes c the event's configuration at now, with the state
// following as a person's edit implies: a new schedule recomputes the
// deadline (Reschedule), pausing and resuming count their time (Pause,
// Resume), a new initial deadline arms the event (SetInitial). c must have
// passed Validate. It reports whether the schedule changed.
func (ev *Event) Configure(c Config, now time.Time) (rescheduled bool) {
	was := ev.Configured()
	s := c.Schedule
	if s.Kind != ev.Schedule.Kind || s.Period != ev.Schedule.Period || s.Expr != ev.Schedule.Expr || s.TimeZone != ev.Schedule.TimeZone {
		ev.Reschedule(s)
		rescheduled = true
	}
	enabled := c.Enabled
	c.Enabled = ev.Enabled
	initial := c.Initial
	c.Initial = time.Time{}
	ev.Config = c
	switch {
	case !enabled:
		ev.Pause(now)
	case !ev.Enabled:
		ev.Resume(now)
	}
	if !initial.IsZero() && !initial.Equal(was.Initial) {
		ev.SetInitial(initial)
	}
	ev.WatchNew(now)
	return rescheduled
}
