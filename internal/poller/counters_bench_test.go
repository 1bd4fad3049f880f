package poller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// TransactWriteItems is counted per call and per item: a transaction
// bills two write units per item.
func (d countingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	d.c.add("ddb.TransactWriteItems", 0)
	for range in.TransactItems {
		d.c.add("ddb.TransactItem", 0)
	}
	return d.API.TransactWriteItems(ctx, in, o...)
}

// BenchmarkDailyCounters: what the per-event day counters cost (the runs,
// failures and durations the web page charts). Every event carries
// yesterday's counters; its first ping of today closes that day: the item
// update and ONE daily record in the history table go in one transaction.
// That is the only extra write counters make, once per event per day.
func BenchmarkDailyCounters(b *testing.B) {
	const events = 200
	e := newBenchHarness(b)
	p := e.countedPoller(Config{})
	yesterday := memon.DayOf(time.Now().UTC().Add(-24 * time.Hour))
	var names []string
	for i := range events {
		names = append(names, fmt.Sprintf("job-%05d", i))
	}
	rolled, pings := 0, 0
	for b.Loop() {
		b.StopTimer()
		e.seed(events)
		for _, name := range names {
			_, err := e.db.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{
				TableName:                &e.res.Table,
				Key:                      map[string]dtypes.AttributeValue{schema.AttrName: &dtypes.AttributeValueMemberS{Value: name}},
				UpdateExpression:         stringPtr("SET #t = :t"),
				ExpressionAttributeNames: map[string]string{"#t": schema.AttrToday},
				ExpressionAttributeValues: map[string]dtypes.AttributeValue{":t": &dtypes.AttributeValueMemberM{Value: map[string]dtypes.AttributeValue{
					schema.CountDay:          &dtypes.AttributeValueMemberS{Value: yesterday},
					schema.CountRuns:         &dtypes.AttributeValueMemberN{Value: "24"},
					schema.CountDurationRuns: &dtypes.AttributeValueMemberN{Value: "24"},
					schema.CountDurationSum:  &dtypes.AttributeValueMemberN{Value: "1440"},
					schema.CountDurationMax:  &dtypes.AttributeValueMemberN{Value: "75"},
				}}},
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		e.enqueue(names)
		e.c.reset()
		b.StartTimer()
		for got, polls := 0, 0; got < events; polls++ {
			sum, err := p.Poll(e.ctx)
			if err != nil && polls > 10 {
				b.Fatalf("poll: %v", err) // one failed write is retried by the next poll, as in production
			}
			got += sum.Pings - sum.Stale - sum.Held
			pings += sum.Pings - sum.Stale - sum.Held
		}
		b.StopTimer()
		calls, _ := e.c.snapshot()
		rolled += events
		b.ReportMetric(float64(calls["ddb.TransactWriteItems"])/events, "transactions/event-day")
		b.ReportMetric(float64(calls["ddb.TransactItem"])/events, "transact-items/event-day")
		b.ReportMetric(float64(calls["ddb.UpdateItem"])/events, "plain-updates/event-day")
		b.StartTimer()
	}
	b.ReportMetric(0, "ns/op")
	if rolled != pings {
		b.Fatalf("applied %d pings for %d event-days", pings, rolled)
	}
}

func stringPtr(s string) *string { return &s }
