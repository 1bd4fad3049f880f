package poller

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

func kinds(alerts []mototest.Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Event+":"+a.Kind)
	}
	sort.Strings(out)
	return out
}

func TestSeedItemAndBodyWorkUnchanged(t *testing.T) {
	h := newHarness(t)
	now := time.Now().Unix()
	// An item exactly as memon.py wrote it.
	_, err := h.db.PutItem(h.ctx, &dynamodb.PutItemInput{TableName: &h.res.Table, Item: map[string]types.AttributeValue{
		"Name": &types.AttributeValueMemberS{Value: "nightly"}, "Description": &types.AttributeValueMemberS{Value: "db dump"},
		"Enabled": &types.AttributeValueMemberN{Value: "1"}, "ErrorCount": &types.AttributeValueMemberN{Value: "0"},
		"Period": &types.AttributeValueMemberN{Value: "3600"}, "Type": &types.AttributeValueMemberS{Value: "fixed"},
		"LastBlockTime":   &types.AttributeValueMemberN{Value: fmt.Sprint(now - 1800)},
		"NextBlockTime":   &types.AttributeValueMemberN{Value: fmt.Sprint(now + 1800)},
		"LastSuccessTime": &types.AttributeValueMemberN{Value: fmt.Sprint(now - 3000)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.send(fmt.Sprintf(`{"name": "nightly", "time": %d}`, now))
	sum := h.poll()
	ev := h.get("nightly")
	if sum.Updated != 1 || ev.State != memon.Up {
		t.Fatalf("updated=%d state=%s, want 1 and up (%+v)", sum.Updated, ev.State, sum)
	}
	if got := ev.LastSuccessTime.Unix(); got < now-5 || got > now+5 {
		t.Fatalf("LastSuccessTime %v, want about %d", ev.LastSuccessTime, now)
	}
	// The fixed grid moved one block: 1800s ahead -> now+1800+3600.
	if want := now + 1800 + 3600; ev.NextBlockTime.Unix() != want {
		t.Fatalf("NextBlockTime %d, want %d", ev.NextBlockTime.Unix(), want)
	}
	if a := h.alerts(); len(a) != 0 {
		t.Fatalf("alerts %v, want none", kinds(a))
	}
	if n := h.queued(h.res.QueueURL); n != 0 {
		t.Fatalf("%d messages left in the queue after the ping was stored", n)
	}
}

func TestQueueDelayNeverMakesAJobLate(t *testing.T) {
	h := newHarness(t)
	ev := h.rolling("quick", time.Hour)
	ev.SetInitial(time.Now().Add(time.Minute)) // the deadline a minute away: the ping is sent well before it
	h.create(ev)
	h.ping("quick", memon.Success) // sent before the deadline
	h.advance(10 * time.Minute)    // but processed long after it
	h.poll()
	if a := h.alerts(); len(a) != 0 {
		t.Fatalf("alerts %v: a ping sent on time was judged by its processing time", kinds(a))
	}
	if got := h.get("quick"); got.State != memon.Up || got.ErrorCount != 0 {
		t.Fatalf("state %s errors %d, want up 0", got.State, got.ErrorCount)
	}
}

func TestDownRepeatsPerPeriodUpToMaxAlertsThenUp(t *testing.T) {
	h := newHarness(t)
	ev := h.rolling("backup", time.Hour)
	ev.Description = "nightly backup"
	ev.SetInitial(time.Now().Add(-time.Minute))
	h.create(ev)

	h.poll()
	a := h.alerts()
	if len(a) != 1 || a[0].Subject != "[MEMon] Down: backup" || a[0].Kind != "down" || a[0].Event != "backup" {
		t.Fatalf("first poll alerts %+v, want one [MEMon] Down: backup with kind/event attributes", a)
	}
	if !strings.Contains(a[0].Body, "nightly backup") || !strings.Contains(a[0].Body, "UTC") {
		t.Fatalf("body lacks description or times:\n%s", a[0].Body)
	}
	h.poll()
	if a := h.alerts(); len(a) != 0 {
		t.Fatalf("second poll in the same period alerted again: %v", kinds(a))
	}
	for i := 2; i <= 4; i++ {
		h.advance(time.Hour)
		h.poll()
		got := h.alerts()
		wantAlerts := 1
		if i > memon.DefaultMaxAlerts {
			wantAlerts = 0
		}
		if len(got) != wantAlerts {
			t.Fatalf("period %d: %d alerts %v, want %d", i, len(got), kinds(got), wantAlerts)
		}
		if ec := h.get("backup").ErrorCount; ec != i {
			t.Fatalf("period %d: ErrorCount %d, want %d (missed periods keep counting)", i, ec, i)
		}
	}
	// Back to real time: SQS stamps the ping with the real clock.
	h.offset.Store(0)
	h.ping("backup", memon.Success)
	h.poll()
	if got := h.alerts(); len(got) != 1 || got[0].Subject != "[MEMon] Up: backup" {
		t.Fatalf("after a run: %v, want one Up", kinds(got))
	}
	hist, err := h.store.History(h.ctx, "backup", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, r := range hist {
		trail = append(trail, fmt.Sprintf("%s>%s/%s", r.From, r.To, r.Alert))
	}
	// The DOWN records carry the test's clock, hours ahead of the UP's real
	// SQS time, so compare them as a set.
	want := []string{"down>down/", "down>down/down", "down>down/down", "down>up/up", "new>down/down"}
	sort.Strings(trail)
	if strings.Join(trail, " ") != strings.Join(want, " ") {
		t.Fatalf("history %v, want %v", trail, want)
	}
}

func TestLateFailedAndConfig(t *testing.T) {
	h := newHarness(t)
	late := h.rolling("late", time.Hour)
	late.Grace = time.Minute
	late.SetInitial(time.Now().Add(-2 * time.Minute)) // missed, past its grace, no DOWN yet
	h.create(late)
	h.create(h.rolling("flaky", time.Hour))
	h.shortVisibility()
	code := 3
	b := fmt.Sprintf(`{"name":"flaky","time":%d,"signal":"fail","exit_code":%d,"message":"disk full","extra":"ignored"}`, time.Now().Unix(), code)
	h.send(b)
	h.ping("late", memon.Success)
	h.ping("ghost", memon.Success)
	h.ping("ghost", memon.Success)
	sum := h.poll()
	got := h.alerts()
	if want := []string{"flaky:failed", "ghost:config", "late:late"}; strings.Join(kinds(got), ",") != strings.Join(want, ",") {
		t.Fatalf("alerts %v, want %v", kinds(got), want)
	}
	for _, a := range got {
		if a.Kind == "failed" && (!strings.Contains(a.Body, "Exit code:     3") || !strings.Contains(a.Body, "disk full")) {
			t.Fatalf("FAILED body lacks exit code or message:\n%s", a.Body)
		}
	}
	if sum.Held != 2 {
		t.Fatalf("held %d, want the 2 pings of the unknown event kept in the queue", sum.Held)
	}
	// The unknown event's pings come back; the hour's CONFIG alert is spent.
	time.Sleep(2100 * time.Millisecond)
	if sum := h.poll(); sum.Held != 2 {
		t.Fatalf("second poll held %d pings, want the 2 redelivered ones", sum.Held)
	}
	if a := h.alerts(); len(a) != 0 {
		t.Fatalf("second CONFIG alert within the hour: %v", kinds(a))
	}
}

func TestMalformedPingsEndInTheDeadLetterQueue(t *testing.T) {
	h := newHarness(t)
	h.shortVisibility()
	h.create(h.rolling("ok", time.Hour))
	h.send("this is not json")
	h.send(`{"time": 1}`)
	h.send(`{"name":"ok","signal":"exploded"}`)
	h.ping("ok", memon.Success)
	for i := 0; i < 8 && h.queued(h.res.DLQURL) < 3; i++ {
		sum := h.poll()
		if i == 0 && (sum.Invalid != 3 || sum.Updated != 1) {
			t.Fatalf("first poll: invalid %d updated %d, want 3 and 1 (a bad message must not stop the poll)", sum.Invalid, sum.Updated)
		}
		time.Sleep(2100 * time.Millisecond)
	}
	if n := h.queued(h.res.DLQURL); n != 3 {
		t.Fatalf("%d messages in the dead-letter queue, want the 3 malformed ones", n)
	}
	if h.get("ok").LastSuccessTime.IsZero() {
		t.Fatal("the good ping was not applied")
	}
}

func TestASeedItemIsJudgedByTheFirstPoll(t *testing.T) {
	h := newHarness(t)
	past := time.Now().Add(-2 * time.Hour).Unix()
	_, err := h.db.PutItem(h.ctx, &dynamodb.PutItemInput{TableName: &h.res.Table, Item: map[string]types.AttributeValue{
		"Name": &types.AttributeValueMemberS{Value: "old"}, "Enabled": &types.AttributeValueMemberBOOL{Value: true},
		"Period": &types.AttributeValueMemberS{Value: "3600"}, "Type": &types.AttributeValueMemberS{Value: "rolling"},
		"ErrorCount":    &types.AttributeValueMemberN{Value: "0"},
		"LastBlockTime": &types.AttributeValueMemberN{Value: fmt.Sprint(past - 3600)}, "NextBlockTime": &types.AttributeValueMemberN{Value: fmt.Sprint(past)},
		"LastSuccessTime": &types.AttributeValueMemberN{Value: fmt.Sprint(past - 3600)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.poll() // a new process: its deadline table is rebuilt by a scan, which reads the item as it is
	if got := kinds(h.alerts()); len(got) != 1 || got[0] != "old:down" {
		t.Fatalf("first poll: %v, want old:down", got)
	}
	p := h.poller(Config{ReconcileEvery: time.Hour})
	h.offset.Store(int64(time.Until(time.Now().Truncate(time.Hour).Add(time.Hour + 10*time.Second))))
	sum, _ := p.Poll(h.ctx)
	if !sum.ReconcileRan || sum.Reconciled != 0 {
		t.Fatalf("reconcile ran=%v fixed=%d, want true 0 (the DOWN's write made the item MEMon's)", sum.ReconcileRan, sum.Reconciled)
	}
}

// TestFourPollersAlertEachTransitionExactlyOnce runs four pollers at once
// against moto, wired as production wires them (with the poll lease). Without
// the lease the exactly-once guarantee rests on DynamoDB's atomic conditional
// writes, which moto does not give: four threads racing one conditional
// UpdateItem let two win in 1 trial of 50 (python3 probe against
// moto_server), so that case is proved on internal/fake's atomic store
// (TestUnitFourPollersAlertEachTransitionExactlyOnce) and here moto proves the rest:
// SQS handing one message to two receivers, SNS, the lease on DynamoDB.
// leaseAsked closes asked once its first lease request has been answered.
type leaseAsked struct {
	Lease
	asked chan struct{}
	once  *sync.Once
}

func (l leaseAsked) AcquireLease(ctx context.Context, holder string, now time.Time, ttl time.Duration) (string, error) {
	defer l.once.Do(func() { close(l.asked) })
	return l.Lease.AcquireLease(ctx, holder, now, ttl)
}

func TestFourPollersAlertEachTransitionExactlyOnce(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	want := map[string]int{}
	for i := 0; i < 8; i++ {
		onTime := h.rolling(fmt.Sprintf("ontime-%d", i), 24*time.Hour)
		onTime.SetInitial(now.Add(time.Hour))
		h.create(onTime)
		down := h.rolling(fmt.Sprintf("down-%d", i), 24*time.Hour)
		down.SetInitial(now.Add(-time.Minute))
		h.create(down)
		want[down.Name+":down"] = 1
		late := h.rolling(fmt.Sprintf("late-%d", i), 24*time.Hour)
		late.Grace = time.Minute
		late.SetInitial(now.Add(-2 * time.Minute))
		h.create(late)
		want[late.Name+":late"] = 1
		up := h.rolling(fmt.Sprintf("up-%d", i), 24*time.Hour)
		up.SetInitial(now.Add(-time.Hour))
		up.State, up.ErrorCount = memon.Down, 1
		h.create(up)
		want[up.Name+":up"] = 1
		for _, name := range []string{onTime.Name, late.Name, up.Name} {
			h.ping(name, memon.Success)
			h.ping(name, memon.Success) // a second run: no second transition
		}
	}
	// The four polls overlap, but their lease requests reach moto one after
	// another: moto's conditional writes are not atomic under concurrent
	// requests (two could both win), so the race itself is proved on
	// internal/fake's atomic store (TestUnitFourPollersAlertEachTransitionExactlyOnce).
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		asked := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = h.poller(Config{RoundSize: 10}).UseLease(leaseAsked{h.pstore, asked, &sync.Once{}}).Poll(h.ctx)
		}()
		<-asked
	}
	wg.Wait()
	h.poll() // settle anything a poller left in flight
	got := map[string]int{}
	for _, k := range kinds(h.alerts()) {
		got[k]++
	}
	alertedExactly(t, got, want)
}
