package main

import (
	"testing"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
)

func TestStatusFunctionOnlyReads(t *testing.T) {
	x := pingTemplate(t)
	fnID, fn := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-statusurl")
	p := props(fn)
	expectJSON(t, "ReservedConcurrentExecutions", p["ReservedConcurrentExecutions"], statusConcurrency)
	expectJSON(t, "MemorySize", p["MemorySize"], statusMemoryMB)
	expectJSON(t, "Timeout", p["Timeout"], statusTimeoutSecond)
	expectJSON(t, "Architectures", p["Architectures"], []string{"arm64"})
	expectJSON(t, "log levels", p["LoggingConfig"].(obj)["SystemLogLevel"], "WARN")

	urlID, url := functionURL(t, x, fnID)
	expectJSON(t, "function URL", props(url), obj{"AuthType": "NONE", "InvokeMode": "BUFFERED", "TargetFunctionArn": getAtt(fnID, "Arn")})
	expectJSON(t, "StatusUrl output", x.json["Outputs"].(obj)["StatusUrl"].(obj)["Value"], getAtt(urlID, "FunctionUrl"))

	pingID, _ := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-pingurl")
	pingURLID, _ := functionURL(t, x, pingID)
	tokensID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-tokens")
	eventsID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon")
	historyID, _ := x.byProp(t, "AWS::DynamoDB::Table", "TableName", "memon-history")
	logID, _ := x.byProp(t, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/memon-statusurl")
	expectJSON(t, "Environment", p["Environment"], obj{"Variables": obj{
		settings.EnvTokenTable: ref(tokensID), settings.EnvTable: ref(eventsID), settings.EnvHistoryTable: ref(historyID),
		settings.EnvPingURL: getAtt(pingURLID, "FunctionUrl"),
	}})

	roleRef := p["Role"].(obj)["Fn::GetAtt"].([]any)[0].(string)
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
	expectJSON(t, "status role statements", statements, []any{
		obj{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": getAtt(tokensID, "Arn"), "Condition": obj{
			"ForAllValues:StringEquals": obj{"dynamodb:Attributes": []string{schema.AttrTokenHash, schema.TokenName}},
			"StringEqualsIfExists":      obj{"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}},
		obj{"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": getAtt(eventsID, "Arn")},
		obj{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": getAtt(historyID, "Arn")},
		obj{"Effect": "Allow", "Action": []string{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": getAtt(logID, "Arn")},
	})
}
