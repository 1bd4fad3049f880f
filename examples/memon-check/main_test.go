package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// TestExampleSynthesizes: the example stack synthesizes with its two checks,
// on the table named by context, with no cdk-nag finding.
func TestExampleSynthesizes(t *testing.T) {
	ctx := map[string]any{"memonTable": "memon-prod"}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), Context: &ctx})
	stack := NewJobsStack(app, "NightlyJobs", nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	app.Synth(nil)
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("Custom::MEMonCheck"), jsii.Number(2))
	for _, name := range []string{"batch:nightly-etl", "invoice-export"} {
		tpl.HasResourceProperties(jsii.String("Custom::MEMonCheck"), map[string]any{
			"Create": assertions.Match_SerializedJson(assertions.Match_ObjectLike(&map[string]any{
				"action": "UpdateItem",
				"parameters": assertions.Match_ObjectLike(&map[string]any{
					"TableName": "memon-prod",
					"Key":       map[string]any{"Name": map[string]any{"S": name}},
				}),
			})),
		})
	}
	for _, e := range *assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))) {
		b, _ := json.Marshal(e)
		t.Errorf("cdk-nag: %s", b)
	}
}
