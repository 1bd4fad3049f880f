package poller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Attacker scenarios, run against moto with the real adapters: what a
// sender holding only sqs:SendMessage can do (flood, oversized pings, item
// growth), and what a long topic outage does to an item.

// itemSize is an upper bound of an item's size as DynamoDB counts it
// (attribute names plus values; numbers counted as their text).
func itemSize(item map[string]dtypes.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v dtypes.AttributeValue) int {
	switch v := v.(type) {
	case *dtypes.AttributeValueMemberS:
		return len(v.Value)
	case *dtypes.AttributeValueMemberN:
		return len(v.Value) + 1
	case *dtypes.AttributeValueMemberM:
		return 3 + itemSize(v.Value) + len(v.Value)
	case *dtypes.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	default:
		return 1
	}
}

// assertSmall fails unless the stored item of name is under memon.MaxItemBytes.
func (h *harness) assertSmall(name string) int {
	h.t.Helper()
	out, err := h.db.GetItem(h.ctx, &dynamodb.GetItemInput{TableName: &h.res.Table, ConsistentRead: aws.Bool(true),
		Key: map[string]dtypes.AttributeValue{schema.AttrName: &dtypes.AttributeValueMemberS{Value: name}}})
	if err != nil {
		h.t.Fatal(err)
	}
	size := itemSize(out.Item)
	if size >= memon.MaxItemBytes {
		h.t.Errorf("item %s is %d bytes, want under %d", name, size, memon.MaxItemBytes)
	}
	return size
}

// sendPing queues a ping as a sender would write it.
func (h *harness) sendPing(m memon.Message) {
	h.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		h.t.Fatal(err)
	}
	h.send(string(b))
}

// pollerVia is the harness's poller with another queue receiver or publisher.
func (h *harness) pollerVia(q Queue, pub Publisher) *Poller {
	return New(q, h.pstore, pub, Config{ReconcileEvery: -1, Receivers: motoReceivers}, h.now, slog.New(slog.NewJSONHandler(h, nil)))
}

func (h *harness) receiver() *queue.Receiver {
	return queue.NewReceiver(shortPolls{sqs.NewFromConfig(h.pcfg, queue.LimitResponses)}, h.res.QueueURL, time.Second)
}

func (h *harness) publisher() *notify.Publisher {
	return notify.New(sns.NewFromConfig(h.pcfg), h.res.TopicARN)
}

// outage is a publisher whose topic is unreachable until healed.
type outage struct {
	Publisher
	down atomic.Bool
}

func (o *outage) Publish(ctx context.Context, a memon.Alert) error {
	if o.down.Load() {
		return errors.New("sns: topic not found (test outage)")
	}
	return o.Publisher.Publish(ctx, a)
}

// jobOutput is 4 KB of log tail, the most a ping carries.
func jobOutput(i int) string {
	line := fmt.Sprintf("run %d: error: disk full on /var/backups\n", i)
	return strings.Repeat(line, memon.MaxMessageLen/len(line)+1)[:memon.MaxMessageLen]
}

func countKinds(alerts []mototest.Alert) map[string]int {
	got := map[string]int{}
	for _, a := range alerts {
		got[a.Event+":"+a.Kind]++
	}
	return got
}

// TestAttackFailFloodStaysBounded: in one poll, 120 fail pings with 4 KB of output for one event and 60 alternating fail and
// success pings for another. Each event publishes 6 FAILED/UP alerts and
// one FLAPPING alert counting the held ones; both items stay under 16 KB.
func TestAttackFailFloodStaysBounded(t *testing.T) {
	h := newHarness(t)
	h.create(h.rolling("victim", time.Hour))
	h.create(h.rolling("flaky", time.Hour))
	code := 1
	for i := range 120 {
		h.sendPing(memon.Message{Name: "victim", Signal: memon.Fail, ExitCode: &code, Message: jobOutput(i)})
		if i < 60 {
			sig := memon.Fail
			if i%2 == 1 {
				sig = memon.Success
			}
			h.sendPing(memon.Message{Name: "flaky", Signal: sig})
		}
	}
	// One poll. Its drain budget is past what moto needs for 180 pings
	// beside the package's other tests (55 s seen, over the default 40 s):
	// this test is of the alerts' bound; a budget that ends has its own.
	p := New(h.receiver(), h.pstore, h.publisher(), Config{ReconcileEvery: -1, Receivers: motoReceivers, Budget: 10 * time.Minute},
		h.now, slog.New(slog.NewJSONHandler(h, nil)))
	sum, err := p.Poll(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Drained {
		t.Fatal("the poll did not drain the queue within its budget")
	}
	alerts := h.alerts()
	got := countKinds(alerts)
	if got["victim:failed"] != 6 || got["victim:flapping"] != 1 || got["flaky:failed"]+got["flaky:up"] != 6 || got["flaky:flapping"] != 1 || len(alerts) != 14 {
		t.Fatalf("alerts %v, want 6 FAILED/UP and 1 FLAPPING per event", got)
	}
	for _, name := range []string{"victim", "flaky"} {
		ev := h.get(name)
		for _, a := range alerts {
			if a.Event == name && a.Kind == "flapping" &&
				(a.Subject != "[MEMon] Flapping: "+name || !strings.Contains(a.Body, fmt.Sprintf("%d more held", ev.AlertsHeld))) {
				t.Errorf("%s: flapping alert %q does not say the %d held:\n%s", name, a.Subject, ev.AlertsHeld, a.Body)
			}
		}
		if ev.AlertsHeld < 40 {
			t.Errorf("%s: %d alerts held, want the flood held", name, ev.AlertsHeld)
		}
		t.Logf("%s: item %d bytes", name, h.assertSmall(name))
	}
	if sum.AlertsHeld != h.get("victim").AlertsHeld+h.get("flaky").AlertsHeld {
		t.Errorf("summary alerts_held %d, want the sum of both events'", sum.AlertsHeld)
	}
	if n := h.queued(h.res.QueueURL); n != 0 {
		t.Errorf("%d pings left in the queue: a held alert must not hold the ping", n)
	}
}

// TestAttackUnknownNamesGiveOneDigest: 40 pings naming 40
// unknown events give 5 CONFIG alerts and one digest naming the other 35,
// published through SNS (the digest without an `event` attribute).
func TestAttackUnknownNamesGiveOneDigest(t *testing.T) {
	h := newHarness(t)
	for i := range 40 {
		h.ping(fmt.Sprintf("ghost-%02d", i), memon.Success)
	}
	sum, _ := h.pollerVia(h.receiver(), h.publisher()).Poll(h.ctx)
	alerts := h.alerts()
	var digest *mototest.Alert
	singles := 0
	for i, a := range alerts {
		if a.Kind != "config" {
			t.Fatalf("alert %q of kind %q", a.Subject, a.Kind)
		}
		if a.Subject == "[MEMon] Config: 35 unknown events" {
			digest = &alerts[i]
		} else {
			singles++
		}
	}
	if len(alerts) != 6 || singles != 5 || digest == nil || digest.Event != "" {
		t.Fatalf("alerts: %s; want 5 CONFIG alerts and one digest", mototest.Subjects(alerts))
	}
	if n := strings.Count(digest.Body, `"ghost-`); n != 35 || sum.ConfigInDigest != 35 {
		t.Fatalf("digest names %d events (summary %d), want 35:\n%s", n, sum.ConfigInDigest, digest.Body)
	}
}

// TestAttackHugeDescriptionStaysBounded: an item edited in
// the console to carry a 120 KB description, then fails with 4 KB of
// output: the poller's write brings the item under 16 KB and the alert
// carries at most 1 KB of description.
func TestAttackHugeDescriptionStaysBounded(t *testing.T) {
	h := newHarness(t)
	h.create(h.rolling("big", time.Hour))
	huge := strings.Repeat("d", 120*1024)
	if _, err := h.db.UpdateItem(h.ctx, &dynamodb.UpdateItemInput{TableName: &h.res.Table,
		Key:                       map[string]dtypes.AttributeValue{schema.AttrName: &dtypes.AttributeValueMemberS{Value: "big"}},
		UpdateExpression:          aws.String("SET #d = :d"),
		ExpressionAttributeNames:  map[string]string{"#d": schema.AttrDescription},
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":d": &dtypes.AttributeValueMemberS{Value: huge}},
	}); err != nil {
		t.Fatal(err)
	}
	code := 2
	for i := range 3 {
		h.sendPing(memon.Message{Name: "big", Signal: memon.Fail, ExitCode: &code, Message: jobOutput(i)})
	}
	if _, err := h.pollerVia(h.receiver(), h.publisher()).Poll(h.ctx); err != nil {
		t.Fatal(err)
	}
	alerts := h.alerts()
	if len(alerts) != 3 {
		t.Fatalf("alerts: %s, want 3 FAILED", mototest.Subjects(alerts))
	}
	for _, a := range alerts {
		if strings.Count(a.Body, "d") > memon.MaxDescriptionLen+200 {
			t.Errorf("alert carries the whole description (%d bytes)", len(a.Body))
		}
	}
	if ev := h.get("big"); len(ev.Description) != memon.MaxDescriptionLen {
		t.Errorf("description %d bytes, want cut to %d", len(ev.Description), memon.MaxDescriptionLen)
	}
	t.Logf("item: %d bytes", h.assertSmall("big"))
}

// TestAttackOutboxStaysBoundedWhileTheTopicIsDown:
// twenty hours of missed deadlines and failures with the topic unreachable.
// Every poll reports an error; the item stays under 16 KB (the outbox
// coalesces what waits); when the topic is back every waiting alert goes
// out, the coalesced ones saying what they stand for.
func TestAttackOutboxStaysBoundedWhileTheTopicIsDown(t *testing.T) {
	h := newHarness(t)
	ev := h.rolling("nightly", time.Hour)
	ev.MaxAlerts = 1000
	ev.SetInitial(time.Now().Add(-time.Minute))
	h.create(ev)
	topic := &outage{Publisher: h.publisher()}
	topic.down.Store(true)
	p := h.pollerVia(h.receiver(), topic)
	code := 1
	for i := range 20 {
		h.sendPing(memon.Message{Name: "nightly", Signal: memon.Fail, ExitCode: &code, Message: jobOutput(i)})
		if _, err := p.Poll(h.ctx); err == nil {
			t.Fatalf("poll %d succeeded with the topic down", i+1)
		}
		h.advance(time.Hour)
	}
	if ob := h.get("nightly").Outbox; len(ob) > memon.MaxOutbox {
		t.Fatalf("outbox %d entries, want at most %d", len(ob), memon.MaxOutbox)
	}
	t.Logf("item after 20 hours of outage: %d bytes", h.assertSmall("nightly"))

	topic.down.Store(false)
	h.advance(16 * time.Minute) // past every backoff
	if _, err := p.Poll(h.ctx); err != nil {
		t.Fatalf("first poll with the topic back: %v", err)
	}
	alerts := h.alerts()
	coalesced := false
	for _, a := range alerts {
		coalesced = coalesced || strings.Contains(a.Body, "coalesced while waiting for delivery")
	}
	if len(alerts) == 0 || len(alerts) > memon.MaxOutbox || !coalesced {
		t.Fatalf("%d alerts after the outage (coalesced note %v): %s", len(alerts), coalesced, mototest.Subjects(alerts))
	}
	if ob := h.get("nightly").Outbox; len(ob) != 0 {
		t.Fatalf("outbox %d entries after the topic came back: %+v", len(ob), ob)
	}
	if _, err := p.Poll(h.ctx); err != nil {
		t.Fatalf("poll after recovery: %v", err)
	}
}

// TestAttackOversizedPingsAreNotHeld: on a queue that lets
// 200 KB messages in (a queue not made by the stack), the poller keeps none
// of their bodies, counts them invalid and applies the good ping beside them.
func TestAttackOversizedPingsAreNotHeld(t *testing.T) {
	h := newHarness(t)
	h.create(h.rolling("ok", time.Hour))
	big := fmt.Sprintf(`{"name":"ok","message":%q}`, strings.Repeat("x", 200*1024))
	for range 5 {
		h.send(big)
	}
	h.ping("ok", memon.Success)
	sum, _ := h.pollerVia(h.receiver(), h.publisher()).Poll(h.ctx)
	if sum.Invalid != 5 || h.get("ok").LastSuccessTime.IsZero() {
		t.Fatalf("invalid %d, good ping applied %v: want 5 and true", sum.Invalid, !h.get("ok").LastSuccessTime.IsZero())
	}
	if !strings.Contains(h.log.String(), "a ping is at most 16384 bytes") {
		t.Fatalf("the log does not say why the large messages were refused:\n%s", h.log.String())
	}
	if n := h.queued(h.res.QueueURL); n != 5 {
		t.Fatalf("%d messages queued, want the 5 oversized ones left for the dead-letter queue", n)
	}
}

// TestMissingQueueIsNamedMissing: with the queue deleted,
// the poll's log says the queue does not exist, not that it was slow.
func TestMissingQueueIsNamedMissing(t *testing.T) {
	h := newHarness(t)
	if _, err := h.sqs.DeleteQueue(h.ctx, &sqs.DeleteQueueInput{QueueUrl: &h.res.QueueURL}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.pollerVia(h.receiver(), h.publisher()).Poll(h.ctx); err == nil {
		t.Fatal("a poll of a missing queue succeeded")
	}
	log := h.log.String()
	if !strings.Contains(log, "does not exist") || strings.Contains(log, "time budget") {
		t.Fatalf("log does not say the queue is missing:\n%s", log)
	}
}

// TestConfigAlertWaitsInTheStoreWhileTheTopicIsDown (moto):
// the CONFIG alert of an unknown event waits in the history table's CONFIG
// outbox item; every poll fails until the topic works, then it goes out once.
func TestConfigAlertWaitsInTheStoreWhileTheTopicIsDown(t *testing.T) {
	h := newHarness(t)
	topic := &outage{Publisher: h.publisher()}
	topic.down.Store(true)
	p := h.pollerVia(h.receiver(), topic)
	h.ping("ghost", memon.Success)
	for i := range 3 {
		if sum, err := p.Poll(h.ctx); err == nil || sum.Undelivered != 1 {
			t.Fatalf("poll %d: err %v undelivered %d, want the waiting CONFIG alert reported", i+1, err, sum.Undelivered)
		}
	}
	if held, err := h.store.HeldConfigAlerts(h.ctx); err != nil || len(held) != 1 || held[0].Name != "ghost" {
		t.Fatalf("waiting CONFIG alerts %+v, %v", held, err)
	}
	topic.down.Store(false)
	if _, err := p.Poll(h.ctx); err != nil {
		t.Fatalf("poll with the topic back: %v", err)
	}
	if got := kinds(h.alerts()); strings.Join(got, ",") != "ghost:config" {
		t.Fatalf("alerts %v, want ghost:config once", got)
	}
	if held, err := h.store.HeldConfigAlerts(h.ctx); err != nil || len(held) != 0 {
		t.Fatalf("still waiting after it went out: %+v, %v", held, err)
	}
}

// noOutbox is a store whose CONFIG outbox cannot be written.
type noOutbox struct{ Store }

func (noOutbox) HoldConfigAlerts(context.Context, []memon.ConfigProblem) error {
	return errors.New("outbox write throttled (test)")
}

// TestConfigClaimReleasedWhenItCanNeitherGoOutNorWait (moto): with the
// topic down and the CONFIG outbox unwritable, the poll gives its claim on
// the hour's CONFIG alert back, so the next poll claims it again and the
// alert goes out once the topic works.
func TestConfigClaimReleasedWhenItCanNeitherGoOutNorWait(t *testing.T) {
	h := newHarness(t)
	topic := &outage{Publisher: h.publisher()}
	topic.down.Store(true)
	h.ping("ghost", memon.Success)
	stuck := New(h.receiver(), noOutbox{h.pstore}, topic, Config{ReconcileEvery: -1}, h.now, slog.New(slog.NewJSONHandler(h, nil)))
	if sum, err := stuck.Poll(h.ctx); err == nil || sum.Undelivered != 1 {
		t.Fatalf("poll with the topic down: err %v, summary %+v", err, sum)
	}
	if held, err := h.store.HeldConfigAlerts(h.ctx); err != nil || len(held) != 0 {
		t.Fatalf("waiting CONFIG alerts %+v, %v: the outbox write was to fail", held, err)
	}
	topic.down.Store(false)
	h.ping("ghost", memon.Success)
	if _, err := h.pollerVia(h.receiver(), topic).Poll(h.ctx); err != nil {
		t.Fatalf("poll with the topic back: %v", err)
	}
	if got := kinds(h.alerts()); strings.Join(got, ",") != "ghost:config" {
		t.Fatalf("alerts %v, want ghost:config: the released claim was taken again", got)
	}
}
