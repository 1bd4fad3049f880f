package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
)

// StatusURLPackage is the public read function's main package; its
// bootstrap goes to DefaultStatusURLCodeDir.
const (
	StatusURLPackage        = "./lambdas/statusurl"
	DefaultStatusURLCodeDir = "build/statusurl"
)

// Read function sizing: as the ping endpoint, its concurrency and the
// handler's 250 ms floor (statusurl.DefaultMinLatency) cap it at
// statusConcurrency/0.25 s = 8 answers a second whatever arrives; Lambda
// throttles the rest (429) before any code runs. A wrong key costs one
// GetItem; a right one at most one scan of the events table per instance
// every 15 s (statusurl.DefaultListFor), and its own rate (1 a second after
// 30). docs/security.md works out the worst case.
const (
	statusConcurrency   = 2
	statusMemoryMB      = 128
	statusTimeoutSecond = 10
)

// statusEndpoint: the public read function behind its own function URL,
// stack output StatusUrl. Its role reads exactly what the reads ask for:
// the name of a key's item in the tokens table (the key lookup), a scan
// of the events and a query of an event's history records, each of the
// attributes of schema.StatusReads alone (names, statuses and times, and
// what the read-only API shows; with statusPage=details also the job's
// output, host, run id, alert settings and reasons the page then shows).
// It writes nothing, sends nothing, and never runs in the ping function.
// statusPage ("true", "details") turns the status page on: without it
// /status/... answers 404 whatever the key.
func (m *memonStack) statusEndpoint(codeDir string, tokens awsdynamodb.Table, pingURL *string, statusPage string) {
	logGroup, role := m.lambdaLogsAndRole("Status", "-statusurl", "MEMon public reads: resolve an api key's hash, read the events and their history")
	reads := schema.StatusReads(statusPage == settings.StatusPageDetails)
	allowAttributes(role, "dynamodb:GetItem", tokens.TableArn(), []string{schema.AttrTokenHash, schema.TokenName})
	allowAttributes(role, "dynamodb:Scan", m.events.TableArn(), reads.Events)
	allowAttributes(role, "dynamodb:Query", m.history.TableArn(), reads.History)

	fn, url := publicFunction(m.stack, "Status", codeDir, logGroup, role, publicSizing{statusMemoryMB, statusTimeoutSecond, statusConcurrency}, &awslambda.FunctionProps{
		FunctionName: m.name("-statusurl"),
		Description:  jsii.String("MEMon public reads (read-only Management API /api/v3/checks/, badges, status page)"),
		Environment: &map[string]*string{
			settings.EnvTokenTable:   tokens.TableName(),
			settings.EnvTable:        m.events.TableName(),
			settings.EnvHistoryTable: m.history.TableName(),
			settings.EnvPingURL:      pingURL,
		},
	})
	if statusPage != "" {
		fn.AddEnvironment(jsii.String(settings.EnvStatusPage), jsii.String(statusPage), nil)
	}
	output(m.stack, "StatusUrl", "public reads: <StatusUrl>/api/v3/checks/ with X-Api-Key (memon-config api-key create --read-only)", url.Url())
	output(m.stack, "StatusFunctionName", "public read Lambda", fn.FunctionName())
}
