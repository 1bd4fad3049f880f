package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
)

func TestStatusFunctionOnlyReads(t *testing.T) {
	x := pingTemplate(t)
	_, p := expectPublicFunction(t, x, "memon-statusurl", publicSizing{statusMemoryMB, statusTimeoutSecond, statusConcurrency}, "StatusUrl")

	pingID, _ := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-pingurl")
	pingURLID, _ := functionURL(t, x, pingID)
	tokensID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-tokens")
	eventsID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	historyID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-history")
	expectJSON(t, "Environment", p["Environment"], obj{"Variables": obj{
		settings.EnvTokenTable: ref(tokensID), settings.EnvTable: ref(eventsID), settings.EnvHistoryTable: ref(historyID),
		settings.EnvPingURL: getAtt(pingURLID, "FunctionUrl"),
	}})

	expectStatusRole(t, x, false)
}

// statusDetailsTemplate is the stack whose status page shows details
// (statusPage=details).
func statusDetailsTemplate(t *testing.T) tpl {
	return templateOnce(t, "statusPage=details", obj{CtxHTTPPings: "true", CtxPingURLCodeDir: pollerCode(t), CtxStatusURLCodeDir: pollerCode(t), CtxStatusPage: "details"})
}

// expectStatusRole: the read function's role reads, and reads exactly what
// its reads ask for (schema.StatusReads of the deploy): a key's name in the
// tokens table, the events' and their history's attributes of the list,
// the wider list only with statusPage=details, each read selecting
// specific attributes; and writes its logs. No write, no index, no other
// table.
func expectStatusRole(t *testing.T, x tpl, details bool) {
	t.Helper()
	_, fn := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-statusurl")
	tokensID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-tokens")
	eventsID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	historyID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-history")
	logID, _ := x.byProp(t, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/memon-statusurl")
	roleRef := props(fn)["Role"].(obj)["Fn::GetAtt"].([]any)[0].(string)
	_, role := x.byProp(t, "AWS::IAM::Role", "Description", "MEMon public reads: resolve an api key's hash, read the events and their history")
	if mp, ok := props(role)["ManagedPolicyArns"]; ok {
		t.Errorf("status role has managed policies %v", mp)
	}
	var statements []any
	for _, pol := range x.resources("AWS::IAM::Policy") {
		for _, r := range props(pol)["Roles"].([]any) {
			if equalJSON(r, ref(roleRef)) {
				statements = append(statements, props(pol)["PolicyDocument"].(obj)["Statement"].([]any)...)
			}
		}
	}
	reads := func(action, table string, attrs []string) obj {
		return obj{"Effect": "Allow", "Action": action, "Resource": getAtt(table, "Arn"), "Condition": obj{
			"ForAllValues:StringEquals": obj{"dynamodb:Attributes": attrs},
			"StringEqualsIfExists":      obj{"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}}
	}
	r := schema.StatusReads(details)
	expectJSON(t, fmt.Sprintf("status role statements (details %v)", details), statements, []any{
		reads("dynamodb:GetItem", tokensID, []string{schema.AttrTokenHash, schema.TokenName}),
		reads("dynamodb:Scan", eventsID, r.Events),
		reads("dynamodb:Query", historyID, r.History),
		obj{"Effect": "Allow", "Action": []string{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": getAtt(logID, "Arn")},
	})
	// What the default never reads, and details does: a job's output,
	// host, run id, exit code, alert settings, the outbox, the reasons.
	private := []string{schema.AttrLastMessage, schema.AttrLastHost, schema.AttrLastRunID, schema.AttrLastExitCode,
		schema.AttrMaxRuntime, schema.AttrRepeatEvery, schema.AttrOutbox}
	for _, a := range private {
		if slices.Contains(r.Events, a) != details {
			t.Errorf("details %v: the events' attributes %v hold %s: %v", details, r.Events, a, !details)
		}
	}
	if slices.Contains(r.History, schema.HistReason) != details {
		t.Errorf("details %v: the history's attributes %v hold %s: %v", details, r.History, schema.HistReason, !details)
	}
	for _, a := range []string{schema.AttrTokenHash, schema.CountLastFailReason} {
		if slices.Contains(r.Events, a) || slices.Contains(r.History, a) || slices.Contains(r.Today, a) {
			t.Errorf("details %v: the reads name %s", details, a)
		}
	}
}

// Nothing serves a status page unless statusPage asks for it: only then
// does the read function's environment turn it on, it adds no public
// resource of its own, and without httpPings (no read function to serve
// it) the synth fails rather than deploy a setting that does nothing.
func TestStatusPageOnlyWithStatusPage(t *testing.T) {
	code := pollerCode(t)
	vars := func(x tpl) obj {
		_, fn := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-statusurl")
		return props(fn)["Environment"].(obj)["Variables"].(obj)
	}
	if v, ok := vars(pingTemplate(t))[settings.EnvStatusPage]; ok {
		t.Errorf("httpPings alone sets %s=%v: the status page must be opt-in", settings.EnvStatusPage, v)
	}
	public := slices.Sorted(slices.Values(publicThings(pingTemplate(t))))
	for _, page := range []string{"true", "details"} {
		x := statusDetailsTemplate(t)
		if page == "true" {
			x = template(t, obj{CtxHTTPPings: "true", CtxPingURLCodeDir: code, CtxStatusURLCodeDir: code, CtxStatusPage: page})
		}
		expectJSON(t, "statusPage="+page, vars(x)[settings.EnvStatusPage], page)
		expectStatusRole(t, x, page == "details")
		expectJSON(t, "public resources with statusPage="+page, slices.Sorted(slices.Values(publicThings(x))), public)
	}
	if p := publicThings(template(t, obj{CtxStatusPage: "false"})); len(p) > 0 {
		t.Errorf("statusPage=false: public resources %v", p)
	}
	for _, bad := range []obj{{CtxStatusPage: "true"}, {CtxStatusPage: "details", CtxHTTPPings: "false"},
		{CtxStatusPage: "yes", CtxHTTPPings: "true", CtxPingURLCodeDir: code, CtxStatusURLCodeDir: code}} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(jsonOf(r), CtxStatusPage) {
					t.Errorf("%v: panic %v, want an error naming %s", bad, r, CtxStatusPage)
				}
			}()
			synthStack(t, bad)
		}()
	}
}
