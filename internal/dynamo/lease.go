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

// The poll lease is one item in the history table: a name no event can have
// ("~" is not allowed in event names), so it never shows up as an event or
// in an event's history, and its writes stay off the events table's stream.
const (
	leaseName       = "~memon-poller"
	leaseTime       = "lease"
	attrLeaseHolder = "Holder"
	attrLeaseUntil  = "LeaseUntil" // epoch ms; not ExpiresAt, the history table's TTL would delete the checkpoint
	attrCheckpoint  = "StreamCheckpoint"
)

func leaseKey() Item { return historyKey(leaseName, leaseTime) }

// AcquireLease takes the poll lease for holder until now+ttl with a
// conditional write that succeeds only when the lease is free, expired or
// already holder's. It returns the stream checkpoint the last holder left.
// A lease held by another poller is a *memon.LeaseHeldError.
func (s *Store) AcquireLease(ctx context.Context, holder string, now time.Time, ttl time.Duration) (string, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           &s.history,
		Key:                                 leaseKey(),
		UpdateExpression:                    aws.String("SET #h = :h, #u = :u"),
		ConditionExpression:                 aws.String("attribute_not_exists(#u) OR #u <= :now OR #h = :h"),
		ExpressionAttributeNames:            map[string]string{"#h": attrLeaseHolder, "#u": attrLeaseUntil},
		ExpressionAttributeValues:           Item{":h": &types.AttributeValueMemberS{Value: holder}, ":u": numAV(float64(now.Add(ttl).UnixMilli())), ":now": numAV(float64(now.UnixMilli()))},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return "", leaseHeld(ccf.Item)
	}
	if err != nil {
		return "", fmt.Errorf("acquire the poll lease: %w", err)
	}
	r := &reader{item: out.Attributes}
	return r.str(attrCheckpoint), nil
}

// RenewLease extends holder's lease to now+ttl; a *memon.LeaseHeldError when
// another poller has taken it meanwhile (this one overran its lease).
func (s *Store) RenewLease(ctx context.Context, holder string, now time.Time, ttl time.Duration) error {
	return s.holdLease(ctx, holder, now.Add(ttl), nil)
}

// ReleaseLease ends holder's lease at now, so the next poller need not wait
// for it to expire, and stores the stream checkpoint this poll reached.
func (s *Store) ReleaseLease(ctx context.Context, holder string, now time.Time, checkpoint string) error {
	return s.holdLease(ctx, holder, now, &checkpoint)
}

func (s *Store) holdLease(ctx context.Context, holder string, until time.Time, checkpoint *string) error {
	expr := "SET #u = :u"
	names := map[string]string{"#h": attrLeaseHolder, "#u": attrLeaseUntil}
	values := Item{":h": &types.AttributeValueMemberS{Value: holder}, ":u": numAV(float64(until.UnixMilli()))}
	if checkpoint != nil {
		expr += ", #c = :c"
		names["#c"] = attrCheckpoint
		values[":c"] = &types.AttributeValueMemberS{Value: *checkpoint}
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           &s.history,
		Key:                                 leaseKey(),
		UpdateExpression:                    &expr,
		ConditionExpression:                 aws.String("#h = :h"),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return leaseHeld(ccf.Item)
	}
	if err != nil {
		return fmt.Errorf("hold the poll lease: %w", err)
	}
	return nil
}

// leaseHeld names the holder from the lease item a lost condition returned.
func leaseHeld(item Item) *memon.LeaseHeldError {
	r := &reader{item: item}
	until, _ := r.num(attrLeaseUntil)
	return &memon.LeaseHeldError{Holder: r.str(attrLeaseHolder), Until: time.UnixMilli(int64(until))}
}
