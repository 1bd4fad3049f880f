package memon

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFlappingHoldsAlertsPastSixAnHour: 60 alternating fail
// and success pings within a minute give 6 FAILED/UP alerts and one
// FLAPPING alert saying how many were held; the state follows every ping;
// after the hour the next alert goes out and says what was held.
func TestFlappingHoldsAlertsPastSixAnHour(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Hour, at(0), at(3600), at(0))
	start := at(1000)
	for i := range 60 {
		ts := start.Add(time.Duration(i) * time.Second)
		if i%2 == 0 {
			ev.Apply(fail("job", ts, 1))
		} else {
			ev.Apply(success("job", ts))
		}
	}
	var got []AlertKind
	for _, tr := range ev.Outbox {
		if tr.Alert != nil {
			got = append(got, tr.Alert.Kind)
		}
	}
	want := []AlertKind{KindFailed, KindUp, KindFailed, KindUp, KindFailed, KindUp, KindFlapping}
	if !slices.Equal(got, want) {
		t.Fatalf("alerts %v, want %v", got, want)
	}
	fl := ev.Outbox[len(ev.Outbox)-1]
	if fl.Alert.Subject != "[MEMon] Flapping: job" || !strings.Contains(fl.Alert.Body, "54 more held") {
		t.Fatalf("flapping alert %q:\n%s", fl.Alert.Subject, fl.Alert.Body)
	}
	if len(ev.Outbox) != 7 || ev.AlertsHeld != 54 {
		t.Fatalf("outbox %d entries, held %d: held alerts must not take outbox space", len(ev.Outbox), ev.AlertsHeld)
	}
	// The state is exact: the last ping was a success.
	if ev.State != Up || !ev.LastSuccessTime.Equal(start.Add(59*time.Second)) || !ev.LastFailTime.Equal(start.Add(58*time.Second)) {
		t.Fatalf("state %s success %v fail %v", ev.State, ev.LastSuccessTime, ev.LastFailTime)
	}

	// Delivered; more flapping in the same hour stays silent.
	for _, tr := range ev.Outbox {
		ev.Delivered(tr.ID)
	}
	ev.Apply(fail("job", start.Add(30*time.Minute), 2))
	if len(ev.Outbox) != 0 || ev.State != Down || ev.AlertsHeld != 55 {
		t.Fatalf("within the hour: outbox %d state %s held %d, want 0 down 55", len(ev.Outbox), ev.State, ev.AlertsHeld)
	}
	// The hour is over: the next alert goes out, and says what was held.
	trs, _ := ev.Apply(success("job", start.Add(61*time.Minute)))
	if !slices.Equal(kinds(trs), []AlertKind{KindUp}) || !strings.Contains(trs[0].Reason, "55 FAILED/UP alerts were held") {
		t.Fatalf("after the hour: %v %+v", kinds(trs), trs)
	}
	// Rendered again with that note, it keeps its id and time: a subscriber
	// de-duplicates on them.
	if f := trs[0].Alert.Facts; f.ID != trs[0].ID || !f.At.Equal(trs[0].At) {
		t.Fatalf("after the hour: facts id %q at %s, want %q at %s", f.ID, f.At, trs[0].ID, trs[0].At)
	}
	if ev.AlertsInWindow != 1 || ev.AlertsHeld != 0 {
		t.Fatalf("new window: sent %d held %d", ev.AlertsInWindow, ev.AlertsHeld)
	}
}

// TestFlappingLeavesDownAndLateAlone: DOWN and LATE are not sender floods
// (one per missed period, one per deadline) and are never held.
func TestFlappingLeavesDownAndLateAlone(t *testing.T) {
	t.Parallel()
	ev := seedEvent(t, Rolling, time.Minute, at(0), at(60), at(0))
	ev.AlertWindowStart, ev.AlertsInWindow = at(0), MaxAlertsPerHour
	ev.MaxAlerts = 100
	trs, _ := ev.CheckDue(at(125))
	if !slices.Equal(kinds(trs), []AlertKind{KindDown}) {
		t.Fatalf("DOWN held by the FAILED/UP limit: %v", kinds(trs))
	}
}
