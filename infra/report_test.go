package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/peerj/memon/pkg/memon"
)

// pollerRole is the role Lambda assumes (the report scheduler has its own).
func (x tpl) pollerRole(t *testing.T) (string, map[string]any) {
	t.Helper()
	roles := map[string]map[string]any{}
	for id, r := range x.resources("AWS::IAM::Role") {
		if strings.Contains(jsonOf(props(r)["AssumeRolePolicyDocument"]), "lambda.amazonaws.com") {
			roles[id] = r
		}
	}
	return onlyOne(t, roles)
}

func TestReportScheduleDefault(t *testing.T) {
	x := defaultTemplate(t)
	fnID, _ := x.byProp(t, "AWS::Lambda::Function", "FunctionName", "memon-poller")
	_, sched := onlyOne(t, x.resources("AWS::Scheduler::Schedule"))
	p := props(sched)
	expectJSON(t, "Name", p["Name"], "memon-report-weekly")
	expectJSON(t, "ScheduleExpression", p["ScheduleExpression"], "cron(0 8 ? * MON *)")
	expectJSON(t, "ScheduleExpressionTimezone", p["ScheduleExpressionTimezone"], "UTC")
	expectJSON(t, "FlexibleTimeWindow", p["FlexibleTimeWindow"], obj{"Mode": "OFF"})
	target := p["Target"].(obj)
	expectJSON(t, "target", target["Arn"], getAtt(fnID, "Arn"))
	var input map[string]string
	if err := json.Unmarshal([]byte(target["Input"].(string)), &input); err != nil || input["report"] != "weekly" || input["time_zone"] != "UTC" {
		t.Errorf("input %v (%v)", target["Input"], err)
	}

	// The scheduler's role may invoke the poller, nothing else.
	var roleID string
	for id, r := range x.resources("AWS::IAM::Role") {
		if strings.Contains(jsonOf(props(r)["AssumeRolePolicyDocument"]), "scheduler.amazonaws.com") {
			roleID = id
		}
	}
	expectJSON(t, "RoleArn", target["RoleArn"], getAtt(roleID, "Arn"))
	_, policy := x.byProp(t, "AWS::IAM::Policy", "Roles", []any{ref(roleID)})
	expectJSON(t, "scheduler statements", props(policy)["PolicyDocument"].(obj)["Statement"], []any{
		obj{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": getAtt(fnID, "Arn")},
	})
}

func TestReportScheduleContext(t *testing.T) {
	x := template(t, map[string]any{CtxReport: "both", CtxReportTimeZone: "Europe/Berlin"})
	got := map[string]string{}
	for _, r := range x.resources("AWS::Scheduler::Schedule") {
		p := props(r)
		if p["ScheduleExpressionTimezone"] != "Europe/Berlin" {
			t.Errorf("zone %v", p["ScheduleExpressionTimezone"])
		}
		got[p["Name"].(string)] = p["ScheduleExpression"].(string)
	}
	if len(got) != 2 || got["memon-report-weekly"] != "cron(0 8 ? * MON *)" || got["memon-report-monthly"] != "cron(0 8 1 * ? *)" {
		t.Errorf("schedules %v", got)
	}
	if off := template(t, map[string]any{CtxReport: "off"}); len(off.resources("AWS::Scheduler::Schedule")) != 0 {
		t.Error("report=off still schedules reports")
	}
}

func TestReportContextValues(t *testing.T) {
	for v, want := range map[string]int{"": 1, "weekly": 1, "Monthly": 1, "both": 2, "off": 0} {
		got, err := ReportCadences(v)
		if err != nil || len(got) != want {
			t.Errorf("%q: %v %v", v, got, err)
		}
	}
	if c, _ := ReportCadences("monthly"); c[0] != memon.Monthly {
		t.Errorf("monthly: %v", c)
	}
	if _, err := ReportCadences("daily"); err == nil || !strings.Contains(err.Error(), "report=") {
		t.Errorf("daily: %v", err)
	}
	if z, err := ReportTimeZone(""); z != "UTC" || err != nil {
		t.Errorf("default zone %q %v", z, err)
	}
	if _, err := ReportTimeZone("Mars/Base"); err == nil || !strings.Contains(err.Error(), "reportTimeZone") {
		t.Errorf("bad zone: %v", err)
	}
}
