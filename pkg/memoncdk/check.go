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
// configuration (every setting of memon-config set): the event's state
// (last run, deadline, alerts) belongs to the poller and is never touched,
// so a redeploy never resets a running check. Deleting the construct (or
// its stack) deletes the event.
//
// The package imports the CDK and MEMon's domain package (for validation),
// never MEMon's adapters.
package memoncdk

import (
	"errors"
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

// CheckProps configures a check: the settings of `memon-config set`
// (memon.Config), checked by the same validation. A zero field is the
// setting's default.
type CheckProps struct {
	// Name is the event's name, e.g. "nightly-backup", or an AWS job's
	// "batch:nightly-etl", "states:invoice-run" (see MEMon's docs).
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
	// MaxAlerts is the number of DOWN alerts per outage, 1 to 1000 (0: the
	// default, 3).
	MaxAlerts int
	// Description is shown in alerts.
	Description string
	// Paused creates the check paused (recorded, never alerted).
	Paused bool

	// The alert controls, as memon-config set's flags of the same names.
	FailuresBeforeAlert int           // --failures-before-alert (0: the default, 1)
	MaxRuntime          time.Duration // --max-runtime (0: off)
	MinRuntime          time.Duration // --min-runtime (0: off)
	RepeatEvery         time.Duration // --repeat-every (0: off)
	Quiet               []string      // --quiet windows, e.g. "Mon-Fri 22:00-23:30"
	// DependsOn names the check's parents (--depends-on): while one is
	// down, this check's alerts are held. The parents' own alerts list it
	// once memon-config set has been run on it; the construct writes only
	// this item.
	DependsOn []string
	// Tags group the check and route its alerts (--tag): lower case, at most
	// 10, e.g. []string{"data", "nightly"}.
	Tags []string
	// WatchFrom is when a new check is watched: "" or "first-run" (not
	// until its first ping, memon.py's rule) or "now" (from its creation,
	// so a job that never pings is reported too; the first poll after the
	// deploy arms it).
	WatchFrom string
	// Initial is the first deadline of a check that has never run
	// (--initial-date/--initial-time); written only into a new item.
	Initial time.Time

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

	write := &customresources.AwsSdkCall{
		Service:            jsii.String("DynamoDB"),
		Action:             jsii.String("UpdateItem"),
		Parameters:         props.updateItem(table, time.Now()),
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String("memon-check:" + table + ":" + props.Name)),
	}
	res := customresources.NewAwsCustomResource(c, jsii.String("Item"), &customresources.AwsCustomResourceProps{
		ResourceType: jsii.String("Custom::MEMonCheck"),
		OnCreate:     write,
		OnUpdate:     write,
		OnDelete: &customresources.AwsSdkCall{
			Service:    jsii.String("DynamoDB"),
			Action:     jsii.String("DeleteItem"),
			Parameters: props.deleteItem(table),
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

// validate applies memon-config set's rules: the props as a memon.Config,
// through its one validation.
func (p *CheckProps) validate() error {
	_, err := p.config(time.Now())
	return err
}

// config is the check's configuration, validated at now.
func (p *CheckProps) config(now time.Time) (memon.Config, error) {
	if (p.Period == 0) == (p.Cron == "") {
		return memon.Config{}, fmt.Errorf("give Period or Cron (exactly one) for check %q", p.Name)
	}
	if p.Fixed && p.Cron != "" {
		return memon.Config{}, fmt.Errorf("check %q: Fixed applies to a Period, not to Cron", p.Name)
	}
	c := memon.NewConfig(p.Name, memon.Schedule{Kind: p.kind(), Period: p.Period, Expr: p.Cron, TimeZone: p.TimeZone})
	if p.Grace != nil {
		c.Grace = *p.Grace
	}
	if p.MaxAlerts != 0 {
		c.MaxAlerts = p.MaxAlerts
	}
	if p.FailuresBeforeAlert != 0 {
		c.FailuresBeforeAlert = p.FailuresBeforeAlert
	}
	c.Description, c.Enabled = p.Description, !p.Paused
	c.MaxRuntime, c.MinRuntime, c.RepeatEvery = p.MaxRuntime, p.MinRuntime, p.RepeatEvery
	c.DependsOn, c.WatchFrom, c.Initial = p.DependsOn, memon.WatchFrom(p.WatchFrom), p.Initial
	c.Tags = p.Tags
	if w, err := memon.ParseWatchFrom(memon.KeyWatchFrom, p.WatchFrom); err == nil && p.WatchFrom != "" {
		c.WatchFrom = w // as set stores it; a bad one is Validate's to report
	}
	var errs []error
	for _, q := range p.Quiet {
		w, err := memon.ParseQuiet("Quiet", q)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.Quiet = append(c.Quiet, w)
	}
	errs = append(errs, c.ValidateNew(now))
	if err := errors.Join(errs...); err != nil {
		return memon.Config{}, fmt.Errorf("check %q: %w", p.Name, err)
	}
	return c, nil
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

// deleteItem is the DeleteItem call that removes the check's event.
func (p *CheckProps) deleteItem(table string) map[string]any {
	return map[string]any{"TableName": table, "Key": map[string]any{schema.AttrName: map[string]any{"S": p.Name}}}
}

// updateItem is the UpdateItem call that writes the check's configuration
// into its item (schema.ConfigAttributes, the encoding every MEMon write
// uses). It creates the item when absent with the state a new event starts
// with (State new, and the Initial deadline if one is given), bumps Version
// so that a poller holding an older copy loses its conditional write and
// re-reads, and leaves every other state attribute alone.
func (p *CheckProps) updateItem(table string, now time.Time) map[string]any {
	c, err := p.config(now)
	if err != nil {
		panic("memoncdk: " + err.Error()) // NewCheck validated the props
	}
	start := memon.NewEvent(c.Name, c.Schedule)
	if !c.Initial.IsZero() {
		start.SetInitial(c.Initial)
	}
	names := map[string]any{}
	values := map[string]any{}
	var set, remove []string
	n := 0
	attr := func(a string) string {
		k := "#" + strings.ToLower(a)
		names[k] = a
		return k
	}
	value := func(v schema.Value) string {
		n++
		k := ":v" + strconv.Itoa(n)
		values[k] = dynamoJSON(v)
		return k
	}
	for _, a := range schema.ConfigAttributes(c) {
		if a.Present {
			set = append(set, attr(a.Name)+" = "+value(a.Value))
		} else {
			remove = append(remove, attr(a.Name))
		}
	}
	for _, a := range schema.StartAttributes(start) {
		if !a.Present {
			continue
		}
		k := ":new"
		if a.Name == schema.AttrState {
			values[k] = dynamoJSON(a.Value)
		} else {
			k = value(a.Value)
		}
		set = append(set, attr(a.Name)+" = if_not_exists("+attr(a.Name)+", "+k+")")
	}
	values[":one"] = map[string]any{"N": "1"}

	expr := "SET " + strings.Join(set, ", ")
	if len(remove) > 0 {
		expr += " REMOVE " + strings.Join(remove, ", ")
	}
	expr += " ADD " + attr(schema.AttrVersion) + " :one"
	return map[string]any{
		"TableName":                 table,
		"Key":                       map[string]any{schema.AttrName: map[string]any{"S": p.Name}},
		"UpdateExpression":          expr,
		"ExpressionAttributeNames":  names,
		"ExpressionAttributeValues": values,
	}
}

// dynamoJSON is a value as the SDK call's JSON parameters spell it.
func dynamoJSON(v schema.Value) map[string]any {
	switch v.Type {
	case "N":
		return map[string]any{"N": v.Number()}
	case "L":
		l := make([]any, len(v.L))
		for i, s := range v.L {
			l[i] = map[string]any{"S": s}
		}
		return map[string]any{"L": l}
	}
	return map[string]any{"S": v.S}
}
