package dynamo

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

func TestControlsRoundTrip(t *testing.T) {
	t.Parallel()
	w, _ := memon.ParseQuiet("quiet", "Mon-Fri 22:00-23:30")
	ev := memon.NewEvent("job", memon.Schedule{Kind: memon.Rolling, Period: time.Hour})
	ev.FailuresBeforeAlert, ev.MaxRuntime, ev.MinRuntime = 3, time.Hour, 10*time.Second
	ev.PausedUntil, ev.Quiet, ev.RepeatEvery = at(1700003600), []memon.QuietWindow{w}, 2*time.Hour
	ev.ControlState = memon.ControlState{FailStreak: 2, Unannounced: true, HeldKind: memon.KindDown, HeldUntil: at(1700007200),
		RunningSince: at(1700000000), RunningID: "r1", OverrunAlerted: true, LastDownAlert: at(1700000100)}
	set, _ := encodeEvent(ev)
	item := withAttrs(Item{schema.AttrName: s("job"), schema.AttrPeriod: n("3600")}, set)
	got, err := decodeEvent(item)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(settings(got), settings(ev)) || !got.PausedUntil.Equal(ev.PausedUntil) || !reflect.DeepEqual(got.ControlState, ev.ControlState) {
		t.Errorf("round trip\n got %+v %+v\nwant %+v %+v", got.Configured(), got.ControlState, ev.Configured(), ev.ControlState)
	}

	// Console edits: a string list with ";" or a string set; a bad window names the attribute.
	item[schema.AttrQuiet] = s("Sat 00:00-24:00; daily 01:00-02:00")
	if got, err := decodeEvent(item); err != nil || len(got.Quiet) != 2 {
		t.Errorf("S form: %v %v", got.Quiet, err)
	}
	item[schema.AttrQuiet] = &types.AttributeValueMemberSS{Value: []string{"Sat 00:00-24:00"}}
	if got, err := decodeEvent(item); err != nil || len(got.Quiet) != 1 {
		t.Errorf("SS form: %v %v", got.Quiet, err)
	}
	item[schema.AttrQuiet] = s("weekends")
	var fe *memon.FieldError
	if _, err := decodeEvent(item); !errors.As(err, &fe) || fe.Field != schema.AttrQuiet {
		t.Errorf("bad window: %v", err)
	}

	// Defaults leave no attributes behind.
	plain := memon.NewEvent("job", memon.Schedule{Kind: memon.Rolling, Period: time.Hour})
	set, _ = encodeEvent(plain)
	for _, a := range []string{schema.AttrFailuresBeforeAlert, schema.AttrQuiet, schema.AttrMaxRuntime, schema.AttrUnannounced, schema.AttrRunningSince} {
		if _, ok := set[a]; ok {
			t.Errorf("a plain event stores %s", a)
		}
	}
}

// settings is an event's configuration as text, which compares a compiled
// schedule with a built one.
func settings(ev *memon.Event) []memon.Setting {
	c := ev.Configured()
	return c.Settings()
}

// TestTagsDecodeAsAPersonEditsThem: MEMon writes Tags as a list of
// strings; the console's string set and a typed "data, nightly" read the
// same, lower-cased, with what breaks the tag rule left out.
func TestTagsDecodeAsAPersonEditsThem(t *testing.T) {
	t.Parallel()
	ev := memon.NewEvent("job", memon.Schedule{Kind: memon.Rolling, Period: time.Hour})
	ev.Tags = []string{"data", "nightly"}
	set, _ := encodeEvent(ev)
	if l, ok := set[schema.AttrTags].(*types.AttributeValueMemberL); !ok || len(l.Value) != 2 {
		t.Fatalf("Tags written as %#v, want a list of 2 strings", set[schema.AttrTags])
	}
	item := withAttrs(Item{schema.AttrName: s("job"), schema.AttrPeriod: n("3600")}, set)
	for _, form := range []types.AttributeValue{
		set[schema.AttrTags],
		&types.AttributeValueMemberSS{Value: []string{"data", "nightly"}},
		s("Data, nightly"),
		s("data nightly not/a/tag"),
	} {
		item[schema.AttrTags] = form
		got, err := decodeEvent(item)
		if err != nil || !reflect.DeepEqual(got.Tags, []string{"data", "nightly"}) {
			t.Errorf("%#v read as %q, %v", form, got.Tags, err)
		}
	}
	plain := memon.NewEvent("job", memon.Schedule{Kind: memon.Rolling, Period: time.Hour})
	if set, remove := encodeEvent(plain); set[schema.AttrTags] != nil || !slices.Contains(remove, schema.AttrTags) {
		t.Errorf("an untagged event stores Tags or does not remove them: %v", remove)
	}
}
