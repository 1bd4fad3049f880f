package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Reading and writing an event's configuration (memon.Config); how it is
// written is schema.ConfigAttributes.

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
		Tags:                memon.LimitTags(r.strings(schema.AttrTags)),
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

// encodeConfig adds the configuration to an item's set and remove lists:
// schema's one encoding of it, as SDK values.
func encodeConfig(c memon.Config, put func(string, types.AttributeValue, bool)) {
	for _, a := range schema.ConfigAttributes(c) {
		put(a.Name, attributeValue(a.Value), a.Present)
	}
}

// attributeValue is a schema value as the SDK's.
func attributeValue(v schema.Value) types.AttributeValue {
	switch v.Type {
	case "N":
		return &types.AttributeValueMemberN{Value: v.Number()}
	case "L":
		return stringList(v.L)
	}
	return &types.AttributeValueMemberS{Value: v.S}
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
