// Package dynamo is MEMon's DynamoDB adapter: events (with their stored
// state and outbox) in the events table, transitions in the history table.
// It speaks in memon terms and knows nothing of SQS or SNS.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// API is the part of the DynamoDB client the store uses, with the SDK's
// exact signatures so *dynamodb.Client fits and tests can fake it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Store reads and writes events and history.
type Store struct {
	db      API
	table   string
	history string

	// What the reads ask for (a Reader's); zero: whole items.
	eventAttrs, historyAttrs projection
}

// New returns a store over the events and history tables.
func New(db API, table, history string) *Store {
	return &Store{db: db, table: table, history: history}
}

func key(name string) Item {
	return Item{schema.AttrName: &types.AttributeValueMemberS{Value: name}}
}

// Get reads an event with a strongly consistent read. A missing item is
// memon.ErrNotFound; an unusable one returns the event as far as it could be
// read and an error wrapping memon.ErrInvalid.
func (s *Store) Get(ctx context.Context, name string) (*memon.Event, error) {
	in := &dynamodb.GetItemInput{TableName: &s.table, Key: key(name), ConsistentRead: aws.Bool(true)}
	s.eventAttrs.apply(&in.ProjectionExpression, &in.ExpressionAttributeNames, nil)
	out, err := s.db.GetItem(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("get event %q: %w", name, err)
	}
	if len(out.Item) == 0 {
		return nil, fmt.Errorf("event %q: %w", name, memon.ErrNotFound)
	}
	return decodeEvent(out.Item)
}

// Save writes everything MEMon owns on the event, conditional on the version
// it was read at; on success ev.Version is the new version. A lost race is
// memon.ErrConflict.
func (s *Store) Save(ctx context.Context, ev *memon.Event) error {
	cond := "attribute_exists(#k) AND #v = :v"
	if ev.Version == 0 {
		cond = "attribute_exists(#k) AND attribute_not_exists(#v)"
	}
	return s.write(ctx, ev, cond, memon.ErrConflict)
}

// Create writes a new event; memon.ErrExists when the name is taken.
func (s *Store) Create(ctx context.Context, ev *memon.Event) error {
	ev.Version = 0
	return s.write(ctx, ev, "attribute_not_exists(#k)", memon.ErrExists)
}

func (s *Store) write(ctx context.Context, ev *memon.Event, cond string, lost error) error {
	set, remove := encodeEvent(ev)
	names := map[string]string{"#k": schema.AttrName, "#v": schema.AttrVersion}
	values := Item{":one": numAV(1)}
	if ev.Version != 0 {
		values[":v"] = numAV(float64(ev.Version))
	}
	var sets, rems []string
	attrs := make([]string, 0, len(set))
	for a := range set {
		attrs = append(attrs, a)
	}
	sort.Strings(attrs) // stable expressions: easier to read in logs and tests
	for i, a := range attrs {
		n, v := "#a"+strconv.Itoa(i), ":a"+strconv.Itoa(i)
		names[n], values[v] = a, set[a]
		sets = append(sets, n+" = "+v)
	}
	for i, a := range remove {
		n := "#r" + strconv.Itoa(i)
		names[n] = a
		rems = append(rems, n)
	}
	expr := "SET " + strings.Join(sets, ", ") + ", #v = if_not_exists(#v, :zero) + :one"
	values[":zero"] = numAV(0)
	if len(rems) > 0 {
		expr += " REMOVE " + strings.Join(rems, ", ")
	}
	update := &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       key(ev.Name),
		UpdateExpression:          &expr,
		ConditionExpression:       &cond,
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}
	var err error
	if len(ev.ClosedDays) > 0 {
		err = s.writeWithDays(ctx, ev, update)
	} else {
		_, err = s.db.UpdateItem(ctx, update)
	}
	if isConditionFailed(err) {
		return fmt.Errorf("save event %q: %w", ev.Name, lost)
	}
	if err != nil {
		return fmt.Errorf("save event %q: %w", ev.Name, err)
	}
	ev.Version++
	ev.ClosedDays = nil
	return nil
}

// Delete removes an event; memon.ErrNotFound when there is none.
func (s *Store) Delete(ctx context.Context, name string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: key(name),
		ConditionExpression:      aws.String("attribute_exists(#k)"),
		ExpressionAttributeNames: map[string]string{"#k": schema.AttrName},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("delete event %q: %w", name, memon.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete event %q: %w", name, err)
	}
	return nil
}

// List reads every event (a scan: for memon-config and the hourly
// reconcile, never for a regular poll).
func (s *Store) List(ctx context.Context) ([]memon.Listed, error) {
	var out []memon.Listed
	in := &dynamodb.ScanInput{TableName: &s.table, ConsistentRead: aws.Bool(true)}
	s.eventAttrs.apply(&in.ProjectionExpression, &in.ExpressionAttributeNames, &in.Select)
	p := dynamodb.NewScanPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", s.table, err)
		}
		for _, item := range page.Items {
			ev, err := decodeEvent(item)
			out = append(out, memon.Listed{Event: ev, Err: err})
		}
	}
	return out, nil
}

// Deadlines reads every event's deadline with a consistent scan, one page
// (1 MB) at a time, so memory holds one page and not the table: the
// poller's rebuild of its deadline table. An unusable item is marked so.
func (s *Store) Deadlines(ctx context.Context, each func(memon.Deadline)) error {
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: &s.table, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("scan %s for deadlines: %w", s.table, err)
		}
		for _, item := range page.Items {
			ev, err := decodeEvent(item)
			if ev.Name == "" {
				continue
			}
			d := memon.Deadline{Name: ev.Name, Version: ev.Version, Unusable: err != nil}
			if err == nil {
				d.AlertAt, d.Schedule = ev.AlertAt(), ev.Schedule.String()
			}
			each(d)
		}
	}
	return nil
}
