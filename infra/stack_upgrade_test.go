package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/poller"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/pkg/memon"
)

// previousRelease is the cloud assembly of the release an update starts
// from: `go run ./infra` at commit d1b3c85 with httpPings=true (so it has
// every table), its Lambda code replaced by a placeholder (moto never runs
// a Lambda). testdata/previous-release/README.md says how to move it to a
// later release.
const previousRelease = "testdata/previous-release"

// readTemplate reads a synthesized template.
func readTemplate(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var x map[string]any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return x
}

// tableIndexes maps each DynamoDB table of a template (by logical id) to
// its global secondary indexes (by name, as JSON).
func tableIndexes(x map[string]any) map[string]map[string]string {
	out := map[string]map[string]string{}
	for id, v := range x["Resources"].(map[string]any) {
		res := v.(map[string]any)
		if res["Type"] != "AWS::DynamoDB::Table" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		ix := map[string]string{}
		for _, g := range list(props["GlobalSecondaryIndexes"]) {
			name, _ := g.(map[string]any)["IndexName"].(string)
			ix[name] = jsonOf(g)
		}
		out[id] = ix
	}
	return out
}

// updateProblems lists what would make the update from prev to cur unsafe
// for the data: DynamoDB (and so CloudFormation) changes at most one global
// secondary index of a table per update, and a table whose name or key
// schema changes is replaced, emptied.
func updateProblems(prev, cur map[string]any) []string {
	var out []string
	before, after := tableIndexes(prev), tableIndexes(cur)
	for id, was := range before {
		now, ok := after[id]
		if !ok {
			out = append(out, fmt.Sprintf("table %s is removed from the stack", id))
			continue
		}
		var changed []string
		for name, def := range was {
			switch d, ok := now[name]; {
			case !ok:
				changed = append(changed, name+" removed")
			case d != def:
				changed = append(changed, name+" changed")
			}
		}
		for name := range now {
			if _, ok := was[name]; !ok {
				changed = append(changed, name+" added")
			}
		}
		sort.Strings(changed)
		if len(changed) > 1 {
			out = append(out, fmt.Sprintf("table %s: %d global secondary indexes change in one update (%s); DynamoDB takes one per update: release them in steps",
				id, len(changed), strings.Join(changed, ", ")))
		}
		p := func(x map[string]any, key string) string {
			props, _ := x["Resources"].(map[string]any)[id].(map[string]any)["Properties"].(map[string]any)
			return jsonOf(props[key])
		}
		for _, key := range []string{"TableName", "KeySchema"} {
			if p(prev, key) != p(cur, key) {
				out = append(out, fmt.Sprintf("table %s: %s changes (%s to %s): CloudFormation replaces the table and its data is lost", id, key, p(prev, key), p(cur, key)))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestUpdateProblems(t *testing.T) {
	t.Parallel()
	table := func(name string, indexes ...string) map[string]any {
		var gsi []any
		for _, ix := range indexes {
			n, def, _ := strings.Cut(ix, "=")
			gsi = append(gsi, map[string]any{"IndexName": n, "KeySchema": def})
		}
		return map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": map[string]any{
			"TableName": name, "KeySchema": "Name", "GlobalSecondaryIndexes": gsi}}
	}
	stack := func(tables map[string]any) map[string]any { return map[string]any{"Resources": tables} }
	prev := stack(map[string]any{"Events": table("memon", "A=a", "B=b"), "History": table("memon-history")})
	for _, tc := range []struct {
		name string
		cur  map[string]any
		want int
	}{
		{"unchanged", stack(map[string]any{"Events": table("memon", "A=a", "B=b"), "History": table("memon-history")}), 0},
		{"one index removed", stack(map[string]any{"Events": table("memon", "A=a"), "History": table("memon-history")}), 0},
		{"one changed", stack(map[string]any{"Events": table("memon", "A=a", "B=b2"), "History": table("memon-history")}), 0},
		{"one added on each table", stack(map[string]any{"Events": table("memon", "A=a", "B=b", "C=c"), "History": table("memon-history", "D=d")}), 0},
		{"one removed and one added", stack(map[string]any{"Events": table("memon", "A=a", "C=c"), "History": table("memon-history")}), 1},
		{"two removed", stack(map[string]any{"Events": table("memon"), "History": table("memon-history")}), 1},
		{"renamed table", stack(map[string]any{"Events": table("memon2", "A=a", "B=b"), "History": table("memon-history")}), 1},
		{"table dropped", stack(map[string]any{"Events": table("memon", "A=a", "B=b")}), 1},
	} {
		if got := updateProblems(prev, tc.cur); len(got) != tc.want {
			t.Errorf("%s: %d problems %v, want %d", tc.name, len(got), got, tc.want)
		}
	}
}

// TestUpdateFromPreviousReleaseIsSafe: the stack this commit synthesizes
// updates the previous release's in place: no table replaced, at most one
// index of a table changed.
func TestUpdateFromPreviousReleaseIsSafe(t *testing.T) {
	prev := readTemplate(t, filepath.Join(previousRelease, "MEMon.template.json"))
	for _, p := range updateProblems(prev, pingTemplate(t).json) {
		t.Error(p)
	}
}

// placeholderCode is a Lambda code directory for stacks moto deploys but
// never runs.
func placeholderCode(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("placeholder: moto never runs the Lambda\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// withoutFunctionURL drops from an assembly's template what moto cannot
// create, the endpoints' function URLs, and the outputs naming them (moto
// fails the whole stack on them); a value read from one (the read
// function's MEMON_PING_URL) becomes a placeholder URL. The rest deploys as
// synthesized. Function URLs are proved by template assertions
// (pingurl_test.go, statusurl_test.go).
func withoutFunctionURL(t *testing.T, assembly string) {
	t.Helper()
	path := filepath.Join(assembly, "MEMon.template.json")
	x := readTemplate(t, path)
	resources, outputs := x["Resources"].(map[string]any), x["Outputs"].(map[string]any)
	removed := map[string]bool{}
	for id, r := range resources {
		if r.(map[string]any)["Type"] != "AWS::Lambda::Url" {
			continue
		}
		delete(resources, id)
		removed[id] = true
		for name, o := range outputs {
			if strings.Contains(jsonOf(o), `"`+id+`"`) {
				delete(outputs, name)
			}
		}
	}
	var replace func(v any) any
	replace = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			if att, ok := v["Fn::GetAtt"].([]any); ok && len(att) > 0 && removed[fmt.Sprint(att[0])] {
				return "https://function-url.invalid/"
			}
			for k, e := range v {
				v[k] = replace(e)
			}
		case []any:
			for i, e := range v {
				v[i] = replace(e)
			}
		}
		return v
	}
	replace(x)
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// eventsID is the events table's logical id in an assembly's template.
func eventsID(t *testing.T, assembly string) string {
	t.Helper()
	for id, r := range readTemplate(t, filepath.Join(assembly, "MEMon.template.json"))["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == "AWS::DynamoDB::Table" && res["Properties"].(map[string]any)["TableName"] == "memon" {
			return id
		}
	}
	t.Fatal("no events table in the template")
	return ""
}

// applyIndexChanges makes, for moto, the one change CloudFormation makes to
// a table in place, whose indexes changed: moto's CloudFormation cannot
// update a DynamoDB table (it loses the resource and fails the stack), so
// the test makes the UpdateTable calls CloudFormation would make, then puts
// the deployed table's definition back into the assembly's template and
// lets CloudFormation update the rest. A table that changes in any other
// way fails the test: moto could not prove its update.
func applyIndexChanges(ctx context.Context, t *testing.T, db *dynamodb.Client, deployed map[string]any, assembly string) {
	t.Helper()
	path := filepath.Join(assembly, "MEMon.template.json")
	x := readTemplate(t, path)
	resources := x["Resources"].(map[string]any)
	for id, was := range deployed["Resources"].(map[string]any) {
		if was.(map[string]any)["Type"] != "AWS::DynamoDB::Table" {
			continue
		}
		now, ok := resources[id].(map[string]any)
		if !ok || jsonOf(now) == jsonOf(was) {
			continue
		}
		wasProps, nowProps := was.(map[string]any)["Properties"].(map[string]any), now["Properties"].(map[string]any)
		rest := func(props map[string]any) string {
			c := maps.Clone(props)
			delete(c, "GlobalSecondaryIndexes")
			delete(c, "AttributeDefinitions")
			return jsonOf(c)
		}
		if rest(wasProps) != rest(nowProps) || jsonOf(was.(map[string]any)["Type"]) != jsonOf(now["Type"]) {
			t.Errorf("table %s changes beyond its indexes: moto cannot update it in place to prove the data survives", id)
			continue
		}
		name, _ := nowProps["TableName"].(string)
		before, after := tableIndexes(deployed)[id], tableIndexes(x)[id]
		for ix, def := range before {
			if after[ix] == def {
				continue
			}
			if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: &name,
				GlobalSecondaryIndexUpdates: []dtypes.GlobalSecondaryIndexUpdate{{Delete: &dtypes.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(ix)}}},
			}); err != nil {
				t.Fatalf("delete index %s of %s: %v", ix, name, err)
			}
		}
		for ix, def := range after {
			if before[ix] == def {
				continue
			}
			var gsi dtypes.GlobalSecondaryIndex
			var attrs []dtypes.AttributeDefinition
			if err := json.Unmarshal([]byte(def), &gsi); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(jsonOf(nowProps["AttributeDefinitions"])), &attrs); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: &name, AttributeDefinitions: attrs,
				GlobalSecondaryIndexUpdates: []dtypes.GlobalSecondaryIndexUpdate{{Create: &dtypes.CreateGlobalSecondaryIndexAction{
					IndexName: gsi.IndexName, KeySchema: gsi.KeySchema, Projection: gsi.Projection}}},
			}); err != nil {
				t.Fatalf("create index %s of %s: %v", ix, name, err)
			}
		}
		resources[id] = was
	}
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeFromPreviousReleaseKeepsData deploys the previous release into
// moto, lives on it (events, a run polled into history and daily records,
// a ping token, a ping waiting in the queue), deploys this commit's stack
// over it, and proves that everything is still there and that the current
// poller judges it: the waiting ping is applied, the overdue event goes
// DOWN with an alert.
func TestUpgradeFromPreviousReleaseKeepsData(t *testing.T) {
	t.Parallel() // its own moto (below): it deploys beside the other deploy tests
	srv := startMoto(t)
	cdkCLI(t)
	ctx := context.Background()

	prevDir := t.TempDir()
	if err := os.CopyFS(prevDir, os.DirFS(previousRelease)); err != nil {
		t.Fatal(err)
	}
	withoutFunctionURL(t, prevDir)
	start := time.Now()
	before, err := srv.Deploy(ctx, mototest.Deployment{Root: moduleRoot, Stack: DefaultStackName, App: prevDir, WorkDir: t.TempDir()})
	if err != nil {
		t.Fatalf("deploy the previous release: %v", err)
	}
	t.Logf("previous release deployed (with cdk bootstrap) in %s", time.Since(start).Round(time.Second))

	cfg := srv.Config(ctx)
	db, q := dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	store := dynamo.New(db, before.TableName, before.HistoryTableName)
	tokens := dynamo.NewTokens(db, before.TableName, before.All["TokenTableName"])
	alerts, err := srv.SubscribeQueue(ctx, before.TopicArn, "upgrade-alerts")
	if err != nil {
		t.Fatal(err)
	}
	// The current poller, wired as the Lambda wires it, under its principal.
	pcfg := srv.ConfigAs(ctx, mototest.Poller)
	poll := func(now time.Time) *poller.Summary {
		t.Helper()
		pdb := dynamodb.NewFromConfig(pcfg)
		pstore := dynamo.New(pdb, before.TableName, before.HistoryTableName)
		p := poller.New(queue.NewReceiver(sqs.NewFromConfig(pcfg, queue.LimitResponses), before.QueueURL, time.Second), pstore,
			notify.New(sns.NewFromConfig(pcfg), before.TopicArn), poller.Config{}, func() time.Time { return now },
			slog.New(slog.NewTextHandler(io.Discard, nil))).
			UseLease(pstore).WatchChanges(dynamo.NewStream(pdb, dynamodbstreams.NewFromConfig(pcfg), before.TableName))
		sum, err := p.Poll(ctx)
		if err != nil {
			t.Fatalf("poll: %v", err)
		}
		return sum
	}
	send := func(name string) {
		t.Helper()
		b, _ := json.Marshal(memon.Message{Name: name, Time: float64(time.Now().UnixMilli()) / 1000})
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &before.QueueURL, MessageBody: aws.String(string(b))}); err != nil {
			t.Fatal(err)
		}
	}
	create := func(name string, period time.Duration) {
		t.Helper()
		s, err := memon.NewSchedule(memon.Rolling, period, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Create(ctx, memon.NewEvent(name, s)); err != nil {
			t.Fatal(err)
		}
	}

	// Life on the previous release: backup ran yesterday and half an hour
	// ago (its history, yesterday's daily record, today's counts) and a poll
	// takes the lease and reads the change stream; etl gets a token and a
	// ping that waits in the queue.
	create("backup", time.Hour)
	create("etl", 7*24*time.Hour)
	now := time.Now()
	ev, err := store.Get(ctx, "backup")
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{now.Add(-25 * time.Hour), now.Add(-30 * time.Minute)} {
		ev.Apply(memon.Ping{Name: "backup", Signal: memon.Success, SentAt: at, Duration: time.Minute})
	}
	if err := store.Save(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if sum := poll(now); sum.Errors != 0 || sum.Down != 0 {
		t.Fatalf("poll on the previous release: %+v", sum)
	}
	token, err := tokens.Issue(ctx, "etl", false)
	if err != nil {
		t.Fatal(err)
	}
	send("etl")
	type snapshot struct {
		Events  []memon.Listed
		History []memon.HistoryRecord
		Days    []memon.DayCounts
	}
	take := func() snapshot {
		t.Helper()
		var s snapshot
		var err error
		if s.Events, err = store.List(ctx); err != nil {
			t.Fatal(err)
		}
		if s.History, err = store.History(ctx, "backup", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if s.Days, err = store.Days(ctx, "backup", now.AddDate(0, 0, -2), now.AddDate(0, 0, 2)); err != nil {
			t.Fatal(err)
		}
		return s
	}
	was := take()
	if len(was.Events) != 2 || len(was.History) == 0 || len(was.Days) == 0 {
		t.Fatalf("before the update: %d events, %d history records, %d daily records", len(was.Events), len(was.History), len(was.Days))
	}

	// The update: this commit's stack, same context, over the previous one.
	code := placeholderCode(t)
	assembly := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(assembly), Context: &map[string]any{
		CtxPollerCodeDir: code, CtxHTTPPings: "true", CtxPingURLCodeDir: code, CtxStatusURLCodeDir: code,
	}})
	NewMEMonStack(app, DefaultStackName, nil)
	Check(app)
	must(t, func() { app.Synth(nil) })
	for _, p := range updateProblems(readTemplate(t, filepath.Join(previousRelease, "MEMon.template.json")),
		readTemplate(t, filepath.Join(assembly, "MEMon.template.json"))) {
		t.Errorf("update refused: %s", p)
	}
	withoutFunctionURL(t, assembly)
	events, cur := eventsID(t, assembly), tableIndexes(readTemplate(t, filepath.Join(assembly, "MEMon.template.json")))
	applyIndexChanges(ctx, t, db, readTemplate(t, filepath.Join(prevDir, "MEMon.template.json")), assembly)
	start = time.Now()
	after, err := srv.Deploy(ctx, mototest.Deployment{Root: moduleRoot, Stack: DefaultStackName, App: assembly, WorkDir: t.TempDir(),
		Parameters: mototest.UpdateBootstrapVersion})
	if err != nil {
		t.Fatalf("deploy this commit over the previous release: %v", err)
	}
	t.Logf("update deployed in %s", time.Since(start).Round(time.Second))
	if status, _, err := srv.Stack(ctx, DefaultStackName); err != nil || status != "UPDATE_COMPLETE" {
		t.Fatalf("stack after the update: %s %v, want UPDATE_COMPLETE", status, err)
	}
	for id, name := range map[string]string{events: before.TableName} {
		d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, ix := range d.Table.GlobalSecondaryIndexes {
			got = append(got, aws.ToString(ix.IndexName))
		}
		for ix := range cur[id] {
			want = append(want, ix)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s's indexes after the update: %v, want %v", name, got, want)
		}
	}
	for k, v := range before.All {
		if after.All[k] != v {
			t.Errorf("output %s changed from %q to %q: clients configured with it break", k, v, after.All[k])
		}
	}

	// Everything is still there.
	if got := take(); !reflect.DeepEqual(got, was) {
		t.Errorf("after the update:\n got  %+v\n want %+v", got, was)
	}
	if name, err := tokens.EventForToken(ctx, memon.HashToken(token)); err != nil || name != "etl" {
		t.Errorf("etl's ping token after the update: %q %v", name, err)
	}

	// And judged by the current poller: two hours on, the waiting ping has
	// made etl up and backup is overdue.
	sum := poll(now.Add(2 * time.Hour))
	if sum.Pings != 1 || sum.Down != 1 {
		t.Errorf("first poll after the update: %+v, want the waiting ping and one DOWN", sum)
	}
	for name, want := range map[string]memon.State{"etl": memon.Up, "backup": memon.Down} {
		ev, err := store.Get(ctx, name)
		if err != nil || ev.State != want {
			t.Errorf("%s after the update's first poll: %v %v, want %s", name, ev, err, want)
		}
	}
	got, err := srv.ReadAlerts(ctx, alerts, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	downs := 0
	for _, a := range got {
		if a.Event != "backup" {
			t.Errorf("alert %q after the update's first poll: only backup is overdue", a.Subject)
		}
		if a.Kind == "down" {
			downs++
		}
	}
	if downs != 1 {
		t.Errorf("alerts after the update's first poll: [%s], want one DOWN for backup", mototest.Subjects(got))
	}
}
