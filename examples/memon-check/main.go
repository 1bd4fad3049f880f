// Command memon-check is an example CDK app: a job's own stack that declares
// the job's MEMon check with memoncdk.NewCheck, next to the job.
//
//	cd examples/memon-check && cdk synth --app 'go run .'
//	CDK_OUTDIR=cdk.out go run ./examples/memon-check   # synth without the CLI
//
// The stack needs MEMon deployed in the same account and region (its events
// table, "memon" by default; -c memonTable=NAME for another prefix).
package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/peerj/memon/pkg/memoncdk"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewJobsStack(app, "NightlyJobs", nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
}

// NewJobsStack is a team's stack of scheduled jobs (the jobs themselves are
// left out here) with a MEMon check for each.
func NewJobsStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, props)
	table := ""
	if v := stack.Node().TryGetContext(jsii.String("memonTable")); v != nil {
		table, _ = v.(string)
	}
	twoHours := 2 * time.Hour
	// An AWS Batch job: its own EventBridge events report each run.
	memoncdk.NewCheck(stack, jsii.String("EtlCheck"), &memoncdk.CheckProps{
		Name: "batch:nightly-etl", Cron: "0 2 * * *", TimeZone: "Europe/Berlin", Grace: &twoHours,
		Description: "nightly warehouse load", TableName: table,
	})
	// A cron job on a host that runs `memon-send invoice-export`.
	memoncdk.NewCheck(stack, jsii.String("InvoiceExportCheck"), &memoncdk.CheckProps{
		Name: "invoice-export", Period: 24 * time.Hour, MaxAlerts: 5, TableName: table,
	})
	return stack
}
