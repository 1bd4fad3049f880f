package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// obj is a template fragment.
type obj = map[string]any

func TestPollerFunction(t *testing.T) {
	x := defaultTemplate(t)
	_, fn := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	p := props(fn)
	expectJSON(t, "Runtime", p["Runtime"], "provided.al2023")
	expectJSON(t, "Architectures", p["Architectures"], []string{"arm64"})
	expectJSON(t, "Handler", p["Handler"], "bootstrap")
	expectJSON(t, "MemorySize", p["MemorySize"], pollerMemoryMB)
	expectJSON(t, "Timeout", p["Timeout"], pollerTimeoutSeconds)
	expectJSON(t, "ReservedConcurrentExecutions", p["ReservedConcurrentExecutions"], 1)
	fnID, _ := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	// Lambda's own asynchronous retries (default 2) are off, as the
	// EventBridge target's are: a failed poll is redone by the next one.
	_, invoke := onlyOne(t, x.resources("AWS::Lambda::EventInvokeConfig"))
	expectJSON(t, "async invoke config", props(invoke), obj{
		"FunctionName": ref(fnID), "Qualifier": "$LATEST", "MaximumRetryAttempts": 0,
	})

	logID, _ := x.byProp(t, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/memon-poller")
	expectJSON(t, "LoggingConfig", p["LoggingConfig"], obj{"LogFormat": "JSON", "LogGroup": ref(logID)})
	must(t, func() {
		x.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), obj{"RetentionInDays": 30})
	})

	roleID, _ := x.pollerRole(t)
	expectJSON(t, "Role", p["Role"], getAtt(roleID, "Arn"))

	queueID, _ := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	eventsID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	historyID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-history")
	topicID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon")
	expectJSON(t, "Environment", p["Environment"], obj{"Variables": obj{
		settings.EnvQueueURL:     ref(queueID),
		settings.EnvTable:        ref(eventsID),
		settings.EnvHistoryTable: ref(historyID),
		settings.EnvTopicARN:     ref(topicID),
	}})
}

func TestSchedule(t *testing.T) {
	x := defaultTemplate(t)
	fnID, _ := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	ruleID, rule := x.byProp(t, "AWS::Events::Rule", "ScheduleExpression", "rate(1 minute)")
	targets := props(rule)["Targets"].([]any)
	if len(targets) != 1 {
		t.Fatalf("rule targets: %v", targets)
	}
	target := targets[0].(obj)
	expectJSON(t, "target", target["Arn"], getAtt(fnID, "Arn"))
	expectJSON(t, "retries", target["RetryPolicy"], obj{"MaximumRetryAttempts": 0})
	must(t, func() {
		x.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), obj{
			"Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
			"FunctionName": getAtt(fnID, "Arn"), "SourceArn": getAtt(ruleID, "Arn"),
		})
	})
}

// tlsDeny is the statement enforceSSL writes into a resource policy.
func tlsDeny(action string, resource any, principal any) obj {
	return obj{
		"Effect": "Deny", "Action": action, "Principal": principal, "Resource": resource,
		"Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}},
	}
}

func TestQueues(t *testing.T) {
	x := defaultTemplate(t)
	dlqID, dlq := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon-dlq")
	queueID, queue := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	const fourteenDays = 14 * 24 * 3600
	for name, q := range map[string]map[string]any{"queue": queue, "dlq": dlq} {
		expectJSON(t, name+" SSE-SQS", props(q)["SqsManagedSseEnabled"], true)
		expectJSON(t, name+" retention", props(q)["MessageRetentionPeriod"], fourteenDays)
		if _, ok := props(q)["KmsMasterKeyId"]; ok {
			t.Errorf("%s uses a KMS key: SSE-SQS is free, a CMK is not", name)
		}
	}
	expectJSON(t, "redrive", props(queue)["RedrivePolicy"], obj{
		"deadLetterTargetArn": getAtt(dlqID, "Arn"), "maxReceiveCount": 5,
	})
	// The queue refuses what the decoder would refuse: a sender cannot hand
	// the poller a message larger than a ping may be.
	expectJSON(t, "queue MaximumMessageSize", props(queue)["MaximumMessageSize"], memon.MaxMessageBody)
	if vt := props(queue)["VisibilityTimeout"].(float64); vt < 2*pollerTimeoutSeconds {
		t.Errorf("VisibilityTimeout %v, want at least twice the poller timeout %d", vt, pollerTimeoutSeconds)
	}
	for _, id := range []string{queueID, dlqID} {
		_, policy := x.byProp(t, "AWS::SQS::QueuePolicy", "Queues", []any{ref(id)})
		_, statements := splitEventsStatements(props(policy)["PolicyDocument"].(obj)["Statement"].([]any)) // EventBridge's: TestAWSEventRules*
		expectJSON(t, id+" policy", statements, []any{tlsDeny("sqs:*", getAtt(id, "Arn"), obj{"AWS": "*"})})
	}
}

func TestTables(t *testing.T) {
	x := defaultTemplate(t)
	for _, name := range []string{"memon", "memon-history"} {
		_, table := x.byProp(t, "AWS::DynamoDB::Table", "TableName", name)
		p := props(table)
		expectJSON(t, name+" DeletionPolicy", table["DeletionPolicy"], "Retain")
		expectJSON(t, name+" UpdateReplacePolicy", table["UpdateReplacePolicy"], "Retain")
		expectJSON(t, name+" billing", p["BillingMode"], "PAY_PER_REQUEST")
		expectJSON(t, name+" PITR", p["PointInTimeRecoverySpecification"], obj{"PointInTimeRecoveryEnabled": true})
		expectJSON(t, name+" SSE", p["SSESpecification"], obj{"SSEEnabled": true})
	}
	_, events := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	expectJSON(t, "events keys", props(events)["KeySchema"], []any{obj{"AttributeName": schema.AttrName, "KeyType": "HASH"}})
	expectJSON(t, "events stream", props(events)["StreamSpecification"], obj{"StreamViewType": "NEW_AND_OLD_IMAGES"})
	expectJSON(t, "due indexes", props(events)["GlobalSecondaryIndexes"], []any{obj{
		"IndexName": schema.DueShardIndex, // unused, emptying: removed by the next release (one index change per update)
		"KeySchema": []any{
			obj{"AttributeName": schema.AttrDueShard, "KeyType": "HASH"},
			obj{"AttributeName": schema.AttrDueAt, "KeyType": "RANGE"},
		},
		"Projection": obj{"ProjectionType": "KEYS_ONLY"},
	}})
	expectJSON(t, "events attributes", props(events)["AttributeDefinitions"], []any{
		obj{"AttributeName": schema.AttrName, "AttributeType": "S"},
		obj{"AttributeName": schema.AttrDueShard, "AttributeType": "S"},
		obj{"AttributeName": schema.AttrDueAt, "AttributeType": "N"},
	})

	_, history := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-history")
	expectJSON(t, "history keys", props(history)["KeySchema"], []any{
		obj{"AttributeName": schema.HistName, "KeyType": "HASH"},
		obj{"AttributeName": schema.HistTime, "KeyType": "RANGE"},
	})
	expectJSON(t, "history TTL", props(history)["TimeToLiveSpecification"],
		obj{"AttributeName": schema.HistExpiresAt, "Enabled": true})
}

// TestUpgradeChangesOneIndexPerTable: CloudFormation adds or removes only
// one global secondary index of a table per stack update, so the upgrade
// from the previous release (events: DueIndex and DueShardIndex) may change
// one. This release removes DueIndex; DueShardIndex, unused, goes next.
func TestUpgradeChangesOneIndexPerTable(t *testing.T) {
	previous := map[string][]string{"memon": {schema.DueIndex, schema.DueShardIndex}, "memon-history": nil}
	want := map[string]string{"memon": "- " + schema.DueIndex, "memon-history": ""}
	x := defaultTemplate(t)
	for table, before := range previous {
		_, res := x.byProp(t, "AWS::DynamoDB::Table", "TableName", table)
		now := map[string]bool{}
		if gsis, ok := props(res)["GlobalSecondaryIndexes"].([]any); ok {
			for _, g := range gsis {
				now[g.(obj)["IndexName"].(string)] = true
			}
		}
		var diff []string
		for _, name := range before {
			if !now[name] {
				diff = append(diff, "- "+name)
			}
			delete(now, name)
		}
		for name := range now {
			diff = append(diff, "+ "+name)
		}
		t.Logf("table %s: index changes in the upgrade: %v", table, diff)
		if got := strings.Join(diff, ", "); got != want[table] {
			t.Errorf("table %s: index changes %q, want %q (one per update)", table, got, want[table])
		}
	}
}

func TestTopic(t *testing.T) {
	x := defaultTemplate(t)
	topicID, topic := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon")
	// Failure alerts carry job output: encrypted at rest under the
	// AWS-managed SNS key (no cost), and only TLS may publish.
	expectJSON(t, "alert topic key", props(topic)["KmsMasterKeyId"], obj{"Fn::Join": []any{"", []any{
		"arn:", ref("AWS::Partition"), ":kms:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":alias/aws/sns",
	}}})
	_, policy := x.byProp(t, "AWS::SNS::TopicPolicy", "Topics", []any{ref(topicID)})
	deny := tlsDeny("sns:Publish", ref(topicID), "*")
	deny["Sid"] = "AllowPublishThroughSSLOnly"
	expectJSON(t, "alert topic policy", props(policy)["PolicyDocument"].(obj)["Statement"], []any{deny})
	if subs := x.resources("AWS::SNS::Subscription"); len(subs) != 0 {
		t.Errorf("subscriptions without -c email: %v", sortedKeys(subs))
	}
	// The alert topic's cdk-nag suppression is gone: nothing to excuse.
	if md, ok := topic["Metadata"].(obj); ok && md["cdk_nag"] != nil {
		t.Errorf("alert topic still carries cdk-nag suppressions: %s", jsonOf(md["cdk_nag"]))
	}
}

// TestAlarmTopic: the alarms have their own TLS-only topic, publishable by
// this account's CloudWatch, so a broken alert topic is still heard.
func TestAlarmTopic(t *testing.T) {
	x := defaultTemplate(t)
	alarmID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon-alarms")
	_, policy := x.byProp(t, "AWS::SNS::TopicPolicy", "Topics", []any{ref(alarmID)})
	deny := tlsDeny("sns:Publish", ref(alarmID), "*")
	deny["Sid"] = "AllowPublishThroughSSLOnly"
	expectJSON(t, "alarm topic policy", props(policy)["PolicyDocument"].(obj)["Statement"], []any{deny, obj{
		"Sid": "AllowCloudWatchAlarms", "Effect": "Allow", "Action": "sns:Publish",
		"Principal": obj{"Service": "cloudwatch.amazonaws.com"}, "Resource": ref(alarmID),
		"Condition": obj{"StringEquals": obj{"aws:SourceAccount": ref("AWS::AccountId")}},
	}})
	if n := len(x.resources("AWS::SNS::Topic")); n != 2 {
		t.Errorf("%d topics, want the alert topic and the alarm topic", n)
	}
}

func TestEmailSubscription(t *testing.T) {
	x := template(t, obj{CtxEmail: "ops@example.com"})
	topicID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon")
	alarmID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon-alarms")
	var topics []any
	for _, sub := range x.resources("AWS::SNS::Subscription") {
		expectJSON(t, "endpoint", []any{props(sub)["Protocol"], props(sub)["Endpoint"]}, []any{"email", "ops@example.com"})
		topics = append(topics, props(sub)["TopicArn"])
	}
	sort.Slice(topics, func(i, j int) bool { return jsonOf(topics[i]) < jsonOf(topics[j]) })
	want := []any{ref(topicID), ref(alarmID)}
	sort.Slice(want, func(i, j int) bool { return jsonOf(want[i]) < jsonOf(want[j]) })
	expectJSON(t, "subscribed topics", topics, want)

	// Several addresses, comma-separated: each gets both topics.
	x = template(t, obj{CtxEmail: "ops@example.com, oncall@example.com"})
	got := map[string]int{}
	for _, sub := range x.resources("AWS::SNS::Subscription") {
		got[fmt.Sprint(props(sub)["Endpoint"])]++
	}
	expectJSON(t, "subscriptions per address", got, map[string]int{"ops@example.com": 2, "oncall@example.com": 2})
}

// routesForTests are two teams' routes: one by e-mail, one by webhook and
// SMS for its DOWN and FAILED alerts only.
const routesForTests = "data=data-team@example.com;payments|billing/down|failed=https://hooks.example.com/x,+15551234567"

// TestRouteSubscriptions: each route's target is one subscription to the
// alert topic (never the alarm topic) with the route's filter policy on the
// message attributes; with defaultAlerts=untagged the e-mail subscription's
// policy takes untagged alerts and digests, on the same resource.
func TestRouteSubscriptions(t *testing.T) {
	x := template(t, obj{CtxEmail: "ops@example.com", CtxDefaultAlerts: "untagged", CtxRoutes: routesForTests})
	topicID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon")
	alarmID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon-alarms")
	type sub struct {
		Topic, Protocol, Endpoint string
		Policy                    any
	}
	var got []sub
	for _, r := range x.resources("AWS::SNS::Subscription") {
		p := props(r)
		if p["FilterPolicy"] != nil && p["FilterPolicyScope"] != nil && p["FilterPolicyScope"] != "MessageAttributes" {
			t.Errorf("%v: FilterPolicyScope %v", p["Endpoint"], p["FilterPolicyScope"])
		}
		topic := "alerts"
		if equalJSON(p["TopicArn"], ref(alarmID)) {
			topic = "alarms"
		} else if !equalJSON(p["TopicArn"], ref(topicID)) {
			t.Errorf("%v subscribes %v", p["Endpoint"], p["TopicArn"])
		}
		got = append(got, sub{topic, fmt.Sprint(p["Protocol"]), fmt.Sprint(p["Endpoint"]), p["FilterPolicy"]})
	}
	sort.Slice(got, func(i, j int) bool { return jsonOf(got[i]) < jsonOf(got[j]) })
	payments := obj{"tags": []any{"payments", "billing"}, "kind": []any{"down", "failed", "test"}}
	want := []sub{
		{"alarms", "email", "ops@example.com", nil},
		{"alerts", "email", "data-team@example.com", obj{"tags": []any{"data"}}},
		{"alerts", "email", "ops@example.com", obj{"$or": []any{obj{"tags": []any{obj{"exists": false}}}, obj{"event": []any{obj{"exists": false}}}}}},
		{"alerts", "https", "https://hooks.example.com/x", payments},
		{"alerts", "sms", "+15551234567", payments},
	}
	sort.Slice(want, func(i, j int) bool { return jsonOf(want[i]) < jsonOf(want[j]) })
	expectJSON(t, "subscriptions", got, want)

	// The e-mail subscription keeps its logical id whatever defaultAlerts
	// says (a new id would ask the person to confirm again).
	ids := func(x tpl) []string {
		var out []string
		for id, r := range x.resources("AWS::SNS::Subscription") {
			if props(r)["Endpoint"] == "ops@example.com" {
				out = append(out, id)
			}
		}
		sort.Strings(out)
		return out
	}
	expectJSON(t, "e-mail subscription ids", ids(template(t, obj{CtxEmail: "ops@example.com"})), ids(x))
}

func TestRoutesRefusedAtSynth(t *testing.T) {
	for ctx, want := range map[string]obj{
		`route "Data=a@example.com": routes "Data"`: {CtxRoutes: "Data=a@example.com"},
		"in email":      {CtxRoutes: "data=ops@example.com", CtxEmail: "ops@example.com"},
		"defaultAlerts": {CtxDefaultAlerts: "some"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), ctx) {
					t.Errorf("%v: %v, want a panic naming %q", want, r, ctx)
				}
			}()
			synthStack(t, want)
		}()
	}
}

// TestPollerIAM checks the poller role holds exactly the statements the poller
// needs, each on its own resource ARN, no managed policy and no wildcard.
func TestPollerIAM(t *testing.T) {
	x := defaultTemplate(t)
	roleID, role := x.pollerRole(t)
	if mp, ok := props(role)["ManagedPolicyArns"]; ok {
		t.Errorf("poller role has managed policies %v; its statements must be its own", mp)
	}
	_, policy := x.byProp(t, "AWS::IAM::Policy", "Roles", []any{ref(roleID)})
	queueID, _ := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	eventsID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	historyID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-history")
	topicID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon")
	logID, _ := x.byProp(t, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/memon-poller")
	allow := func(resource any, actions ...string) obj {
		var action any = actions
		if len(actions) == 1 {
			action = actions[0]
		}
		return obj{"Effect": "Allow", "Action": action, "Resource": resource}
	}
	expectJSON(t, "poller statements", props(policy)["PolicyDocument"].(obj)["Statement"], []any{
		allow(getAtt(queueID, "Arn"), "sqs:ReceiveMessage", "sqs:DeleteMessage"),
		allow(getAtt(eventsID, "Arn"), "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Scan", "dynamodb:DescribeTable"),
		allow(getAtt(eventsID, "StreamArn"), "dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"),
		allow(getAtt(historyID, "Arn"), "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"),
		allow(ref(topicID), "sns:Publish"),
		allow(getAtt(logID, "Arn"), "logs:CreateLogStream", "logs:PutLogEvents"),
	})
	expectJSON(t, "assume role", props(role)["AssumeRolePolicyDocument"].(obj)["Statement"], []any{obj{
		"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": obj{"Service": "lambda.amazonaws.com"},
	}})
	noWildcardResources(t, x)
}

// noWildcardResources fails on any IAM statement (identity or resource
// policy) whose Resource is a literal string containing "*".
func noWildcardResources(t *testing.T, x tpl) {
	t.Helper()
	for id, r := range x.json["Resources"].(obj) {
		doc, _ := props(r.(obj))["PolicyDocument"].(obj)
		if doc == nil {
			continue
		}
		for _, s := range doc["Statement"].([]any) {
			res := s.(obj)["Resource"]
			list, ok := res.([]any)
			if !ok {
				list = []any{res}
			}
			for _, one := range list {
				if str, ok := one.(string); ok && strings.Contains(str, "*") {
					t.Errorf("%s: statement on wildcard resource %q", id, str)
				}
			}
		}
	}
}

func TestAlarms(t *testing.T) {
	x := defaultTemplate(t)
	topicID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon")
	alarmTopicID, _ := x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon-alarms")
	fnID, _ := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	queueID, _ := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	dlqID, _ := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon-dlq")
	fnDim := []any{obj{"Name": "FunctionName", "Value": ref(fnID)}}
	queueDim := func(id string) []any {
		return []any{obj{"Name": "QueueName", "Value": getAtt(id, "QueueName")}}
	}
	cases := []struct {
		name       string
		namespace  string
		metric     string
		dims       []any
		op         string
		threshold  float64
		period     float64
		missing    string
		statistics string
	}{
		{"memon-poller-errors", "AWS/Lambda", "Errors", fnDim, "GreaterThanOrEqualToThreshold", 1, 60, "notBreaching", "Sum"},
		{"memon-poller-not-invoked", "AWS/Lambda", "Invocations", fnDim, "LessThanThreshold", 1, 300, "breaching", "Sum"},
		{"memon-dead-letters", "AWS/SQS", "ApproximateNumberOfMessagesVisible", queueDim(dlqID), "GreaterThanOrEqualToThreshold", 1, 300, "notBreaching", "Maximum"},
		{"memon-queue-backlog", "AWS/SQS", "ApproximateAgeOfOldestMessage", queueDim(queueID), "GreaterThanThreshold", oldestMessageSeconds, 60, "notBreaching", "Maximum"},
		{"memon-alert-delivery-failed", "AWS/SNS", "NumberOfNotificationsFailed", []any{obj{"Name": "TopicName", "Value": getAtt(topicID, "TopicName")}},
			"GreaterThanOrEqualToThreshold", 1, 300, "notBreaching", "Sum"},
	}
	if n := len(x.resources("AWS::CloudWatch::Alarm")); n != len(cases) {
		t.Errorf("%d alarms, want %d", n, len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, alarm := x.byProp(t, "AWS::CloudWatch::Alarm", "AlarmName", c.name)
			p := props(alarm)
			expectJSON(t, "metric", []any{p["Namespace"], p["MetricName"], p["Dimensions"], p["Statistic"], p["Period"]},
				[]any{c.namespace, c.metric, c.dims, c.statistics, c.period})
			expectJSON(t, "condition", []any{p["ComparisonOperator"], p["Threshold"], p["EvaluationPeriods"], p["TreatMissingData"]},
				[]any{c.op, c.threshold, 1, c.missing})
			// Never the alert topic: the watcher does not report to what it watches.
			expectJSON(t, "alarm action", p["AlarmActions"], []any{ref(alarmTopicID)})
			expectJSON(t, "ok action", p["OKActions"], []any{ref(alarmTopicID)})
		})
	}
}

func TestSenderPolicy(t *testing.T) {
	x := defaultTemplate(t)
	queueID, _ := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	_, policy := x.byProp(t, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", "memon-sender")
	expectJSON(t, "sender statements", props(policy)["PolicyDocument"].(obj)["Statement"], []any{obj{
		"Effect": "Allow", "Action": []any{"sqs:SendMessage", "sqs:GetQueueUrl"}, "Resource": getAtt(queueID, "Arn"),
	}})
	if n := len(x.resources("AWS::IAM::ManagedPolicy")); n != 2 {
		t.Errorf("%d managed policies, want the sender's and the operator's", n)
	}
}

func TestOutputs(t *testing.T) {
	x := defaultTemplate(t)
	ids := map[string]string{}
	ids["QueueUrl"], _ = x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	ids["DeadLetterQueueUrl"], _ = x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon-dlq")
	ids["TableName"], _ = x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	ids["HistoryTableName"], _ = x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-history")
	ids["TopicArn"], _ = x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon")
	ids["AlarmTopicArn"], _ = x.byProp(t, "AWS::SNS::Topic", "TopicName", "memon-alarms")
	ids["SenderPolicyArn"], _ = x.byProp(t, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", "memon-sender")
	ids["OperatorPolicyArn"], _ = x.byProp(t, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", "memon-operator")
	ids["PollerFunctionName"], _ = x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	outputs := x.json["Outputs"].(obj)
	expectJSON(t, "output names", sortedKeys(outputs), sortedKeys(ids))
	for name, id := range ids {
		o, _ := outputs[name].(obj)
		expectJSON(t, "output "+name, o["Value"], ref(id))
	}
}

// TestPrefixContext: -c prefix=... renames every resource and the stack, so
// two MEMon stacks can share an account.
func TestPrefixContext(t *testing.T) {
	const prefix = "memon-staging"
	x := template(t, obj{CtxPrefix: prefix})
	if got := *x.stack.StackName(); got != "MEMon-"+prefix {
		t.Errorf("stack name %q", got)
	}
	x.byProp(t, "AWS::SQS::Queue", "QueueName", prefix)
	x.byProp(t, "AWS::SQS::Queue", "QueueName", prefix+"-dlq")
	x.byProp(t, "AWS::DynamoDB::Table", "TableName", prefix)
	x.byProp(t, "AWS::DynamoDB::Table", "TableName", prefix+"-history")
	x.byProp(t, "AWS::SNS::Topic", "TopicName", prefix)
	x.byProp(t, "AWS::SNS::Topic", "TopicName", prefix+"-alarms")
	x.byProp(t, "AWS::Lambda::Function", "FunctionName", prefix+"-poller")
	x.byProp(t, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", prefix+"-sender")
	x.byProp(t, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/"+prefix+"-poller")
	for _, a := range x.resources("AWS::CloudWatch::Alarm") {
		if name := props(a)["AlarmName"].(string); !strings.HasPrefix(name, prefix+"-") {
			t.Errorf("alarm %q lacks the prefix", name)
		}
	}
	if got := *defaultTemplate(t).stack.StackName(); got != DefaultStackName {
		t.Errorf("default stack name %q, want %q", got, DefaultStackName)
	}
}

// TestAdoptTableTemplate: -c adoptTable=true synthesizes only what memon.py
// created, retained, with memon.py's key schema and no index, under the same
// logical ids as the full stack, so `cdk import` adopts them and the next
// normal deploy updates the same resources in place (adds DueShardIndex: one index).
func TestAdoptTableTemplate(t *testing.T) {
	full := defaultTemplate(t)
	x := template(t, obj{CtxAdoptTable: "true"})
	types := map[string]string{}
	for id, r := range x.json["Resources"].(obj) {
		types[id] = r.(obj)["Type"].(string)
	}
	if len(types) != 3 {
		t.Errorf("adoption template resources %v, want the table, the queue and the topic only", types)
	}
	for _, r := range []struct{ typ, key, name string }{
		{"AWS::DynamoDB::Table", "TableName", "memon"},
		{"AWS::SQS::Queue", "QueueName", "memon"},
		{"AWS::SNS::Topic", "TopicName", "memon"},
	} {
		id, res := x.byProp(t, r.typ, r.key, r.name)
		fullID, _ := full.byProp(t, r.typ, r.key, r.name)
		if id != fullID {
			t.Errorf("%s %s: logical id %s under adoptTable, %s in the full stack: the deploy after import would replace it", r.typ, r.name, id, fullID)
		}
		expectJSON(t, r.name+" DeletionPolicy", res["DeletionPolicy"], "Retain")
	}
	_, table := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	expectJSON(t, "adopted table", props(table), obj{
		"TableName":            "memon",
		"AttributeDefinitions": []any{obj{"AttributeName": schema.AttrName, "AttributeType": "S"}},
		"KeySchema":            []any{obj{"AttributeName": schema.AttrName, "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	expectJSON(t, "adopted queue", props(x.resources("AWS::SQS::Queue")[mustID(t, x, "AWS::SQS::Queue")]), obj{"QueueName": "memon"})
	expectJSON(t, "adopted topic", props(x.resources("AWS::SNS::Topic")[mustID(t, x, "AWS::SNS::Topic")]), obj{"TopicName": "memon"})
	if _, ok := x.json["Outputs"]; ok {
		t.Errorf("adoption template has outputs: cdk import drops them anyway")
	}
}

func mustID(t *testing.T, x tpl, typ string) string {
	id, _ := onlyOne(t, x.resources(typ))
	return id
}

// onlyOne returns the single entry of m.
func onlyOne(t *testing.T, m map[string]map[string]any) (string, map[string]any) {
	t.Helper()
	if len(m) != 1 {
		t.Fatalf("want exactly one, found %v", sortedKeys(m))
	}
	for id, r := range m {
		return id, r
	}
	return "", nil
}

// TestCdkNag: AwsSolutions finds nothing unsuppressed, in the full stack and
// in the adoption template, and every suppression carries a reason.
func TestCdkNag(t *testing.T) {
	for name, ctx := range map[string]obj{"full": nil, "adoptTable": {CtxAdoptTable: "true"}, "email": {CtxEmail: "ops@example.com"},
		"routes": {CtxEmail: "ops@example.com", CtxDefaultAlerts: "untagged", CtxRoutes: routesForTests}} {
		t.Run(name, func(t *testing.T) {
			stack := synthStack(t, ctx)
			must(t, func() {
				a := assertions.Annotations_FromStack(stack)
				// Any message at all, then cdk-nag's own prefix explicitly.
				for _, msg := range []assertions.Matcher{assertions.Match_AnyValue(), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))} {
					for _, m := range *a.FindError(jsii.String("*"), msg) {
						t.Errorf("error: %s", jsonOf(m))
					}
					for _, m := range *a.FindWarning(jsii.String("*"), msg) {
						t.Errorf("warning: %s", jsonOf(m))
					}
				}
			})
		})
	}
}
