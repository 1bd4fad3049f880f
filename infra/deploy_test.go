package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/pkg/memon"
)

// TestCfnLint runs cfn-lint on the synthesized templates. W3005 (a
// DependsOn CDK writes that is also implied by a Ref) is the only check
// ignored.
func TestCfnLint(t *testing.T) {
	lint := lookTool(t, "cfn-lint", "pip install cfn-lint")
	// One cfn-lint run for all variants: its start-up costs seconds.
	args := []string{"--ignore-checks", "W3005", "--"}
	for name, ctx := range map[string]obj{"full": nil, "email": {CtxEmail: "ops@example.com"}, "adoptTable": {CtxAdoptTable: "true"},
		"routes": {CtxEmail: "ops@example.com", CtxDefaultAlerts: "untagged", CtxRoutes: routesForTests}} {
		x := defaultTemplate(t)
		if ctx != nil {
			x = template(t, ctx)
		}
		dir := filepath.Join(t.TempDir(), name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		args = append(args, writeTemplate(t, x, dir))
	}
	if out, err := exec.Command(lint, args...).CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint %v: %v\n%s", args, err, out)
	}
}

// TestBuildPollerReproducible builds the real poller twice the way the CDK
// app does: a static linux/arm64 ELF, byte-identical across builds (so the
// asset hash, hence the Lambda, changes only when the code does).
func TestBuildPollerReproducible(t *testing.T) {
	var sums [2][32]byte
	for i := range sums {
		dir, err := BuildPoller(moduleRoot, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(dir, "bootstrap")
		body, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sha256.Sum256(body)
		f, err := elf.NewFile(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("bootstrap is not an ELF binary: %v", err)
		}
		if f.Machine != elf.EM_AARCH64 {
			t.Errorf("bootstrap machine %v, want arm64", f.Machine)
		}
		if f.Section(".interp") != nil {
			t.Error("bootstrap is dynamically linked: CGO_ENABLED=0 was lost")
		}
		t.Logf("bootstrap: %d bytes", len(body))
	}
	if sums[0] != sums[1] {
		t.Error("two builds of the poller differ: the build is not reproducible")
	}
}

// cdkCLI checks that the pinned CDK CLI is installed (`npm ci`).
func cdkCLI(t *testing.T) {
	t.Helper()
	if _, err := mototest.CDK(moduleRoot); err != nil {
		skipOrFail(t, "%v", err)
	}
}

// TestDeployToMoto deploys the real stack with the pinned CDK CLI into a
// private moto_server and then uses what it created, by the outputs only.
func TestDeployToMoto(t *testing.T) {
	t.Parallel() // its own moto (below): it deploys beside the other deploy tests
	srv := startMoto(t)
	cdkCLI(t)

	// The cloud assembly of the real stack, synthesized in this process; the
	// CLI deploys it as it would deploy `go run ./infra`'s.
	assembly := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(assembly),
		Context: &map[string]any{CtxPollerCodeDir: pollerCode(t)},
	})
	NewMEMonStack(app, DefaultStackName, nil)
	Check(app)
	must(t, func() { app.Synth(nil) })

	ctx := context.Background()
	start := time.Now()
	out, err := srv.Deploy(ctx, mototest.Deployment{Root: moduleRoot, Stack: DefaultStackName, App: assembly, WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bootstrap and deploy: %s; outputs: %v", time.Since(start).Round(time.Second), out.All)
	for name, v := range map[string]string{
		"SenderPolicyArn": out.SenderPolicyArn, "PollerFunctionName": out.PollerFunctionName, "AlarmTopicArn": out.AlarmTopicArn,
	} {
		if v == "" {
			t.Errorf("output %s is empty", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	cfg := srv.Config(ctx)
	checkStack(ctx, t, cloudformation.NewFromConfig(cfg))
	checkQueue(ctx, t, sqs.NewFromConfig(cfg), out)
	checkTables(ctx, t, dynamodb.NewFromConfig(cfg), out)
	checkAWSEventRules(ctx, t, eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg), out) // awsevents_deploy_test.go
	checkTestTablesAreTheStacks(ctx, t, srv, dynamodb.NewFromConfig(cfg), out)
	if _, err := sns.NewFromConfig(cfg).Publish(ctx, &sns.PublishInput{
		TopicArn: &out.TopicArn, Subject: aws.String("MEMon test"), Message: aws.String("hello from TestDeployToMoto"),
	}); err != nil {
		t.Errorf("publish to %s: %v", out.TopicArn, err)
	}
}

func checkStack(ctx context.Context, t *testing.T, cfn *cloudformation.Client) {
	t.Helper()
	got, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(DefaultStackName)})
	if err != nil || len(got.Stacks) != 1 {
		t.Fatalf("describe stack: %v", err)
	}
	if s := got.Stacks[0].StackStatus; s != "CREATE_COMPLETE" {
		t.Errorf("stack status %s", s)
	}
}

// checkQueue sends a ping to the queue and reads it back, and checks the
// queue's configuration where moto reports it.
func checkQueue(ctx context.Context, t *testing.T, q *sqs.Client, out mototest.Outputs) {
	t.Helper()
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &out.QueueURL, MessageBody: aws.String(`{"name":"backup"}`)}); err != nil {
		t.Fatalf("send to %s: %v", out.QueueURL, err)
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &out.QueueURL, WaitTimeSeconds: 2, MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != `{"name":"backup"}` {
		t.Fatalf("receive from %s: %v %+v", out.QueueURL, err, got)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: &out.QueueURL, AttributeNames: []qtypes.QueueAttributeName{qtypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := attrs.Attributes
	if a["VisibilityTimeout"] != strconv.Itoa(2*pollerTimeoutSeconds) || a["MessageRetentionPeriod"] != strconv.Itoa(14*24*3600) {
		t.Errorf("queue attributes %v", a)
	}
	if !strings.Contains(a["RedrivePolicy"], `"maxReceiveCount": 5`) && !strings.Contains(a["RedrivePolicy"], `"maxReceiveCount":5`) ||
		!strings.Contains(a["RedrivePolicy"], ":memon-dlq") {
		t.Errorf("redrive policy %q", a["RedrivePolicy"])
	}
	if a["SqsManagedSseEnabled"] != "true" {
		t.Logf("moto: SqsManagedSseEnabled=%q", a["SqsManagedSseEnabled"])
	}
	if a["Policy"] == "" {
		t.Logf("moto: the TLS-only queue policy was not applied (moto skips AWS::SQS::QueuePolicy)")
	}
}

// checkTables writes and reads an event, finds it through DueShardIndex, and
// writes a history record.
func checkTables(ctx context.Context, t *testing.T, db *dynamodb.Client, out mototest.Outputs) {
	t.Helper()
	item := map[string]dtypes.AttributeValue{
		schema.AttrName:     &dtypes.AttributeValueMemberS{Value: "backup"},
		schema.AttrType:     &dtypes.AttributeValueMemberS{Value: "rolling"},
		schema.AttrDueShard: &dtypes.AttributeValueMemberS{Value: "3"},
		schema.AttrDueAt:    &dtypes.AttributeValueMemberN{Value: "1000"},
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &out.TableName, Item: item}); err != nil {
		t.Fatalf("put into %s: %v", out.TableName, err)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &out.TableName, Key: map[string]dtypes.AttributeValue{
		schema.AttrName: &dtypes.AttributeValueMemberS{Value: "backup"},
	}})
	if err != nil || got.Item[schema.AttrType] == nil {
		t.Fatalf("get from %s: %v %v", out.TableName, err, got)
	}
	due, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &out.TableName,
		IndexName:                 aws.String(schema.DueShardIndex),
		KeyConditionExpression:    aws.String("#s = :s AND #a <= :now"),
		ExpressionAttributeNames:  map[string]string{"#s": schema.AttrDueShard, "#a": schema.AttrDueAt},
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":s": &dtypes.AttributeValueMemberS{Value: "3"}, ":now": &dtypes.AttributeValueMemberN{Value: "2000"}},
	})
	if err != nil || len(due.Items) != 1 {
		t.Fatalf("query %s: %v %+v", schema.DueShardIndex, err, due)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &out.HistoryTableName, Item: map[string]dtypes.AttributeValue{
		schema.HistName:      &dtypes.AttributeValueMemberS{Value: "backup"},
		schema.HistTime:      &dtypes.AttributeValueMemberS{Value: time.Now().UTC().Format(memon.HistoryTimeLayout)},
		schema.HistExpiresAt: &dtypes.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)},
	}}); err != nil {
		t.Errorf("put into %s: %v", out.HistoryTableName, err)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &out.HistoryTableName})
	if err != nil || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != schema.HistExpiresAt {
		t.Logf("moto: history TTL not reported (err %v)", err)
	}
	pitr, err := db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: &out.TableName})
	if err != nil || pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription == nil ||
		pitr.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != dtypes.PointInTimeRecoveryStatusEnabled {
		t.Logf("moto: PITR not reported enabled: %v", err)
	}
}

// checkTestTablesAreTheStacks: the tables tests create without deploying
// (mototest.CreateTable from memon's schema) have the keys, indexes and
// stream of the tables the stack deploys.
func checkTestTablesAreTheStacks(ctx context.Context, t *testing.T, srv *mototest.Server, db *dynamodb.Client, out mototest.Outputs) {
	t.Helper()
	shape := func(name string) string {
		d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		if err != nil {
			t.Fatalf("describe %s: %v", name, err)
		}
		tb := d.Table
		var b strings.Builder
		attrs := map[string]string{}
		for _, a := range tb.AttributeDefinitions {
			attrs[aws.ToString(a.AttributeName)] = string(a.AttributeType)
		}
		key := func(ks []dtypes.KeySchemaElement) {
			for _, k := range ks {
				fmt.Fprintf(&b, "%s:%s:%s ", k.KeyType, aws.ToString(k.AttributeName), attrs[aws.ToString(k.AttributeName)])
			}
		}
		key(tb.KeySchema)
		for _, ix := range tb.GlobalSecondaryIndexes {
			fmt.Fprintf(&b, "| %s ", aws.ToString(ix.IndexName))
			key(ix.KeySchema)
			fmt.Fprintf(&b, "%s ", ix.Projection.ProjectionType)
		}
		if tb.StreamSpecification != nil && aws.ToBool(tb.StreamSpecification.StreamEnabled) {
			fmt.Fprintf(&b, "| stream %s", tb.StreamSpecification.StreamViewType)
		}
		return b.String()
	}
	for deployed, ts := range map[string]schema.TableSchema{out.TableName: schema.EventsTable, out.HistoryTableName: schema.HistoryTable} {
		name := "schema-check-" + deployed
		if err := srv.CreateTable(ctx, name, ts); err != nil {
			t.Fatal(err)
		}
		got, want := shape(name), shape(deployed)
		if got != want || !strings.Contains(want, "HASH:") {
			t.Errorf("a test's %s is not the stack's:\n test  %s\n stack %s", deployed, got, want)
		}
		t.Logf("%s: %s", deployed, want)
	}
}

// TestDeploySettingsLiveInCdkJSON: cdk.json's context holds every deploy
// option, and the pinned CLI hands it to the app on a synth, each -c
// overriding only the key it names. One synth proves the three (a synth
// through the CLI costs 10-15 CPU-seconds): the file's e-mail and routes
// make their subscriptions, and -c httpPings=true wins over the file's
// false (the endpoints are made).
func TestDeploySettingsLiveInCdkJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CDK app and runs the CDK CLI")
	}
	t.Parallel() // its own cdk.json and cloud assemblies in a temporary directory
	cdkCLI(t)
	raw, err := os.ReadFile(filepath.Join(moduleRoot, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	settings, _ := file["context"].(map[string]any)
	for _, k := range []string{CtxEmail, CtxRoutes, CtxDefaultAlerts, CtxHTTPPings, CtxStatusPage, CtxAWSSources, CtxAutoCreate, CtxReport} {
		if _, ok := settings[k]; !ok {
			t.Errorf("cdk.json's context does not hold the deploy option %q", k)
		}
	}

	dir := t.TempDir()
	app := filepath.Join(dir, "infra")
	if out, err := exec.Command("go", "build", "-o", app, ".").CombinedOutput(); err != nil {
		t.Fatalf("build the CDK app: %v\n%s", err, out)
	}
	settings[CtxEmail] = "ops@example.com"
	settings[CtxRoutes] = "data=data-team@example.com"
	settings[CtxHTTPPings] = false // as cdk.json has it; the command line's -c wins
	file["app"] = app
	b, _ := json.Marshal(file)
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	cdk, _ := mototest.CDK(moduleRoot)
	code := pollerCode(t)
	synth := func(args ...string) map[string]any {
		t.Helper()
		out := filepath.Join(dir, fmt.Sprintf("out%d", len(args)))
		cmd := exec.Command(cdk, append([]string{"synth", "--no-notices", "--quiet", "--output", out,
			"-c", CtxPollerCodeDir + "=" + code, "-c", CtxPingURLCodeDir + "=" + code, "-c", CtxStatusURLCodeDir + "=" + code}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CDK_DISABLE_CLI_TELEMETRY=true", "CDK_DISABLE_VERSION_CHECK=true", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cdk synth %v: %v\n%s", args, err, b)
		}
		raw, err := os.ReadFile(filepath.Join(out, DefaultStackName+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		var x map[string]any
		if err := json.Unmarshal(raw, &x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	count := func(x map[string]any, typ string) map[string]int {
		n := map[string]int{}
		for _, r := range x["Resources"].(map[string]any) {
			res := r.(map[string]any)
			if res["Type"] == typ {
				p, _ := res["Properties"].(map[string]any)
				n[fmt.Sprint(p["Endpoint"])]++
			}
		}
		return n
	}
	x := synth("-c", CtxHTTPPings+"=true")
	if subs := count(x, "AWS::SNS::Subscription"); subs["ops@example.com"] != 2 || subs["data-team@example.com"] != 1 || len(subs) != 2 {
		t.Errorf("cdk synth with cdk.json's settings: subscriptions %v, want ops@example.com on both topics and the data route", subs)
	}
	if n := len(count(x, "AWS::Lambda::Url")); n == 0 {
		t.Error("cdk synth -c httpPings=true over the file's false: no function URL, want the endpoints")
	}
}
