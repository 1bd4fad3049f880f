package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/peerj/memon/internal/settings"
)

// TestCLITestAlert: the binary publishes one alert through the
// topic, marked as a test in subject, body and SNS kind, for each kind.
func TestCLITestAlert(t *testing.T) {
	t.Parallel()
	m := newMoto(t)
	ctx := context.Background()
	topic, err := sns.NewFromConfig(srv.Config(ctx)).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("topic-" + m.table)})
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := srv.SubscribeQueue(ctx, *topic.TopicArn, "inbox-"+m.table)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"test-alert", "--topic-arn", *topic.TopicArn}, nil, "[MEMon] Test: Down: memon-test"},
		{[]string{"test-alert", "--kind", "failed"}, []string{settings.EnvTopicARN + "=" + *topic.TopicArn}, "[MEMon] Test: Failed: memon-test"},
		{[]string{"test-alert", "--kind=up", "--topic-arn=" + *topic.TopicArn}, nil, "[MEMon] Test: Up: memon-test"},
		{[]string{"--region", "us-east-1", "test-alert", "--kind", "LATE", "--topic-arn", *topic.TopicArn}, nil, "[MEMon] Test: Late: memon-test"},
	} {
		m.extraEnv = tc.env
		out := m.ok(tc.args...)
		if !strings.Contains(out, tc.want) || !strings.Contains(out, *topic.TopicArn) {
			t.Errorf("%v: stdout %q", tc.args, out)
		}
		alerts, err := srv.ReadAlerts(ctx, inbox, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) != 1 || alerts[0].Subject != tc.want || alerts[0].Kind != "test" ||
			!strings.HasPrefix(alerts[0].Body, "THIS IS A TEST sent by memon-config test-alert") {
			t.Errorf("%v: alerts %+v", tc.args, alerts)
		}
	}
	m.extraEnv = nil
	if code, _, errs := m.run("test-alert", "--kind", "config", "--topic-arn", *topic.TopicArn); code != exitUsage || !strings.Contains(errs, "--kind") {
		t.Errorf("--kind config: exit %d %q", code, errs)
	}
}
