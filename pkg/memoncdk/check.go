// Package memoncdk is a CDK construct for a job's own CDK app: NewCheck
// declares the job's MEMon check next to the job, so the check is created,
// changed and removed with the stack that owns the job.
//
//	memoncdk.NewCheck(stack, jsii.String("EtlCheck"), &memoncdk.CheckProps{
//		Name: "batch:nightly-etl", Cron: "0 2 * * *", TimeZone: "Europe/Berlin", Grace: 2 * time.Hour,
//	})
//
// The check is an item in MEMon's events table, written by a CloudFormation
// custom resource (CDK's AwsCustomResource) whose role may update and delete
// items of that one table and nothing else. It writes only the check's
// configuration (schedule, grace, alerts, description, enabled): the
// event's state (last run, deadline, alerts) belongs to the poller and is
// never touched, so a redeploy never resets a running check. Deleting the
// construct (or its stack) deletes the event.
//
// The package imports the CDK and MEMon's domain package (for validation),
// never MEMon's adapters.
package memoncdk

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// DefaultTableName is the events table of a MEMon stack deployed with the
// default prefix.
const DefaultTableName = "memon"

// CheckProps configures a check: the same settings as `memon-config set`.
type CheckProps struct {
	// Name is the event's name, e.g. "nightly-backup", or an AWS job's
	// "batch:nightly-etl", "states:invoice-run" (see MEMon's docs/aws-job-events.md).
	Name string
	// Period: the job runs at least every Period (rolling: counted from
	// each run; Fixed: on a grid of periods). Give Period or Cron.
	Period time.Duration
	Fixed  bool
	// Cron: the job runs at each firing of this five-field expression.
	Cron string
	// TimeZone is the IANA zone of Cron and of times in alerts (default UTC).
	TimeZone string
	// Grace is the extra time after a deadline before DOWN (default 0; 5m
	// for a cron check, as memon-config gives a new cron event).
	Grace *time.Duration
	// MaxAlerts is the number of DOWN alerts per outage (default 3).
	MaxAlerts int
	// Description is shown in alerts.
	Description string
	// Paused creates the check paused (recorded, never alerted).
	Paused bool
	// WatchFrom is when a new check is watched: "" or "first-run" (not
	// until its first ping, memon.py's rule) or "now" (from its creation,
	// so a job that never pings is reported too; the first poll after the
	// deploy arms it).
	WatchFrom string
	// TableName is MEMon's events table (default "memon"; the stack output
	// TableName for another prefix).
	TableName string
}

// Check is a deployed MEMon check.
type Check struct {
	constructs.Construct
	// Resource is the custom resource that writes the item.
	Resource customresources.AwsCustomResource
	// TableArn is the events table the check's role may write.
	TableArn *string
}

// NewCheck declares a MEMon check. Bad props panic at synth time with the
// same message memon-config set would give, so a typo never deploys.
func NewCheck(scope constructs.Construct, id *string, props *CheckProps) Check {
	if props == nil {
		panic("memoncdk.NewCheck: props are required (Name and Period or Cron)")
	}
	if err := props.validate(); err != nil {
		panic("memoncdk.NewCheck " + *id + ": " + err.Error())
	}
	c := constructs.NewConstruct(scope, id)
	stack := awscdk.Stack_Of(c)
	table := props.TableName
	if table == "" {
		table = DefaultTableName
	}
	tableArn := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("dynamodb"), Resource: jsii.String("table"), ResourceName: jsii.String(table)})

	key := map[string]any{schema.AttrName: map[string]any{"S": props.Name}}
	write := &customresources.AwsSdkCall{
		Service:            jsii.String("DynamoDB"),
		Action:             jsii.String("UpdateItem"),
		Parameters:         props.updateItem(table),
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String("memon-check:" + table + ":" + props.Name)),
	}
	res := customresources.NewAwsCustomResource(c, jsii.String("Item"), &customresources.AwsCustomResourceProps{
		ResourceType: jsii.String("Custom::MEMonCheck"),
		OnCreate:     write,
		OnUpdate:     write,
		OnDelete: &customresources.AwsSdkCall{
			Service:    jsii.String("DynamoDB"),
			Action:     jsii.String("DeleteItem"),
			Parameters: map[string]any{"TableName": table, "Key": key},
		},
		InstallLatestAwsSdk: jsii.Bool(false), // the runtime's SDK: no download at deploy time
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("dynamodb:UpdateItem", "dynamodb:DeleteItem"),
				Resources: &[]*string{tableArn},
			}),
		}),
	})
	suppressProviderNag(stack)
	return Check{Construct: c, Resource: res, TableArn: tableArn}
}

// providerID is the construct id of the Lambda that CDK shares between every
// AwsCustomResource of a stack.
const providerID = "AWS679f53fac002430cb0da5b7982bd2287"

// suppressProviderNag records, for cdk-nag users, why the shared provider's
// one finding does not apply: its role carries AWSLambdaBasicExecutionRole
// (CDK's choice), which only lets it write its own logs; what it may do to
// data is the table-scoped policy above.
func suppressProviderNag(stack awscdk.Stack) {
	provider := stack.Node().TryFindChild(jsii.String(providerID))
	if provider == nil {
		return
	}
	cdknag.NagSuppressions_AddResourceSuppressions(provider, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("CDK's AwsCustomResource provider: AWSLambdaBasicExecutionRole only lets it write its own logs; its data access is memoncdk's policy on the one events table."),
		AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
	}}, jsii.Bool(true))
}

// validate applies memon-config set's rules.
func (p *CheckProps) validate() error {
	if err := memon.ValidateName(p.Name); err != nil {
		return err
	}
	if (p.Period == 0) == (p.Cron == "") {
		return fmt.Errorf("give Period or Cron (exactly one) for check %q", p.Name)
	}
	if p.Fixed && p.Cron != "" {
		return fmt.Errorf("check %q: Fixed applies to a Period, not to Cron", p.Name)
	}
	s, err := memon.NewSchedule(p.kind(), p.Period, p.Cron, p.TimeZone)
	if err != nil {
		return err
	}
	if p.Cron != "" {
		if err := s.CheckFires(time.Now()); err != nil {
			return err
		}
	}
	if p.Grace != nil && (*p.Grace < 0 || *p.Grace > memon.MaxPeriod) {
		return fmt.Errorf("check %q: Grace %s: want 0 to 366d", p.Name, *p.Grace)
	}
	if p.MaxAlerts < 0 || p.MaxAlerts > 1000 {
		return fmt.Errorf("check %q: MaxAlerts %d: want 0 (the default, 3) to 1000", p.Name, p.MaxAlerts)
	}
	if err := memon.ValidateDescription(p.Description); err != nil {
		return err
	}
	if _, err := memon.ParseWatchFrom("WatchFrom", p.WatchFrom); err != nil {
		return fmt.Errorf("check %q: %w", p.Name, err)
	}
	if memon.SingleLine(p.Description) != p.Description {
		return fmt.Errorf("check %q: Description: control characters (line breaks, tabs, escapes) are not allowed", p.Name)
	}
	return nil
}

func (p *CheckProps) kind() memon.ScheduleKind {
	switch {
	case p.Cron != "":
		return memon.Cron
	case p.Fixed:
		return memon.Fixed
	}
	return memon.Rolling
}

func (p *CheckProps) grace() time.Duration {
	switch {
	case p.Grace != nil:
		return *p.Grace
	case p.Cron != "":
		return memon.DefaultCronGrace
	}
	return 0
}

// updateItem is the UpdateItem call that writes the check's configuration
// into its item. It creates the item when absent (State new, as memon-config
// creates it), bumps Version so that a poller holding an older copy loses its
// conditional write and re-reads, and leaves every state attribute alone.
func (p *CheckProps) updateItem(table string) map[string]any {
	names := map[string]any{}
	values := map[string]any{}
	var set, remove []string
	n := 0
	attr := func(a string) string {
		k := "#" + strings.ToLower(a)
		names[k] = a
		return k
	}
	put := func(a string, v map[string]any) {
		n++
		k := ":v" + strconv.Itoa(n)
		values[k] = v
		set = append(set, attr(a)+" = "+k)
	}
	num := func(f float64) map[string]any { return map[string]any{"N": strconv.FormatFloat(f, 'f', -1, 64)} }
	str := func(s string) map[string]any { return map[string]any{"S": s} }
	opt := func(a string, v map[string]any, present bool) {
		if present {
			put(a, v)
		} else {
			remove = append(remove, attr(a))
		}
	}

	put(schema.AttrType, str(string(p.kind())))
	opt(schema.AttrPeriod, num(p.Period.Seconds()), p.Cron == "")
	opt(schema.AttrCron, str(p.Cron), p.Cron != "")
	opt(schema.AttrTimeZone, str(p.TimeZone), p.TimeZone != "")
	opt(schema.AttrGrace, num(p.grace().Seconds()), p.grace() > 0)
	opt(schema.AttrMaxAlerts, num(float64(p.MaxAlerts)), p.MaxAlerts > 0)
	opt(schema.AttrDescription, str(p.Description), p.Description != "")
	watch, _ := memon.ParseWatchFrom("WatchFrom", p.WatchFrom)
	opt(schema.AttrWatchFrom, str(string(watch)), p.WatchFrom != "")
	enabled := 1.0
	if p.Paused {
		enabled = 0
	}
	put(schema.AttrEnabled, num(enabled))
	values[":new"] = str(string(memon.New))
	set = append(set, attr(schema.AttrState)+" = if_not_exists("+attr(schema.AttrState)+", :new)")
	values[":one"] = num(1)

	expr := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		expr += " REMOVE " + strings.Join(remove, ", ")
	}
	expr += " ADD " + attr(schema.AttrVersion) + " :one"
	return map[string]any{
		"TableName":                 table,
		"Key":                       map[string]any{schema.AttrName: str(p.Name)},
		"UpdateExpression":          expr,
		"ExpressionAttributeNames":  names,
		"ExpressionAttributeValues": values,
	}
}
