package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// The attributes of an event's configuration (memon.Config): the one
// encoding of it, used for every write of an event and by the CDK
// construct, which writes only these.

// decodeConfig reads the configuration forgivingly (memon.py's and
// console-written items); the schedule is read apart, by decodeSchedule,
// since a bad one makes the item unusable. A quiet window that does not
// parse names the attribute.
func decodeConfig(r *reader, name string) memon.Config {
	c := memon.Config{
		Name:                name,
		Description:         memon.LimitDescription(r.str(schema.AttrDescription)),
		Enabled:             r.boolean(schema.AttrEnabled, true),
		Grace:               r.seconds(schema.AttrGrace),
		MaxAlerts:           int(r.integer(schema.AttrMaxAlerts)),
		FailuresBeforeAlert: int(r.integer(schema.AttrFailuresBeforeAlert)),
		MaxRuntime:          r.seconds(schema.AttrMaxRuntime),
		MinRuntime:          r.seconds(schema.AttrMinRuntime),
		DependsOn:           r.strings(schema.AttrDependsOn),
		RepeatEvery:         r.seconds(schema.AttrRepeatEvery),
		WatchFrom:           decodeWatchFrom(r),
	}
	for _, s := range r.strings(schema.AttrQuiet) {
		w, err := memon.ParseQuiet(schema.AttrQuiet, s)
		if err != nil {
			if r.err == nil {
				r.err = err
			}
			continue
		}
		c.Quiet = append(c.Quiet, w)
	}
	return c
}

// encodeConfig adds the configuration to an item's set and remove lists;
// a setting at its zero value is removed, so the item stays free of clutter.
func encodeConfig(c memon.Config, put func(string, types.AttributeValue, bool)) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	enabled := 0.0
	if c.Enabled {
		enabled = 1
	}
	put(schema.AttrEnabled, numAV(enabled), true)
	put(schema.AttrType, s(string(c.Schedule.Kind)), true)
	put(schema.AttrDescription, s(c.Description), c.Description != "")
	put(schema.AttrPeriod, numAV(c.Schedule.Period.Seconds()), c.Schedule.Period > 0)
	put(schema.AttrCron, s(c.Schedule.Expr), c.Schedule.Expr != "")
	put(schema.AttrTimeZone, s(c.Schedule.TimeZone), c.Schedule.TimeZone != "")
	put(schema.AttrGrace, numAV(c.Grace.Seconds()), c.Grace > 0)
	put(schema.AttrMaxAlerts, numAV(float64(c.MaxAlerts)), c.MaxAlerts > 0)
	put(schema.AttrFailuresBeforeAlert, numAV(float64(c.FailuresBeforeAlert)), c.FailuresBeforeAlert > 1)
	put(schema.AttrMaxRuntime, numAV(c.MaxRuntime.Seconds()), c.MaxRuntime > 0)
	put(schema.AttrMinRuntime, numAV(c.MinRuntime.Seconds()), c.MinRuntime > 0)
	quiet := make([]string, len(c.Quiet))
	for i, w := range c.Quiet {
		quiet[i] = w.String()
	}
	put(schema.AttrQuiet, stringList(quiet), len(quiet) > 0)
	put(schema.AttrDependsOn, stringList(c.DependsOn), len(c.DependsOn) > 0)
	put(schema.AttrRepeatEvery, numAV(c.RepeatEvery.Seconds()), c.RepeatEvery > 0)
	put(schema.AttrWatchFrom, s(string(c.WatchFrom)), c.WatchFrom != "")
}

// decodeWatchFrom reads WatchFrom; absent (memon.py's items) is first-run.
func decodeWatchFrom(r *reader) memon.WatchFrom {
	raw := r.str(schema.AttrWatchFrom)
	if raw == "" {
		return ""
	}
	w, err := memon.ParseWatchFrom(schema.AttrWatchFrom, raw)
	if err != nil {
		r.fail(schema.AttrWatchFrom, raw, "want first-run or now")
	}
	return w
}

// ConfigItem is a new event's item as a writer of configuration only needs
// it (the CDK construct's custom resource, which must never reset what the
// poller keeps): the configuration's attributes to set and to remove, and
// the state attributes a new item starts with, to write only where absent.
func ConfigItem(ev *memon.Event) (set Item, remove []string, start Item) {
	set = Item{}
	encodeConfig(ev.Config, func(attr string, av types.AttributeValue, present bool) {
		if present {
			set[attr] = av
		} else {
			remove = append(remove, attr)
		}
	})
	all, _ := encodeEvent(ev)
	start = Item{}
	for _, a := range []string{schema.AttrState, schema.AttrLastBlockTime, schema.AttrNextBlockTime, schema.AttrDueAt, schema.AttrDueShard, schema.AttrPausedSince} {
		if v, ok := all[a]; ok {
			start[a] = v
		}
	}
	return set, remove, start
}
