package memon

import (
	"strings"
	"testing"
	"time"
)

// TestTestAlert: each kind renders like the real alert, marked as
// a test in subject, body and SNS kind.
func TestTestAlert(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	for _, kind := range TestAlertKinds {
		a, err := TestAlert(kind, now, "memon-config test-alert")
		if err != nil {
			t.Fatal(err)
		}
		word := subjectWord[kind]
		if a.Kind != KindTest || a.Subject != "[MEMon] Test: "+word+": memon-test" || a.Event != TestEvent {
			t.Errorf("%s: kind %q subject %q event %q", kind, a.Kind, a.Subject, a.Event)
		}
		if !strings.HasPrefix(a.Body, "THIS IS A TEST sent by memon-config test-alert at 2026-11-24 08:00:00 UTC") ||
			!strings.Contains(a.Body, "\n"+word+": memon-test\n") || !strings.HasSuffix(a.Body, "--\nMEMon\n") {
			t.Errorf("%s body:\n%s", kind, a.Body)
		}
	}
	if _, err := TestAlert("config", now, "x"); err == nil || !strings.Contains(err.Error(), "want down, up, failed or late") {
		t.Errorf("unknown kind: %v", err)
	}
}
