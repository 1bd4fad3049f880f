package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/pkg/memon"
)

// Scheduled reports (`-c report=weekly|monthly|both|off`, `-c reportTimeZone=ZONE`).
const (
	CtxReport         = "report"
	CtxReportTimeZone = "reportTimeZone"
)

// reportSchedules are the EventBridge Scheduler expressions: Monday 08:00
// and the first of the month 08:00, in the report time zone (Scheduler
// follows its daylight saving; a plain EventBridge rule is UTC only).
var reportSchedules = map[memon.Cadence]string{
	memon.Weekly:  "cron(0 8 ? * MON *)",
	memon.Monthly: "cron(0 8 1 * ? *)",
}

// ReportCadences parses the report context value: weekly (the default),
// monthly, both or off.
func ReportCadences(v string) ([]memon.Cadence, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "weekly":
		return []memon.Cadence{memon.Weekly}, nil
	case "monthly":
		return []memon.Cadence{memon.Monthly}, nil
	case "both":
		return []memon.Cadence{memon.Weekly, memon.Monthly}, nil
	case "off":
		return nil, nil
	}
	return nil, fmt.Errorf("context %s=%q: want weekly, monthly, both or off", CtxReport, v)
}

// ReportTimeZone checks the reportTimeZone context value (default UTC).
func ReportTimeZone(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "UTC", nil
	}
	if _, err := time.LoadLocation(v); err != nil || strings.EqualFold(v, "local") {
		return "", fmt.Errorf("context %s=%q: want an IANA zone such as Europe/Berlin, or UTC", CtxReportTimeZone, v)
	}
	return v, nil
}

// reports adds one EventBridge Scheduler schedule per cadence that invokes
// the poller with {"report": CADENCE, "time_zone": ZONE}; the poller
// publishes the report to the alert topic (kind=report). The scheduler's
// role may invoke the poller and nothing else.
func (m *memonStack) reports(cadences []memon.Cadence, zone string) {
	if len(cadences) == 0 {
		return
	}
	role := awsiam.NewRole(m.stack, jsii.String("ReportSchedulerRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
		Description: jsii.String("MEMon: EventBridge Scheduler invokes the poller to publish scheduled reports"),
	})
	allow(role, []string{"lambda:InvokeFunction"}, m.fn.FunctionArn())
	for _, c := range cadences {
		input, _ := json.Marshal(map[string]string{"report": string(c), "time_zone": zone})
		title := strings.ToUpper(string(c)[:1]) + string(c)[1:]
		awsscheduler.NewCfnSchedule(m.stack, jsii.String(title+"Report"), &awsscheduler.CfnScheduleProps{
			Name:                       m.name("-report-" + string(c)),
			Description:                jsii.String(fmt.Sprintf("MEMon: publish the %s report", c)),
			ScheduleExpression:         jsii.String(reportSchedules[c]),
			ScheduleExpressionTimezone: jsii.String(zone),
			FlexibleTimeWindow:         &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
			Target: &awsscheduler.CfnSchedule_TargetProperty{
				Arn:     m.fn.FunctionArn(),
				RoleArn: role.RoleArn(),
				Input:   jsii.String(string(input)),
				// Delivery to the poller is retried for a day; a report that
				// fails inside the poller counts as a poller error (alarmed).
				RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
					MaximumEventAgeInSeconds: jsii.Number(24 * 3600),
					MaximumRetryAttempts:     jsii.Number(20),
				},
			},
		})
	}
}
