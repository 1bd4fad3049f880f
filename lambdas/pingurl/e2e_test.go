package main

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/internal/buildflags"
	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/lambdatest"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

var srv *mototest.Server

func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &srv)) }

// The real bootstrap under a Lambda Runtime API, invoked with function URL
// events: what the function URL does in AWS, against moto.
func TestBootstrapServesFunctionURLEvents(t *testing.T) {
	mototest.Need(t, srv)
	ctx := context.Background()
	res, err := srv.CreateMEMon(ctx, "lambda-pingurl")
	if err != nil {
		t.Fatal(err)
	}
	tokenTable := "lambda-pingurl" + settings.TokenTableSuffix
	if err := srv.CreateTokenTable(ctx, tokenTable); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config(ctx)
	db := dynamodb.NewFromConfig(cfg)
	sched, _ := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err := dynamo.New(db, res.Table, res.HistoryTable).Create(ctx, memon.NewEvent("etl", sched)); err != nil {
		t.Fatal(err)
	}
	token, err := dynamo.NewTokens(db, res.Table, tokenTable).Issue(ctx, "etl", false)
	if err != nil {
		t.Fatal(err)
	}

	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	build := buildflags.Command(buildflags.Lambda, ".", bootstrap, ".")
	build.Env = append(build.Env, "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH) // as Lambda builds it, but for this host
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rt := lambdatest.StartFunction(t, bootstrap, append(srv.EnvAs(mototest.Ping), "AWS_LAMBDA_FUNCTION_NAME=memon-pingurl",
		settings.EnvQueueURL+"="+res.QueueURL, settings.EnvTokenTable+"="+tokenTable))

	invoke := func(method, path, query, body string) events.LambdaFunctionURLResponse {
		t.Helper()
		var resp events.LambdaFunctionURLResponse
		rt.Call(t, events.LambdaFunctionURLRequest{RawPath: path, RawQueryString: query,
			Body: base64.StdEncoding.EncodeToString([]byte(body)), IsBase64Encoded: true,
			RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "abc.lambda-url.us-east-1.on.aws",
				HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "203.0.113.7"}}}, &resp)
		return resp
	}
	if r := invoke("POST", "/ping/"+token+"/3", "rid=nightly-7", "ERROR: disk full"); r.StatusCode != 200 || r.Body != "OK" {
		t.Fatalf("valid ping: %+v", r)
	}
	// Another token of the same shape: the last character changed, never left as it was.
	other := []byte(token)
	if other[len(other)-1] == 'x' {
		other[len(other)-1] = 'y'
	} else {
		other[len(other)-1] = 'x'
	}
	if r := invoke("GET", "/ping/"+string(other), "", ""); r.StatusCode != 404 {
		t.Fatalf("unknown token: %+v", r)
	}
	if r := invoke("POST", "/ping/"+token, "", string(make([]byte, memon.MaxMessageBody+1))); r.StatusCode != 413 {
		t.Fatalf("oversized body: %d", r.StatusCode)
	}

	// The other forms, through the same wiring: the hosted form's /log, a
	// slug ping under the stack's ping key that asks to create its event,
	// and Uptime Kuma's push.
	if r := invoke("POST", "/"+token+"/log", "", "pruned 3 archives"); r.StatusCode != 200 || r.Body != "OK" || r.Headers["Ping-Body-Limit"] == "" {
		t.Fatalf("hosted /log: %+v", r)
	}
	pingKey, _, err := dynamo.NewKeys(db, tokenTable).Issue(ctx, memon.KeyPing, "")
	if err != nil {
		t.Fatal(err)
	}
	if r := invoke("GET", "/ping/"+pingKey+"/new-job/start", "create=1", ""); r.StatusCode != 201 || r.Body != "Created" {
		t.Fatalf("slug ping with create=1: %+v", r)
	}
	if r := invoke("GET", "/api/push/"+token, "status=down&msg=lag", ""); r.StatusCode != 200 || r.Body != `{"ok":true}` {
		t.Fatalf("Kuma push: %+v", r)
	}

	q := sqs.NewFromConfig(cfg)
	got := map[string]memon.Ping{}
	for range 5 {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &res.QueueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			p, err := memon.DecodeMessage([]byte(*m.Body), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			got[p.Name+" "+string(p.Signal)+" "+p.Message] = p
		}
		if len(got) >= 4 {
			break
		}
	}
	if len(got) != 4 {
		t.Fatalf("queued %v, want the four accepted pings only", got)
	}
	if p := got["etl fail ERROR: disk full"]; p.ExitCode == nil || *p.ExitCode != 3 || p.RunID != "nightly-7" {
		t.Fatalf("the exit-code ping: %+v", p)
	}
	if _, ok := got["etl log pruned 3 archives"]; !ok {
		t.Errorf("no log ping in %v", got)
	}
	if p, ok := got["new-job start "]; !ok || !p.Create {
		t.Errorf("no start asking to create new-job in %v", got)
	}
	if _, ok := got["etl fail lag"]; !ok {
		t.Errorf("no Kuma down ping in %v", got)
	}
}
