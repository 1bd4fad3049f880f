package memon

import (
	"testing"
	"time"
)

func TestByHandAndHistoryKeys(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 5e6, time.UTC)
	ev := &Event{Config: Config{Name: "backup", Enabled: true}, State: Up}
	tr := ev.ByHand(at, Up, Paused, "paused by memon-config")
	if tr.ID != "1772445600005-paused" || tr.Alert != nil || tr.Event != "backup" || tr.From != Up || tr.To != Paused {
		t.Fatalf("transition %+v", tr)
	}
	r := tr.Record()
	if r.Key() != "2026-03-02T10:00:00.005Z paused" || r.Alert != "" || r.Reason != "paused by memon-config" {
		t.Fatalf("record %+v key %q", r, r.Key())
	}
	claim := ConfigClaim("backup", "broken", at.Add(42*time.Minute))
	if claim.Key() != "2026-03-02T10:42:00.005Z config" || claim.Alert != KindConfig {
		t.Fatalf("claim %+v key %q: the claim's own time", claim, claim.Key())
	}
	if !ConfigClaimHolds(claim.At, claim.At.Add(59*time.Minute)) || ConfigClaimHolds(claim.At, claim.At.Add(time.Hour)) {
		t.Fatal("a CONFIG claim holds for the sliding hour after it")
	}
	if (Listed{}).Name() != "" || (Listed{Event: ev}).Name() != "backup" {
		t.Fatal("Listed.Name")
	}
}
