package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

var moto *mototest.Server

func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &moto)) }

// TestEventPutsAJobEventTheQueueReadsAsTheService: each sample is an
// EventBridge envelope the poller decodes into the run it stands for.
func TestEventPutsAJobEventTheQueueReadsAsTheService(t *testing.T) {
	mototest.Need(t, moto)
	ctx := context.Background()
	q := sqs.NewFromConfig(moto.Config(ctx))
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("local-job-events")})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AWS_ENDPOINT_URL": moto.Endpoint, settings.EnvQueueURL: *out.QueueUrl}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		args   []string
		name   string
		signal memon.Signal
		exit   int
	}{
		{[]string{"event", "batch", "nightly-etl", "fail"}, "batch:nightly-etl", memon.Fail, 3},
		{[]string{"event", "states", "invoice-run"}, "states:invoice-run", memon.Success, -1},
		{[]string{"event", "ecs", "s3-sync"}, "ecs:s3-sync", memon.Success, 0},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, tc.args, getenv, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr.String())
		}
		got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: out.QueueUrl, WaitTimeSeconds: 2})
		if err != nil || len(got.Messages) != 1 {
			t.Fatalf("%v: %v %+v", tc.args, err, got)
		}
		body := []byte(*got.Messages[0].Body)
		if _, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: out.QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
		p, err := memon.DecodeBody(body, time.Now())
		if err != nil {
			t.Fatalf("%v: the poller cannot read it: %v\n%s", tc.args, err, body)
		}
		if p.Name != tc.name || p.Signal != tc.signal || p.Duration != time.Minute || (tc.exit >= 0 && (p.ExitCode == nil || *p.ExitCode != tc.exit)) {
			t.Errorf("%v: ping %+v", tc.args, p)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"event", "glue", "x"}, getenv, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "want one of") {
		t.Errorf("an unknown kind: exit %d %q", code, stderr.String())
	}
}

// TestAlertsWatchWithoutASubject: `alerts watch SECS` subscribes its own
// queue to the topic and prints every alert that arrives.
func TestAlertsWatchWithoutASubject(t *testing.T) {
	mototest.Need(t, moto)
	ctx := context.Background()
	ns := sns.NewFromConfig(moto.Config(ctx))
	topic, err := ns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("local-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AWS_ENDPOINT_URL": moto.Endpoint, settings.EnvTopicARN: *topic.TopicArn}
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"alerts", "watch", "6"}, func(k string) string { return env[k] }, &stdout, &stderr)
	}()
	time.Sleep(2 * time.Second) // the subscription is made first
	alert := memon.Alert{Kind: memon.KindDown, Event: "nightly", Subject: "[MEMon] Down: nightly", Body: "MEMon Alert\n---\nDown: nightly"}
	if err := notify.New(ns, *topic.TopicArn).Publish(ctx, alert); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "ALERT  [MEMon] Down: nightly") {
		t.Errorf("alerts watch printed:\n%s\n%s", stdout.String(), stderr.String())
	}
}
