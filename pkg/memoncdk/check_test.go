package memoncdk

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/peerj/memon/internal/mototest"
)

var srv *mototest.Server

func TestMain(m *testing.M) {
	code := mototest.Main(m, &srv)
	jsii.Close() // once: restarting the jsii runtime costs seconds
	os.Exit(code)
}

// synth builds a stack with the given checks under cdk-nag's AwsSolutions.
func synth(t *testing.T, checks ...*CheckProps) (awscdk.Stack, map[string]any) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Jobs"), &awscdk.StackProps{Env: &awscdk.Environment{
		Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")}})
	for i, p := range checks {
		NewCheck(stack, jsii.String("Check"+string(rune('A'+i))), p)
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	var tpl map[string]any
	mustNot(t, func() {
		app.Synth(nil)
		tpl = *assertions.Template_FromStack(stack, nil).ToJSON()
	})
	return stack, tpl
}

func mustNot(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	f()
}

func resources(tpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tpl["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == typ {
			out[id] = r.(map[string]any)
		}
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// sdkCall reads a custom resource's Create/Update/Delete property.
func sdkCall(t *testing.T, r map[string]any, key string) map[string]any {
	t.Helper()
	s, ok := r["Properties"].(map[string]any)[key].(string)
	if !ok {
		t.Fatalf("%s is not a plain JSON string: %s", key, jsonOf(r["Properties"].(map[string]any)[key]))
	}
	var call map[string]any
	if err := json.Unmarshal([]byte(s), &call); err != nil {
		t.Fatal(err)
	}
	return call
}

// removed lists the attributes an update expression's REMOVE clause names.
func removed(expr string) []string {
	_, rest, ok := strings.Cut(expr, " REMOVE ")
	if !ok {
		return nil
	}
	rest, _, _ = strings.Cut(rest, " ADD ")
	return strings.Split(rest, ", ")
}

func TestCheckTemplate(t *testing.T) {
	two := 2 * time.Hour
	stack, tpl := synth(t,
		&CheckProps{Name: "batch:nightly-etl", Cron: "0 2 * * *", TimeZone: "Europe/Berlin", Grace: &two, Description: "warehouse load"},
		&CheckProps{Name: "invoice-export", Period: 24 * time.Hour, MaxAlerts: 5, TableName: "memon-staging"})

	checks := resources(tpl, "Custom::MEMonCheck")
	if len(checks) != 2 {
		t.Fatalf("%d Custom::MEMonCheck resources, want 2", len(checks))
	}
	byName := map[string]map[string]any{}
	for _, r := range checks {
		create := sdkCall(t, r, "Create")
		if jsonOf(create) != jsonOf(sdkCall(t, r, "Update")) {
			t.Error("Update differs from Create: an update must write the same configuration")
		}
		p := create["parameters"].(map[string]any)
		byName[p["Key"].(map[string]any)["Name"].(map[string]any)["S"].(string)] = r
		if create["service"] != "DynamoDB" || create["action"] != "UpdateItem" {
			t.Errorf("create call %s", jsonOf(create))
		}
		del := sdkCall(t, r, "Delete")
		if del["action"] != "DeleteItem" || jsonOf(del["parameters"].(map[string]any)["Key"]) != jsonOf(p["Key"]) ||
			del["parameters"].(map[string]any)["TableName"] != p["TableName"] {
			t.Errorf("delete call %s does not delete the item it created", jsonOf(del))
		}
		if r["Properties"].(map[string]any)["InstallLatestAwsSdk"] != false {
			t.Error("the provider would download an SDK at deploy time")
		}
	}
	etl := sdkCall(t, byName["batch:nightly-etl"], "Create")["parameters"].(map[string]any)
	if etl["TableName"] != "memon" {
		t.Errorf("default table %v", etl["TableName"])
	}
	for _, want := range []string{`"#type":"Type"`, `{"S":"cron"}`, `{"S":"0 2 * * *"}`, `{"S":"Europe/Berlin"}`, `{"N":"7200"}`,
		`{"S":"warehouse load"}`, `"#enabled":"Enabled"`} {
		if !strings.Contains(jsonOf(etl), want) {
			t.Errorf("etl item lacks %s: %s", want, jsonOf(etl))
		}
	}
	if ex := etl["UpdateExpression"].(string); !strings.Contains(ex, "#state = if_not_exists(#state, :new)") ||
		!slices.Contains(removed(ex), "#period") || !strings.HasSuffix(ex, "ADD #version :one") || strings.Contains(ex, "LastSuccess") {
		t.Errorf("etl update expression %q", ex)
	}
	inv := sdkCall(t, byName["invoice-export"], "Create")["parameters"].(map[string]any)
	if inv["TableName"] != "memon-staging" || !strings.Contains(jsonOf(inv), `{"N":"86400"}`) || !slices.Contains(removed(inv["UpdateExpression"].(string)), "#cron") {
		t.Errorf("invoice item %s", jsonOf(inv))
	}

	// Least privilege: each check's policy updates and deletes items of its
	// one table; nothing else, nowhere else.
	policies := resources(tpl, "AWS::IAM::Policy")
	var statements []string
	for _, p := range policies {
		for _, s := range p["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			statements = append(statements, jsonOf(s))
		}
	}
	tableArn := func(name string) string {
		return jsonOf(map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":dynamodb:eu-west-1:111122223333:table/" + name}}})
	}
	want := map[string]bool{}
	for _, table := range []string{"memon", "memon-staging"} {
		want[`{"Action":["dynamodb:UpdateItem","dynamodb:DeleteItem"],"Effect":"Allow","Resource":`+tableArn(table)+`}`] = true
	}
	if len(statements) != 2 {
		t.Fatalf("statements %v, want one per check", statements)
	}
	for _, s := range statements {
		if !want[s] {
			t.Errorf("statement %s is not UpdateItem+DeleteItem on one table", s)
		}
	}

	errs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
	for _, e := range *errs {
		t.Errorf("cdk-nag: %s", jsonOf(e))
	}
}

func TestCheckRefusesWhatSetRefuses(t *testing.T) {
	for _, tc := range []struct {
		props CheckProps
		want  string
	}{
		{CheckProps{Name: "x", Period: time.Hour, Cron: "0 * * * *"}, "exactly one"},
		{CheckProps{Name: "x"}, "exactly one"},
		{CheckProps{Name: "x", Cron: "0 25 * * *"}, `cron "0 25 * * *" is invalid`},
		{CheckProps{Name: "x", Cron: "0 0 30 2 *"}, "cron"},
		{CheckProps{Name: "bad name!", Period: time.Hour}, "name"},
		{CheckProps{Name: "x", Period: time.Hour, TimeZone: "Mars/Olympus"}, "Mars/Olympus"},
		{CheckProps{Name: "x", Period: time.Hour, Description: "two\nlines"}, "control characters"},
	} {
		p := tc.props
		if err := p.validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error with %q", tc.props, err, tc.want)
		}
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Bad"), nil)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "memoncdk.NewCheck Typo: ") {
			t.Errorf("recovered %v, want a panic naming the construct", r)
		}
	}()
	NewCheck(stack, jsii.String("Typo"), &CheckProps{Name: "x", Cron: "0 25 * * *"})
}
