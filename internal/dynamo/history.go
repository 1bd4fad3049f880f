package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/pkg/memon"
)

// Record is one line of an event's history.
type Record struct {
	Name   string
	At     time.Time
	From   memon.State
	To     memon.State
	Kind   memon.AlertKind // the alert sent, if any
	Reason string
}

// historyKey is the range key: a fixed-width UTC time (so string order is
// time order) and what happened, which keeps two records of one
// millisecond apart and makes a retried write an idempotent overwrite.
func historyKey(at time.Time, what string) string {
	return at.UTC().Format(memon.HistoryTimeLayout) + " " + what
}

// AppendHistory writes a transition to the history table. Idempotent.
func (s *Store) AppendHistory(ctx context.Context, tr memon.Transition) error {
	what := string(tr.To)
	kind := ""
	if tr.Alert != nil {
		kind = string(tr.Alert.Kind)
		what = kind
	}
	item := Item{
		memon.HistName:      &types.AttributeValueMemberS{Value: tr.Event},
		memon.HistTime:      &types.AttributeValueMemberS{Value: historyKey(tr.At, what)},
		memon.HistFrom:      &types.AttributeValueMemberS{Value: string(tr.From)},
		memon.HistTo:        &types.AttributeValueMemberS{Value: string(tr.To)},
		memon.HistReason:    &types.AttributeValueMemberS{Value: tr.Reason},
		memon.HistExpiresAt: numAV(float64(tr.At.Add(HistoryTTL).Unix())),
	}
	if kind != "" {
		item[memon.HistKind] = &types.AttributeValueMemberS{Value: kind}
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.history, Item: item}); err != nil {
		return fmt.Errorf("write history of %q: %w", tr.Event, err)
	}
	return nil
}

// configClaimKey is the history key of name's CONFIG alert for the hour of
// now: one key an hour, so a conditional put admits one alert an hour.
func configClaimKey(name string, now time.Time) Item {
	return Item{
		memon.HistName: &types.AttributeValueMemberS{Value: name},
		memon.HistTime: &types.AttributeValueMemberS{Value: historyKey(now.UTC().Truncate(time.Hour), string(memon.KindConfig))},
	}
}

// ClaimConfigAlert records a CONFIG alert for name in the current hour and
// reports whether this caller won the claim: at most one CONFIG alert per
// name per hour, across any number of pollers.
func (s *Store) ClaimConfigAlert(ctx context.Context, name, problem string, now time.Time) (bool, error) {
	item := configClaimKey(name, now)
	item[memon.HistKind] = &types.AttributeValueMemberS{Value: string(memon.KindConfig)}
	item[memon.HistReason] = &types.AttributeValueMemberS{Value: problem}
	item[memon.HistExpiresAt] = numAV(float64(now.Add(HistoryTTL).Unix()))
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                &s.history,
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#k)"),
		ExpressionAttributeNames: map[string]string{"#k": memon.HistName},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim config alert for %q: %w", name, err)
	}
	return true, nil
}

// ReleaseConfigAlert undoes a claim whose alert could not be published, so a
// later poll claims and publishes it again.
func (s *Store) ReleaseConfigAlert(ctx context.Context, name string, now time.Time) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.history, Key: configClaimKey(name, now)})
	if err != nil {
		return fmt.Errorf("release config alert for %q: %w", name, err)
	}
	return nil
}

// History returns an event's records since a time, oldest first.
func (s *Store) History(ctx context.Context, name string, since time.Time) ([]Record, error) {
	var out []Record
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                &s.history,
		KeyConditionExpression:   aws.String("#n = :n AND #t >= :since"),
		ExpressionAttributeNames: map[string]string{"#n": memon.HistName, "#t": memon.HistTime},
		ExpressionAttributeValues: Item{
			":n":     &types.AttributeValueMemberS{Value: name},
			":since": &types.AttributeValueMemberS{Value: since.UTC().Format(memon.HistoryTimeLayout)},
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read history of %q: %w", name, err)
		}
		for _, item := range page.Items {
			r := &reader{item: item}
			key := r.str(memon.HistTime)
			at, _ := time.Parse(memon.HistoryTimeLayout, key[:min(len(key), len(memon.HistoryTimeLayout))])
			out = append(out, Record{
				Name: name, At: at,
				From:   memon.State(r.str(memon.HistFrom)),
				To:     memon.State(r.str(memon.HistTo)),
				Kind:   memon.AlertKind(r.str(memon.HistKind)),
				Reason: r.str(memon.HistReason),
			})
		}
	}
	return out, nil
}
