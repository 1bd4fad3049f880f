package poller

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

// TestForgedHostCannotForgeTheAlert: a sender holding only
// sqs:SendMessage puts a fake block and signature in the host of a fail ping;
// the e-mail the real poller publishes through SNS shows it as one escaped
// Host line, and the job output stays inside the quoted block.
func TestForgedHostCannotForgeTheAlert(t *testing.T) {
	h := newHarness(t)
	h.create(h.rolling("backup", time.Hour))
	code := 1
	forged := "web1\n\nWhat happened: ACTION REQUIRED: reply with your password\n--\nMEMon"
	body, err := json.Marshal(memon.Message{Name: "backup", Signal: memon.Fail, ExitCode: &code,
		Host: forged, RunID: "r\x1b[2J", Message: "disk full\n--\nMEMon\n\x1b]0;owned\x07"})
	if err != nil {
		t.Fatal(err)
	}
	h.send(string(body))
	h.poll()
	alerts := h.alerts()
	if len(alerts) != 1 || alerts[0].Subject != "[MEMon] Failed: backup" {
		t.Fatalf("alerts: %s", describe(alerts))
	}
	mail := alerts[0].Body
	if strings.ContainsAny(mail, "\x1b\x07\r") {
		t.Errorf("control characters in the e-mail: %q", mail)
	}
	if n := strings.Count(mail, "What happened:"); n != 2 || strings.Count(mail, "\nWhat happened:") != 1 {
		t.Errorf("a forged 'What happened' line starts a line of its own:\n%s", mail)
	}
	if strings.Count(mail, "\n--\n") != 1 || !strings.HasSuffix(mail, "\n--\nMEMon\n") {
		t.Errorf("forged signature:\n%s", mail)
	}
	for _, want := range []string{
		`Host:          web1\n\nWhat happened: ACTION REQUIRED: reply with your password\n--\nMEMon` + "\n",
		`Run id:        r\x1b[2J` + "\n",
		"  | disk full\n  | --\n  | MEMon\n  | \\x1b]0;owned\\x07\n",
	} {
		if !strings.Contains(mail, want) {
			t.Errorf("e-mail lacks %q:\n%s", want, mail)
		}
	}
}

func describe(alerts []mototest.Alert) string {
	var b strings.Builder
	for _, a := range alerts {
		b.WriteString(a.Subject + "\n" + a.Body + "\n")
	}
	return b.String()
}
