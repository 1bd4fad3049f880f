package dynamo

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func b(v bool) types.AttributeValue   { return &types.AttributeValueMemberBOOL{Value: v} }
func at(sec int64) time.Time          { return time.Unix(sec, 0).UTC() }
func seedItem(extra Item) Item {
	item := Item{
		"Name": s("nightly"), "Description": s("db dump"), "Enabled": n("1"), "ErrorCount": n("0"),
		"Period": n("3600"), "Type": s("fixed"), "LastBlockTime": n("1700000000"),
		"NextBlockTime": n("1700003600"), "LastSuccessTime": n("1699999990"),
	}
	for k, v := range extra {
		if v == nil {
			delete(item, k)
		} else {
			item[k] = v
		}
	}
	return item
}

func TestDecodeReadsSeedAndConsoleItemsForgivingly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		item  Item
		check func(t *testing.T, ev *memon.Event)
	}{
		{"memon.py item as written", seedItem(nil), func(t *testing.T, ev *memon.Event) {
			if ev.Name != "nightly" || ev.Description != "db dump" || !ev.Enabled || ev.Schedule.Kind != memon.Fixed ||
				ev.Schedule.Period != time.Hour || !ev.NextBlockTime.Equal(at(1700003600)) || !ev.LastSuccessTime.Equal(at(1699999990)) {
				t.Errorf("got %+v", ev)
			}
			if ev.State != memon.Up || ev.Version != 0 || ev.Grace != 0 || ev.MaxAlerts != 0 {
				t.Errorf("state %s version %d grace %s max %d, want up 0 0 0", ev.State, ev.Version, ev.Grace, ev.MaxAlerts)
			}
		}},
		{"ErrorCount > 0 means down", seedItem(Item{"ErrorCount": n("2")}), func(t *testing.T, ev *memon.Event) {
			if ev.State != memon.Down || ev.ErrorCount != 2 {
				t.Errorf("state %s errors %d", ev.State, ev.ErrorCount)
			}
		}},
		{"never ran means new", seedItem(Item{"LastBlockTime": nil, "NextBlockTime": nil, "LastSuccessTime": nil}), func(t *testing.T, ev *memon.Event) {
			if ev.State != memon.New {
				t.Errorf("state %s", ev.State)
			}
		}},
		{"Enabled as a boolean", seedItem(Item{"Enabled": b(false)}), func(t *testing.T, ev *memon.Event) {
			if ev.Enabled {
				t.Error("enabled")
			}
		}},
		{"Enabled as a string", seedItem(Item{"Enabled": s("0")}), func(t *testing.T, ev *memon.Event) {
			if ev.Enabled {
				t.Error("enabled")
			}
		}},
		{"Enabled missing is enabled", seedItem(Item{"Enabled": nil}), func(t *testing.T, ev *memon.Event) {
			if !ev.Enabled {
				t.Error("disabled")
			}
		}},
		{"numbers typed as strings in the console", seedItem(Item{"Period": s(" 600 "), "NextBlockTime": s("1700000600")}), func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Period != 10*time.Minute || !ev.NextBlockTime.Equal(at(1700000600)) {
				t.Errorf("period %s next %s", ev.Schedule.Period, ev.NextBlockTime)
			}
		}},
		{"a time typed as RFC 3339", seedItem(Item{"NextBlockTime": s("2026-11-24T03:00:00Z")}), func(t *testing.T, ev *memon.Event) {
			if want := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC); !ev.NextBlockTime.Equal(want) {
				t.Errorf("next %s", ev.NextBlockTime)
			}
		}},
		{"milliseconds kept", seedItem(Item{"LastSuccessTime": n("1700000000.123")}), func(t *testing.T, ev *memon.Event) {
			if ev.LastSuccessTime.UnixMilli() != 1700000000123 {
				t.Errorf("last success %s", ev.LastSuccessTime)
			}
		}},
		{"Type missing is rolling", seedItem(Item{"Type": nil}), func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Rolling {
				t.Errorf("kind %s", ev.Schedule.Kind)
			}
		}},
		{"Type in capitals", seedItem(Item{"Type": s("Fixed")}), func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Fixed {
				t.Errorf("kind %s", ev.Schedule.Kind)
			}
		}},
		{"cron with zone, Type implied", seedItem(Item{"Type": nil, "Period": nil, "Cron": s("0 3 * * 1-5"), "TimeZone": s("Europe/Berlin"), "Grace": n("300")}), func(t *testing.T, ev *memon.Event) {
			if ev.Schedule.Kind != memon.Cron || ev.Schedule.Location().String() != "Europe/Berlin" || ev.Grace != 5*time.Minute {
				t.Errorf("schedule %s grace %s", ev.Schedule, ev.Grace)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := decodeEvent(tc.item)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, ev)
		})
	}
}

func TestDecodeNamesTheUnusableAttribute(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		item Item
		want []string
	}{
		{"no Period", seedItem(Item{"Period": nil}), []string{"Period", "seconds"}},
		{"unknown Type", seedItem(Item{"Type": s("weekly")}), []string{"Type", `"weekly"`, "rolling, fixed or cron"}},
		{"bad Cron", seedItem(Item{"Type": s("cron"), "Period": nil, "Cron": s("every day")}), []string{"Cron", "five fields"}},
		{"Cron that never fires", seedItem(Item{"Type": s("cron"), "Period": nil, "Cron": s("0 0 30 2 *")}), []string{"Cron", "never fires"}},
		{"bad TimeZone", seedItem(Item{"TimeZone": s("Mars/Olympus")}), []string{"TimeZone", "IANA"}},
		{"Period not a number", seedItem(Item{"Period": s("hourly")}), []string{"Period", `"hourly"`, "number"}},
		{"bad State", seedItem(Item{"State": s("sleepy")}), []string{"State", "new, up or down"}},
		{"Enabled not a flag", seedItem(Item{"Enabled": s("maybe")}), []string{"Enabled", "1 or 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeEvent(tc.item)
			if !errors.Is(err, memon.ErrInvalid) {
				t.Fatalf("err %v, want ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

// TestEncodeDecodeRoundTrip: what the poller writes reads back the same, and
// zero values are removed rather than stored (AlertAt leaves the index).
func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	sched, err := memon.NewSchedule(memon.Cron, 0, "30 2 * * *", "America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	code := 3
	ev := memon.NewEvent("job", sched)
	ev.Description, ev.Grace, ev.MaxAlerts = "d", time.Minute, 5
	ev.State, ev.ErrorCount, ev.DownAlerts = memon.Down, 2, 2
	ev.LastBlockTime, ev.NextBlockTime = at(1700000000), at(1700086400)
	ev.LastSuccessTime, ev.LastFailTime = time.UnixMilli(1699990000123).UTC(), at(1700000100)
	ev.LastExitCode, ev.LastMessage, ev.LastHost, ev.LastRunID, ev.LastDuration = &code, "boom", "h", "r", 1500*time.Millisecond
	ev.Outbox = []memon.Transition{{ID: "0-superseded", Event: "job", At: at(1700000050), From: memon.Up, To: memon.Up, Reason: "superseded: y",
		NextTry: at(1700000300), Superseded: true}, {ID: "1-failed", Event: "job", At: at(1700000100), From: memon.Up, To: memon.Down, Reason: "x",
		Alert: &memon.Alert{Kind: memon.KindFailed, Event: "job", Subject: "[MEMon] Failed: job", Body: "b"}, NextTry: at(1700000220),
		Published: true, Coalesced: 2, Since: at(1699990000)}}
	ev.AlertWindowStart, ev.AlertsInWindow, ev.AlertsHeld = at(1700000000), 6, 40
	set, remove := encodeEvent(ev)
	item := withAttrs(Item{"Name": s("job")}, set)
	got, err := decodeEvent(item)
	if err != nil {
		t.Fatal(err)
	}
	// The outbox keeps no alert text (job output is stored
	// once, in LastMessage): a retry renders it again from the event.
	ev.Outbox[1].Alert.Body = ""
	if !reflect.DeepEqual(got.Outbox, ev.Outbox) {
		t.Errorf("outbox %+v, want %+v", got.Outbox, ev.Outbox)
	}
	got.Outbox, ev.Outbox = nil, nil
	if got.Schedule.String() != ev.Schedule.String() {
		t.Errorf("schedule %s, want %s", got.Schedule, ev.Schedule)
	}
	got.Schedule, ev.Schedule = memon.Schedule{}, memon.Schedule{}
	if !reflect.DeepEqual(got, ev) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, ev)
	}
	rm := strings.Join(remove, ",")
	if !strings.Contains(rm, schema.AttrPeriod) {
		t.Errorf("remove %v: want Period removed for a cron event", remove)
	}
	// No write sets an index key (the poller keeps deadlines in memory);
	// every write removes the keys of earlier releases' indexes.
	for _, a := range []string{schema.AttrDueAt, schema.AttrDueShard, schema.AttrAlertAt} {
		if _, ok := set[a]; ok || !strings.Contains(rm, a) {
			t.Errorf("a watched event: %s set %v, removed %v; want removed", a, set[a], remove)
		}
	}

	paused := memon.NewEvent("p", sched) // never ran, so nothing to watch
	set, remove = encodeEvent(paused)
	for _, a := range []string{schema.AttrDueAt, schema.AttrDueShard, schema.AttrAlertAt} {
		if _, ok := set[a]; ok || !strings.Contains(strings.Join(remove, ","), a) {
			t.Errorf("an unwatched event keeps %s: set %v remove %v", a, set[a], remove)
		}
	}
	if v := set[schema.AttrEnabled].(*types.AttributeValueMemberN).Value; v != "1" {
		t.Errorf("Enabled written as %q, want memon.py's 1", v)
	}
}
