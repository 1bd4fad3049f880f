package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// TestConfigClaimIsASlidingHourAcrossPollers: against moto, of many pollers
// claiming a name's CONFIG alert at one moment exactly one wins; the next claim
// is refused within the hour after it (19:59, then 20:01 of another clock
// hour) and won again an hour later; a released claim can be won again.
func TestConfigClaimIsASlidingHourAcrossPollers(t *testing.T) {
	t.Parallel()
	st, _ := newMotoJob(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 19, 59, 0, 0, time.UTC)

	// The claims go one after another: moto's conditional writes are not
	// atomic under concurrent requests (two winners in about 1 race of 50),
	// so this proves the condition, and internal/fake's atomic store proves
	// the race.
	won := 0
	for range 8 {
		ok, err := st.ClaimConfigAlert(ctx, "typo", "no such event", at)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			won++
		}
	}
	if won != 1 {
		t.Fatalf("%d of 8 claims at the same moment won, want 1", won)
	}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{at.Add(2 * time.Minute), false},              // 20:01
		{at.Add(time.Hour - time.Millisecond), false}, // 20:58:59.999
		{at.Add(time.Hour), true},                     // 20:59
		{at.Add(90 * time.Minute), false},             // 21:29
	} {
		if got, err := st.ClaimConfigAlert(ctx, "typo", "no such event", tc.now); err != nil || got != tc.want {
			t.Errorf("claim at %s: %v %v, want %v", tc.now.Format("15:04:05.000"), got, err, tc.want)
		}
	}
	recs, err := st.History(ctx, "typo", at.Add(-time.Minute))
	if err != nil || len(recs) != 2 || recs[0].Alert != memon.KindConfig || !recs[1].At.Equal(at.Add(time.Hour)) {
		t.Fatalf("history %+v %v: one CONFIG record per won claim", recs, err)
	}

	if err := st.ReleaseConfigAlert(ctx, "typo", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.ClaimConfigAlert(ctx, "typo", "no such event", at.Add(61*time.Minute)); err != nil || !ok {
		t.Fatalf("after release: %v %v, want the claim won again", ok, err)
	}
	// Releasing a claim another poller has since replaced keeps the new one.
	if err := st.ReleaseConfigAlert(ctx, "typo", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.ClaimConfigAlert(ctx, "typo", "no such event", at.Add(62*time.Minute)); ok {
		t.Fatal("a stale release freed the newer claim")
	}
}
