package poller

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// Against moto: auto-create off keeps today's CONFIG; on, the item is
// created in DynamoDB, marked AutoCreated, and editing it would clear that.
func TestAutoCreateOnAndOffAgainstMoto(t *testing.T) {
	h := newHarness(t)
	h.ping("off:job", memon.Success)
	h.poll()
	if a := kinds(h.alerts()); fmt.Sprint(a) != "[off:job:config]" {
		t.Fatalf("auto-create off: alerts %v, want one CONFIG", a)
	}
	if _, err := h.store.Get(h.ctx, "off:job"); err == nil {
		t.Fatal("auto-create off created the event")
	}

	h.ping("on:job", memon.Success)
	sum, err := h.poller(Config{AutoCreatePeriod: 24 * time.Hour}).Poll(h.ctx)
	if err != nil || sum.AutoCreated < 1 {
		t.Fatalf("poll with auto-create: %+v, %v", sum, err)
	}
	ev := h.get("on:job")
	if !ev.AutoCreated || ev.Schedule.Period != 24*time.Hour || ev.State != memon.Up || ev.LastSuccessTime.IsZero() {
		t.Fatalf("auto-created event %+v", ev)
	}
	for _, a := range h.alerts() {
		if a.Event == "on:job" {
			t.Fatalf("alert %+v for an auto-created event", a)
		}
	}
	out, err := h.db.GetItem(h.ctx, &dynamodb.GetItemInput{TableName: &h.res.Table, Key: map[string]types.AttributeValue{
		schema.AttrName: &types.AttributeValueMemberS{Value: "on:job"}}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := out.Item[schema.AttrAutoCreated].(*types.AttributeValueMemberBOOL); !ok || !v.Value {
		t.Fatalf("stored %s = %v, want true", schema.AttrAutoCreated, out.Item[schema.AttrAutoCreated])
	}
	// A save that clears the mark removes the attribute.
	ev.AutoCreated = false
	if err := h.store.Save(h.ctx, ev); err != nil {
		t.Fatal(err)
	}
	if h.get("on:job").AutoCreated {
		t.Fatal("the mark survived a save that cleared it")
	}
}

// TestAutoCreateBoundHoldsAcrossPollsAgainstMoto: the count of created
// events lives in DynamoDB (a conditional ADD), so a second poller's polls
// cannot create past it.
func TestAutoCreateBoundHoldsAcrossPollsAgainstMoto(t *testing.T) {
	h := newHarness(t)
	// One receiver and one worker: moto's conditional writes are not atomic
	// under concurrent requests (two events' creations in one round race on
	// the count), so this proves the shared count; the race is proved on
	// internal/fake's atomic store.
	cfg := Config{AutoCreatePeriod: time.Hour, AutoCreateMax: 2, Receivers: 1, Workers: 1}
	h.ping("bound:a", memon.Success)
	if sum, err := h.poller(cfg).Poll(h.ctx); err != nil || sum.AutoCreated != 1 {
		t.Fatalf("first poll: %+v, %v", sum, err)
	}
	h.ping("bound:b", memon.Success)
	h.ping("bound:c", memon.Success)
	sum, err := h.poller(cfg).Poll(h.ctx) // another poller: the count is the store's
	if err != nil || sum.AutoCreated != 1 || sum.AutoCreateRefused != 1 {
		t.Fatalf("second poll: %+v, %v: want one more created and one refused", sum, err)
	}
	created := 0
	for _, n := range []string{"bound:a", "bound:b", "bound:c"} {
		if _, err := h.store.Get(h.ctx, n); err == nil {
			created++
		}
	}
	if created != 2 {
		t.Fatalf("%d events created, want the bound of 2", created)
	}
}
