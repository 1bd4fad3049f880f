package dynamo

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/pkg/memon"
)

// The noise controls' attributes (memon.Controls, memon.ControlState).

// decodeControls reads the controls forgivingly; a quiet window that does
// not parse names the attribute.
func decodeControls(r *reader, ev *memon.Event) {
	ev.FailuresBeforeAlert = int(r.integer(memon.AttrFailuresBeforeAlert))
	ev.MaxRuntime = r.seconds(memon.AttrMaxRuntime)
	ev.MinRuntime = r.seconds(memon.AttrMinRuntime)
	ev.PausedUntil = r.time(memon.AttrPausedUntil)
	for _, s := range r.strings(memon.AttrQuiet) {
		w, err := memon.ParseQuiet(memon.AttrQuiet, s)
		if err != nil {
			if r.err == nil {
				r.err = err
			}
			continue
		}
		ev.Quiet = append(ev.Quiet, w)
	}
	ev.FailStreak = int(r.integer(memon.AttrFailStreak))
	ev.Unannounced = r.boolean(memon.AttrUnannounced, false)
	ev.HeldKind = memon.AlertKind(r.str(memon.AttrHeldKind))
	ev.HeldUntil = r.time(memon.AttrHeldUntil)
	ev.RunningSince = r.time(memon.AttrRunningSince)
	ev.RunningID = r.str(memon.AttrRunningRunID)
	ev.OverrunAlerted = r.boolean(memon.AttrOverrunAlerted, false)
	ev.DependsOn = r.strings(memon.AttrDependsOn)
	ev.Dependents = r.strings(memon.AttrDependents)
	ev.RepeatEvery = r.seconds(memon.AttrRepeatEvery)
	ev.LastDownAlert = r.time(memon.AttrLastDownAlert)
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
	put(memon.AttrFailuresBeforeAlert, numAV(float64(ev.FailuresBeforeAlert)), ev.FailuresBeforeAlert > 1)
	put(memon.AttrMaxRuntime, numAV(ev.MaxRuntime.Seconds()), ev.MaxRuntime > 0)
	put(memon.AttrMinRuntime, numAV(ev.MinRuntime.Seconds()), ev.MinRuntime > 0)
	put(memon.AttrPausedUntil, timeAV(ev.PausedUntil), !ev.PausedUntil.IsZero())
	quiet := make([]string, len(ev.Quiet))
	for i, w := range ev.Quiet {
		quiet[i] = w.String()
	}
	put(memon.AttrQuiet, stringList(quiet), len(quiet) > 0)
	put(memon.AttrFailStreak, numAV(float64(ev.FailStreak)), ev.FailStreak > 0)
	put(memon.AttrUnannounced, b(true), ev.Unannounced)
	put(memon.AttrHeldKind, s(string(ev.HeldKind)), ev.HeldKind != "")
	put(memon.AttrHeldUntil, timeAV(ev.HeldUntil), !ev.HeldUntil.IsZero())
	put(memon.AttrRunningSince, timeAV(ev.RunningSince), !ev.RunningSince.IsZero())
	put(memon.AttrRunningRunID, s(ev.RunningID), ev.RunningID != "")
	put(memon.AttrOverrunAlerted, b(true), ev.OverrunAlerted)
	put(memon.AttrDependsOn, stringList(ev.DependsOn), len(ev.DependsOn) > 0)
	put(memon.AttrDependents, stringList(ev.Dependents), len(ev.Dependents) > 0)
	put(memon.AttrRepeatEvery, numAV(ev.RepeatEvery.Seconds()), ev.RepeatEvery > 0)
	put(memon.AttrLastDownAlert, timeAV(ev.LastDownAlert), !ev.LastDownAlert.IsZero())
}

func stringList(ss []string) types.AttributeValue {
	l := make([]types.AttributeValue, len(ss))
	for i, v := range ss {
		l[i] = &types.AttributeValueMemberS{Value: v}
	}
	return &types.AttributeValueMemberL{Value: l}
}
