package poller

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// TestItemsIndexedBeforeShardingAreReKeyed: items the previous version
// indexed (Type + AlertAt, Version, State) are invisible to the sharded
// index until re-keyed. The reconcile re-keys them (the first poll that reads
// the change stream runs it, as the hourly one does), after which the
// overdue one is alerted.
func TestItemsIndexedBeforeShardingAreReKeyed(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	num := func(v int64) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	legacy := func(name string, deadline time.Time) {
		_, err := h.db.PutItem(h.ctx, &dynamodb.PutItemInput{TableName: &h.res.Table, Item: map[string]types.AttributeValue{
			"Name": str(name), "Type": str("rolling"), "Period": num(3600), "Enabled": num(1), "State": str("up"),
			"ErrorCount": num(0), "Version": num(7), "LastSuccessTime": num(deadline.Add(-time.Hour).Unix()),
			"LastBlockTime": num(deadline.Add(-time.Hour).Unix()), "NextBlockTime": num(deadline.Unix()),
			"AlertAt": num(deadline.Unix()),
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	legacy("old-overdue", now.Add(-10*time.Minute))
	legacy("old-fine", now.Add(30*time.Minute))

	if names, err := h.store.Due(h.ctx, now); err != nil || len(names) != 0 {
		t.Fatalf("before re-keying the sharded index holds %v (err %v), want nothing", names, err)
	}
	if sum := h.poller(Config{}).Reconcile(h.ctx); sum.Reconciled != 2 {
		t.Fatalf("reconcile fixed %d, want both legacy items re-keyed", sum.Reconciled)
	}
	for _, name := range []string{"old-overdue", "old-fine"} {
		item, err := h.db.GetItem(h.ctx, &dynamodb.GetItemInput{TableName: &h.res.Table, Key: map[string]types.AttributeValue{"Name": str(name)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := item.Item[memon.AttrAlertAt]; ok || item.Item[memon.AttrDueShard] == nil || item.Item[memon.AttrDueAt] == nil {
			t.Errorf("%s not re-keyed: %v", name, item.Item)
		}
	}
	h.poll()
	if got := kinds(h.alerts()); len(got) != 1 || got[0] != "old-overdue:down" {
		t.Fatalf("alerts %v, want old-overdue:down", got)
	}

	// The first poll that reads the stream reconciles (items written before
	// the stream existed are on no record); later polls do not.
	streams := dynamodbstreams.NewFromConfig(srv.Config(h.ctx))
	watched := func() *Poller {
		return h.poller(Config{ReconcileEvery: time.Hour}).UseLease(h.store).WatchChanges(dynamo.NewStream(h.db, streams, h.res.Table))
	}
	h.offset.Store(int64(time.Until(time.Now().Truncate(time.Hour).Add(30 * time.Minute)))) // not the hourly reconcile's minute
	if sum, err := watched().Poll(h.ctx); err != nil || !sum.ReconcileRan {
		t.Fatalf("first watched poll: reconcile ran %v, err %v; want it to run", sum.ReconcileRan, err)
	}
	if sum, err := watched().Poll(h.ctx); err != nil || sum.ReconcileRan {
		t.Fatalf("second watched poll: reconcile ran %v, err %v; the stored checkpoint should end it", sum.ReconcileRan, err)
	}
}

// TestDueReadsEveryShard: the due check reads every shard, and
// only what is due in it.
func TestDueReadsEveryShard(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	want := map[string]bool{}
	for i := range 40 {
		ev := h.rolling(fmt.Sprintf("job-%d", i), time.Hour)
		if i%2 == 0 {
			ev.SetInitial(now.Add(-time.Minute))
			want[ev.Name] = true
		} else {
			ev.SetInitial(now.Add(time.Hour))
		}
		h.create(ev)
	}
	names, err := h.store.Due(h.ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, n := range names {
		got[n] = true
	}
	if len(got) != len(want) || len(names) != len(want) {
		t.Fatalf("due %v, want the %d overdue ones once each", names, len(want))
	}
	for n := range want {
		if !got[n] {
			t.Errorf("%s is due but was not returned", n)
		}
	}
}
