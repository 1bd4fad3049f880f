package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// HistoryTTL is how long history records live (the table's TTL).
const HistoryTTL = 400 * 24 * time.Hour

// AppendHistory writes a transition to the history table. Idempotent: the
// record's key is derived from the transition.
func (s *Store) AppendHistory(ctx context.Context, tr memon.Transition) error {
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.history, Item: encodeRecord(tr.Record())}); err != nil {
		return fmt.Errorf("write history of %q: %w", tr.Event, err)
	}
	return nil
}

// historyKey is the history table's key of the item name/at: an event's
// record, or one of MEMon's own items (the poll lease, the CONFIG outbox).
func historyKey(name, at string) Item {
	return Item{
		schema.HistName: &types.AttributeValueMemberS{Value: name},
		schema.HistTime: &types.AttributeValueMemberS{Value: at},
	}
}

// encodeRecord is a history record as a history table item.
func encodeRecord(r memon.HistoryRecord) Item {
	item := historyKey(r.Name, r.Key())
	item[schema.HistReason] = &types.AttributeValueMemberS{Value: r.Reason}
	item[schema.HistExpiresAt] = numAV(float64(r.At.Add(HistoryTTL).Unix()))
	if r.From != "" || r.To != "" {
		item[schema.HistFrom] = &types.AttributeValueMemberS{Value: string(r.From)}
		item[schema.HistTo] = &types.AttributeValueMemberS{Value: string(r.To)}
	}
	if r.Alert != "" {
		item[schema.HistAlertKind] = &types.AttributeValueMemberS{Value: string(r.Alert)}
	}
	return item
}

// A name's last CONFIG claim is kept in a guard item of the history table
// under a name no event can have ("~" is not allowed in event names), so
// one conditional put decides the sliding hour across any number of
// pollers; the claim's history record is written after it.
const (
	configClaimPrefix = "~memon-config-claim:"
	configClaimTime   = "last"
	attrClaimedAt     = "ClaimedAt" // S, memon.HistoryTimeLayout: string order is time order
)

func configClaimKey(name string) Item { return historyKey(configClaimPrefix+name, configClaimTime) }

// ClaimConfigAlert claims name's CONFIG alert at now and reports whether
// this caller won it: at most one CONFIG alert per name in any sliding
// hour (memon.ConfigAlertEvery), across any number of pollers.
func (s *Store) ClaimConfigAlert(ctx context.Context, name, problem string, now time.Time) (bool, error) {
	claim := memon.ConfigClaim(name, problem, now)
	guard := configClaimKey(name)
	guard[attrClaimedAt] = &types.AttributeValueMemberS{Value: claim.At.Format(memon.HistoryTimeLayout)}
	guard[schema.HistExpiresAt] = numAV(float64(claim.At.Add(memon.ConfigAlertEvery + time.Hour).Unix()))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                &s.history,
		Item:                     guard,
		ConditionExpression:      aws.String("attribute_not_exists(#k) OR #c <= :free"),
		ExpressionAttributeNames: map[string]string{"#k": schema.HistName, "#c": attrClaimedAt},
		ExpressionAttributeValues: Item{":free": &types.AttributeValueMemberS{
			Value: claim.At.Add(-memon.ConfigAlertEvery).Format(memon.HistoryTimeLayout)}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim config alert for %q: %w", name, err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.history, Item: encodeRecord(claim)}); err != nil {
		if rerr := s.releaseConfigGuard(ctx, name, claim); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return false, fmt.Errorf("record config alert claim for %q: %w", name, err)
	}
	return true, nil
}

// ReleaseConfigAlert undoes the claim made at now whose alert could not be
// published, so a later poll claims and publishes it again.
func (s *Store) ReleaseConfigAlert(ctx context.Context, name string, now time.Time) error {
	claim := memon.ConfigClaim(name, "", now)
	if err := s.releaseConfigGuard(ctx, name, claim); err != nil {
		return err
	}
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.history, Key: historyKey(claim.Name, claim.Key())})
	if err != nil {
		return fmt.Errorf("release config alert for %q: %w", name, err)
	}
	return nil
}

// releaseConfigGuard deletes name's guard item if it still holds claim (a
// later claim by another poller stays).
func (s *Store) releaseConfigGuard(ctx context.Context, name string, claim memon.HistoryRecord) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.history, Key: configClaimKey(name),
		ConditionExpression:       aws.String("#c = :at"),
		ExpressionAttributeNames:  map[string]string{"#c": attrClaimedAt},
		ExpressionAttributeValues: Item{":at": &types.AttributeValueMemberS{Value: claim.At.Format(memon.HistoryTimeLayout)}},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("release config alert for %q: %w", name, err)
	}
	return nil
}

// History returns an event's records since a time, oldest first.
func (s *Store) History(ctx context.Context, name string, since time.Time) ([]memon.HistoryRecord, error) {
	var out []memon.HistoryRecord
	in := &dynamodb.QueryInput{
		TableName:                &s.history,
		KeyConditionExpression:   aws.String("#n = :n AND #t >= :since"),
		ExpressionAttributeNames: map[string]string{"#n": schema.HistName, "#t": schema.HistTime},
		ExpressionAttributeValues: Item{
			":n":     &types.AttributeValueMemberS{Value: name},
			":since": &types.AttributeValueMemberS{Value: since.UTC().Format(memon.HistoryTimeLayout)},
		},
	}
	s.historyAttrs.apply(&in.ProjectionExpression, &in.ExpressionAttributeNames, &in.Select)
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read history of %q: %w", name, err)
		}
		for _, item := range page.Items {
			r := &reader{item: item}
			key := r.str(schema.HistTime)
			at, _ := time.Parse(memon.HistoryTimeLayout, key[:min(len(key), len(memon.HistoryTimeLayout))])
			out = append(out, memon.HistoryRecord{
				Name: name, At: at,
				From:   memon.State(r.str(schema.HistFrom)),
				To:     memon.State(r.str(schema.HistTo)),
				Alert:  memon.AlertKind(r.str(schema.HistAlertKind)),
				Reason: r.str(schema.HistReason),

				Superseded: strings.HasSuffix(key, " "+memon.SupersededKey),
				Log:        strings.HasSuffix(key, " "+memon.LogKey),
			})
		}
	}
	return out, nil
}
