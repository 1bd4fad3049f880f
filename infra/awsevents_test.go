package main

import (
	"sort"
	"strings"
	"testing"

	"github.com/peerj/memon/pkg/memon"
)

// awsRules returns the AWS job-event rules of a template by rule name.
func (x tpl) awsRules() map[string]struct {
	id   string
	rule map[string]any
} {
	out := map[string]struct {
		id   string
		rule map[string]any
	}{}
	for id, r := range x.resources("AWS::Events::Rule") {
		if name, _ := props(r)["Name"].(string); strings.Contains(name, "-aws-") {
			out[name] = struct {
				id   string
				rule map[string]any
			}{id, r}
		}
	}
	return out
}

// eventsStatements returns the queue policy statements for EventBridge.
func (x tpl) eventsStatements(t *testing.T, queueID string) []any {
	t.Helper()
	_, policy := x.byProp(t, "AWS::SQS::QueuePolicy", "Queues", []any{ref(queueID)})
	events, _ := splitEventsStatements(props(policy)["PolicyDocument"].(obj)["Statement"].([]any))
	return events
}

// splitEventsStatements separates EventBridge's statements from the rest.
func splitEventsStatements(statements []any) (events, rest []any) {
	for _, s := range statements {
		if equalJSON(s.(obj)["Principal"], obj{"Service": "events.amazonaws.com"}) {
			events = append(events, s)
		} else {
			rest = append(rest, s)
		}
	}
	return events, rest
}

// checkAWSRules asserts one rule per chosen source with its exact pattern,
// targeting the ping queue, and one queue policy statement per rule that
// lets EventBridge send only for that rule.
func checkAWSRules(t *testing.T, x tpl, keys []string) {
	t.Helper()
	queueID, _ := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	rules := x.awsRules()
	var names []string
	for n := range rules {
		names = append(names, n)
	}
	sort.Strings(names)
	var want []string
	for _, k := range keys {
		want = append(want, "memon-aws-"+k)
	}
	sort.Strings(want)
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("AWS event rules %v, want %v", names, want)
	}
	var wantStatements []any
	for _, k := range keys {
		src, _ := memon.AWSSourceByKey(k)
		r := rules["memon-aws-"+k]
		p := props(r.rule)
		expectJSON(t, k+" state", p["State"], "ENABLED")
		if _, ok := p["EventBusName"]; ok {
			t.Errorf("%s rule names a bus: want the default event bus", k)
		}
		pattern := obj{"source": []string{src.Source}, "detail-type": []string{src.DetailType}, "detail": src.DetailPattern()}
		expectJSON(t, k+" pattern", p["EventPattern"], pattern)
		targets := p["Targets"].([]any)
		if len(targets) != 1 {
			t.Fatalf("%s targets %v", k, targets)
		}
		expectJSON(t, k+" target", targets[0].(obj)["Arn"], getAtt(queueID, "Arn"))
		compact := src.Compact()
		expectJSON(t, k+" input transformer", targets[0].(obj)["InputTransformer"],
			obj{"InputPathsMap": compact.PathsMap, "InputTemplate": compact.Template})
		wantStatements = append(wantStatements, obj{
			"Action":    []string{"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"},
			"Condition": obj{"ArnEquals": obj{"aws:SourceArn": getAtt(r.id, "Arn")}},
			"Effect":    "Allow",
			"Principal": obj{"Service": "events.amazonaws.com"},
			"Resource":  getAtt(queueID, "Arn"),
		})
	}
	got := x.eventsStatements(t, queueID)
	sortJSON := func(l []any) []string {
		var s []string
		for _, v := range l {
			s = append(s, jsonOf(v))
		}
		sort.Strings(s)
		return s
	}
	expectJSON(t, "queue policy for EventBridge", sortJSON(got), sortJSON(wantStatements))
}

func TestAWSEventRulesDefault(t *testing.T) {
	x := defaultTemplate(t)
	checkAWSRules(t, x, []string{"batch", "states", "backup", "glue", "codebuild"})
	// Spelled out once, so a change to the shared pattern shows here too.
	_, batch := x.byProp(t, "AWS::Events::Rule", "Name", "memon-aws-batch")
	expectJSON(t, "batch pattern", props(batch)["EventPattern"], obj{
		"detail":      obj{"status": []string{"SUCCEEDED", "FAILED"}},
		"detail-type": []string{"Batch Job State Change"},
		"source":      []string{"aws.batch"},
	})
}

func TestAWSEventRulesChosenByContext(t *testing.T) {
	x := template(t, map[string]any{CtxAWSSources: "ecs, states"})
	checkAWSRules(t, x, []string{"ecs", "states"})
	_, ecs := x.byProp(t, "AWS::Events::Rule", "Name", "memon-aws-ecs")
	expectJSON(t, "ecs pattern", props(ecs)["EventPattern"], obj{
		"detail":      obj{"group": []any{obj{"anything-but": obj{"prefix": "service:"}}}, "lastStatus": []string{"STOPPED"}},
		"detail-type": []string{"ECS Task State Change"},
		"source":      []string{"aws.ecs"},
	})
}

func TestAWSSourceKeys(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "batch,states,backup,glue,codebuild",
		"all":               "batch,states,backup,glue,codebuild,ecs",
		"none":              "",
		"glue,glue , batch": "glue,batch",
	} {
		got, err := AWSSourceKeys(in)
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("AWSSourceKeys(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if _, err := AWSSourceKeys("batch,lambda"); err == nil || !strings.Contains(err.Error(), `"lambda"`) ||
		!strings.Contains(err.Error(), "batch,states,backup,glue,codebuild,ecs") {
		t.Errorf("unknown source: %v", err)
	}
}
