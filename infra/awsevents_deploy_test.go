package main

import (
	"context"
	"encoding/json"
	"fmt"
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
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/eventbridgetest"
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
	transformers := map[string]memon.CompactInput{} // rule name -> its target's input transformer
	for _, r := range rules.Rules {
		if strings.Contains(aws.ToString(r.Name), "-aws-") {
			transformers[aws.ToString(r.Name)] = compactTargetAsDeployed(ctx, t, eb, r.Name)
		}
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
	var compacts []string // what EventBridge would queue
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
			sent := time.Now()
			body := []byte(aws.ToString(m.Body))
			p, err := memon.DecodeBody(body, sent)
			if err != nil {
				t.Errorf("delivered event does not decode: %v\n%s", err, body)
				continue
			}
			got = append(got, p.Name)
			// What AWS would have queued: the compact event the deployed
			// transformer makes of it, which must give the same ping.
			key, _, _ := strings.Cut(p.Name, ":")
			in, ok := transformers["memon-aws-"+key]
			if !ok {
				t.Errorf("no deployed input transformer for %s", key)
				continue
			}
			compact, err := eventbridgetest.Transform(in.Template, in.PathsMap, body, "")
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			cp, err := memon.DecodeBody(compact, sent)
			if err != nil || cp.Name != p.Name || cp.Signal != p.Signal || cp.RunID != p.RunID ||
				cp.Duration != p.Duration || exitOf(cp) != exitOf(p) {
				t.Errorf("%s: the compact event (%d bytes) gives %+v, %v; the whole event %+v\n%s", key, len(compact), cp, err, p, compact)
			}
			compacts = append(compacts, string(compact))
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
	checkCompactEventsQueue(ctx, t, q, out.QueueURL, compacts, want)
}

// checkCompactEventsQueue sends the compact events, as EventBridge would,
// to the deployed ping queue (at most 16 KiB a message) and reads them back
// as the poller does: each is accepted and decodes to its ping name.
func checkCompactEventsQueue(ctx context.Context, t *testing.T, q *sqs.Client, url string, compacts, want []string) {
	t.Helper()
	for _, c := range compacts {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(c)}); err != nil {
			t.Fatalf("the queue refuses a compact event of %d bytes: %v", len(c), err)
		}
	}
	var got []string
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < len(compacts) && time.Now().Before(deadline) {
		msgs, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			p, err := memon.DecodeBody([]byte(aws.ToString(m.Body)), time.Now())
			if err != nil {
				t.Errorf("a queued compact event does not decode: %v", err)
				continue
			}
			got = append(got, p.Name)
			if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the queued compact events gave %v, want %v", got, want)
	}
}

// exitOf shows a ping's exit code, or none.
func exitOf(p memon.Ping) string {
	if p.ExitCode == nil {
		return "none"
	}
	return fmt.Sprint(*p.ExitCode)
}

// compactTargetAsDeployed reads the input transformer of a deployed AWS
// rule's queue target, checks it is the source's compact one, and puts the
// target back without it: moto fills templates unlike EventBridge (string
// values unquoted, so `[<v1>]` becomes `[nightly-etl]`; a missing path left
// as `<v1>`), so the test applies the transformer as AWS documents it
// (eventbridgetest.Transform) to what moto delivers.
func compactTargetAsDeployed(ctx context.Context, t *testing.T, eb *eventbridge.Client, rule *string) memon.CompactInput {
	t.Helper()
	targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rule})
	if err != nil || len(targets.Targets) != 1 || targets.Targets[0].InputTransformer == nil {
		t.Fatalf("rule %s: want one target with an input transformer: %v %+v", aws.ToString(rule), err, targets)
	}
	tg := targets.Targets[0]
	in := memon.CompactInput{PathsMap: tg.InputTransformer.InputPathsMap, Template: aws.ToString(tg.InputTransformer.InputTemplate)}
	key := strings.TrimPrefix(aws.ToString(rule), "memon-aws-")
	src, _ := memon.AWSSourceByKey(key)
	if want := src.Compact(); in.Template != want.Template || fmt.Sprint(in.PathsMap) != fmt.Sprint(want.PathsMap) {
		t.Errorf("rule %s deployed the transformer %+v, want %+v", aws.ToString(rule), in, want)
	}
	tg.InputTransformer = nil
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: rule, Targets: []ebtypes.Target{tg}}); err != nil {
		t.Fatal(err)
	}
	return in
}

// TestECSRuleLeavesOutServiceTasks: the ECS rule's pattern, as the stack
// writes it, evaluated by moto's EventBridge: a stopped standalone task
// (group family:...) is delivered, a service's task (group service:...) is not.
func TestECSRuleLeavesOutServiceTasks(t *testing.T) {
	srv := startMoto(t)
	ctx := context.Background()
	cfg := srv.Config(ctx)
	eb, q := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("memon")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []qtypes.QueueAttributeName{qtypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := memon.AWSSourceByKey("ecs")
	pattern, _ := json.Marshal(map[string]any{"source": []string{src.Source}, "detail-type": []string{src.DetailType}, "detail": src.DetailPattern()})
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("memon-aws-ecs"), EventPattern: aws.String(string(pattern))}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("memon-aws-ecs"),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes["QueueArn"])}}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "pkg", "memon", "testdata", "awsevents", "ecs_stopped_exit_1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Detail map[string]any `json:"detail"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	for _, group := range []string{"family:s3-sync", "service:web"} {
		ev.Detail["group"] = group
		d, _ := json.Marshal(ev.Detail)
		if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			Source: aws.String(src.Source), DetailType: aws.String(src.DetailType), Detail: aws.String(string(d))}}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	var groups []any
	for _, m := range got.Messages {
		var e struct{ Detail map[string]any }
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &e); err != nil {
			t.Fatal(err)
		}
		groups = append(groups, e.Detail["group"])
	}
	if len(groups) != 1 || groups[0] != "family:s3-sync" {
		t.Fatalf("delivered the tasks of groups %v, want only family:s3-sync", groups)
	}
}
