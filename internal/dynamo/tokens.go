package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Ping tokens live in two places, written together in one transaction:
//   - the event item carries TokenHash (so `show` can say a token exists and
//     deleting the event finds it), and
//   - the tokens table holds one item per hash, keyed by it, naming the event,
//     so the public endpoint resolves a token with one consistent GetItem on a
//     table that holds nothing else: its role can read token hashes and
//     nothing of the events.
// A rotation puts the new token item and deletes the old one in the same
// transaction, so the old URL stops working at once (no index lag).

// TokenAPI is the part of the DynamoDB client token handling uses.
type TokenAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ TokenAPI = (*dynamodb.Client)(nil)

// ErrTokenExists reports an event that already has a token, when no rotation
// was asked for (the old token cannot be shown again: only its hash is kept).
var ErrTokenExists = errors.New("the event already has a ping token")

// Tokens issues, revokes and resolves ping tokens.
type Tokens struct {
	db     TokenAPI
	events string
	tokens string
}

// NewTokens returns token handling over the events table and the tokens table.
func NewTokens(db TokenAPI, eventsTable, tokensTable string) *Tokens {
	return &Tokens{db: db, events: eventsTable, tokens: tokensTable}
}

func tokenKey(hash string) Item {
	return Item{schema.AttrTokenHash: &types.AttributeValueMemberS{Value: hash}}
}

// EventForToken returns the event whose token hashes to hash, with one
// strongly consistent GetItem; memon.ErrNotFound when there is none.
func (t *Tokens) EventForToken(ctx context.Context, hash string) (string, error) {
	out, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &t.tokens, Key: tokenKey(hash), ConsistentRead: aws.Bool(true),
		ProjectionExpression:     aws.String("#n"),
		ExpressionAttributeNames: map[string]string{"#n": schema.TokenName},
	})
	if err != nil {
		return "", fmt.Errorf("look up a ping token in %s: %w", t.tokens, err)
	}
	if v, ok := out.Item[schema.TokenName].(*types.AttributeValueMemberS); ok && v.Value != "" {
		return v.Value, nil
	}
	return "", memon.ErrNotFound
}

// currentHash reads the event's token hash ("" when it has none);
// memon.ErrNotFound when the event does not exist.
func (t *Tokens) currentHash(ctx context.Context, name string) (string, error) {
	out, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &t.events, Key: key(name), ConsistentRead: aws.Bool(true),
		ProjectionExpression:     aws.String("#k, #h"),
		ExpressionAttributeNames: map[string]string{"#k": schema.AttrName, "#h": schema.AttrTokenHash},
	})
	if err != nil {
		return "", fmt.Errorf("get event %q: %w", name, err)
	}
	if len(out.Item) == 0 {
		return "", fmt.Errorf("event %q: %w", name, memon.ErrNotFound)
	}
	if v, ok := out.Item[schema.AttrTokenHash].(*types.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}

// Issue gives the event a new token and returns it: the only time it exists
// in clear. An event with a token keeps it (ErrTokenExists) unless rotate is
// set; then the old token stops working in the same transaction.
func (t *Tokens) Issue(ctx context.Context, name string, rotate bool) (string, error) {
	old, err := t.currentHash(ctx, name)
	if err != nil {
		return "", err
	}
	if old != "" && !rotate {
		return "", fmt.Errorf("event %q: %w", name, ErrTokenExists)
	}
	token, err := memon.NewToken()
	if err != nil {
		return "", err
	}
	hash := memon.HashToken(token)
	names := map[string]string{"#k": schema.AttrName, "#h": schema.AttrTokenHash}
	values := Item{":h": &types.AttributeValueMemberS{Value: hash}}
	cond := "attribute_exists(#k) AND attribute_not_exists(#h)"
	if old != "" {
		cond = "attribute_exists(#k) AND #h = :old"
		values[":old"] = &types.AttributeValueMemberS{Value: old}
	}
	items := []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: &t.events, Key: key(name),
			UpdateExpression:    aws.String("SET #h = :h"),
			ConditionExpression: &cond, ExpressionAttributeNames: names, ExpressionAttributeValues: values,
		}},
		{Put: &types.Put{
			TableName: &t.tokens,
			Item: Item{
				schema.AttrTokenHash: &types.AttributeValueMemberS{Value: hash},
				schema.TokenName:     &types.AttributeValueMemberS{Value: name},
			},
			ConditionExpression:      aws.String("attribute_not_exists(#h)"),
			ExpressionAttributeNames: map[string]string{"#h": schema.AttrTokenHash},
		}},
	}
	if old != "" {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: &t.tokens, Key: tokenKey(old)}})
	}
	if err := t.transact(ctx, name, items); err != nil {
		return "", err
	}
	return token, nil
}

// Revoke removes the event's token, if it has one, so its URL stops working.
// memon-config delete calls it before deleting the event.
func (t *Tokens) Revoke(ctx context.Context, name string) error {
	old, err := t.currentHash(ctx, name)
	if err != nil || old == "" {
		return err
	}
	return t.transact(ctx, name, []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: &t.events, Key: key(name),
			UpdateExpression:          aws.String("REMOVE #h"),
			ConditionExpression:       aws.String("#h = :old"),
			ExpressionAttributeNames:  map[string]string{"#h": schema.AttrTokenHash},
			ExpressionAttributeValues: Item{":old": &types.AttributeValueMemberS{Value: old}},
		}},
		{Delete: &types.Delete{TableName: &t.tokens, Key: tokenKey(old)}},
	})
}

func (t *Tokens) transact(ctx context.Context, name string, items []types.TransactWriteItem) error {
	_, err := t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return fmt.Errorf("ping token of %q changed meanwhile (or the event was deleted): %w", name, memon.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("write ping token of %q to %s and %s: %w", name, t.events, t.tokens, err)
	}
	return nil
}
