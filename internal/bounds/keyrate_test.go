package bounds

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterBurstThenRatePerKey(t *testing.T) {
	t.Parallel()
	l := NewLimiter(2, 3)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if !l.Allow("a", at) {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if l.Allow("a", at) {
		t.Fatal("a fourth request at once allowed past a burst of 3")
	}
	if !l.Allow("b", at) {
		t.Fatal("another key is held by the first one's bucket")
	}
	if !l.Allow("a", at.Add(500*time.Millisecond)) || l.Allow("a", at.Add(500*time.Millisecond)) {
		t.Fatal("at 2 a second, half a second refills exactly one")
	}
	if !l.Allow("a", at.Add(time.Hour)) {
		t.Fatal("an idle key is not refilled")
	}
}

func TestLimiterForgetsKeysPastMaxKeys(t *testing.T) {
	t.Parallel()
	l := NewLimiter(1, 1)
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range MaxKeys + 1 {
		l.Allow(fmt.Sprint(i), at)
	}
	if len(l.buckets) > MaxKeys {
		t.Fatalf("%d buckets kept, at most %d", len(l.buckets), MaxKeys)
	}
}
