package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// stack is newMoto plus a queue, a topic with a subscribed queue to read
// alerts from, and the memon-send and memon-poller binaries.
type stack struct {
	*moto
	send, poll, alerts string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	m := newMoto(t)
	send, err := binary(t, "cmd/memon-send")
	if err != nil {
		t.Fatal(err)
	}
	poll, err := binary(t, "lambdas/poller")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := srv.Config(ctx)
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q-" + m.table)})
	if err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("topic-" + m.table)})
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := srv.SubscribeQueue(ctx, *topic.TopicArn, "alerts-"+m.table)
	if err != nil {
		t.Fatal(err)
	}
	m.extraEnv = []string{settings.EnvQueueURL + "=" + *q.QueueUrl, settings.EnvTopicARN + "=" + *topic.TopicArn}
	return &stack{moto: m, send: send, poll: poll, alerts: alerts}
}

// sh runs one of the binaries and fails the test unless it exits want.
func (s *stack) sh(want int, bin string, args ...string) string {
	s.t.Helper()
	code, out, errs := s.exec(bin, args...)
	if code != want {
		s.t.Fatalf("%s %s: exit %d, want %d\n%s%s", bin, strings.Join(args, " "), code, want, out, errs)
	}
	return out
}

func (s *stack) readAlerts() []mototest.Alert {
	s.t.Helper()
	got, err := srv.ReadAlerts(context.Background(), s.alerts, 2*time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	return got
}

type reportJSON struct {
	Summary string `json:"summary"`
	Events  []struct {
		Name          string  `json:"name"`
		Runs          int     `json:"runs"`
		Failures      int     `json:"failures"`
		Uptime        float64 `json:"uptime_percent"`
		AvgDuration   float64 `json:"avg_duration_seconds"`
		LastFailure   string  `json:"last_failure"`
		LastReason    string  `json:"last_failure_reason"`
		DowntimeSecs  float64 `json:"downtime_seconds"`
		MissedPeriods int     `json:"missed_periods"`
	} `json:"events"`
}

func (s *stack) report(args ...string) reportJSON {
	s.t.Helper()
	var r reportJSON
	out := s.ok(append([]string{"report", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		s.t.Fatalf("report --json: %v\n%s", err, out)
	}
	return r
}

// TestReportThroughPollerAndCLI: pings through memon-send and the real
// poller fill the counters; a finished day moves to the history table on
// the next write; memon-config report and memon-poller --report read both.
func TestReportThroughPollerAndCLI(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.ok("set", "nightly", "--period", "1d")
	s.ok("set", "steady", "--period", "1d")
	s.sh(0, s.send, "nightly", "--", "true")
	s.sh(3, s.send, "nightly", "--", "sh", "-c", "exit 3")
	s.sh(0, s.send, "steady")
	s.sh(0, s.poll, "--once")

	r := s.report()
	if len(r.Events) != 2 || r.Events[0].Name != "nightly" || r.Events[0].Runs != 2 || r.Events[0].Failures != 1 ||
		!strings.Contains(r.Events[0].LastReason, "exit code 3") || r.Events[0].LastFailure == "" || r.Events[0].DowntimeSecs <= 0 {
		t.Fatalf("report after the first poll: %+v", r)
	}

	// Make the counters yesterday's, as if the day had ended (a console edit:
	// the binaries run on the real clock). The next ping rolls them over.
	yesterday := memon.DayOf(time.Now().UTC().Add(-24 * time.Hour))
	_, err := s.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: map[string]types.AttributeValue{schema.AttrName: &types.AttributeValueMemberS{Value: "steady"}},
		UpdateExpression:          aws.String("SET #t.#d = :d, #t.#r = :r"),
		ExpressionAttributeNames:  map[string]string{"#t": schema.AttrToday, "#d": schema.CountDay, "#r": schema.CountRuns},
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberS{Value: yesterday}, ":r": &types.AttributeValueMemberN{Value: "5"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.sh(0, s.send, "steady")
	s.sh(0, s.poll, "--once")
	today := s.item("steady")[schema.AttrToday].(*types.AttributeValueMemberM).Value
	if d := today[schema.CountDay].(*types.AttributeValueMemberS).Value; d != memon.DayOf(time.Now().UTC()) {
		t.Errorf("Today.Day %q after the roll", d)
	}
	for _, c := range []struct {
		args []string
		runs int
	}{{nil, 6}, {[]string{"--from", yesterday, "--to", yesterday}, 5}, {[]string{"--since", "1s"}, 1}} {
		r = s.report(c.args...)
		var runs int
		for _, e := range r.Events {
			if e.Name == "steady" {
				runs = e.Runs
			}
		}
		if runs != c.runs {
			t.Errorf("report %v: steady ran %d times, want %d (yesterday's record + today's counters)", c.args, runs, c.runs)
		}
	}

	// The table form: summary on top, worst first.
	text := s.ok("report")
	lines := strings.Split(text, "\n")
	if !strings.HasPrefix(lines[1], "2 events, 1 with problems; 8 runs, 1 failed") ||
		strings.Index(text, "\nnightly ") > strings.Index(text, "\nsteady ") {
		t.Errorf("report:\n%s", text)
	}

	// memon-poller --report publishes the same content with kind=report.
	s.readAlerts() // the FAILED alert of the first poll
	s.sh(0, s.poll, "--report", "weekly", "--report-time-zone", "Europe/Berlin")
	got := s.readAlerts()
	if len(got) != 1 || got[0].Kind != "report" || !strings.HasPrefix(got[0].Subject, "[MEMon] Weekly report: ") ||
		!strings.Contains(got[0].Body, "MEMon weekly report") || !strings.Contains(got[0].Body, "LAST FAILURE") {
		t.Errorf("published %+v", got)
	}
	s.sh(0, s.poll, "--report", "monthly")
	if got := s.readAlerts(); len(got) != 1 || !strings.HasPrefix(got[0].Subject, "[MEMon] Monthly report: ") {
		t.Errorf("published %+v", got)
	}
	if out := s.sh(2, s.poll, "--report", "daily"); out != "" {
		t.Errorf("stdout %q", out)
	}
}
