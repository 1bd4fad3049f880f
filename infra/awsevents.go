package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/pkg/memon"
)

// CtxAWSSources chooses the AWS services whose job events reach the queue:
// `-c awsSources=batch,states,backup,glue,codebuild,ecs`, `all`, or `none`.
const CtxAWSSources = "awsSources"

// AWSSourceKeys parses the awsSources value: "" gives the defaults (every
// source but ECS, whose task events come from every service of a cluster),
// "all" every source, "none" none.
func AWSSourceKeys(value string) ([]string, error) {
	var all, defaults []string
	for _, s := range memon.AWSSources() {
		all = append(all, s.Key)
		if s.DefaultOn {
			defaults = append(defaults, s.Key)
		}
	}
	switch v := strings.TrimSpace(value); v {
	case "":
		return defaults, nil
	case "all":
		return all, nil
	case "none":
		return nil, nil
	}
	var keys []string
	for _, k := range strings.Split(value, ",") {
		k = strings.TrimSpace(k)
		if !slices.Contains(all, k) {
			return nil, fmt.Errorf("context %s: %q is not a source; want a comma-separated list of %s, or all, or none",
				CtxAWSSources, k, strings.Join(all, ","))
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// awsEventRules routes the terminal job events of the chosen AWS services,
// from the account's default event bus, to the ping queue. The SQS target
// adds a queue policy statement per rule that lets events.amazonaws.com
// send only for that rule (aws:SourceArn): no other rule, and no other
// account's, can write to the queue through it.
func (m *memonStack) awsEventRules(keys []string) {
	for _, k := range keys {
		src, _ := memon.AWSSourceByKey(k)
		detail := src.DetailPattern()
		rule := awsevents.NewRule(m.stack, jsii.String("AwsEvents-"+k), &awsevents.RuleProps{
			RuleName:    m.name("-aws-" + k),
			Description: jsii.String(fmt.Sprintf("MEMon: %s outcomes as pings named %s:<%s>", src.DetailType, k, src.Resource)),
			EventPattern: &awsevents.EventPattern{
				Source:     jsii.Strings(src.Source),
				DetailType: jsii.Strings(src.DetailType),
				Detail:     &detail,
			},
			Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(m.queue, nil)},
		})
		// The queue takes at most 16 KiB; a whole AWS event can be 256 KB.
		// The target sends the compact event instead: only what the poller
		// decodes (memon.AWSSource.Compact).
		compact := src.Compact()
		paths := map[string]any{}
		for placeholder, path := range compact.PathsMap {
			paths[placeholder] = path
		}
		rule.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(jsii.String("Targets.0.InputTransformer"),
			map[string]any{"InputPathsMap": paths, "InputTemplate": compact.Template})
	}
}
