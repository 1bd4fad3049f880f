package main

import (
	"cmp"
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// Context keys of the ping endpoint and auto-create (`cdk deploy -c key=value`).
const (
	CtxHTTPPings      = "httpPings"      // "true": a public HTTPS ping endpoint (Lambda function URL), stack output PingUrl
	CtxPingURLCodeDir = "pingurlCodeDir" // use this directory (with bootstrap) instead of building lambdas/pingurl
	// CtxStatusURLCodeDir: use this directory (with bootstrap) instead of
	// building lambdas/statusurl, the public read function httpPings adds.
	CtxStatusURLCodeDir = "statusurlCodeDir"
	// CtxStatusPage: "true" serves the hosted read-only status page from the
	// public read function (needs httpPings); "details" shows job output,
	// hosts and reasons there too.
	CtxStatusPage    = "statusPage"
	CtxAutoCreate    = "autoCreate"    // DUR: a ping for an unknown event creates a rolling event with this period
	CtxAutoCreateMax = "autoCreateMax" // N: how many events pings may create in all (the poller's default: 50)
)

// PingURLPackage is the ping endpoint Lambda's main package; its bootstrap
// goes to DefaultPingURLCodeDir.
const (
	PingURLPackage        = "./lambdas/pingurl"
	DefaultPingURLCodeDir = "build/pingurl"
)

// Ping endpoint sizing: together with the handler's 250 ms minimum answer
// time (pingurl.DefaultMinLatency) these bound what a flood can cost: at most
// pingConcurrency/0.25 s = 8 requests a second are served, the rest are
// throttled (429) by Lambda before any code runs. docs/sending-pings.md, "Ping from anywhere"
// works out the monthly worst case from these numbers.
const (
	pingConcurrency    = 2
	pingMemoryMB       = 128
	pingTimeoutSeconds = 5
)

// pingOptions reads the ping context keys: whether to add the endpoint, its
// code, and the auto-create period (validated here, so a typo fails the
// synth rather than the poller).
type pingOptions struct {
	httpPings     bool
	codeDir       string
	statusCodeDir string
	statusPage    string // "", "true" or "details"
	autoCreate    string
	autoCreateMax string
}

func readPingOptions(scope constructs.Construct, p MEMonStackProps) (pingOptions, error) {
	o := pingOptions{
		httpPings: p.HTTPPings || contextString(scope, CtxHTTPPings) == "true",
		codeDir:   cmp.Or(p.PingURLCodeDir, contextString(scope, CtxPingURLCodeDir)),

		statusCodeDir: cmp.Or(p.StatusURLCodeDir, contextString(scope, CtxStatusURLCodeDir)),
		autoCreate:    cmp.Or(p.AutoCreate, contextString(scope, CtxAutoCreate)),

		autoCreateMax: cmp.Or(p.AutoCreateMax, contextString(scope, CtxAutoCreateMax)),
	}
	if v := o.autoCreateMax; v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 {
			return o, fmt.Errorf("context %s=%q: want a whole number of events, at least 1", CtxAutoCreateMax, v)
		}
	}
	if v := contextString(scope, CtxHTTPPings); v != "" && v != "true" && v != "false" {
		return o, fmt.Errorf("context %s=%q: want true or false", CtxHTTPPings, v)
	}
	v := contextString(scope, CtxStatusPage)
	switch on, _, err := settings.ParseStatusPage(v); {
	case err != nil:
		return o, fmt.Errorf("context %s=%q: %w", CtxStatusPage, v, err)
	case on && !o.httpPings:
		return o, fmt.Errorf("context %s=%s needs %s=true: the status page is served by the public read function it adds", CtxStatusPage, v, CtxHTTPPings)
	case on:
		o.statusPage = v
	}
	if o.autoCreate != "" {
		if _, err := memon.ParsePeriod(CtxAutoCreate, o.autoCreate); err != nil {
			return o, fmt.Errorf("context %w", err)
		}
	}
	if o.httpPings && o.codeDir == "" {
		return o, fmt.Errorf("context %s=true needs the ping Lambda's code: PingURLCodeDir (or context %s)", CtxHTTPPings, CtxPingURLCodeDir)
	}
	if o.httpPings && o.statusCodeDir == "" {
		return o, fmt.Errorf("context %s=true needs the status Lambda's code: StatusURLCodeDir (or context %s)", CtxHTTPPings, CtxStatusURLCodeDir)
	}
	return o, nil
}

// pingExtras adds what the ping context keys ask for: the ping endpoint and
// the poller's auto-create period. With neither, the template is unchanged.
func (m *memonStack) pingExtras(o pingOptions) {
	if o.autoCreate != "" {
		m.fn.AddEnvironment(jsii.String(settings.EnvAutoCreatePeriod), jsii.String(o.autoCreate), nil)
	}
	if o.autoCreateMax != "" {
		m.fn.AddEnvironment(jsii.String(settings.EnvAutoCreateMax), jsii.String(o.autoCreateMax), nil)
	}
	if o.httpPings {
		tokens, pingURL := m.pingEndpoint(o.codeDir)
		m.statusEndpoint(o.statusCodeDir, tokens, pingURL, o.statusPage)
	}
}

// pingEndpoint: the tokens table and a Lambda behind a public function URL
// whose role can send to the queue, read the tokens table and the events'
// TokenHash, nothing else.
func (m *memonStack) pingEndpoint(codeDir string) (awsdynamodb.Table, *string) {
	// Retained, as the events table, whose TokenHash attributes name these items.
	tp := tableProps(m.name(settings.TokenTableSuffix), schema.TokensTable)
	hardenTable(tp)
	tokens := newTable(m.stack, "Tokens", tp, schema.TokensTable)

	// memon-config token issues, rotates and revokes tokens; rotate and
	// delete find every token naming the event through TokenEventIndex.
	// api-key (and the other stack keys) write and delete their items,
	// read a listed key's label and a one-key kind's slot, and list a
	// kind's keys through the same index.
	m.operator.AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:GetItem"),
		Resources: &[]*string{tokens.TableArn()},
	}), awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:Query"),
		Resources: &[]*string{jsii.String(*tokens.TableArn() + "/index/" + schema.TokenEventIndex)},
	}))

	logGroup, role := m.lambdaLogsAndRole("Ping", "-pingurl", "MEMon ping endpoint: resolve a token hash, put the ping on the queue")
	allow(role, []string{"sqs:SendMessage"}, m.queue.QueueArn())
	allow(role, []string{"dynamodb:GetItem"}, tokens.TableArn())
	// A token is good only while its event's item names it: the endpoint
	// reads the item's key and TokenHash, and its role can read nothing
	// else of the events (fine-grained access on the attributes).
	allowAttributes(role, "dynamodb:GetItem", m.events.TableArn(), []string{schema.AttrName, schema.AttrTokenHash})

	fn, url := publicFunction(m.stack, "Ping", codeDir, logGroup, role, publicSizing{pingMemoryMB, pingTimeoutSeconds, pingConcurrency}, &awslambda.FunctionProps{
		FunctionName: m.name("-pingurl"),
		Description:  jsii.String("MEMon HTTPS ping endpoint (/ping/<token>)"),
		Environment: &map[string]*string{
			settings.EnvQueueURL:   m.queue.QueueUrl(),
			settings.EnvTokenTable: tokens.TableName(),
			settings.EnvTable:      m.events.TableName(),
		},
	})
	output(m.stack, "PingUrl", "HTTPS ping endpoint: memon-config token EVENT prints <PingUrl>/ping/<token>", url.Url())
	output(m.stack, "TokenTableName", "ping tokens (hashes only): MEMON_TOKEN_TABLE", tokens.TableName())
	output(m.stack, "PingFunctionName", "ping endpoint Lambda", fn.FunctionName())
	return tokens, url.Url()
}

// allowAttributes adds one statement to role: action on one table that
// may ask for attrs alone (DynamoDB's fine-grained access). Every
// attribute the request names must be one of attrs, and a query or scan
// must select specific attributes, never ALL_ATTRIBUTES nor an index's
// projection. The public functions' roles read this way only.
func allowAttributes(role awsiam.Role, action string, table *string, attrs []string) {
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(action),
		Resources: &[]*string{table},
		Conditions: &map[string]any{
			"ForAllValues:StringEquals": map[string]any{"dynamodb:Attributes": attrs},
			"StringEqualsIfExists":      map[string]any{"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
		},
	}))
}

// publicSizing is what bounds a public function: its memory, its timeout
// and its reserved concurrency (with its handler's floor, the requests a
// second it can serve).
type publicSizing struct {
	memoryMB, timeoutSeconds, concurrency float64
}

// publicFunction is a Go function behind a public function URL (auth NONE,
// buffered), as the ping endpoint and the read function are: the sizing,
// and logs at WARN so that no request writes a START/END/REPORT line and a
// flood writes no logs. props gives the name, description and environment.
func publicFunction(scope constructs.Construct, id, codeDir string, logGroup awslogs.LogGroup, role awsiam.Role, size publicSizing, props *awslambda.FunctionProps) (awslambda.Function, awslambda.FunctionUrl) {
	props.MemorySize = jsii.Number(size.memoryMB)
	props.Timeout = awscdk.Duration_Seconds(jsii.Number(size.timeoutSeconds))
	props.ReservedConcurrentExecutions = jsii.Number(size.concurrency)
	props.SystemLogLevelV2 = awslambda.SystemLogLevel_WARN
	props.ApplicationLogLevelV2 = awslambda.ApplicationLogLevel_WARN
	fn := goFunction(scope, id, codeDir, logGroup, role, props)
	url := fn.AddFunctionUrl(&awslambda.FunctionUrlOptions{
		AuthType:   awslambda.FunctionUrlAuthType_NONE,
		InvokeMode: awslambda.InvokeMode_BUFFERED,
	})
	return fn, url
}
