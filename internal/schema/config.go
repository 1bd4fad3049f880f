package schema

import (
	"strconv"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// The one encoding of an event's configuration (memon.Config) into its
// item's attributes, neutral of any SDK: the DynamoDB adapter writes it with
// every write of an event, the CDK construct's custom resource writes only
// it. Reading stays with the adapter, which forgives memon.py's and
// console-written items.

// Value is an attribute's value: a string (S), a number (N) or a list of
// strings (L).
type Value struct {
	Type string // "S", "N" or "L"
	S    string
	N    float64
	L    []string
}

// Number is N as DynamoDB takes it: the shortest exact decimal.
func (v Value) Number() string { return strconv.FormatFloat(v.N, 'f', -1, 64) }

// Attr is one attribute to write: set to Value when Present, else removed
// (a setting at its zero value leaves the item, which stays free of clutter).
type Attr struct {
	Name    string
	Value   Value
	Present bool
}

func str(name, s string, present bool) Attr { return Attr{name, Value{Type: "S", S: s}, present} }
func num(name string, n float64, present bool) Attr {
	return Attr{name, Value{Type: "N", N: n}, present}
}
func list(name string, l []string) Attr {
	return Attr{name, Value{Type: "L", L: append([]string{}, l...)}, len(l) > 0}
}

// ConfigAttributes is the configuration as attributes, every one of them:
// set or removed.
func ConfigAttributes(c memon.Config) []Attr {
	enabled := 0.0
	if c.Enabled {
		enabled = 1 // memon.py's form
	}
	quiet := make([]string, len(c.Quiet))
	for i, w := range c.Quiet {
		quiet[i] = w.String()
	}
	return []Attr{
		num(AttrEnabled, enabled, true),
		str(AttrType, string(c.Schedule.Kind), true),
		str(AttrDescription, c.Description, c.Description != ""),
		num(AttrPeriod, c.Schedule.Period.Seconds(), c.Schedule.Period > 0),
		str(AttrCron, c.Schedule.Expr, c.Schedule.Expr != ""),
		str(AttrTimeZone, c.Schedule.TimeZone, c.Schedule.TimeZone != ""),
		num(AttrGrace, c.Grace.Seconds(), c.Grace > 0),
		num(AttrMaxAlerts, float64(c.MaxAlerts), c.MaxAlerts > 0),
		num(AttrFailuresBeforeAlert, float64(c.FailuresBeforeAlert), c.FailuresBeforeAlert > 1),
		num(AttrMaxRuntime, c.MaxRuntime.Seconds(), c.MaxRuntime > 0),
		num(AttrMinRuntime, c.MinRuntime.Seconds(), c.MinRuntime > 0),
		list(AttrQuiet, quiet),
		list(AttrDependsOn, c.DependsOn),
		list(AttrTags, c.Tags),
		num(AttrRepeatEvery, c.RepeatEvery.Seconds(), c.RepeatEvery > 0),
		str(AttrWatchFrom, string(c.WatchFrom), c.WatchFrom != ""),
	}
}

// StartAttributes are the state attributes a new event's item starts with:
// its state and the first deadline an initial time gives it. A writer of
// configuration only (the CDK construct) writes them where absent, so a
// redeploy never resets what the poller keeps.
func StartAttributes(ev *memon.Event) []Attr {
	at := func(name string, t time.Time) Attr { return num(name, memon.EpochSeconds(t), !t.IsZero()) }
	return []Attr{
		str(AttrState, string(ev.State), true),
		at(AttrLastBlockTime, ev.LastBlockTime),
		at(AttrNextBlockTime, ev.NextBlockTime),
	}
}
