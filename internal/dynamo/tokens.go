package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Ping tokens live in two places, written together in one transaction:
//   - the event item carries TokenHash (so `show` can say a token exists and
//     the endpoint can tell the current token from an old one), and
//   - the tokens table holds one item per hash, keyed by it, naming the event,
//     so the public endpoint resolves a token with one consistent GetItem on a
//     table that holds nothing else.
// A token is good only while both agree: the endpoint reads the event's
// TokenHash too (its role may read only that attribute of the events), so
// a token dies with its event whoever deletes the item (memon-config, the
// console, memon.py, the CDK construct), and an event re-created under the
// same name does not inherit it. Issue, rotate and Revoke also delete every
// token item naming the event (TokenEventIndex), not only the one the item
// names: leftovers of an item deleted by another tool go too.

// TokenAPI is the part of the DynamoDB client token handling uses.
type TokenAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
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

// EventForToken returns the event whose current token hashes to hash:
// memon.ErrNotFound when no token item has the hash, when its event no
// longer exists, or when the event names another token (rotated, or the
// event was deleted and created again). Two strongly consistent GetItems;
// an unknown token costs only the first.
func (t *Tokens) EventForToken(ctx context.Context, hash string) (string, error) {
	out, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &t.tokens, Key: tokenKey(hash), ConsistentRead: aws.Bool(true),
		ProjectionExpression:     aws.String("#n"),
		ExpressionAttributeNames: map[string]string{"#n": schema.TokenName},
	})
	if err != nil {
		return "", fmt.Errorf("look up a ping token in %s: %w", t.tokens, err)
	}
	v, ok := out.Item[schema.TokenName].(*types.AttributeValueMemberS)
	if !ok || v.Value == "" || strings.HasPrefix(v.Value, schema.KeyNamePrefix) {
		return "", memon.ErrNotFound // none, or a stack key (keys.go)
	}
	current, err := t.currentHash(ctx, v.Value)
	if err != nil {
		return "", err // memon.ErrNotFound for a deleted event
	}
	if current != hash {
		return "", memon.ErrNotFound
	}
	return v.Value, nil
}

// naming returns the hashes of every token item naming the event, from
// TokenEventIndex (eventually consistent: a token issued a moment ago may
// be missing, and the endpoint's check of the event's TokenHash is what
// keeps it from working once replaced). A tokens table that does not exist
// (HTTPS pings off) names none.
func (t *Tokens) naming(ctx context.Context, name string) ([]string, error) {
	hashes, err := hashesNaming(ctx, t.db, t.tokens, name)
	var rnf *types.ResourceNotFoundException
	if errors.As(err, &rnf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the ping tokens of %q in %s: %w", name, t.tokens, err)
	}
	return hashes, nil
}

// hashesNaming returns the TokenHash of every item of the tokens table
// whose Name is name, from TokenEventIndex: the ping tokens of an event,
// or the keys of one kind (Keys, under their slot's name).
func hashesNaming(ctx context.Context, db TokenAPI, table, name string) ([]string, error) {
	var hashes []string
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName: &table, IndexName: aws.String(schema.TokenEventIndex),
		KeyConditionExpression:    aws.String("#n = :n"),
		ExpressionAttributeNames:  map[string]string{"#n": schema.TokenName},
		ExpressionAttributeValues: Item{":n": &types.AttributeValueMemberS{Value: name}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, item := range page.Items {
			if v, ok := item[schema.AttrTokenHash].(*types.AttributeValueMemberS); ok {
				hashes = append(hashes, v.Value)
			}
		}
	}
	return hashes, nil
}

// deleteTokens deletes token items by hash, all but keep, in transactions
// of at most 100 (DynamoDB's limit). Deleting a missing item succeeds.
func (t *Tokens) deleteTokens(ctx context.Context, name string, hashes []string, keep ...string) error {
	var items []types.TransactWriteItem
	for _, h := range hashes {
		if !slices.Contains(keep, h) {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: &t.tokens, Key: tokenKey(h)}})
		}
	}
	for len(items) > 0 {
		n := min(len(items), 100)
		if err := t.transact(ctx, name, items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
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
	// The old token is already dead (the item names the new one); its
	// leftovers, and any from an earlier item of this name, go too.
	stale, err := t.naming(ctx, name)
	if err == nil {
		err = t.deleteTokens(ctx, name, stale, hash)
	}
	if err != nil {
		return "", fmt.Errorf("the new token works and old ones do not, but their items were not all deleted (run the command again): %w", err)
	}
	return token, nil
}

// Revoke ends every ping URL of the event: it removes the item's TokenHash
// (when the event exists and has one) and deletes every token item naming
// the event. memon-config delete calls it before deleting the event, and it
// works on a name whose item another tool already deleted.
func (t *Tokens) Revoke(ctx context.Context, name string) error {
	old, err := t.currentHash(ctx, name)
	if err != nil && !errors.Is(err, memon.ErrNotFound) {
		return err
	}
	if old != "" {
		if err := t.transact(ctx, name, []types.TransactWriteItem{
			{Update: &types.Update{
				TableName: &t.events, Key: key(name),
				UpdateExpression:          aws.String("REMOVE #h"),
				ConditionExpression:       aws.String("#h = :old"),
				ExpressionAttributeNames:  map[string]string{"#h": schema.AttrTokenHash},
				ExpressionAttributeValues: Item{":old": &types.AttributeValueMemberS{Value: old}},
			}},
			{Delete: &types.Delete{TableName: &t.tokens, Key: tokenKey(old)}},
		}); err != nil {
			return err
		}
	}
	stale, err := t.naming(ctx, name)
	if err != nil {
		return err
	}
	return t.deleteTokens(ctx, name, stale)
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

// EventExists reports whether the event exists, reading only its key (the
// ping endpoint's role may read nothing else but TokenHash).
func (t *Tokens) EventExists(ctx context.Context, name string) (bool, error) {
	_, err := t.currentHash(ctx, name)
	if errors.Is(err, memon.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
