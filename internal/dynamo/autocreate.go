package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// How many events pings have created is one counter item in the history
// table, beside the poll lease: a name no event can have, so it is never an
// event or a history line. A conditional ADD takes a slot atomically across
// pollers, so the bound holds in total, not per poll.
const (
	autoCreateName  = "~memon-autocreate"
	autoCreateTime  = "count"
	attrAutoCreated = "Created"
)

// ClaimAutoCreate takes one of limit auto-create slots; false when all are
// taken.
func (s *Store) ClaimAutoCreate(ctx context.Context, limit int) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.history,
		Key:                       historyKey(autoCreateName, autoCreateTime),
		UpdateExpression:          aws.String("ADD #c :one"),
		ConditionExpression:       aws.String("attribute_not_exists(#c) OR #c < :limit"),
		ExpressionAttributeNames:  map[string]string{"#c": attrAutoCreated},
		ExpressionAttributeValues: Item{":one": numAV(1), ":limit": numAV(float64(limit))},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim an auto-create slot: %w", err)
	}
	return true, nil
}

// ReleaseAutoCreate gives back a slot whose event was not created (the name
// was taken meanwhile, or the create failed).
func (s *Store) ReleaseAutoCreate(ctx context.Context) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.history,
		Key:                       historyKey(autoCreateName, autoCreateTime),
		UpdateExpression:          aws.String("ADD #c :minus"),
		ConditionExpression:       aws.String("#c > :zero"),
		ExpressionAttributeNames:  map[string]string{"#c": attrAutoCreated},
		ExpressionAttributeValues: Item{":minus": numAV(-1), ":zero": numAV(0)},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("release an auto-create slot: %w", err)
	}
	return nil
}
