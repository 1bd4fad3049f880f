package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

func testAlertCommand() *command {
	kinds := memon.KindNames(memon.TestAlertKinds)
	o := &testAlertOptions{}
	return &command{
		name: "test-alert", args: "[--kind " + strings.Join(kinds, "|") + "] [--tag TAG]... [--topic-arn ARN]",
		summary: "Publish one test alert through the alert topic, to check the e-mail or chat subscriptions after a deploy.\n" +
			"It looks like a real alert of --kind for a made-up event, marked as a test: subject \"[MEMon] Test: ...\",\n" +
			"SNS attribute kind=test. With --tag, the alert carries those tags, so it goes where the deploy routes them.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&o.kind, "kind", string(memon.KindDown), "the `KIND` of alert to imitate: "+strings.Join(kinds, ", "))
			fs.Var(&o.tags, "tag", "the made-up event carries `TAG`: the alert reaches that tag's route (repeatable)")
			fs.StringVar(&o.topicARN, "topic-arn", "", "alert topic `ARN` (env "+settings.EnvTopicARN+"; default: the stack's TopicArn output)")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runTestAlert(a, ctx, cl, o) },
	}
}

// testAlertOptions are test-alert's flags.
type testAlertOptions struct {
	kind, topicARN string
	tags           listFlag
}

func runTestAlert(a *app, ctx context.Context, cl *call, o *testAlertOptions) error {
	if err := cl.noArgs("test-alert"); err != nil {
		return err
	}
	kind := memon.AlertKind(strings.ToLower(strings.TrimSpace(o.kind)))
	tags := memon.ParseTags(o.tags)
	if err := memon.ValidateTags(memon.KeyTag, tags); err != nil {
		return asFlag(err)
	}
	alert, err := memon.TestAlert(kind, a.now(), "memon-config test-alert", tags...)
	if err != nil {
		return asFlag(err)
	}
	cfg, err := loadAWS(ctx, cl.g)
	if err != nil {
		return err
	}
	topic := cmp.Or(o.topicARN, a.env(settings.EnvTopicARN))
	if topic == "" {
		out, err := stackOutputs(ctx, cloudformation.NewFromConfig(cfg), stackName(cl.g))
		if err != nil {
			return fmt.Errorf("find the alert topic (or give --topic-arn ARN or %s): %w", settings.EnvTopicARN, err)
		}
		if topic = out["TopicArn"]; topic == "" {
			return fmt.Errorf("stack %s has no TopicArn output: give --topic-arn ARN", stackName(cl.g))
		}
	}
	if err := notify.New(sns.NewFromConfig(cfg), topic).Publish(ctx, alert); err != nil {
		return fmt.Errorf("%w (your credentials need sns:Publish on %s)", err, topic)
	}
	fmt.Fprintf(a.stdout, "published %q to %s: check that it reached your e-mail or chat\n", alert.Subject, topic)
	return nil
}
