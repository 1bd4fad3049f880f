package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// StreamAPI is the part of the DynamoDB Streams client the change reader
// uses, with the SDK's exact signatures.
type StreamAPI interface {
	DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// TableAPI finds the table's stream (once per process).
type TableAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

var (
	_ StreamAPI = (*dynamodbstreams.Client)(nil)
	_ TableAPI  = (*dynamodb.Client)(nil)
)

// maxReadsPerShard bounds one poll's GetRecords calls on one shard (each
// returns up to 1,000 records); the rest is read by the next poll.
const maxReadsPerShard = 50

// shardDone marks, in a checkpoint, a closed shard read to its end.
const shardDone = "end"

// Stream reads the events table's change stream (NEW_AND_OLD_IMAGES): every
// write by every writer, in order per item, kept 24 hours by DynamoDB.
type Stream struct {
	tables  TableAPI
	streams StreamAPI
	table   string
	arn     string // found on first use
}

// NewStream returns a change reader for the events table.
func NewStream(tables TableAPI, streams StreamAPI, table string) *Stream {
	return &Stream{tables: tables, streams: streams, table: table}
}

// checkpoint is how far each shard has been read: the last sequence number
// seen, or shardDone. Shards that are ancestors of a recorded shard were
// read before it and are not kept, so the checkpoint stays small.
type checkpoint struct {
	Stream string            `json:"stream"`
	Shards map[string]string `json:"shards"`
}

// Changed reads the stream from a checkpoint (empty: from the oldest record
// kept) and returns every event written since, once each (its latest write),
// and the checkpoint after everything read. A write MEMon's own code made
// is marked Own; anything else (the console, put-item, memon.py, a script,
// an item no longer usable) needs a poller's judgement now. When the stream
// cannot account for every write since the checkpoint (the checkpoint is
// older than the stream keeps, the stream was disabled and enabled again, a
// shard read from is gone), the error wraps memon.ErrStreamGap and the
// changes and checkpoint returned are still good.
func (s *Stream) Changed(ctx context.Context, from string) ([]memon.Change, string, error) {
	if s.arn == "" {
		out, err := s.tables.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &s.table})
		if err != nil {
			return nil, from, fmt.Errorf("find the stream of table %s: %w", s.table, err)
		}
		if out.Table == nil || aws.ToString(out.Table.LatestStreamArn) == "" {
			return nil, from, fmt.Errorf("table %s: %w: deploy the stack again (it enables NEW_AND_OLD_IMAGES)", s.table, memon.ErrNoStream)
		}
		s.arn = aws.ToString(out.Table.LatestStreamArn)
	}
	cp := checkpoint{Shards: map[string]string{}}
	if from != "" {
		if err := json.Unmarshal([]byte(from), &cp); err != nil || cp.Shards == nil {
			cp = checkpoint{Shards: map[string]string{}} // unreadable: start over, reading is idempotent
		}
	}
	gap := from != "" && cp.Stream != s.arn // a new stream (re-enabled): its own positions
	if cp.Stream != s.arn {
		cp = checkpoint{Stream: s.arn, Shards: map[string]string{}}
	}
	shards, enabled, err := s.shards(ctx)
	if err != nil {
		return nil, from, err
	}
	if !enabled {
		// Disabled: no write reaches this stream any more. Look for the
		// table's current one next poll; this one is still read to its end.
		s.arn = ""
	}
	parent := map[string]string{}
	for _, sh := range shards {
		parent[aws.ToString(sh.ShardId)] = aws.ToString(sh.ParentShardId)
	}
	for id, pos := range cp.Shards {
		if _, kept := parent[id]; !kept && pos != shardDone {
			gap = true // a shard read part way has expired: its later records are gone
		}
	}
	var log memon.ChangeLog
	next := map[string]string{}
	for _, sh := range order(shards, parent, cp.Shards) {
		pos, trimmed, err := s.readShard(ctx, sh, cp.Shards[sh], func(r stypes.Record) {
			if ch, ok := change(r); ok {
				log.Add(ch)
			}
		})
		if err != nil {
			return nil, from, err
		}
		gap = gap || trimmed
		if pos != "" {
			next[sh] = pos
		}
	}
	// Keep only the frontier: a shard whose child is recorded was read
	// before it (order), so it need not be.
	for id := range next {
		if p := parent[id]; p != "" {
			delete(next, p)
		}
	}
	b, err := json.Marshal(checkpoint{Stream: cp.Stream, Shards: next})
	if err != nil {
		return nil, from, fmt.Errorf("encode stream checkpoint: %w", err)
	}
	if gap {
		return log.Changes(), string(b), fmt.Errorf("table %s: %w", s.table, memon.ErrStreamGap)
	}
	return log.Changes(), string(b), nil
}

// shards lists the stream's shards and reports whether it is still
// enabled (a disabled stream is readable for 24 hours, but gets no write).
func (s *Stream) shards(ctx context.Context) ([]stypes.Shard, bool, error) {
	var out []stypes.Shard
	enabled := true
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: &s.arn}
	for {
		page, err := s.streams.DescribeStream(ctx, in)
		if err != nil {
			return nil, false, fmt.Errorf("describe stream of %s: %w", s.table, err)
		}
		if page.StreamDescription == nil {
			return out, enabled, nil
		}
		switch page.StreamDescription.StreamStatus {
		case stypes.StreamStatusDisabled, stypes.StreamStatusDisabling:
			enabled = false
		}
		out = append(out, page.StreamDescription.Shards...)
		if page.StreamDescription.LastEvaluatedShardId == nil {
			return out, enabled, nil
		}
		in.ExclusiveStartShardId = page.StreamDescription.LastEvaluatedShardId
	}
}

// order returns the shards to read, parents before children (parent maps a
// shard id to its parent's). A shard that is not in the checkpoint but is
// an ancestor of one that is was read before: it is skipped.
func order(shards []stypes.Shard, parent, known map[string]string) []string {
	readBefore := map[string]bool{}
	for id := range known {
		for p := parent[id]; p != "" && !readBefore[p]; p = parent[p] {
			readBefore[p] = true
		}
	}
	depth := func(id string) int {
		d := 0
		for p := parent[id]; p != ""; p = parent[p] {
			d++
		}
		return d
	}
	var ids []string
	for _, sh := range shards {
		id := aws.ToString(sh.ShardId)
		if readBefore[id] && known[id] == "" {
			continue
		}
		ids = append(ids, id)
	}
	// Stable by depth: a parent is always shallower than its child.
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && depth(ids[j]) < depth(ids[j-1]); j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids
}

// readShard reads one shard after pos (a sequence number; empty: from its
// oldest record) and returns the new position: the last sequence number
// read, shardDone for a closed shard read to its end, or pos unchanged. It
// reports trimmed when pos was older than the shard keeps (records lost).
func (s *Stream) readShard(ctx context.Context, shard, pos string, each func(stypes.Record)) (string, bool, error) {
	if pos == shardDone {
		return pos, false, nil
	}
	it, trimmed, err := s.iterator(ctx, shard, pos)
	if err != nil {
		return pos, trimmed, err
	}
	for range maxReadsPerShard {
		out, err := s.streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it})
		if err != nil {
			return pos, trimmed, fmt.Errorf("read stream shard %s of %s: %w", shard, s.table, err)
		}
		for _, r := range out.Records {
			each(r)
			if r.Dynamodb != nil && r.Dynamodb.SequenceNumber != nil {
				pos = *r.Dynamodb.SequenceNumber
			}
		}
		if out.NextShardIterator == nil {
			return shardDone, trimmed, nil
		}
		if len(out.Records) == 0 {
			return pos, trimmed, nil // caught up with an open shard
		}
		it = out.NextShardIterator
	}
	return pos, trimmed, nil
}

func (s *Stream) iterator(ctx context.Context, shard, pos string) (*string, bool, error) {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &s.arn, ShardId: &shard, ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon}
	if pos != "" {
		in.ShardIteratorType, in.SequenceNumber = stypes.ShardIteratorTypeAfterSequenceNumber, &pos
	}
	out, err := s.streams.GetShardIterator(ctx, in)
	var trimmed *stypes.TrimmedDataAccessException
	lost := errors.As(err, &trimmed) && pos != ""
	if lost {
		// The position is older than the stream keeps (24 h): read what is left.
		in.ShardIteratorType, in.SequenceNumber = stypes.ShardIteratorTypeTrimHorizon, nil
		out, err = s.streams.GetShardIterator(ctx, in)
	}
	if err != nil {
		return nil, lost, fmt.Errorf("open stream shard %s of %s: %w", shard, s.table, err)
	}
	return out.ShardIterator, lost, nil
}

// change reads a stream record as a Change. Every write of MEMon's own code
// bumps Version and leaves the item in sync with its state (Own); other
// writers (the console, put-item, memon.py, a script) leave Version as it
// was, or write items that are unusable or out of sync.
func change(r stypes.Record) (memon.Change, bool) {
	if r.Dynamodb == nil {
		return memon.Change{}, false
	}
	if r.EventName == stypes.OperationTypeRemove {
		old := fromStream(r.Dynamodb.OldImage)
		if k, ok := old[schema.AttrName].(*types.AttributeValueMemberS); ok && k.Value != "" {
			rd := &reader{item: old}
			return memon.Change{Name: k.Value, Own: true, Deleted: true, Version: rd.integer(schema.AttrVersion)}, true
		}
		return memon.Change{}, false
	}
	if r.Dynamodb.NewImage == nil {
		return memon.Change{}, false
	}
	item := fromStream(r.Dynamodb.NewImage)
	ev, err := decodeEvent(item)
	ch := memon.Change{}
	if k, ok := item[schema.AttrName].(*types.AttributeValueMemberS); ok {
		ch.Name = k.Value
	}
	if ch.Name == "" || len(item) == 1 {
		// Only the key: nothing to judge yet (moto records an UpdateItem
		// that creates an item as a key-only insert, then the full one).
		return memon.Change{}, false
	}
	if err != nil {
		return ch, true // unusable: the poller reports it (CONFIG)
	}
	ch.Version, ch.AlertAt = ev.Version, ev.AlertAt()
	var old *memon.Event
	if r.Dynamodb.OldImage != nil {
		var oerr error
		if old, oerr = decodeEvent(fromStream(r.Dynamodb.OldImage)); oerr != nil {
			old = nil
		}
		ch.ScheduleEdited = old == nil || scheduleOf(old.Schedule) != scheduleOf(ev.Schedule)
	}
	versionKept := (old == nil && ev.Version == 0) || (old != nil && old.Version == ev.Version)
	ch.Own = !versionKept && inSync(item, ev)
	return ch, true
}

// scheduleOf is what makes two schedules the same, compared by value (a
// period typed as a string in the console equals the same number).
func scheduleOf(s memon.Schedule) [4]string {
	return [4]string{string(s.Kind), s.Period.String(), s.Expr, s.TimeZone}
}

// fromStream converts a stream image to a table item: the two SDK packages
// declare the same attribute value types separately.
func fromStream(in map[string]stypes.AttributeValue) Item {
	out := make(Item, len(in))
	for k, v := range in {
		out[k] = fromStreamValue(v)
	}
	return out
}

func fromStreamValue(v stypes.AttributeValue) types.AttributeValue {
	switch v := v.(type) {
	case *stypes.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: v.Value}
	case *stypes.AttributeValueMemberN:
		return &types.AttributeValueMemberN{Value: v.Value}
	case *stypes.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: v.Value}
	case *stypes.AttributeValueMemberNULL:
		return &types.AttributeValueMemberNULL{Value: v.Value}
	case *stypes.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: v.Value}
	case *stypes.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: v.Value}
	case *stypes.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: v.Value}
	case *stypes.AttributeValueMemberBS:
		return &types.AttributeValueMemberBS{Value: v.Value}
	case *stypes.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: fromStream(v.Value)}
	case *stypes.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(v.Value))
		for i, e := range v.Value {
			l[i] = fromStreamValue(e)
		}
		return &types.AttributeValueMemberL{Value: l}
	default:
		return &types.AttributeValueMemberNULL{Value: true}
	}
}
