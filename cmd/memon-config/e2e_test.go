package main

import (
	"strings"
	"testing"
)

// TestEndToEnd: set → show → send → poll → show reflects it, with the
// three real binaries against moto.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	st := newStack(t) // memon-config, memon-send and the poller against one MEMon in moto
	m, send, poll := st.moto, st.send, st.poll

	m.ok("set", "e2e-job", "--period", "1h", "--description", "end to end")
	if s := m.showJSON("e2e-job")["e2e-job"]; s["status"] != "new" || s["last_success"] != nil {
		t.Fatalf("before the ping: %v", s)
	}
	if code, out, errs := m.exec(send, "e2e-job"); code != 0 {
		t.Fatalf("memon-send: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := m.exec(poll, "--once"); code != 0 {
		t.Fatalf("memon-poller --once: exit %d\n%s%s", code, out, errs)
	}
	s := m.showJSON("e2e-job")["e2e-job"]
	if s["status"] != "up" || s["last_success"] == nil || s["deadline"] == nil {
		t.Errorf("after send and poll: %v", s)
	}
	if hist := m.ok("history", "e2e-job"); !strings.Contains(hist, "new → up") || !strings.Contains(hist, "first run") {
		t.Errorf("history:\n%s", hist)
	}
}
