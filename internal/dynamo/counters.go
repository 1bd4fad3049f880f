package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Counters: today's are a map attribute (Today) on the event item; each
// finished day is one daily record in the history table, range key
// "#day 2026-11-24", with the same attribute names. Zero counts are left
// out, so a quiet event's item stays small (item size is write cost).

// encodeCounts returns the non-zero counters as attributes.
func encodeCounts(d memon.DayCounts) Item {
	out := Item{schema.CountDay: &types.AttributeValueMemberS{Value: d.Day}}
	n := func(attr string, v int) {
		if v != 0 {
			out[attr] = numAV(float64(v))
		}
	}
	secs := func(attr string, v time.Duration) {
		if v != 0 {
			out[attr] = numAV(math.Round(v.Seconds()*1000) / 1000)
		}
	}
	n(schema.CountRuns, d.Runs)
	n(schema.CountFailures, d.Failures)
	n(schema.CountLate, d.Late)
	n(schema.CountMissed, d.Missed)
	n(schema.CountOverruns, d.Overruns)
	n(schema.CountDurationRuns, d.DurationRuns)
	secs(schema.CountDowntime, d.Downtime)
	secs(schema.CountPaused, d.Paused)
	secs(schema.CountDurationSum, d.DurationSum)
	secs(schema.CountDurationMax, d.DurationMax)
	if !d.LastFailTime.IsZero() {
		out[schema.CountLastFailTime] = timeAV(d.LastFailTime)
	}
	if d.LastFailReason != "" {
		out[schema.CountLastFailReason] = &types.AttributeValueMemberS{Value: d.LastFailReason}
	}
	return out
}

// decodeCounts reads counters forgivingly, like every other attribute.
func decodeCounts(item Item) (memon.DayCounts, error) {
	r := &reader{item: item}
	secs := func(attr string) time.Duration {
		f, _ := r.num(attr)
		return time.Duration(f * float64(time.Second))
	}
	d := memon.DayCounts{
		Day:            r.str(schema.CountDay),
		Runs:           int(r.integer(schema.CountRuns)),
		Failures:       int(r.integer(schema.CountFailures)),
		Late:           int(r.integer(schema.CountLate)),
		Missed:         int(r.integer(schema.CountMissed)),
		Overruns:       int(r.integer(schema.CountOverruns)),
		DurationRuns:   int(r.integer(schema.CountDurationRuns)),
		Downtime:       secs(schema.CountDowntime),
		Paused:         secs(schema.CountPaused),
		DurationSum:    secs(schema.CountDurationSum),
		DurationMax:    secs(schema.CountDurationMax),
		LastFailTime:   r.time(schema.CountLastFailTime),
		LastFailReason: r.str(schema.CountLastFailReason),
	}
	if d.Day != "" {
		if _, err := time.Parse(memon.DayLayout, d.Day); err != nil {
			r.fail(schema.CountDay, d.Day, "want a UTC day YYYY-MM-DD (or delete the Today attribute)")
		}
	}
	return d, r.err
}

// decodeToday reads the item's Today map; a missing one is no counts yet.
func decodeToday(r *reader) memon.DayCounts {
	m, ok := r.item[schema.AttrToday].(*types.AttributeValueMemberM)
	if !ok {
		return memon.DayCounts{}
	}
	d, err := decodeCounts(m.Value)
	if err != nil {
		if r.err == nil {
			r.err = fmt.Errorf("%s: %w", schema.AttrToday, err)
		}
		return memon.DayCounts{}
	}
	return d
}

// dayKey is a daily record's range key.
func dayKey(day string) string { return schema.HistDayPrefix + day }

// dayRecord is the history item of one finished day.
func (s *Store) dayRecord(name string, d memon.DayCounts) *types.Put {
	item := encodeCounts(d)
	maps.Copy(item, historyKey(name, dayKey(d.Day)))
	item[schema.HistExpiresAt] = numAV(float64(d.Start().Add(24*time.Hour + HistoryTTL).Unix()))
	return &types.Put{TableName: &s.history, Item: item}
}

// Days returns an event's daily records for the UTC days from..to
// (inclusive), oldest first. Today's counters are on the event item
// (memon.Event.CountsThrough adds them, and days not yet written).
func (s *Store) Days(ctx context.Context, name string, from, to time.Time) ([]memon.DayCounts, error) {
	var out []memon.DayCounts
	in := &dynamodb.QueryInput{
		TableName:                &s.history,
		KeyConditionExpression:   aws.String("#n = :n AND #t BETWEEN :from AND :to"),
		ExpressionAttributeNames: map[string]string{"#n": schema.HistName, "#t": schema.HistTime},
		ExpressionAttributeValues: Item{
			":n":    &types.AttributeValueMemberS{Value: name},
			":from": &types.AttributeValueMemberS{Value: dayKey(memon.DayOf(from))},
			":to":   &types.AttributeValueMemberS{Value: dayKey(memon.DayOf(to))},
		},
	}
	s.historyAttrs.apply(&in.ProjectionExpression, &in.ExpressionAttributeNames, &in.Select)
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read daily records of %q: %w", name, err)
		}
		for _, item := range page.Items {
			d, err := decodeCounts(item)
			if err != nil {
				return nil, fmt.Errorf("daily record of %q: %w", name, err)
			}
			if d.Day == "" { // a hand-made record: the key says the day
				d.Day = strings.TrimPrefix((&reader{item: item}).str(schema.HistTime), schema.HistDayPrefix)
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// maxTransactItems is DynamoDB's limit on one transaction.
const maxTransactItems = 100

// writeWithDays stores the event and its finished days in one transaction,
// so a day is recorded exactly when the write that closed it wins: a lost
// race writes neither. This happens at most once per event per day. Days
// beyond what one transaction holds (a long silent outage) are put first;
// a retry rewrites them identically.
func (s *Store) writeWithDays(ctx context.Context, ev *memon.Event, update *dynamodb.UpdateItemInput) error {
	days := ev.ClosedDays
	for len(days) > maxTransactItems-1 {
		if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.history, Item: s.dayRecord(ev.Name, days[0]).Item}); err != nil {
			return fmt.Errorf("write daily record %s: %w", days[0].Day, err)
		}
		days = days[1:]
	}
	items := make([]types.TransactWriteItem, 0, len(days)+1)
	for _, d := range days {
		items = append(items, types.TransactWriteItem{Put: s.dayRecord(ev.Name, d)})
	}
	items = append(items, types.TransactWriteItem{Update: &types.Update{
		TableName:                 update.TableName,
		Key:                       update.Key,
		UpdateExpression:          update.UpdateExpression,
		ConditionExpression:       update.ConditionExpression,
		ExpressionAttributeNames:  update.ExpressionAttributeNames,
		ExpressionAttributeValues: update.ExpressionAttributeValues,
	}})
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}

// isConditionFailed reports a lost conditional write, alone or as the
// reason a transaction was cancelled.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				return true
			}
		}
	}
	return false
}
