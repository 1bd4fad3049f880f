package dynamo

import (
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/peerj/memon/internal/schema"
)

// toStream is fromStream's inverse, for building stream records in tests.
func toStream(t *testing.T, item Item) map[string]stypes.AttributeValue {
	t.Helper()
	out := map[string]stypes.AttributeValue{}
	for k, v := range item {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			out[k] = &stypes.AttributeValueMemberS{Value: v.Value}
		case *types.AttributeValueMemberN:
			out[k] = &stypes.AttributeValueMemberN{Value: v.Value}
		case *types.AttributeValueMemberBOOL:
			out[k] = &stypes.AttributeValueMemberBOOL{Value: v.Value}
		case *types.AttributeValueMemberM:
			out[k] = &stypes.AttributeValueMemberM{Value: toStream(t, v.Value)}
		default:
			t.Fatalf("toStream: %T", v)
		}
	}
	return out
}

// written is the item as MEMon's own Save leaves it.
func written(t *testing.T, item Item) Item {
	t.Helper()
	ev, err := decodeEvent(item)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := encodeEvent(ev)
	set[schema.AttrName] = s(ev.Name)
	set[schema.AttrVersion] = n("4")
	return set
}

func record(t *testing.T, op stypes.OperationType, old, img Item) stypes.Record {
	r := stypes.Record{EventName: op, Dynamodb: &stypes.StreamRecord{SequenceNumber: aws.String("100")}}
	if old != nil {
		r.Dynamodb.OldImage = toStream(t, old)
	}
	if img != nil {
		r.Dynamodb.NewImage = toStream(t, img)
	}
	return r
}

func TestStreamRecordsOfOtherWritersAreChanges(t *testing.T) {
	t.Parallel()
	recent := time.Now().Add(-time.Minute).Unix()
	// A console item: Enabled as BOOL, numbers typed as strings, no
	// ErrorCount, State, AlertAt or Version.
	console := Item{"Name": s("console"), "Enabled": b(true), "Period": s("5"), "Type": s("rolling"),
		"LastSuccessTime": s(itoa(recent)), "LastBlockTime": s(itoa(recent)), "NextBlockTime": s(itoa(recent + 3600))}
	ours := written(t, seedItem(nil))
	for _, tc := range []struct {
		name           string
		rec            stypes.Record
		want           bool
		wantName       string
		scheduleEdited bool
		version        int64
	}{
		{"console insert, console types", record(t, stypes.OperationTypeInsert, nil, console), true, "console", false, 0},
		{"memon.py item as written", record(t, stypes.OperationTypeInsert, nil, seedItem(nil)), true, "nightly", false, 0},
		{"MEMon's own write (Version bumped)", record(t, stypes.OperationTypeModify, withAttrs(ours, Item{"Version": n("3")}), ours), false, "", false, 0},
		{"period shortened in the console: stale AlertAt", record(t, stypes.OperationTypeModify, ours,
			withAttrs(ours, Item{"Period": s("60")})), true, "nightly", true, 4},
		{"period retyped as a string, same value: rewritten, not re-armed", record(t, stypes.OperationTypeModify, ours,
			withAttrs(ours, Item{"Period": s("3600")})), true, "nightly", false, 4},
		{"paused as BOOL false: AlertAt must go", record(t, stypes.OperationTypeModify, ours,
			withAttrs(ours, Item{"Enabled": b(false)})), true, "nightly", false, 4},
		{"grace added as a string", record(t, stypes.OperationTypeModify, ours,
			withAttrs(ours, Item{"Grace": s("600")})), true, "nightly", false, 4},
		{"description edited in the console (Version kept)", record(t, stypes.OperationTypeModify, ours,
			withAttrs(ours, Item{"Description": s("new text")})), true, "nightly", false, 4},
		{"memon-config changed the period (Version bumped, index right)", record(t, stypes.OperationTypeModify, ours,
			withAttrs(written(t, withAttrs(seedItem(nil), Item{"Period": n("60"), "NextBlockTime": n("1700000060")})), Item{"Version": n("5")})), false, "", false, 0},
		{"memon-config created an event", record(t, stypes.OperationTypeInsert, nil, ours), false, "", false, 0},
		{"ErrorCount typed over in the console", record(t, stypes.OperationTypeModify, ours,
			withAttrs(ours, Item{"ErrorCount": s("2")})), true, "nightly", false, 4},
		{"unusable item (no Period)", record(t, stypes.OperationTypeInsert, nil,
			Item{"Name": s("broken"), "Enabled": b(true)}), true, "broken", false, 0},
		{"key only (moto's first record of a create)", record(t, stypes.OperationTypeInsert, nil, Item{"Name": s("x")}), false, "", false, 0},
		{"removed: nothing to judge", record(t, stypes.OperationTypeRemove, ours, nil), false, "", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, ok := change(tc.rec)
			if foreign := ok && !ch.Own; foreign != tc.want {
				t.Fatalf("foreign = %v, want %v (%+v)", foreign, tc.want, ch)
			}
			if !ok || ch.Own {
				return
			}
			if ch.Name != tc.wantName || ch.ScheduleEdited != tc.scheduleEdited || ch.Version != tc.version {
				t.Errorf("got %+v, want name %s, schedule edited %v, version %d", ch, tc.wantName, tc.scheduleEdited, tc.version)
			}
		})
	}
}

// TestStreamRecordsCarryTheDeadlineOfEveryWrite: MEMon's own writes feed the
// poller's deadline table as much as other writers' do, and a removal says
// which item went.
func TestStreamRecordsCarryTheDeadlineOfEveryWrite(t *testing.T) {
	t.Parallel()
	ours := written(t, seedItem(nil))
	ev, err := decodeEvent(ours)
	if err != nil {
		t.Fatal(err)
	}
	ch, ok := change(record(t, stypes.OperationTypeModify, withAttrs(ours, Item{"Version": n("3")}), ours))
	if !ok || !ch.Own || ch.Version != 4 || !ch.AlertAt.Equal(ev.AlertAt()) || ch.AlertAt.IsZero() {
		t.Fatalf("own write: %+v ok %v, want Own, version 4, AlertAt %s", ch, ok, ev.AlertAt())
	}
	ch, ok = change(record(t, stypes.OperationTypeRemove, ours, nil))
	if !ok || !ch.Deleted || ch.Name != "nightly" || ch.Version != 4 {
		t.Fatalf("removal: %+v ok %v, want nightly deleted at version 4", ch, ok)
	}
}

func withAttrs(item Item, extra Item) Item {
	out := Item{}
	for k, v := range item {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
