package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

// checkAWSEventRules puts AWS job events on the deployed stack's default bus,
// as the services do, and reads what the rules delivered to the ping queue:
// the terminal event of each default source arrives as its EventBridge
// envelope and decodes to its ping; a non-terminal event and an ECS event
// (no ECS rule by default) do not arrive.
func checkAWSEventRules(ctx context.Context, t *testing.T, eb *eventbridge.Client, q *sqs.Client, out mototest.Outputs) {
	t.Helper()
	files := map[string]string{ // example event -> the ping name it must give
		"batch_failed":       "batch:nightly-etl",
		"states_succeeded":   "states:invoice-run",
		"backup_completed":   "backup:RDS:orders-db",
		"glue_timeout":       "glue:clickstream to parquet",
		"codebuild_failed":   "codebuild:nightly-release",
		"batch_running":      "",
		"ecs_stopped_exit_1": "",
	}
	var entries []ebtypes.PutEventsRequestEntry
	for file := range files {
		b, err := os.ReadFile(filepath.Join("..", "pkg", "memon", "testdata", "awsevents", file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, ebtypes.PutEventsRequestEntry{
			Source: aws.String(ev.Source), DetailType: aws.String(ev.DetailType), Detail: aws.String(string(ev.Detail)),
		})
	}
	// moto 5.2 fails every PutEvents on a bus that holds a scheduled rule
	// ("Expr not defined for Rule"): the poller's schedule goes first. This
	// is the last check of the deployment.
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.Rules {
		if r.ScheduleExpression == nil {
			continue
		}
		targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tg := range targets.Targets {
			ids = append(ids, aws.ToString(tg.Id))
		}
		if len(ids) > 0 {
			if _, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: r.Name, Ids: ids}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: r.Name}); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries}); err != nil || res.FailedEntryCount != 0 {
		t.Fatalf("put events: %v %+v", err, res)
	}
	var want, got []string
	for _, name := range files {
		if name != "" {
			want = append(want, name)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < len(want) && time.Now().Before(deadline) {
		msgs, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &out.QueueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			p, err := memon.DecodeBody([]byte(aws.ToString(m.Body)), time.Now())
			if err != nil {
				t.Errorf("delivered event does not decode: %v\n%s", err, aws.ToString(m.Body))
				continue
			}
			got = append(got, p.Name)
			if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &out.QueueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the rules delivered %v, want %v", got, want)
	}
}
