package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/schema"
)

// backdate is a console edit: it sets epoch-second attributes to times in
// the past (the binaries run on the real clock), AlertAt included so the
// poller's due index finds the item.
func (s *stack) backdate(name string, attrs map[string]time.Time, remove ...string) {
	s.t.Helper()
	names, values := map[string]string{}, map[string]types.AttributeValue{}
	var sets []string
	i := 0
	for a, t := range attrs {
		n, v := fmt.Sprintf("#a%d", i), fmt.Sprintf(":a%d", i)
		names[n], values[v] = a, &types.AttributeValueMemberN{Value: fmt.Sprint(t.Unix())}
		sets = append(sets, n+" = "+v)
		i++
	}
	expr := "SET " + strings.Join(sets, ", ")
	for j, a := range remove {
		n := fmt.Sprintf("#r%d", j)
		names[n] = a
		if j == 0 {
			expr += " REMOVE " + n
		} else {
			expr += ", " + n
		}
	}
	_, err := s.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: map[string]types.AttributeValue{schema.AttrName: &types.AttributeValueMemberS{Value: name}},
		UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// pollAlerts polls once and returns the alerts published.
func (s *stack) pollAlerts() []mototest.Alert {
	s.t.Helper()
	s.sh(0, s.poll, "--once")
	got, err := srv.ReadAlerts(context.Background(), s.alerts, 500*time.Millisecond)
	if err != nil {
		s.t.Fatal(err)
	}
	return got
}

// TestNoiseControlsThroughPollerAndCLI: each control set with memon-config,
// pings through memon-send, decisions by the real poller, alerts read from
// a queue subscribed to the topic.
func TestNoiseControlsThroughPollerAndCLI(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	fail := []string{"--", "sh", "-c", "exit 4"}

	// --failures-before-alert 2: the first failure is silent, the second alerts.
	s.ok("set", "flaky", "--period", "1d", "--failures-before-alert", "2")
	s.sh(0, s.send, "flaky")
	s.pollAlerts()
	s.sh(4, s.send, append([]string{"flaky"}, fail...)...)
	if got := s.pollAlerts(); len(got) != 0 {
		t.Errorf("first failure alerted: %s", mototest.Subjects(got))
	}
	if st := s.showJSON("flaky")["flaky"]["status"]; st != "down" {
		t.Errorf("status after one failure %v, want down (the state is exact)", st)
	}
	s.sh(4, s.send, append([]string{"flaky"}, fail...)...)
	if got := s.pollAlerts(); len(got) != 1 || got[0].Subject != "[MEMon] Failed: flaky" {
		t.Errorf("second failure: %s", mototest.Subjects(got))
	}

	// --min-runtime: a run that takes milliseconds is a failure that says so.
	s.ok("set", "quick", "--period", "1d", "--min-runtime", "1m")
	s.sh(0, s.send, "quick", "--", "true")
	got := s.pollAlerts()
	if len(got) != 1 || got[0].Subject != "[MEMon] Failed: quick" || !strings.Contains(got[0].Body, "shorter than the minimum run time 1m") {
		t.Errorf("short run: %+v", got)
	}

	// --max-runtime: a start with no outcome; its start moved 2h back.
	s.ok("set", "long", "--period", "1d", "--max-runtime", "1h")
	s.sh(0, s.send, "long", "--start", "--run-id", "r-42", "--host", "db1")
	s.pollAlerts()
	s.backdate("long", map[string]time.Time{schema.AttrRunningSince: time.Now().Add(-2 * time.Hour), schema.AttrDueAt: time.Now().Add(-time.Hour)})
	got = s.pollAlerts()
	if len(got) != 1 || got[0].Kind != "overrun" || got[0].Subject != "[MEMon] Overrun: long" ||
		!strings.Contains(got[0].Body, "run id r-42") || !strings.Contains(got[0].Body, "host db1") {
		t.Errorf("overrun: %+v", got)
	}
	if got := s.pollAlerts(); len(got) != 0 {
		t.Errorf("overrun alerted twice: %s", mototest.Subjects(got))
	}

	// --repeat-every: after the DOWN, a reminder once the interval passed
	// (the deadline and the last DOWN moved back, as a console edit would).
	s.ok("set", "remind", "--period", "1d", "--repeat-every", "1h")
	s.sh(0, s.send, "remind")
	s.pollAlerts()
	s.backdate("remind", map[string]time.Time{schema.AttrNextBlockTime: time.Now().Add(-time.Minute), schema.AttrDueAt: time.Now().Add(-time.Minute)})
	if got := s.pollAlerts(); len(got) != 1 || got[0].Subject != "[MEMon] Down: remind" {
		t.Errorf("first DOWN: %s", mototest.Subjects(got))
	}
	if got := s.pollAlerts(); len(got) != 0 {
		t.Errorf("a reminder before the interval: %s", mototest.Subjects(got))
	}
	s.backdate("remind", map[string]time.Time{schema.AttrLastDownAlert: time.Now().Add(-61 * time.Minute), schema.AttrDueAt: time.Now().Add(-time.Minute)})
	if got := s.pollAlerts(); len(got) != 1 || got[0].Subject != "[MEMon] Down: remind" || !strings.Contains(got[0].Body, "reminder 2 of at most 3, every 1h") {
		t.Errorf("reminder: %+v", got)
	}

	// --depends-on: the parent's DOWN lists the child; the child's is held.
	s.ok("set", "db", "--period", "1d")
	s.ok("set", "nightly-report", "--period", "1d", "--depends-on", "db")
	if code, _, errs := s.run("set", "db", "--depends-on", "nightly-report"); code != exitUsage || !strings.Contains(errs, "cycle db → nightly-report → db") {
		t.Errorf("cycle: exit %d %q", code, errs)
	}
	s.sh(0, s.send, "db")
	s.sh(0, s.send, "nightly-report")
	s.pollAlerts()
	past := map[string]time.Time{schema.AttrNextBlockTime: time.Now().Add(-time.Minute), schema.AttrAlertAt: time.Now().Add(-time.Minute)}
	s.backdate("db", past)
	s.backdate("nightly-report", past)
	got = s.pollAlerts()
	if len(got) != 1 || got[0].Subject != "[MEMon] Down: db" || !strings.Contains(got[0].Body, "also affected: nightly-report") {
		t.Errorf("parent and child down: %+v", got)
	}
	if hist := s.ok("history", "nightly-report"); !strings.Contains(hist, "held: 1 parent down: db") {
		t.Errorf("child history:\n%s", hist)
	}

	// pause --until: the poller resumes the event by itself.
	s.ok("set", "nap", "--period", "1d")
	if out := s.ok("pause", "nap", "--until", "1s"); !strings.Contains(out, "paused until") {
		t.Errorf("pause said %q", out)
	}
	if st := s.showJSON("nap")["nap"]; st["status"] != "paused" || st["paused_until"] == nil {
		t.Errorf("after pause --until: %v", st)
	}
	time.Sleep(3 * time.Second) // AlertAt is PausedUntil rounded up to a whole second
	s.pollAlerts()
	if st := s.showJSON("nap")["nap"]; st["status"] != "new" || st["paused_until"] != nil {
		t.Errorf("after the pause ended and a poll: %v", st)
	}
	if hist := s.ok("history", "nap"); !strings.Contains(hist, "the pause ended") {
		t.Errorf("history:\n%s", hist)
	}

	// --quiet: a failure inside a window is held; at the window's end (moved
	// into the past) it is sent, since the job still fails; the UP follows.
	s.ok("set", "night", "--period", "1d", "--quiet", "daily 00:00-24:00")
	s.sh(0, s.send, "night")
	s.pollAlerts()
	s.sh(4, s.send, append([]string{"night"}, fail...)...)
	if got := s.pollAlerts(); len(got) != 0 {
		t.Errorf("failure in a quiet window alerted: %s", mototest.Subjects(got))
	}
	if line := s.ok("show", "night"); !strings.Contains(line, "failed alert held until") {
		t.Errorf("show:\n%s", line)
	}
	s.ok("set", "night", "--quiet", "none")
	s.backdate("night", map[string]time.Time{schema.AttrHeldUntil: time.Now().Add(-time.Minute), schema.AttrDueAt: time.Now().Add(-time.Minute)})
	got = s.pollAlerts()
	if len(got) != 1 || got[0].Subject != "[MEMon] Failed: night" || !strings.Contains(got[0].Body, "still failing at the end of the quiet window") {
		t.Errorf("at the window's end: %+v", got)
	}
	s.sh(0, s.send, "night")
	if got := s.pollAlerts(); len(got) != 1 || got[0].Subject != "[MEMon] Up: night" {
		t.Errorf("recovery: %s", mototest.Subjects(got))
	}
}
