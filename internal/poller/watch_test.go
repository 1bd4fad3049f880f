package poller

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// watched is a poller wired as in production: the lease (which also keeps
// the stream checkpoint) and the change stream. Each call is a fresh
// poller, as a Lambda cold start is.
func (h *harness) watched() *Poller {
	streams := dynamodbstreams.NewFromConfig(h.pcfg)
	return h.poller(Config{}).UseLease(h.pstore).WatchChanges(dynamo.NewStream(h.pdb, streams, h.res.Table))
}

// putConsole writes an item as the DynamoDB console or `aws dynamodb
// put-item` would: the seed's attributes only, Enabled as a boolean, every
// number typed as a string.
func (h *harness) putConsole(name string, period time.Duration, lastRun time.Time) {
	h.t.Helper()
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	sec := func(t time.Time) types.AttributeValue { return str(fmt.Sprint(t.Unix())) }
	_, err := h.db.PutItem(h.ctx, &dynamodb.PutItemInput{TableName: &h.res.Table, Item: map[string]types.AttributeValue{
		"Name": str(name), "Enabled": &types.AttributeValueMemberBOOL{Value: true}, "Type": str("rolling"),
		"Period": str(fmt.Sprint(int(period.Seconds()))), "LastSuccessTime": sec(lastRun),
		"LastBlockTime": sec(lastRun), "NextBlockTime": sec(lastRun.Add(period)),
	}})
	if err != nil {
		h.t.Fatal(err)
	}
}

func downs(alerts []string, name string) int {
	n := 0
	for _, a := range alerts {
		if a == name+":down" {
			n++
		}
	}
	return n
}

// TestAnyWriterIsJudgedByTheNextPoll: items written outside MEMon, never
// indexed, are judged by the first poll after the write — exactly one DOWN
// when overdue — and a period shortened in the console is judged on the
// new period.
func TestAnyWriterIsJudgedByTheNextPoll(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	h.putConsole("console-5s", 5*time.Second, now.Add(-time.Minute)) // a 5 s period, deadline passed
	h.putConsole("console-hourly", time.Hour, now.Add(-2*time.Hour)) // an hour overdue
	h.putConsole("console-fine", time.Hour, now.Add(-time.Minute))   // not due: no alert
	shortened := h.rolling("shortened", time.Hour)                   // MEMon's own item, indexed an hour ahead ...
	h.create(shortened)
	h.ping("shortened", memon.Success)
	h.poll()
	if at := h.get("shortened").LastSuccessTime; at.IsZero() {
		t.Fatal("setup: the ping was not applied")
	}
	// ... then its period is cut to 10 minutes in the console: AlertAt is
	// stale. (Minutes, not seconds: the second poll below must come within
	// one period of the first, however slow a busy machine makes them.)
	time.Sleep(1100 * time.Millisecond)
	h.advance(11 * time.Minute)
	if _, err := h.db.UpdateItem(h.ctx, &dynamodb.UpdateItemInput{TableName: &h.res.Table,
		Key:                       map[string]types.AttributeValue{"Name": &types.AttributeValueMemberS{Value: "shortened"}},
		UpdateExpression:          aws.String("SET Period = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "600"}},
	}); err != nil {
		t.Fatal(err)
	}

	sum, err := h.watched().Poll(h.ctx)
	if err != nil {
		t.Fatalf("watched poll: %v", err)
	}
	got := kinds(h.alerts())
	for _, name := range []string{"console-5s", "console-hourly", "shortened"} {
		if n := downs(got, name); n != 1 {
			t.Errorf("%s: %d DOWN alerts on the first watched poll, want exactly 1 (all: %v)", name, n, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("alerts %v, want the three DOWNs only", got)
	}
	if sum.Changed < 4 {
		t.Errorf("changed %d, want the 4 items other writers wrote", sum.Changed)
	}
	// Rewritten as MEMon writes items.
	if ev := h.get("console-fine"); ev.Version == 0 {
		t.Error("console-fine was not rewritten")
	}

	// The next poll, by a fresh poller (a cold start), reads on from the
	// checkpoint the lease item kept: nothing is judged twice.
	sum, err = h.watched().Poll(h.ctx)
	if err != nil || sum.Changed != 0 || sum.Skipped {
		t.Fatalf("second watched poll: changed %d skipped %v err %v, want 0 changes", sum.Changed, sum.Skipped, err)
	}
	for _, a := range kinds(h.alerts()) {
		if !strings.HasPrefix(a, "console-5s:") { // a 5 s period misses more periods every poll
			t.Errorf("second poll alerted %s", a)
		}
	}
}

// TestAnIdlePollReadsNoItemsWhenOnlyMEMonWrote: MEMon's own writes appear
// on the stream too; they are recognised from the record alone, so an idle
// poll reads no item and writes nothing.
func TestAnIdlePollReadsNoItemsWhenOnlyMEMonWrote(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 20; i++ {
		ev := h.rolling(fmt.Sprintf("ev-%d", i), time.Hour)
		h.create(ev)
		h.ping(ev.Name, memon.Success)
	}
	if sum, _ := h.watched().Poll(h.ctx); sum.Updated != 20 || sum.Changed != 0 {
		t.Fatalf("first poll: updated %d changed %d, want 20 and 0", sum.Updated, sum.Changed)
	}
	sum, _ := h.watched().Poll(h.ctx)
	if sum.Changed != 0 || sum.Updated != 0 || sum.Due != 0 {
		t.Fatalf("idle poll: changed %d updated %d due %d, want 0 0 0", sum.Changed, sum.Updated, sum.Due)
	}
}
