package bounds

import (
	"context"
	"testing"
	"time"
)

func TestLimitsOrTakesEachUnsetLimitFromDefaults(t *testing.T) {
	t.Parallel()
	defaults := Limits{MinLatency: 250 * time.Millisecond, MaxInFlight: 16, KeyRate: 2, KeyBurst: 60}
	for _, c := range []struct {
		name string
		in   Limits
		want Limits
	}{
		{"none set", Limits{}, defaults},
		{"all set", Limits{time.Second, 3, 0.5, 7}, Limits{time.Second, 3, 0.5, 7}},
		{"negatives are unset", Limits{MinLatency: time.Millisecond, MaxInFlight: -1, KeyRate: -2, KeyBurst: -3},
			Limits{time.Millisecond, 16, 2, 60}},
		// A negative floor is kept: it is no floor at all, as a caller asked.
		{"negative floor kept", Limits{MinLatency: -time.Second}, Limits{-time.Second, 16, 2, 60}},
	} {
		if got := c.in.Or(defaults); got != c.want {
			t.Errorf("%s: %+v.Or(defaults) = %+v, want %+v", c.name, c.in, got, c.want)
		}
	}
}

func TestGateEnterHoldsMaxInFlightSlots(t *testing.T) {
	t.Parallel()
	g := NewGate(Limits{MinLatency: time.Millisecond, MaxInFlight: 2, KeyRate: 1, KeyBurst: 1}, time.Now)
	first, ok1 := g.Enter()
	second, ok2 := g.Enter()
	if !ok1 || !ok2 {
		t.Fatal("the first two requests found no slot of two")
	}
	if _, ok := g.Enter(); ok {
		t.Fatal("a third request took a slot of two")
	}
	first()
	third, ok := g.Enter()
	if !ok {
		t.Fatal("a slot left free was not taken again")
	}
	second()
	third()
}

func TestGateFloorWaitsTheRestOfMinLatency(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		elapsed time.Duration
		want    time.Duration
	}{
		{"answered at once", 0, 250 * time.Millisecond},
		{"answered after 100ms", 100 * time.Millisecond, 150 * time.Millisecond},
		{"answered after the floor", time.Second, -750 * time.Millisecond},
	} {
		g := NewGate(Limits{MinLatency: 250 * time.Millisecond, MaxInFlight: 1, KeyRate: 1, KeyBurst: 1},
			func() time.Time { return start.Add(c.elapsed) })
		var slept time.Duration
		g.Sleep = func(_ context.Context, d time.Duration) { slept = d }
		g.Floor(context.Background(), start)
		if slept != c.want {
			t.Errorf("%s: Floor asked to sleep %v, want %v", c.name, slept, c.want)
		}
	}
}

func TestSleepCtxEndsWithItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() { sleepCtx(ctx, time.Hour); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a sleep of an hour did not end with its cancelled context")
	}
}

func TestGateAllowKeyIsPerKey(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	g := NewGate(Limits{MinLatency: time.Millisecond, MaxInFlight: 1, KeyRate: 1, KeyBurst: 2}, func() time.Time { return at })
	for i := range 2 {
		if !g.AllowKey("a") {
			t.Fatalf("request %d of key a's burst of 2 was refused", i+1)
		}
	}
	if g.AllowKey("a") {
		t.Fatal("key a got a third request at once past a burst of 2")
	}
	if !g.AllowKey("b") {
		t.Fatal("key b was refused for key a's requests")
	}
}
