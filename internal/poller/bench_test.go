package poller

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// The benchmarks count what a poll asks of AWS — requests per service and
// items read — through wrappers around the real SDK clients talking to moto.
// Those counts, not moto's speed, are what the cost model in `make bench`
// multiplies by AWS prices. Run: make bench.

type counts struct {
	mu        sync.Mutex
	calls     map[string]int
	itemsRead int
	// Write and read units as DynamoDB bills them, on the events table.
	itemWRU, indexWRU int
	scanRRU           float64
}

func newCounts() *counts { return &counts{calls: map[string]int{}} }

func (c *counts) add(op string, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[op]++
	c.itemsRead += items
}

func (c *counts) addUnits(itemWRU, indexWRU int, scanRRU float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.itemWRU += itemWRU
	c.indexWRU += indexWRU
	c.scanRRU += scanRRU
}

func (c *counts) snapshot() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		m[k] = v
	}
	return m, c.itemsRead
}

func (c *counts) units() (itemWRU, indexWRU int, scanRRU float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.itemWRU, c.indexWRU, c.scanRRU
}

func (c *counts) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls, c.itemsRead, c.itemWRU, c.indexWRU, c.scanRRU = map[string]int{}, 0, 0, 0, 0
}

type countingDB struct {
	dynamo.API
	c *counts
	// indexes are the events table's global secondary indexes as the table
	// really has them (DescribeTable), by name: their key attributes.
	indexes map[string][]string
}

// tableIndexes reads the key attributes of table's global secondary indexes.
func tableIndexes(ctx context.Context, db *dynamodb.Client, table string) (map[string][]string, error) {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	idx := map[string][]string{}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		for _, k := range g.KeySchema {
			idx[aws.ToString(g.IndexName)] = append(idx[aws.ToString(g.IndexName)], aws.ToString(k.AttributeName))
		}
	}
	return idx, nil
}

func (d countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := d.API.GetItem(ctx, in, o...)
	n := 0
	if err == nil && len(out.Item) > 0 {
		n = 1
	}
	d.c.add("ddb.GetItem", n)
	return out, err
}

// UpdateItem on the events table counts the write units DynamoDB bills for
// it: the item's (1 per KB of the larger of its images) and, for every
// global secondary index whose key attribute the write sets or removes, the
// index's: 1 to add or drop the item's entry, 2 to rewrite it (a delete and
// a put; a keys-only entry is under 1 KB). The images are read around the
// write, uncounted.
func (d countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if strings.HasSuffix(aws.ToString(in.TableName), "-history") {
		d.c.add("ddb.UpdateItem.lease", 0) // the poll lease: counted per poll, not per ping
		return d.API.UpdateItem(ctx, in, o...)
	}
	d.c.add("ddb.UpdateItem", 0)
	image := func() dynamo.Item {
		out, err := d.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: in.TableName, Key: in.Key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil
		}
		return out.Item
	}
	before := image()
	out, err := d.API.UpdateItem(ctx, in, o...)
	if err != nil {
		return out, err
	}
	after := image()
	named := map[string]bool{}
	for _, a := range in.ExpressionAttributeNames {
		named[a] = true
	}
	index := 0
	for _, keys := range d.indexes {
		touched, was, is := false, true, true
		for _, k := range keys {
			touched = touched || named[k]
			was = was && before[k] != nil
			is = is && after[k] != nil
		}
		switch {
		case !touched || (!was && !is):
		case was && is:
			index += 2 // rewritten: a delete and a put (counted even when the key kept its value)
		default:
			index++
		}
	}
	d.c.addUnits(int(math.Ceil(float64(max(itemSize(before), itemSize(after)))/1024)), index, 0)
	return out, err
}

func (d countingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	d.c.add("ddb.PutItem", 0)
	return d.API.PutItem(ctx, in, o...)
}

func (d countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := d.API.Query(ctx, in, o...)
	n := 0
	if err == nil {
		n = int(out.ScannedCount)
	}
	d.c.add("ddb.Query", n)
	return out, err
}

// Scan counts the read units of a consistent scan: 1 per 4 KB of the items
// a page returns.
func (d countingDB) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	out, err := d.API.Scan(ctx, in, o...)
	n := 0
	if err == nil {
		n = int(out.ScannedCount)
		size := 0
		for _, item := range out.Items {
			size += itemSize(item)
		}
		d.c.addUnits(0, 0, math.Ceil(float64(size)/4096))
	}
	d.c.add("ddb.Scan", n)
	return out, err
}

type countingStreams struct {
	dynamo.StreamAPI
	c *counts
}

func (st countingStreams) DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, o ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	st.c.add("streams.DescribeStream", 0)
	return st.StreamAPI.DescribeStream(ctx, in, o...)
}

func (st countingStreams) GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, o ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	st.c.add("streams.GetShardIterator", 0)
	return st.StreamAPI.GetShardIterator(ctx, in, o...)
}

func (st countingStreams) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, o ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	st.c.add("streams.GetRecords", 0)
	return st.StreamAPI.GetRecords(ctx, in, o...)
}

type countingSQS struct {
	queue.ReceiveAPI
	c *counts
}

func (q countingSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	q.c.add("sqs.ReceiveMessage", 0)
	return q.ReceiveAPI.ReceiveMessage(ctx, in, o...)
}

func (q countingSQS) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, o ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	q.c.add("sqs.DeleteMessageBatch", 0)
	return q.ReceiveAPI.DeleteMessageBatch(ctx, in, o...)
}

type countingSNS struct {
	notify.PublishAPI
	c *counts
}

func (p countingSNS) Publish(ctx context.Context, in *sns.PublishInput, o ...func(*sns.Options)) (*sns.PublishOutput, error) {
	p.c.add("sns.Publish", 0)
	return p.PublishAPI.Publish(ctx, in, o...)
}

// newBenchHarness is a harness whose counted pollers count every AWS call,
// on a moto emptied first (moto's queues slow down with what they hold).
func newBenchHarness(b *testing.B) *harness {
	b.Helper()
	mototest.Need(b, srv)
	if err := srv.Reset(); err != nil {
		b.Fatal(err)
	}
	h := newHarness(b)
	h.c = newCounts()
	return h
}

func (e *harness) countedPoller(cfg Config) *Poller { return e.countedPollerOn(e.sqs, cfg) }

func (e *harness) countedPollerOn(sqsAPI queue.ReceiveAPI, cfg Config) *Poller {
	cfgAWS := srv.Config(e.ctx)
	q := queue.NewReceiver(countingSQS{sqsAPI, e.c}, e.res.QueueURL, time.Second)
	indexes, err := tableIndexes(e.ctx, e.db, e.res.Table)
	if err != nil {
		e.t.Fatal(err)
	}
	store := dynamo.New(countingDB{e.db, e.c, indexes}, e.res.Table, e.res.HistoryTable)
	pub := notify.New(countingSNS{sns.NewFromConfig(cfgAWS), e.c}, e.res.TopicARN)
	cfg.ReconcileEvery = -1
	// Wired as in production: the lease and the change stream, counted.
	changes := dynamo.NewStream(e.db, countingStreams{dynamodbstreams.NewFromConfig(cfgAWS), e.c}, e.res.Table)
	return New(q, store, pub, cfg, time.Now, slog.New(slog.NewJSONHandler(io.Discard, nil))).UseLease(store).WatchChanges(changes)
}

// warm runs a first poll before counting: it reads the change stream from
// its start (the seeding), which in production happens once.
func (e *harness) warm(p *Poller) {
	if _, err := p.Poll(e.ctx); err != nil {
		e.t.Fatalf("first poll: %v", err)
	}
}

// seed writes n up hourly events, as MEMon writes them, whose next check is an hour away,
// 25 to a BatchWriteItem.
func (e *harness) seed(n int) {
	e.t.Helper()
	now := time.Now()
	num := func(f float64) dtypes.AttributeValue {
		return &dtypes.AttributeValueMemberN{Value: strconv.FormatFloat(f, 'f', -1, 64)}
	}
	str := func(s string) dtypes.AttributeValue { return &dtypes.AttributeValueMemberS{Value: s} }
	for start := 0; start < n; start += 25 {
		var reqs []dtypes.WriteRequest
		for i := start; i < min(start+25, n); i++ {
			// Last runs 1 to 31 minutes ago: older than any queued ping, next
			// checks 29 to 59 minutes away.
			last := now.Add(-time.Minute - time.Duration(i%1800)*time.Second)
			reqs = append(reqs, dtypes.WriteRequest{PutRequest: &dtypes.PutRequest{Item: map[string]dtypes.AttributeValue{
				schema.AttrName: str(fmt.Sprintf("job-%05d", i)), schema.AttrType: str("rolling"), schema.AttrPeriod: num(3600),
				schema.AttrEnabled: num(1), schema.AttrState: str("up"), schema.AttrErrorCount: num(0),
				schema.AttrDescription:   str("hourly job " + strconv.Itoa(i)),
				schema.AttrLastBlockTime: num(float64(last.Unix())), schema.AttrLastSuccessTime: num(float64(last.Unix())),
				schema.AttrNextBlockTime: num(float64(last.Add(time.Hour).Unix())),
				schema.AttrVersion:       num(1),
			}}})
		}
		if _, err := e.db.BatchWriteItem(e.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]dtypes.WriteRequest{e.res.Table: reqs}}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// enqueue sends one success ping for each name, ten to a SendMessageBatch.
func (e *harness) enqueue(names []string) {
	e.t.Helper()
	for start := 0; start < len(names); start += 10 {
		var entries []qtypes.SendMessageBatchRequestEntry
		for i, name := range names[start:min(start+10, len(names))] {
			entries = append(entries, qtypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)),
				MessageBody: aws.String(fmt.Sprintf(`{"name":%q,"time":%d}`, name, time.Now().Unix()))})
		}
		if _, err := e.sqs.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &e.res.QueueURL, Entries: entries}); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *harness) report(b *testing.B, polls, pings int) {
	calls, items := e.c.snapshot()
	sqsCalls := calls["sqs.ReceiveMessage"] + calls["sqs.DeleteMessageBatch"]
	ddbCalls := calls["ddb.GetItem"] + calls["ddb.UpdateItem"] + calls["ddb.UpdateItem.lease"] + calls["ddb.PutItem"] + calls["ddb.Query"] + calls["ddb.Scan"]
	streamCalls := calls["streams.DescribeStream"] + calls["streams.GetShardIterator"] + calls["streams.GetRecords"]
	per := float64(polls)
	b.ReportMetric(float64(items)/per, "items-read/poll")
	b.ReportMetric(float64(sqsCalls+ddbCalls+streamCalls+calls["sns.Publish"])/per, "api-calls/poll")
	b.ReportMetric(float64(calls["streams.GetRecords"])/per, "stream-reads/poll")
	b.ReportMetric(float64(streamCalls)/per, "stream-calls/poll")
	b.ReportMetric(float64(calls["ddb.UpdateItem.lease"])/per, "lease-writes/poll")
	b.ReportMetric(float64(calls["sqs.ReceiveMessage"])/per, "sqs-receives/poll")
	b.ReportMetric(float64(calls["ddb.Query"])/per, "ddb-queries/poll")
	if pings > 0 {
		p := float64(pings)
		b.ReportMetric(p/per, "pings/poll")
		b.ReportMetric(float64(sqsCalls)/p, "sqs-requests/ping")
		b.ReportMetric(float64(calls["ddb.UpdateItem"])/p, "ddb-writes/ping")
		b.ReportMetric(float64(calls["ddb.GetItem"])/p, "ddb-reads/ping")
		itemWRU, indexWRU, _ := e.c.units()
		b.ReportMetric(float64(itemWRU+indexWRU)/p, "wru/ping")
		b.ReportMetric(float64(indexWRU)/p, "index-wru/ping")
	}
	b.ReportMetric(0, "ns/op") // wall time against moto says nothing about AWS
}

// BenchmarkPollNothingDue: what an idle poll costs as the table grows. It
// must not grow with the number of events (no scan, sparse due index).
func BenchmarkPollNothingDue(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("events=%d", n), func(b *testing.B) {
			e := newBenchHarness(b)
			e.seed(n)
			p := e.countedPoller(Config{})
			e.warm(p)
			e.c.reset()
			polls := 0
			for b.Loop() {
				sum, err := p.Poll(e.ctx)
				if err != nil || sum.Due != 0 {
					b.Fatalf("idle poll: due %d err %v", sum.Due, err)
				}
				polls++
			}
			e.report(b, polls, 0)
		})
	}
}

// BenchmarkDrainBacklog: a backlog of queued pings (ten per event), drained
// by one poll with no time limit. moto's SQS does work proportional to the
// queue's length on every call (0.56 s per receive+delete at 1,000 queued
// messages, 2.6 s at 4,000), so a 10,000-message backlog cannot be drained
// through it in reasonable time: sqs=moto runs a 1,000-ping backlog through
// moto, sqs=memory runs 10,000 through an in-memory queue with SQS's
// semantics (batches of ten, visibility, SentTimestamp). DynamoDB and SNS are
// moto in both. The per-ping request counts are the poller's, the same in
// both.
func BenchmarkDrainBacklog(b *testing.B) {
	for _, tc := range []struct {
		name   string
		pings  int
		memory bool
	}{{"sqs=moto/pings=1000", 1000, false}, {fmt.Sprintf("sqs=memory/pings=%d", benchPings()), benchPings(), true}} {
		b.Run(tc.name, func(b *testing.B) {
			const events = 1000
			b.StopTimer() // only the poll is timed
			for range b.N {
				e := newBenchHarness(b)
				e.seed(events)
				names := make([]string, tc.pings)
				for i := range names {
					names[i] = fmt.Sprintf("job-%05d", i%events)
				}
				var api queue.ReceiveAPI = e.sqs
				if tc.memory {
					mem := newMemQueue()
					mem.enqueue(names)
					api = mem
				} else {
					e.enqueue(names)
				}
				p := e.countedPollerOn(api, Config{Budget: 30 * time.Minute})
				e.c.reset()
				t0 := time.Now()
				b.StartTimer()
				sum, err := p.Poll(e.ctx)
				b.StopTimer()
				if err != nil || sum.Pings-sum.Stale != tc.pings || !sum.Drained {
					b.Fatalf("drain: %d distinct pings (%d stale) drained %v err %v, want %d true nil", sum.Pings-sum.Stale, sum.Stale, sum.Drained, err, tc.pings)
				}
				b.Logf("drained %d pings in one poll in %s (moto's speed, not AWS's)", sum.Pings, time.Since(t0).Round(time.Millisecond))
				e.report(b, 1, sum.Pings)
			}
		})
	}
}

// memQueue is an in-memory SQS queue for the backlog benchmark: receives
// return up to ten visible messages and hide them for the visibility
// timeout, deletes remove by receipt handle.
type memQueue struct {
	mu       sync.Mutex
	msgs     []*memMsg
	byHandle map[string]*memMsg
	seq      int
}

type memMsg struct {
	id, body, handle string
	sent             time.Time
	hiddenUntil      time.Time
	receives         int
	deleted          bool
}

func newMemQueue() *memQueue { return &memQueue{byHandle: map[string]*memMsg{}} }

func (q *memQueue) enqueue(names []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	start := time.Now().Add(-time.Duration(len(names)) * time.Millisecond)
	for i, name := range names {
		q.seq++
		// One millisecond apart: pings of one event sharing a SentTimestamp
		// would be taken for redeliveries.
		q.msgs = append(q.msgs, &memMsg{id: strconv.Itoa(q.seq), sent: start.Add(time.Duration(i) * time.Millisecond),
			body: fmt.Sprintf(`{"name":%q,"time":%d}`, name, time.Now().Unix())})
	}
}

func (q *memQueue) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	out := &sqs.ReceiveMessageOutput{}
	for len(q.msgs) > 0 && q.msgs[0].deleted {
		q.msgs = q.msgs[1:]
	}
	for _, m := range q.msgs {
		if len(out.Messages) == int(in.MaxNumberOfMessages) {
			break
		}
		if m.deleted || now.Before(m.hiddenUntil) {
			continue
		}
		q.seq++
		m.receives++
		m.hiddenUntil = now.Add(110 * time.Second)
		m.handle = "h" + strconv.Itoa(q.seq)
		q.byHandle[m.handle] = m
		out.Messages = append(out.Messages, qtypes.Message{MessageId: aws.String(m.id), ReceiptHandle: aws.String(m.handle), Body: aws.String(m.body),
			Attributes: map[string]string{"SentTimestamp": strconv.FormatInt(m.sent.UnixMilli(), 10), "ApproximateReceiveCount": strconv.Itoa(m.receives)}})
	}
	return out, nil
}

func (q *memQueue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		if m, ok := q.byHandle[aws.ToString(e.ReceiptHandle)]; ok {
			m.deleted = true
			delete(q.byHandle, aws.ToString(e.ReceiptHandle))
		}
		out.Successful = append(out.Successful, qtypes.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// BenchmarkSteadyHourlyJobs: the cost model's workload. 1,000 hourly jobs
// send 720,000 pings in 30 days over 43,200 polls: about 17 pings, for 17
// different events, per poll.
func BenchmarkSteadyHourlyJobs(b *testing.B) {
	const events, perPoll = 1000, 17
	e := newBenchHarness(b)
	e.seed(events)
	p := e.countedPoller(Config{})
	e.warm(p)
	e.c.reset()
	polls, pings, applied := 0, 0, 0
	var polling time.Duration
	for b.Loop() {
		b.StopTimer()
		names := make([]string, perPoll)
		for i := range names {
			names[i] = fmt.Sprintf("job-%05d", (polls*perPoll+i)%events)
		}
		e.enqueue(names)
		b.StartTimer()
		t0 := time.Now()
		sum, err := p.Poll(e.ctx)
		polling += time.Since(t0)
		if err != nil {
			b.Fatalf("poll: %v", err)
		}
		polls++
		pings += sum.Pings
		applied += sum.Pings - sum.Stale // SQS may deliver a message twice
	}
	if applied != polls*perPoll {
		b.Fatalf("applied %d distinct pings over %d polls, sent %d", applied, polls, polls*perPoll)
	}
	e.report(b, polls, pings)
	// Wall time of a poll against moto, the Lambda duration the cost model
	// bills: an upper bound, as moto answers slower than AWS.
	b.ReportMetric(float64(polling.Milliseconds())/float64(polls), "poll-ms")
}

// benchPings is the in-memory backlog: 10,000 by default, MEMON_BENCH_PINGS
// to change it.
func benchPings() int {
	if n, err := strconv.Atoi(os.Getenv("MEMON_BENCH_PINGS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// BenchmarkColdStart: what a new process (a Lambda cold start, every
// `memon-poller --once`) pays for its first poll, which rebuilds the deadline
// table by a scan: calls, read units and time against moto at 1,000 events.
// The checkpoint is current (a poll ran before), as in production.
func BenchmarkColdStart(b *testing.B) {
	const events = 1000
	e := newBenchHarness(b)
	e.seed(events)
	e.warm(e.countedPoller(Config{}))
	polls := 0
	var polling time.Duration
	b.StopTimer()
	for range b.N {
		p := e.countedPoller(Config{})
		e.c.reset()
		t0 := time.Now()
		b.StartTimer()
		sum, err := p.Poll(e.ctx)
		b.StopTimer()
		polling += time.Since(t0)
		if err != nil || !sum.Rebuilt || sum.Due != 0 {
			b.Fatalf("cold poll: rebuilt %v due %d err %v", sum.Rebuilt, sum.Due, err)
		}
		polls++
	}
	calls, items := e.c.snapshot()
	_, _, rru := e.c.units()
	n := 0
	for _, v := range calls {
		n += v
	}
	per := float64(polls)
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(float64(n)/per, "api-calls/poll")
	b.ReportMetric(float64(calls["ddb.Scan"])/per, "scan-pages/poll")
	b.ReportMetric(float64(items)/per, "items-read/poll")
	b.ReportMetric(rru/per, "scan-rru/poll")
	b.ReportMetric(float64(polling.Milliseconds())/per, "poll-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkColdStartInMemory: the same first poll at 100,000 events on the
// in-memory store (moto would take an hour to hold them): the rebuild's
// time, the deadline table's memory per event, and the poll's peak memory
// above what the store itself holds (the bound is 64 MB, half the Lambda's).
func BenchmarkColdStartInMemory(b *testing.B) {
	const events = 100_000
	clock := fake.NewClock(day0)
	store := fake.NewStore()
	s, err := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err != nil {
		b.Fatal(err)
	}
	for i := range events {
		ev := memon.NewEvent(fmt.Sprintf("job-%06d", i), s)
		ev.Description = "hourly job " + strconv.Itoa(i)
		ev.SetInitial(day0.Add(time.Duration(1+i%3600) * time.Second))
		ev.Version = 1
		store.Put(ev)
	}
	q, pub := fake.NewQueue(clock.Now), &fake.Publisher{}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	poller := func() *Poller {
		return New(q, store, pub, Config{ReconcileEvery: -1}, clock.Now, log).UseLease(store).WatchChanges(store)
	}
	if _, err := poller().Poll(context.Background()); err != nil { // the checkpoint is current
		b.Fatal(err)
	}
	var peak, growth, perEvent float64
	var rebuild time.Duration
	b.StopTimer()
	for range b.N {
		clock.Advance(time.Minute)
		p := poller()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		b.StartTimer()
		top, base, sum := measurePeak(func() *Summary {
			sum, err := p.Poll(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			return sum
		})
		b.StopTimer()
		rebuild += time.Since(t0)
		if !sum.Rebuilt {
			b.Fatal("a new poller did not rebuild")
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(p)
		peak = max(peak, top)
		growth = max(growth, top-base)
		perEvent = float64(after.HeapAlloc-before.HeapAlloc) / events
	}
	b.ReportMetric(events, "events")
	b.ReportMetric(float64(rebuild.Milliseconds())/float64(b.N), "poll-ms")
	b.ReportMetric(perEvent, "bytes/event")
	b.ReportMetric(growth, "poll-peak-MB")
	b.ReportMetric(peak, "process-peak-MB")
	b.ReportMetric(0, "ns/op")
}
