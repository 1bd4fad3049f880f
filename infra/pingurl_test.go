package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
)

// pingTemplate is the stack with the HTTPS endpoint and auto-create on.
func pingTemplate(t *testing.T) tpl {
	return templateOnce(t, "httpPings", obj{CtxHTTPPings: "true", CtxPingURLCodeDir: pollerCode(t), CtxStatusURLCodeDir: pollerCode(t), CtxAutoCreate: "1d", CtxAutoCreateMax: "80"})
}

// publicThings lists what would make the stack reachable from the internet:
// function URLs, API Gateway APIs and Lambda permissions for anyone.
func publicThings(x tpl) []string {
	var out []string
	for id, r := range x.json["Resources"].(obj) {
		typ := r.(obj)["Type"].(string)
		switch {
		case typ == "AWS::Lambda::Url", strings.HasPrefix(typ, "AWS::ApiGateway"), strings.HasPrefix(typ, "AWS::ApiGatewayV2"):
			out = append(out, id+" "+typ)
		case typ == "AWS::Lambda::Permission":
			if p := props(r.(obj)); p["Principal"] == "*" || p["FunctionUrlAuthType"] != nil {
				out = append(out, id+" public permission")
			}
		}
	}
	return out
}

func TestNoPublicEndpointWithoutHTTPPings(t *testing.T) {
	for name, x := range map[string]tpl{
		"default":         defaultTemplate(t),
		"httpPings=false": template(t, obj{CtxHTTPPings: "false"}),
	} {
		if p := publicThings(x); len(p) > 0 {
			t.Errorf("%s: public resources %v", name, p)
		}
		if _, ok := x.json["Outputs"].(obj)["PingUrl"]; ok {
			t.Errorf("%s: a PingUrl output", name)
		}
		if len(x.resources("AWS::DynamoDB::Table")) != 2 {
			t.Errorf("%s: tables %v, want the events and history tables only", name, sortedKeys(x.resources("AWS::DynamoDB::Table")))
		}
	}
}

func TestHTTPPingsEndpointCanOnlyQueueAndReadTokenHashes(t *testing.T) {
	x := pingTemplate(t)
	fnID, p := expectPublicFunction(t, x, "memon-pingurl", publicSizing{pingMemoryMB, pingTimeoutSeconds, pingConcurrency}, "PingUrl")

	queueID, _ := x.byProp(t, "AWS::SQS::Queue", "QueueName", "memon")
	tokensID, tokens := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-tokens")
	expectJSON(t, "tokens key", props(tokens)["KeySchema"], []any{obj{"AttributeName": "TokenHash", "KeyType": "HASH"}})
	expectJSON(t, "tokens PITR", props(tokens)["PointInTimeRecoverySpecification"], obj{"PointInTimeRecoveryEnabled": true})
	logID, _ := x.byProp(t, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/memon-pingurl")
	expectJSON(t, "tokens index", props(tokens)["GlobalSecondaryIndexes"], []any{obj{"IndexName": schema.TokenEventIndex,
		"KeySchema": []any{obj{"AttributeName": schema.TokenName, "KeyType": "HASH"}}, "Projection": obj{"ProjectionType": "KEYS_ONLY"}}})
	eventsID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	expectJSON(t, "Environment", p["Environment"], obj{"Variables": obj{
		settings.EnvQueueURL: ref(queueID), settings.EnvTokenTable: ref(tokensID), settings.EnvTable: ref(eventsID),
	}})

	roleRef := p["Role"].(obj)["Fn::GetAtt"].([]any)[0].(string)
	_, role := x.byProp(t, "AWS::IAM::Role", "Description", "MEMon ping endpoint: resolve a token hash, put the ping on the queue")
	if mp, ok := props(role)["ManagedPolicyArns"]; ok {
		t.Errorf("ping role has managed policies %v", mp)
	}
	var statements []any
	for _, pol := range x.resources("AWS::IAM::Policy") {
		for _, r := range props(pol)["Roles"].([]any) {
			if equalJSON(r, ref(roleRef)) {
				statements = append(statements, props(pol)["PolicyDocument"].(obj)["Statement"].([]any)...)
			}
		}
	}
	expectJSON(t, "ping role statements", statements, []any{
		obj{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": getAtt(queueID, "Arn")},
		obj{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": getAtt(tokensID, "Arn")},
		obj{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": getAtt(eventsID, "Arn"), "Condition": obj{
			"ForAllValues:StringEquals": obj{"dynamodb:Attributes": []string{schema.AttrName, schema.AttrTokenHash}},
			"StringEqualsIfExists":      obj{"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}},
		obj{"Effect": "Allow", "Action": []string{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": getAtt(logID, "Arn")},
	})
	// The only public things are this function URL and the read
	// function's (statusurl_test.go), and the permissions that let anyone
	// call them through their URLs.
	statusID, _ := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-statusurl")
	public := 0
	for id, perm := range x.resources("AWS::Lambda::Permission") {
		pp := props(perm)
		if pp["Principal"] != "*" {
			continue
		}
		public++
		if !equalJSON(pp["FunctionName"], getAtt(fnID, "Arn")) && !equalJSON(pp["FunctionName"], getAtt(statusID, "Arn")) {
			t.Errorf("%s: a public permission on another function: %s", id, jsonOf(perm))
		}
		// Anyone may call it only through the URL, never with lambda:Invoke.
		if !(pp["Action"] == "lambda:InvokeFunctionUrl" && pp["FunctionUrlAuthType"] == "NONE" ||
			pp["Action"] == "lambda:InvokeFunction" && pp["InvokedViaFunctionUrl"] == true) {
			t.Errorf("%s: public permission not limited to the function URL: %s", id, jsonOf(pp))
		}
	}
	if public == 0 {
		t.Error("no permission lets the function URLs be called")
	}
	for _, thing := range publicThings(x) {
		if !strings.Contains(thing, "AWS::Lambda::Url") && !strings.Contains(thing, "permission") {
			t.Errorf("unexpected public resource %s", thing)
		}
	}
	noWildcardResources(t, x)
}

func TestAutoCreateReachesThePoller(t *testing.T) {
	x := pingTemplate(t)
	_, fn := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	vars := props(fn)["Environment"].(obj)["Variables"].(obj)
	expectJSON(t, settings.EnvAutoCreatePeriod, vars[settings.EnvAutoCreatePeriod], "1d")
	expectJSON(t, settings.EnvAutoCreateMax, vars[settings.EnvAutoCreateMax], "80")
	_, fn = defaultTemplate(t).byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	if v, ok := props(fn)["Environment"].(obj)["Variables"].(obj)[settings.EnvAutoCreatePeriod]; ok {
		t.Errorf("the default stack sets %s=%v: auto-create must be opt-in", settings.EnvAutoCreatePeriod, v)
	}
	for _, bad := range []obj{{CtxAutoCreate: "soon"}, {CtxHTTPPings: "yes"}, {CtxAutoCreateMax: "0"}, {CtxAutoCreateMax: "many"}} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(strings.ToLower(jsonOf(r)), "context") {
					t.Errorf("%v: panic %v, want an error naming the context key", bad, r)
				}
			}()
			synthStack(t, bad)
		}()
	}
}

func TestCdkNagWithHTTPPings(t *testing.T) {
	stack := synthStack(t, obj{CtxHTTPPings: "true", CtxPingURLCodeDir: pollerCode(t), CtxStatusURLCodeDir: pollerCode(t), CtxAutoCreate: "1h"})
	must(t, func() {
		a := assertions.Annotations_FromStack(stack)
		for _, m := range *a.FindError(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("error: %s", jsonOf(m))
		}
		for _, m := range *a.FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("warning: %s", jsonOf(m))
		}
	})
}

// expectPublicFunction: the function named name is sized as publicFunction
// sizes it, logs at WARN, and has a public function URL (auth NONE,
// buffered) that the stack output names; it returns the function's id and
// properties.
func expectPublicFunction(t *testing.T, x tpl, name string, size publicSizing, output string) (string, map[string]any) {
	t.Helper()
	fnID, fn := x.byProp(t, "AWS::Lambda::Function", "FunctionName", name)
	p := props(fn)
	expectJSON(t, name+" ReservedConcurrentExecutions", p["ReservedConcurrentExecutions"], size.concurrency)
	expectJSON(t, name+" MemorySize", p["MemorySize"], size.memoryMB)
	expectJSON(t, name+" Timeout", p["Timeout"], size.timeoutSeconds)
	expectJSON(t, name+" Architectures", p["Architectures"], []string{"arm64"})
	expectJSON(t, name+" log levels", p["LoggingConfig"].(obj)["SystemLogLevel"], "WARN")
	urlID, url := functionURL(t, x, fnID)
	expectJSON(t, name+" function URL", props(url), obj{"AuthType": "NONE", "InvokeMode": "BUFFERED", "TargetFunctionArn": getAtt(fnID, "Arn")})
	expectJSON(t, output+" output", x.json["Outputs"].(obj)[output].(obj)["Value"], getAtt(urlID, "FunctionUrl"))
	return fnID, p
}

// functionURL is the function URL whose target is the function fnID.
func functionURL(t *testing.T, x tpl, fnID string) (string, map[string]any) {
	t.Helper()
	for id, u := range x.resources("AWS::Lambda::Url") {
		if equalJSON(props(u)["TargetFunctionArn"], getAtt(fnID, "Arn")) {
			return id, u
		}
	}
	t.Fatalf("no function URL targets %s", fnID)
	return "", nil
}
