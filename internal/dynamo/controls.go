package dynamo

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// What the alert controls remember (memon.ControlState), the pause's end and
// an event's dependents.

// decodeControls reads the controls forgivingly; a quiet window that does
// not parse names the attribute.
func decodeControls(r *reader, ev *memon.Event) {
	ev.PausedUntil = r.time(schema.AttrPausedUntil)
	ev.FailStreak = int(r.integer(schema.AttrFailStreak))
	ev.Unannounced = r.boolean(schema.AttrUnannounced, false)
	ev.HeldKind = memon.AlertKind(r.str(schema.AttrHeldKind))
	ev.HeldUntil = r.time(schema.AttrHeldUntil)
	ev.RunningSince = r.time(schema.AttrRunningSince)
	ev.RunningID = r.str(schema.AttrRunningRunID)
	ev.OverrunAlerted = r.boolean(schema.AttrOverrunAlerted, false)
	ev.Dependents = r.strings(schema.AttrDependents)
	ev.LastDownAlert = r.time(schema.AttrLastDownAlert)
}

// strings reads a list of strings: L of S, SS, or one S (a console edit),
// where ";" separates several.
func (r *reader) strings(attr string) []string {
	var out []string
	switch v := r.item[attr].(type) {
	case nil:
	case *types.AttributeValueMemberL:
		for _, e := range v.Value {
			s, ok := e.(*types.AttributeValueMemberS)
			if !ok {
				r.fail(attr, fmt.Sprintf("%T", e), "want a list of strings")
				return nil
			}
			out = append(out, s.Value)
		}
	case *types.AttributeValueMemberSS:
		out = v.Value
	case *types.AttributeValueMemberS:
		for _, s := range strings.Split(v.Value, ";") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	default:
		r.fail(attr, fmt.Sprintf("%T", v), "want a list of strings")
	}
	return out
}

// encodeControls adds the controls to an item's set and remove lists.
func encodeControls(ev *memon.Event, put func(string, types.AttributeValue, bool)) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	b := func(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }
	put(schema.AttrPausedUntil, timeAV(ev.PausedUntil), !ev.PausedUntil.IsZero())
	put(schema.AttrFailStreak, numAV(float64(ev.FailStreak)), ev.FailStreak > 0)
	put(schema.AttrUnannounced, b(true), ev.Unannounced)
	put(schema.AttrHeldKind, s(string(ev.HeldKind)), ev.HeldKind != "")
	put(schema.AttrHeldUntil, timeAV(ev.HeldUntil), !ev.HeldUntil.IsZero())
	put(schema.AttrRunningSince, timeAV(ev.RunningSince), !ev.RunningSince.IsZero())
	put(schema.AttrRunningRunID, s(ev.RunningID), ev.RunningID != "")
	put(schema.AttrOverrunAlerted, b(true), ev.OverrunAlerted)
	put(schema.AttrDependents, stringList(ev.Dependents), len(ev.Dependents) > 0)
	put(schema.AttrLastDownAlert, timeAV(ev.LastDownAlert), !ev.LastDownAlert.IsZero())
}

func stringList(ss []string) types.AttributeValue {
	l := make([]types.AttributeValue, len(ss))
	for i, v := range ss {
		l[i] = &types.AttributeValueMemberS{Value: v}
	}
	return &types.AttributeValueMemberL{Value: l}
}
