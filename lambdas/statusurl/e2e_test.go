package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/buildflags"
	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/lambdatest"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/statusurl"
	"github.com/peerj/memon/pkg/memon"
)

var srv *mototest.Server

func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &srv)) }

// The real bootstrap under a Lambda Runtime API, invoked with function URL
// events, acting as the read function's role against moto: the check list,
// one check, its flips; a wrong key; a write; a ping sent on to PingUrl.
func TestBootstrapServesTheReadAPI(t *testing.T) {
	mototest.Need(t, srv)
	ctx := context.Background()
	res, err := srv.CreateMEMon(ctx, "lambda-statusurl")
	if err != nil {
		t.Fatal(err)
	}
	tokenTable := "lambda-statusurl" + settings.TokenTableSuffix
	if err := srv.CreateTokenTable(ctx, tokenTable); err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(srv.Config(ctx))
	store := dynamo.New(db, res.Table, res.HistoryTable)
	sched, _ := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err := store.Create(ctx, memon.NewEvent("etl", sched)); err != nil {
		t.Fatal(err)
	}
	if err := store.AppendHistory(ctx, memon.Transition{Event: "etl", At: time.Now().Add(-time.Minute), From: memon.New, To: memon.Up}); err != nil {
		t.Fatal(err)
	}
	key, _, err := dynamo.NewKeys(db, tokenTable).Issue(ctx, memon.KeyAPI, "test")
	if err != nil {
		t.Fatal(err)
	}

	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	build := buildflags.Command(buildflags.Lambda, ".", bootstrap, ".")
	build.Env = append(build.Env, "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH) // as Lambda builds it, but for this host
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rt := lambdatest.StartFunction(t, bootstrap, append(srv.EnvAs(mototest.Status), "AWS_LAMBDA_FUNCTION_NAME=memon-statusurl",
		settings.EnvTokenTable+"="+tokenTable, settings.EnvTable+"="+res.Table, settings.EnvHistoryTable+"="+res.HistoryTable,
		settings.EnvPingURL+"=https://ping.lambda-url.us-east-1.on.aws/"))

	invoke := func(method, path, apiKey string) events.LambdaFunctionURLResponse {
		t.Helper()
		var resp events.LambdaFunctionURLResponse
		rt.Call(t, events.LambdaFunctionURLRequest{RawPath: path, Headers: map[string]string{"x-api-key": apiKey},
			RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "abc.lambda-url.us-east-1.on.aws",
				HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "203.0.113.7"}}}, &resp)
		return resp
	}
	r := invoke("GET", "/api/v3/checks/", key)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"name":"etl"`) || !strings.Contains(r.Body, `"status":"new"`) {
		t.Fatalf("check list: %+v", r)
	}
	uk := statusurl.UniqueKey("etl")
	if r := invoke("GET", "/api/v3/checks/"+uk, key); r.StatusCode != 200 || !strings.Contains(r.Body, `"unique_key":"`+uk+`"`) {
		t.Fatalf("one check: %+v", r)
	}
	if r := invoke("GET", "/api/v3/checks/"+uk+"/flips/", key); r.StatusCode != 200 || !strings.Contains(r.Body, `"up":1`) {
		t.Fatalf("flips: %+v", r)
	}
	if r := invoke("GET", "/api/v3/checks/", strings.Repeat("k", memon.TokenLen)); r.StatusCode != 401 {
		t.Fatalf("a wrong key: %+v", r)
	}
	if r := invoke("DELETE", "/api/v3/checks/"+uk, key); r.StatusCode != 403 {
		t.Fatalf("a write: %+v", r)
	}
	if r := invoke("GET", "/ping/sometoken", ""); r.StatusCode != 307 || r.Headers["Location"] != "https://ping.lambda-url.us-east-1.on.aws/ping/sometoken" {
		t.Fatalf("a ping to the read URL: %+v", r)
	}
}
