package poller

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/pkg/memon"
)

var srv *mototest.Server

func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &srv)) }

var prefixes atomic.Int64

// harness is one isolated MEMon in moto: its own queue, tables and topic,
// a poller with real adapters, and a clock that runs ahead of real time by
// an offset the test moves (SQS timestamps stay real). Benchmarks count
// the AWS calls of its counted pollers in c (newBenchHarness).
type harness struct {
	t     testing.TB
	ctx   context.Context
	res   mototest.Resources
	sqs   *sqs.Client
	db    *dynamodb.Client
	store *dynamo.Store
	// The poller's own clients (recorded as its principal's calls), apart
	// from the ones the test sets up and checks with.
	pcfg   aws.Config
	psqs   *sqs.Client
	pdb    *dynamodb.Client
	pstore *dynamo.Store
	offset atomic.Int64
	log    *strings.Builder
	logMu  sync.Mutex
	c      *counts
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	mototest.Need(t, srv)
	// Each harness has its own queue, tables, topic and clock, and its test
	// spends most of its time in moto's long polls: they wait side by side.
	if tt, ok := t.(*testing.T); ok {
		tt.Parallel()
	}
	ctx := context.Background()
	// Queue and table names take letters, digits and hyphens.
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(t.Name()))
	prefix := fmt.Sprintf("memon-%s-%d", name, prefixes.Add(1))
	if len(prefix) > 70 {
		prefix = prefix[len(prefix)-70:]
		prefix = "m" + strings.TrimLeft(prefix, "-_")
	}
	res, err := srv.CreateMEMon(ctx, prefix)
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config(ctx)
	h := &harness{t: t, ctx: ctx, res: res, sqs: sqs.NewFromConfig(cfg), db: dynamodb.NewFromConfig(cfg), log: &strings.Builder{}}
	h.store = dynamo.New(h.db, res.Table, res.HistoryTable)
	h.pcfg = srv.ConfigAs(ctx, mototest.Poller)
	h.psqs, h.pdb = sqs.NewFromConfig(h.pcfg), dynamodb.NewFromConfig(h.pcfg)
	h.pstore = dynamo.New(h.pdb, res.Table, res.HistoryTable)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("poller log:\n%s", h.log.String())
		}
	})
	return h
}

func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.offset.Load())) }

func (h *harness) advance(d time.Duration) { h.offset.Add(int64(d)) }

func (h *harness) Write(p []byte) (int, error) {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	return h.log.Write(p)
}

// shortPolls asks moto for short polls. An empty long poll holds for its
// whole wait in moto as in SQS (a poll ends on one, a second each), and
// moto, unlike SQS, answers a short poll from every message it has: the
// poller drains the same messages, without the wait. Only the lease tests
// keep the real long polls, whose timing they are about.
type shortPolls struct{ queue.ReceiveAPI }

func (s shortPolls) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	short := *in
	short.WaitTimeSeconds = 0
	return s.ReceiveAPI.ReceiveMessage(ctx, &short, optFns...)
}

// motoReceivers is how many receivers a moto poller runs unless a test says:
// one. Two of moto's receives at once can hand out one message twice (its
// queue is not atomic under concurrent requests, and short polls meet
// often), and the older receipt then fails its delete. Every moto poller of
// these tests takes it (harness.poller, pollerVia, the lease tests'
// leasedPoller); concurrent receivers are proved on internal/fake's queue.
const motoReceivers = 1

func (h *harness) poller(cfg Config) *Poller {
	if cfg.Receivers == 0 {
		cfg.Receivers = motoReceivers
	}
	q := queue.NewReceiver(shortPolls{h.psqs}, h.res.QueueURL, time.Second)
	pub := notify.New(sns.NewFromConfig(h.pcfg), h.res.TopicARN)
	if cfg.ReconcileEvery == 0 {
		cfg.ReconcileEvery = -1
	}
	var w io.Writer = h
	return New(q, h.pstore, pub, cfg, h.now, slog.New(slog.NewJSONHandler(w, nil)))
}

func (h *harness) poll() *Summary {
	h.t.Helper()
	sum, err := h.poller(Config{}).Poll(h.ctx)
	if err != nil {
		h.t.Logf("poll: %v", err)
	}
	return sum
}

// create stores an event built by the caller.
func (h *harness) create(ev *memon.Event) {
	h.t.Helper()
	if err := h.store.Create(h.ctx, ev); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) rolling(name string, period time.Duration) *memon.Event {
	s, err := memon.NewSchedule(memon.Rolling, period, "", "")
	if err != nil {
		h.t.Fatal(err)
	}
	return memon.NewEvent(name, s)
}

func (h *harness) get(name string) *memon.Event {
	h.t.Helper()
	ev, err := h.store.Get(h.ctx, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return ev
}

// send puts a ping on the queue and returns its SentTimestamp as SQS saw it.
func (h *harness) send(body string) {
	h.t.Helper()
	if _, err := h.sqs.SendMessage(h.ctx, &sqs.SendMessageInput{QueueUrl: &h.res.QueueURL, MessageBody: aws.String(body)}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) ping(name string, signal memon.Signal) {
	h.t.Helper()
	b, err := json.Marshal(memon.Message{Name: name, Time: float64(time.Now().UnixMilli()) / 1000, Signal: signal})
	if err != nil {
		h.t.Fatal(err)
	}
	h.send(string(b))
}

func (h *harness) alerts() []mototest.Alert {
	h.t.Helper()
	a, err := srv.ReadAlerts(h.ctx, h.res.AlertQueueURL, 1500*time.Millisecond)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// queued counts messages left in the queue (visible or in flight).
func (h *harness) queued(url string) int {
	h.t.Helper()
	out, err := h.sqs.GetQueueAttributes(h.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, v := range out.Attributes {
		var i int
		fmt.Sscan(v, &i)
		n += i
	}
	return n
}

// shortVisibility makes a message that a poll kept (not deleted) visible
// again after 2 s instead of the stack's 110 s, so a test sees redelivery.
func (h *harness) shortVisibility() {
	h.t.Helper()
	if _, err := h.sqs.SetQueueAttributes(h.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &h.res.QueueURL,
		Attributes: map[string]string{"VisibilityTimeout": "2"}}); err != nil {
		h.t.Fatal(err)
	}
}
