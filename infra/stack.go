package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// Context keys (`cdk deploy -c key=value`).
const (
	CtxPrefix        = "prefix"        // resource name prefix, default "memon"
	CtxEmail         = "email"         // optional e-mail subscription to the alert and alarm topics
	CtxRoutes        = "routes"        // tag routes: TAGS[/KINDS]=TARGET,...;... (memon.ParseRoutes), one subscription per target
	CtxDefaultAlerts = "defaultAlerts" // what the e-mail subscribers get: all (default) or untagged
	CtxAdoptTable    = "adoptTable"    // "true": synthesize only the events table, for `cdk import` (ADOPT.md)
	CtxPollerCodeDir = "pollerCodeDir" // use this directory (with bootstrap) instead of building the poller
)

// DefaultStackName is the stack's name (and construct id) with the default prefix.
const DefaultStackName = "MEMon"

// Poller sizing. The queue's visibility timeout is twice the Lambda timeout so
// a message in flight is never handed to a second poll.
const (
	pollerTimeoutSeconds = 55
	pollerMemoryMB       = 128
	retentionDays        = 14
	maxReceiveCount      = 5
	oldestMessageSeconds = 300
)

// MEMonStackProps configures NewMEMonStack. Every empty field falls back to the
// CDK context value of the same meaning, then to the default.
type MEMonStackProps struct {
	awscdk.StackProps
	// Prefix names every resource (queue <prefix>, <prefix>-dlq, table
	// <prefix>, ...). Default: context "prefix", else "memon".
	Prefix string
	// Email, when set, subscribes this address to the alert and alarm topics.
	Email string
	// Routes subscribe teams to the alerts of their tags (context
	// "routes"; memon.ParseRoutes). DefaultAlerts is what the Email
	// subscribers get: all (default) or untagged (context "defaultAlerts").
	Routes        string
	DefaultAlerts string
	// AdoptTable synthesizes only the events table, shaped like the table
	// memon.py created, so `cdk import` can adopt it (see ADOPT.md).
	AdoptTable bool
	// PollerCodeDir is the directory holding the poller's `bootstrap`.
	PollerCodeDir string
	// HTTPPings adds the public HTTPS ping endpoint (context httpPings=true);
	// PingURLCodeDir holds its bootstrap. AutoCreate is the period of events
	// created by their first ping (context autoCreate=DUR), AutoCreateMax
	// how many pings may create in all (context autoCreateMax=N). See
	// pingurl.go.
	HTTPPings      bool
	PingURLCodeDir string
	// StatusURLCodeDir holds the bootstrap of the public read function
	// (lambdas/statusurl) that HTTPPings adds beside the ping endpoint.
	StatusURLCodeDir string
	AutoCreate       string
	AutoCreateMax    string
	// Report is weekly, monthly, both or off (scheduled reports). Default:
	// context "report", else weekly.
	Report string
	// ReportTimeZone is the IANA zone of the report schedules (Monday 08:00,
	// the 1st 08:00). Default: context "reportTimeZone", else UTC.
	ReportTimeZone string
	// AWSSources lists the AWS services whose job events become pings
	// (see CtxAWSSources). Default: context "awsSources", else all but ECS.
	AWSSources string
}

// StackName returns the CloudFormation stack name for a prefix: MEMon for the
// default prefix, MEMon-<prefix> otherwise, so stacks of two prefixes can
// live in one account.
func StackName(prefix string) string { return settings.StackName(prefix) }

// contextString reads a context value as a string ("" when absent).
func contextString(scope constructs.Construct, key string) string {
	v := scope.Node().TryGetContext(jsii.String(key))
	if v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// resolve fills the props' empty fields from the context and defaults.
func (p MEMonStackProps) resolve(scope constructs.Construct) MEMonStackProps {
	p.Prefix = cmp.Or(p.Prefix, contextString(scope, CtxPrefix), settings.DefaultPrefix)
	p.Email = cmp.Or(p.Email, contextString(scope, CtxEmail))
	p.Routes = cmp.Or(p.Routes, contextString(scope, CtxRoutes))
	p.DefaultAlerts = cmp.Or(p.DefaultAlerts, contextString(scope, CtxDefaultAlerts))
	p.PollerCodeDir = cmp.Or(p.PollerCodeDir, contextString(scope, CtxPollerCodeDir))
	p.AWSSources = cmp.Or(p.AWSSources, contextString(scope, CtxAWSSources))
	p.Report = cmp.Or(p.Report, contextString(scope, CtxReport))
	p.ReportTimeZone = cmp.Or(p.ReportTimeZone, contextString(scope, CtxReportTimeZone))
	p.AdoptTable = p.AdoptTable || contextString(scope, CtxAdoptTable) == "true"
	if p.StackName == nil {
		p.StackName = jsii.String(StackName(p.Prefix))
	}
	if p.Description == nil {
		p.Description = jsii.String("MEMon (Missing Event MONitor): ping queue, poller, event state and alerts")
	}
	return p
}

// NewMEMonStack defines the whole of MEMon: the ping queue and its
// dead-letter queue, the events and history tables, the alert topic, the
// poller Lambda with its schedule, alarms, and the senders' managed policy.
func NewMEMonStack(scope constructs.Construct, id string, props *MEMonStackProps) awscdk.Stack {
	if props == nil {
		props = &MEMonStackProps{}
	}
	p := props.resolve(scope)
	stack := awscdk.NewStack(scope, &id, &p.StackProps)

	if p.AdoptTable {
		adoptable(stack, p.Prefix)
		return stack
	}
	if p.PollerCodeDir == "" {
		panic("NewMEMonStack: PollerCodeDir (or context " + CtxPollerCodeDir + ") is required")
	}

	awsSources, err := AWSSourceKeys(p.AWSSources)
	if err != nil {
		panic("NewMEMonStack: " + err.Error())
	}
	pingOpts, err := readPingOptions(scope, p)
	if err != nil {
		panic("NewMEMonStack: " + err.Error())
	}
	cadences, err := ReportCadences(p.Report)
	if err != nil {
		panic("NewMEMonStack: " + err.Error())
	}
	reportZone, err := ReportTimeZone(p.ReportTimeZone)
	if err != nil {
		panic("NewMEMonStack: " + err.Error())
	}
	routes, err := memon.ParseRoutes(CtxRoutes, p.Routes)
	if err != nil {
		panic("NewMEMonStack: " + err.Error())
	}
	defaultPolicy, err := memon.DefaultFilterPolicy(CtxDefaultAlerts, p.DefaultAlerts)
	if err != nil {
		panic("NewMEMonStack: " + err.Error())
	}
	m := &memonStack{stack: stack, prefix: p.Prefix}
	m.queues()
	m.awsEventRules(awsSources)
	m.tables()
	m.topic()
	m.alarmTopic()
	emails := splitList(p.Email)
	m.subscribe(emails, defaultPolicy)
	m.route(routes, emails)
	m.poller(p.PollerCodeDir)
	m.operatorPolicy()
	m.pingExtras(pingOpts)
	m.reports(cadences, reportZone)
	m.alarms()
	m.senderPolicy()
	return stack
}

type memonStack struct {
	stack   awscdk.Stack
	prefix  string
	queue   awssqs.Queue
	dlq     awssqs.Queue
	events  awsdynamodb.Table
	history awsdynamodb.Table
	alerts  awssns.Topic
	alarmTo awssns.Topic // where the CloudWatch alarms go: never the alert topic they watch
	fn      awslambda.Function
	logs    awslogs.LogGroup // the poller's
	// operator is what memon-config needs; pingEndpoint adds the tokens table.
	operator awsiam.ManagedPolicy
}

func (m *memonStack) name(suffix string) *string { return jsii.String(m.prefix + suffix) }

func output(stack awscdk.Stack, id, description string, value *string) {
	awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{
		Value:       value,
		Description: jsii.String(description),
	})
}

// queues: the ping queue with a dead-letter queue, both SSE-SQS (free) and
// TLS-only, keeping messages 14 days so a poller outage of days loses nothing.
func (m *memonStack) queues() {
	common := func(name string) *awssqs.QueueProps {
		return &awssqs.QueueProps{
			QueueName:       m.name(name),
			Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
			EnforceSSL:      jsii.Bool(true),
			RetentionPeriod: awscdk.Duration_Days(jsii.Number(retentionDays)),
			// What the decoder accepts and no more: a sender cannot make
			// the poller read a larger message (SQS's own limit is 1 MiB).
			MaxMessageSizeBytes: jsii.Number(memon.MaxMessageBody),
		}
	}
	m.dlq = awssqs.NewQueue(m.stack, jsii.String("DeadLetterQueue"), common("-dlq"))
	qp := common("")
	qp.VisibilityTimeout = awscdk.Duration_Seconds(jsii.Number(2 * pollerTimeoutSeconds))
	qp.DeadLetterQueue = &awssqs.DeadLetterQueue{Queue: m.dlq, MaxReceiveCount: jsii.Number(maxReceiveCount)}
	m.queue = awssqs.NewQueue(m.stack, jsii.String("Queue"), qp)
	output(m.stack, "QueueUrl", "ping queue: MEMON_QUEUE_URL", m.queue.QueueUrl())
	output(m.stack, "DeadLetterQueueUrl", "pings the poller failed 5 times", m.dlq.QueueUrl())
}

// adoptable defines only what memon.py's `init` created (table, queue and
// topic named <prefix>), shaped as memon.py made them and retained, under the
// construct ids (hence logical ids) of the full stack: the template
// `cdk import` needs to adopt them without data loss. The next normal deploy
// then adds the index, PITR, SSE, the dead-letter queue, TLS policies and the
// rest in place. See ADOPT.md.
func adoptable(stack awscdk.Stack, prefix string) {
	table := newEventsTable(stack, prefix, true)
	queue := awssqs.NewQueue(stack, jsii.String("Queue"), &awssqs.QueueProps{
		QueueName:     jsii.String(prefix),
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	topic := awssns.NewTopic(stack, jsii.String("Topic"), &awssns.TopicProps{TopicName: jsii.String(prefix)})
	topic.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	suppress(table, adoptReason, "DDB3")
	suppress(queue, adoptReason, "SQS3", "SQS4")
	suppress(topic, adoptReason, "SNS3")
}

// suppress records why the AwsSolutions rules ids do not apply to c.
func suppress(c constructs.IConstruct, reason string, ids ...string) {
	list := make([]*cdknag.NagPackSuppression, len(ids))
	for i, id := range ids {
		list[i] = &cdknag.NagPackSuppression{Id: jsii.String("AwsSolutions-" + id), Reason: jsii.String(reason)}
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &list, jsii.Bool(true))
}

const adoptReason = "Adoption step only (cdk import): the template must mirror memon.py's existing resource; " +
	"the normal deploy that follows immediately applies the hardened configuration."

// newEventsTable defines the events table. adopt shapes it like memon.py's
// table (key schema only: no index, no PITR, default encryption) so that
// `cdk import` records what really exists and the next normal deploy adds the
// rest. Both shapes share the construct id, hence the logical id.
func newEventsTable(scope constructs.Construct, prefix string, adopt bool) awsdynamodb.Table {
	ts := schema.EventsTable
	if adopt {
		ts = schema.TableSchema{Hash: ts.Hash}
	}
	// The stream: every write by any writer (console, put-item, memon.py);
	// the poller reads it each poll and judges those items at once.
	props := tableProps(jsii.String(prefix), ts)
	if !adopt {
		hardenTable(props)
	}
	return newTable(scope, "Events", props, ts)
}

// tableProps are the props of a table laid out as schema (memon's one
// definition of MEMon's tables): on demand, retained on stack deletion.
func tableProps(name *string, ts schema.TableSchema) *awsdynamodb.TableProps {
	props := &awsdynamodb.TableProps{
		TableName:     name,
		PartitionKey:  cdkAttr(ts.Hash),
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	}
	if ts.Range.Name != "" {
		props.SortKey = cdkAttr(ts.Range)
	}
	if ts.TTL != "" {
		props.TimeToLiveAttribute = jsii.String(ts.TTL)
	}
	if ts.Stream {
		props.Stream = awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES
	}
	return props
}

// newTable creates the table and schema's indexes.
func newTable(scope constructs.Construct, id string, props *awsdynamodb.TableProps, ts schema.TableSchema) awsdynamodb.Table {
	t := awsdynamodb.NewTable(scope, jsii.String(id), props)
	for _, ix := range ts.Indexes {
		t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(ix.Name),
			PartitionKey:   cdkAttr(ix.Hash),
			SortKey:        cdkAttr(ix.Range),
			ProjectionType: awsdynamodb.ProjectionType_KEYS_ONLY,
		})
	}
	return t
}

func cdkAttr(k schema.KeyAttr) *awsdynamodb.Attribute {
	if k.Name == "" {
		return nil
	}
	typ := awsdynamodb.AttributeType_STRING
	if k.Number {
		typ = awsdynamodb.AttributeType_NUMBER
	}
	return &awsdynamodb.Attribute{Name: jsii.String(k.Name), Type: typ}
}

// hardenTable adds point-in-time recovery and encryption at rest under the
// AWS-managed key (no CMK: MEMon must cost well under $1/month).
func hardenTable(props *awsdynamodb.TableProps) {
	props.PointInTimeRecoverySpecification = &awsdynamodb.PointInTimeRecoverySpecification{
		PointInTimeRecoveryEnabled: jsii.Bool(true),
	}
	props.Encryption = awsdynamodb.TableEncryption_AWS_MANAGED
}

func (m *memonStack) tables() {
	m.events = newEventsTable(m.stack, m.prefix, false)
	hp := tableProps(m.name("-history"), schema.HistoryTable)
	hardenTable(hp)
	m.history = newTable(m.stack, "History", hp, schema.HistoryTable)
	output(m.stack, "TableName", "events table: MEMON_TABLE", m.events.TableName())
	output(m.stack, "HistoryTableName", "history table: MEMON_HISTORY_TABLE", m.history.TableName())
}

// topic: the alert topic, TLS-only and encrypted under the AWS-managed SNS
// key (free): failure alerts carry job output. CloudWatch alarms cannot
// publish to a topic under that key, and must not anyway: they watch this
// topic and go to their own (alarmTopic).
func (m *memonStack) topic() {
	m.alerts = awssns.NewTopic(m.stack, jsii.String("Topic"), &awssns.TopicProps{
		TopicName:   m.name(""),
		DisplayName: jsii.String("MEMon"),
		EnforceSSL:  jsii.Bool(true),
		MasterKey:   awskms.Alias_FromAliasName(m.stack, jsii.String("SnsManagedKey"), jsii.String("alias/aws/sns")),
	})
	output(m.stack, "TopicArn", "alert topic: MEMON_TOPIC_ARN", m.alerts.TopicArn())
}

// alarmTopic: where the CloudWatch alarms report, apart from the alert topic
// so that a broken alert topic is still heard. TLS-only, publishable by this
// account's CloudWatch alarms only. Alarms carry no job output.
func (m *memonStack) alarmTopic() {
	m.alarmTo = awssns.NewTopic(m.stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		TopicName:   m.name("-alarms"),
		DisplayName: jsii.String("MEMon alarms"),
		EnforceSSL:  jsii.Bool(true),
	})
	m.alarmTo.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{m.alarmTo.TopicArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": m.stack.Account()},
		},
	}))
	// No finding in cdk-nag 2.38's AwsSolutions, kept for the packs that still have it.
	suppress(m.alarmTo, "CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key and a "+
		"customer-managed KMS key costs $1/month, over MEMon's budget. Alarms carry alarm names only; TLS is enforced.", "SNS2")
	output(m.stack, "AlarmTopicArn", "CloudWatch alarms about MEMon itself", m.alarmTo.TopicArn())
}

// subscribe sends both the alerts and the alarms to each e-mail address of
// a comma-separated list (-c email=ops@example.com,oncall@example.com); the
// alerts through policy (defaultAlerts), the alarms about MEMon itself all.
func (m *memonStack) subscribe(emails []string, policy map[string]any) {
	for _, email := range emails {
		sub := m.alerts.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
		if policy != nil {
			// The policy's $or and exists are beyond the construct's typed
			// filters; set on the same resource, so its logical id (and the
			// person's confirmed subscription) stays.
			sub.Node().DefaultChild().(awssns.CfnSubscription).AddPropertyOverride(jsii.String("FilterPolicy"), policy)
		}
		m.alarmTo.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
}

// route subscribes each route's targets to the alert topic with the
// route's filter policy; a target among the default e-mail addresses is
// refused (SNS subscribes an endpoint once). A subscription's id comes from its endpoint, so
// reordering the routes or changing a route's tags updates the policy in
// place and never asks a person to confirm an e-mail again.
func (m *memonStack) route(routes []memon.Route, emails []string) {
	for _, r := range routes {
		for _, t := range r.Targets {
			if slices.Contains(emails, t.Endpoint) {
				panic(fmt.Sprintf("NewMEMonStack: %s %s is also in %s: SNS subscribes an endpoint once; drop it from one of them", CtxRoutes, t.Endpoint, CtxEmail))
			}
			sum := sha256.Sum256([]byte(t.Protocol + " " + t.Endpoint))
			props := &awssns.CfnSubscriptionProps{
				TopicArn: m.alerts.TopicArn(),
				Protocol: jsii.String(t.Protocol),
				Endpoint: jsii.String(t.Endpoint),
			}
			if p := r.FilterPolicy(); p != nil {
				props.FilterPolicy = p
				props.FilterPolicyScope = jsii.String("MessageAttributes")
			}
			awssns.NewCfnSubscription(m.stack, jsii.String("Route"+hex.EncodeToString(sum[:6])), props)
		}
	}
}

// splitList reads a comma-separated context value.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// poller: the Lambda, its least-privilege role, log group and schedule.
func (m *memonStack) poller(codeDir string) {
	logGroup, role := m.lambdaLogsAndRole("Poller", "-poller", "MEMon poller: drain the queue, keep event state, publish alerts")
	m.logs = logGroup
	allow(role, []string{"sqs:ReceiveMessage", "sqs:DeleteMessage"}, m.queue.QueueArn())
	// DescribeTable: the poller finds the table's stream once per process.
	allow(role, []string{"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Scan", "dynamodb:DescribeTable"}, m.events.TableArn())
	allow(role, []string{"dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"}, m.events.TableStreamArn())
	// UpdateItem: the poll lease item (one poller at a time) lives in the history table.
	// GetItem: the CONFIG alerts waiting for the topic, read by every poll (one item).
	// Query: the scheduled reports read the daily records.
	allow(role, []string{"dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"}, m.history.TableArn())
	allow(role, []string{"sns:Publish"}, m.alerts.TopicArn())

	// goFunction sets RetryAttempts 0: a failed poll is not retried by
	// Lambda either: the next minute's poll does the work, and a retry
	// would only double the error count.
	m.fn = goFunction(m.stack, "Poller", codeDir, logGroup, role, &awslambda.FunctionProps{
		FunctionName:                 m.name("-poller"),
		Description:                  jsii.String("MEMon poller: runs every minute"),
		MemorySize:                   jsii.Number(pollerMemoryMB),
		Timeout:                      awscdk.Duration_Seconds(jsii.Number(pollerTimeoutSeconds)),
		ReservedConcurrentExecutions: jsii.Number(1),
		Environment: &map[string]*string{
			settings.EnvQueueURL:     m.queue.QueueUrl(),
			settings.EnvTable:        m.events.TableName(),
			settings.EnvHistoryTable: m.history.TableName(),
			settings.EnvTopicARN:     m.alerts.TopicArn(),
		},
	})

	awsevents.NewRule(m.stack, jsii.String("Schedule"), &awsevents.RuleProps{
		RuleName:    m.name("-poll"),
		Description: jsii.String("MEMon: run the poller every minute"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(1))),
		// A missed minute is covered by the next one: never retry a poll.
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(m.fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(0),
		})},
	})
	output(m.stack, "PollerFunctionName", "poller Lambda", m.fn.FunctionName())
}

// lambdaLogsAndRole makes what a Lambda function named <prefix><suffix>
// needs before its props: its log group (a month, removed with the stack) and
// a role that Lambda assumes, with no statements yet. Construct ids are
// <id>Logs and <id>Role.
func (m *memonStack) lambdaLogsAndRole(id, suffix, roleDescription string) (awslogs.LogGroup, awsiam.Role) {
	logGroup := awslogs.NewLogGroup(m.stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/lambda/" + m.prefix + suffix),
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(m.stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(roleDescription),
	})
	return logGroup, role
}

// goFunction creates a Lambda function from the Go bootstrap in codeDir
// (provided.al2023, arm64, as BuildLambda compiles it) with JSON logs to
// logGroup, which it lets role write (the last statement of the role's
// policy), the role, and no retry of an asynchronous invocation by Lambda;
// props gives the rest (name, sizing, environment, ...).
func goFunction(scope constructs.Construct, id, codeDir string, logGroup awslogs.LogGroup, role awsiam.Role, props *awslambda.FunctionProps) awslambda.Function {
	// The log group's Arn attribute ends in ":*", which covers its streams.
	allow(role, []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logGroup.LogGroupArn())
	props.Runtime = awslambda.Runtime_PROVIDED_AL2023()
	props.Architecture = awslambda.Architecture_ARM_64()
	props.Handler = jsii.String("bootstrap")
	props.Code = awslambda.Code_FromAsset(jsii.String(codeDir), nil)
	props.RetryAttempts = jsii.Number(0)
	props.LoggingFormat = awslambda.LoggingFormat_JSON
	props.LogGroup = logGroup
	props.Role = role
	return awslambda.NewFunction(scope, jsii.String(id), props)
}

// allow adds one statement to role: actions on one resource.
func allow(role awsiam.Role, actions []string, resource *string) {
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{resource},
	}))
}

// alarms: built-in metrics only, each alarming (and clearing) to the alarm
// topic, including the alert topic's own failed deliveries.
func (m *memonStack) alarms() {
	minute := awscdk.Duration_Minutes(jsii.Number(1))
	five := awscdk.Duration_Minutes(jsii.Number(5))
	m.alarm("PollerErrors", "-poller-errors", "the poller failed",
		m.fn.MetricErrors(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")}),
		1, awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, awscloudwatch.TreatMissingData_NOT_BREACHING)
	m.alarm("PollerNotInvoked", "-poller-not-invoked", "the poller has not run for 5 minutes: pings are not being read",
		m.fn.MetricInvocations(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Sum")}),
		1, awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD, awscloudwatch.TreatMissingData_BREACHING)
	m.alarm("DeadLetters", "-dead-letters", "pings landed in the dead-letter queue",
		m.dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Maximum")}),
		1, awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, awscloudwatch.TreatMissingData_NOT_BREACHING)
	m.alarm("QueueBacklog", "-queue-backlog", "the oldest ping has waited over 5 minutes",
		m.queue.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Maximum")}),
		oldestMessageSeconds, awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD, awscloudwatch.TreatMissingData_NOT_BREACHING)
	m.alarm("AlertDeliveryFailed", "-alert-delivery-failed", "the alert topic failed to deliver alerts to a subscriber",
		m.alerts.MetricNumberOfNotificationsFailed(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Sum")}),
		1, awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD, awscloudwatch.TreatMissingData_NOT_BREACHING)
}

func (m *memonStack) alarm(id, suffix, description string, metric awscloudwatch.Metric, threshold float64,
	op awscloudwatch.ComparisonOperator, missing awscloudwatch.TreatMissingData) {
	a := metric.CreateAlarm(m.stack, jsii.String(id), &awscloudwatch.CreateAlarmOptions{
		AlarmName:          m.name(suffix),
		AlarmDescription:   jsii.String("MEMon: " + description),
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: op,
		TreatMissingData:   missing,
	})
	action := awscloudwatchactions.NewSnsAction(m.alarmTo)
	a.AddAlarmAction(action)
	a.AddOkAction(action)
}

// senderPolicy: what a cron host needs to ping MEMon, nothing more.
func (m *memonStack) senderPolicy() {
	p := awsiam.NewManagedPolicy(m.stack, jsii.String("SenderPolicy"), &awsiam.ManagedPolicyProps{
		ManagedPolicyName: m.name("-sender"),
		Description:       jsii.String("MEMon senders (memon-send): send pings to the MEMon queue"),
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("sqs:SendMessage", "sqs:GetQueueUrl"),
			Resources: &[]*string{m.queue.QueueArn()},
		})},
	})
	output(m.stack, "SenderPolicyArn", "attach to the IAM users/roles of cron hosts", p.ManagedPolicyArn())
}

// operatorPolicy: what memon-config's commands need, doctor and test-alert
// included, nothing more: infra's policy test checks each statement against
// the calls memon-config makes. Attach it to the people (or CI roles) who
// run memon-config; the poller and the senders have their own.
func (m *memonStack) operatorPolicy() {
	st := func(resources []*string, actions ...string) awsiam.PolicyStatement {
		return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings(actions...), Resources: &resources})
	}
	m.operator = awsiam.NewManagedPolicy(m.stack, jsii.String("OperatorPolicy"), &awsiam.ManagedPolicyProps{
		ManagedPolicyName: m.name("-operator"),
		Description:       jsii.String("MEMon operators (memon-config): create, edit, pause and delete events, read history and reports, doctor"),
		Statements: &[]awsiam.PolicyStatement{
			// set, pause, resume, delete, show, list, ui; token names the
			// token's hash on the item.
			st([]*string{m.events.TableArn()}, "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Scan"),
			// history and report read; set and delete record their changes.
			st([]*string{m.history.TableArn()}, "dynamodb:PutItem", "dynamodb:Query"),
			// test-alert and doctor publish; doctor lists the subscriptions.
			st([]*string{m.alerts.TopicArn()}, "sns:Publish", "sns:ListSubscriptionsByTopic"),
			// doctor: a ping through the queue, the dead-letter count, the poller's errors.
			st([]*string{m.queue.QueueArn()}, "sqs:SendMessage"),
			st([]*string{m.dlq.QueueArn()}, "sqs:GetQueueAttributes"),
			st([]*string{m.logs.LogGroupArn()}, "logs:FilterLogEvents"),
			// token and test-alert read the stack's outputs.
			st([]*string{m.stack.StackId()}, "cloudformation:DescribeStacks"),
		},
	})
	output(m.stack, "OperatorPolicyArn", "attach to the IAM users/roles that run memon-config", m.operator.ManagedPolicyArn())
}
