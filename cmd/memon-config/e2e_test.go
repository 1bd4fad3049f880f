package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/settings"
)

// TestEndToEnd: set → show → send → poll → show reflects it, with the
// three real binaries against moto.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	m := newMoto(t)
	send, sendErr := binary(t, "cmd/memon-send")
	poll, pollErr := binary(t, "lambdas/poller")
	for _, err := range []error{sendErr, pollErr} {
		if err == nil {
			continue
		}
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("memon-send or the poller does not build yet: %v", err)
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
	m.extraEnv = []string{settings.EnvQueueURL + "=" + *q.QueueUrl, settings.EnvTopicARN + "=" + *topic.TopicArn}

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
