package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Stack keys (memon.KeyKind) live in the tokens table beside the ping
// tokens, laid out as internal/schema describes: one item per key hash
// naming "#<kind>", and for the kinds of one key per stack a slot item
// naming the current hash, which every write of the kind is conditioned
// on. Only hashes are stored; the key itself exists in clear only in what
// Issue and Rotate return.

// ErrKeyExists reports a one-per-stack kind that already has its key, when
// no rotation was asked for (the key cannot be shown again).
var ErrKeyExists = errors.New("the stack already has this key")

// Keys issues, lists, revokes and resolves stack keys.
type Keys struct {
	db     TokenAPI
	tokens string
	now    func() time.Time
}

// NewKeys returns stack keys over the tokens table.
func NewKeys(db TokenAPI, tokensTable string) *Keys {
	return &Keys{db: db, tokens: tokensTable, now: time.Now}
}

func keyName(kind memon.KeyKind) string { return schema.KeyNamePrefix + string(kind) }

// Lookup returns the key whose hash is hash, memon.ErrNotFound when there is
// none (a ping token's hash is none). One strongly consistent GetItem of the
// Name alone, found or not, so the answer takes as long either way.
func (k *Keys) Lookup(ctx context.Context, hash string) (memon.Key, error) {
	out, err := k.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &k.tokens, Key: tokenKey(hash), ConsistentRead: aws.Bool(true),
		ProjectionExpression:     aws.String("#n"),
		ExpressionAttributeNames: map[string]string{"#n": schema.TokenName},
	})
	if err != nil {
		return memon.Key{}, fmt.Errorf("look up a key in %s: %w", k.tokens, err)
	}
	v, _ := out.Item[schema.TokenName].(*types.AttributeValueMemberS)
	if v == nil {
		return memon.Key{}, memon.ErrNotFound
	}
	kind, ok := strings.CutPrefix(v.Value, schema.KeyNamePrefix)
	if !ok || memon.KeyKind(kind).Validate() != nil {
		return memon.Key{}, memon.ErrNotFound
	}
	return memon.Key{Kind: memon.KeyKind(kind), ID: memon.KeyID(hash)}, nil
}

// Issue makes a key of the kind and returns it (the only time it exists in
// clear) with what List will show of it. A one-per-stack kind that has its
// key already answers ErrKeyExists: Rotate replaces it.
func (k *Keys) Issue(ctx context.Context, kind memon.KeyKind, label string) (string, memon.Key, error) {
	return k.issue(ctx, kind, label, false)
}

// Rotate replaces the key of a one-per-stack kind (or makes the first): the
// old key stops working in the same transaction.
func (k *Keys) Rotate(ctx context.Context, kind memon.KeyKind) (string, memon.Key, error) {
	if kind.Many() {
		return "", memon.Key{}, fmt.Errorf("%s: a stack holds many, each revoked by its id, so none is rotated: %w", kind, memon.ErrInvalid)
	}
	return k.issue(ctx, kind, "", true)
}

func (k *Keys) issue(ctx context.Context, kind memon.KeyKind, label string, rotate bool) (string, memon.Key, error) {
	if err := errors.Join(kind.Validate(), memon.ValidateKeyLabel(label)); err != nil {
		return "", memon.Key{}, err
	}
	secret, err := memon.NewToken()
	if err != nil {
		return "", memon.Key{}, err
	}
	hash := memon.HashToken(secret)
	created := k.now().Truncate(time.Second)
	item := Item{
		schema.AttrTokenHash: &types.AttributeValueMemberS{Value: hash},
		schema.TokenName:     &types.AttributeValueMemberS{Value: keyName(kind)},
		schema.KeyCreated:    &types.AttributeValueMemberN{Value: strconv.FormatInt(created.Unix(), 10)},
	}
	if label != "" {
		item[schema.KeyLabel] = &types.AttributeValueMemberS{Value: label}
	}
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName: &k.tokens, Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#h)"),
		ExpressionAttributeNames: map[string]string{"#h": schema.AttrTokenHash},
	}}}
	if !kind.Many() {
		old, err := k.current(ctx, kind)
		if err != nil {
			return "", memon.Key{}, err
		}
		if old != "" && !rotate {
			return "", memon.Key{}, fmt.Errorf("%s: %w", kind, ErrKeyExists)
		}
		items = append(items, k.slotPut(kind, old, hash))
		if old != "" {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: &k.tokens, Key: tokenKey(old)}})
		}
	}
	if err := k.transact(ctx, kind, items); err != nil {
		return "", memon.Key{}, err
	}
	return secret, memon.Key{Kind: kind, ID: memon.KeyID(hash), Label: label, Created: created}, nil
}

// slotPut writes the kind's slot naming hash, on condition that it still
// names old ("" for none): two rotations at once cannot both win.
func (k *Keys) slotPut(kind memon.KeyKind, old, hash string) types.TransactWriteItem {
	names := map[string]string{"#h": schema.AttrTokenHash}
	var values Item
	cond := "attribute_not_exists(#h)"
	if old != "" {
		names = map[string]string{"#c": schema.KeyCurrent}
		cond, values = "#c = :old", Item{":old": &types.AttributeValueMemberS{Value: old}}
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &k.tokens,
		Item: Item{
			schema.AttrTokenHash: &types.AttributeValueMemberS{Value: keyName(kind)},
			schema.KeyCurrent:    &types.AttributeValueMemberS{Value: hash},
		},
		ConditionExpression: &cond, ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	}}
}

// current is the hash a one-per-stack kind's slot names ("" for none).
func (k *Keys) current(ctx context.Context, kind memon.KeyKind) (string, error) {
	out, err := k.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &k.tokens, Key: tokenKey(keyName(kind)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", fmt.Errorf("read the %s slot in %s: %w", kind, k.tokens, err)
	}
	if v, ok := out.Item[schema.KeyCurrent].(*types.AttributeValueMemberS); ok {
		return v.Value, nil
	}
	return "", nil
}

// hashes lists the hashes of the kind's keys from TokenEventIndex
// (eventually consistent: a key made a moment ago may be missing).
func (k *Keys) hashes(ctx context.Context, kind memon.KeyKind) ([]string, error) {
	hashes, err := hashesNaming(ctx, k.db, k.tokens, keyName(kind))
	if err != nil {
		return nil, fmt.Errorf("list the %ss in %s: %w", kind, k.tokens, err)
	}
	return hashes, nil
}

// List returns the kind's keys, oldest first: ids, labels and creation
// times, never a key.
func (k *Keys) List(ctx context.Context, kind memon.KeyKind) ([]memon.Key, error) {
	if err := kind.Validate(); err != nil {
		return nil, err
	}
	hashes, err := k.hashes(ctx, kind)
	if err != nil {
		return nil, err
	}
	keys := make([]memon.Key, 0, len(hashes))
	for _, h := range hashes {
		out, err := k.db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: &k.tokens, Key: tokenKey(h), ConsistentRead: aws.Bool(true),
			ProjectionExpression: aws.String("#n, #l, #c"),
			ExpressionAttributeNames: map[string]string{
				"#n": schema.TokenName, "#l": schema.KeyLabel, "#c": schema.KeyCreated},
		})
		if err != nil {
			return nil, fmt.Errorf("read a %s in %s: %w", kind, k.tokens, err)
		}
		if n, _ := out.Item[schema.TokenName].(*types.AttributeValueMemberS); n == nil || n.Value != keyName(kind) {
			continue // revoked since the index was read
		}
		key := memon.Key{Kind: kind, ID: memon.KeyID(h)}
		if v, ok := out.Item[schema.KeyLabel].(*types.AttributeValueMemberS); ok {
			key.Label = v.Value
		}
		if v, ok := out.Item[schema.KeyCreated].(*types.AttributeValueMemberN); ok {
			if s, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
				key.Created = time.Unix(s, 0).UTC()
			}
		}
		keys = append(keys, key)
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Created.Before(keys[j].Created) })
	return keys, nil
}

// Revoke ends the kind's key with the id: it stops working at once.
// memon.ErrNotFound when the kind has no key with that id.
func (k *Keys) Revoke(ctx context.Context, kind memon.KeyKind, id string) error {
	if err := kind.Validate(); err != nil {
		return err
	}
	hashes, err := k.hashes(ctx, kind)
	if err != nil {
		return err
	}
	var hash string
	for _, h := range hashes {
		if id != "" && memon.KeyID(h) == id {
			hash = h
		}
	}
	if hash == "" {
		return fmt.Errorf("%s %q: %w", kind, id, memon.ErrNotFound)
	}
	items := []types.TransactWriteItem{{Delete: &types.Delete{
		TableName: &k.tokens, Key: tokenKey(hash),
		ConditionExpression:       aws.String("#n = :n"),
		ExpressionAttributeNames:  map[string]string{"#n": schema.TokenName},
		ExpressionAttributeValues: Item{":n": &types.AttributeValueMemberS{Value: keyName(kind)}},
	}}}
	if !kind.Many() {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &k.tokens, Key: tokenKey(keyName(kind)),
			ConditionExpression:       aws.String("#c = :h"),
			ExpressionAttributeNames:  map[string]string{"#c": schema.KeyCurrent},
			ExpressionAttributeValues: Item{":h": &types.AttributeValueMemberS{Value: hash}},
		}})
	}
	return k.transact(ctx, kind, items)
}

func (k *Keys) transact(ctx context.Context, kind memon.KeyKind, items []types.TransactWriteItem) error {
	_, err := k.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return fmt.Errorf("the %s changed meanwhile (run the command again): %w", kind, memon.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("write the %s to %s: %w", kind, k.tokens, err)
	}
	return nil
}
