package pingurl_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	qtypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/notify"
	"github.com/peerj/memon/internal/poller"
	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

var srv *mototest.Server

// pingurlBin is memon-pingurl, built once for the package's tests (a build
// links the AWS SDK again: 1.5-2 CPU-seconds each).
var pingurlBin struct {
	once      sync.Once
	dir, path string
	err       error
}

func TestMain(m *testing.M) {
	code := mototest.Main(m, &srv)
	if pingurlBin.dir != "" {
		os.RemoveAll(pingurlBin.dir)
	}
	os.Exit(code)
}

// memonPingurl returns the built memon-pingurl.
func memonPingurl(t *testing.T) string {
	t.Helper()
	pingurlBin.once.Do(func() {
		if pingurlBin.dir, pingurlBin.err = os.MkdirTemp("", "memon-pingurl-test-"); pingurlBin.err != nil {
			return
		}
		pingurlBin.path = filepath.Join(pingurlBin.dir, "memon-pingurl")
		if out, err := exec.Command("go", "build", "-o", pingurlBin.path, "github.com/peerj/memon/cmd/memon-pingurl").CombinedOutput(); err != nil {
			pingurlBin.err = fmt.Errorf("go build memon-pingurl: %v\n%s", err, out)
		}
	})
	if pingurlBin.err != nil {
		t.Fatal(pingurlBin.err)
	}
	return pingurlBin.path
}

// local is MEMon in moto with the real memon-pingurl binary serving it.
type local struct {
	t      *testing.T
	res    mototest.Resources
	store  *dynamo.Store
	tokens *dynamo.Tokens
	sqs    *sqs.Client
	poller *poller.Poller
	base   string // http://127.0.0.1:PORT
}

func startLocal(t *testing.T, prefix string, flags ...string) *local {
	t.Helper()
	mototest.Need(t, srv) // before srv is used: under -short there is none
	return startLocalAs(t, prefix, srv.EnvAs(mototest.Ping), flags...)
}

// startLocalAs is startLocal with memon-pingurl's AWS environment given:
// a test that reads through it too runs it unrecorded (srv.Env), since its
// reads are the read function's principal's and its pings the ping's.
func startLocalAs(t *testing.T, prefix string, env []string, flags ...string) *local {
	t.Helper()
	mototest.Need(t, srv)
	ctx := context.Background()
	res, err := srv.CreateMEMon(ctx, prefix)
	if err != nil {
		t.Fatal(err)
	}
	tokenTable := prefix + settings.TokenTableSuffix
	if err := srv.CreateTokenTable(ctx, tokenTable); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config(ctx)
	db := dynamodb.NewFromConfig(cfg)
	l := &local{t: t, res: res, store: dynamo.New(db, res.Table, res.HistoryTable),
		tokens: dynamo.NewTokens(db, res.Table, tokenTable), sqs: sqs.NewFromConfig(cfg)}
	// The poller that judges the pings, with its own principal's clients.
	pcfg := srv.ConfigAs(ctx, mototest.Poller)
	l.poller = poller.New(queue.NewReceiver(sqs.NewFromConfig(pcfg), res.QueueURL, 0),
		dynamo.New(dynamodb.NewFromConfig(pcfg), res.Table, res.HistoryTable), notify.New(sns.NewFromConfig(pcfg), res.TopicARN),
		poller.Config{ReconcileEvery: -1, Receivers: 1}, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))

	cmd := exec.Command(memonPingurl(t), append([]string{"--addr", "127.0.0.1:0", "--min-latency", "1ms"}, flags...)...)
	cmd.Env = append(env, settings.EnvQueueURL+"="+res.QueueURL, settings.EnvTokenTable+"="+tokenTable)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("memon-pingurl did not start: %v", err)
	}
	// "memon-pingurl: serving http://127.0.0.1:PORT/ping/<token>"
	_, url, _ := strings.Cut(strings.TrimSpace(line), "serving ")
	l.base = strings.TrimSuffix(url, "/ping/<token>")
	return l
}

func (l *local) do(method, path, body string) (int, string) {
	l.t.Helper()
	req, err := http.NewRequest(method, l.base+path, strings.NewReader(body))
	if err != nil {
		l.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (l *local) poll() {
	l.t.Helper()
	if _, err := l.poller.Poll(context.Background()); err != nil {
		l.t.Fatal(err)
	}
}

func (l *local) event(name string) *memon.Event {
	l.t.Helper()
	ev, err := l.store.Get(context.Background(), name)
	if err != nil {
		l.t.Fatal(err)
	}
	return ev
}

func (l *local) queued() int {
	l.t.Helper()
	out, err := l.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &l.res.QueueURL,
		AttributeNames: []qtypes.QueueAttributeName{qtypes.QueueAttributeNameApproximateNumberOfMessages, qtypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		l.t.Fatal(err)
	}
	var n int
	for _, v := range out.Attributes {
		var i int
		fmt.Sscan(v, &i)
		n += i
	}
	return n
}

func (l *local) create(name string) string {
	l.t.Helper()
	s, err := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err != nil {
		l.t.Fatal(err)
	}
	if err := l.store.Create(context.Background(), memon.NewEvent(name, s)); err != nil {
		l.t.Fatal(err)
	}
	tok, err := l.tokens.Issue(context.Background(), name, false)
	if err != nil {
		l.t.Fatal(err)
	}
	return tok
}

func TestEachURLFormThroughTheLocalServerReachesTheEvent(t *testing.T) {
	t.Parallel() // its own queue and tables (the prefix) on the package's moto
	l := startLocal(t, "pu-forms")
	tok := l.create("nightly")
	steps := []struct {
		method, path, body string
		check              func(ev *memon.Event) string
	}{
		{"POST", "/ping/" + tok + "/start?rid=run-1", "", func(ev *memon.Event) string {
			if ev.LastStartTime.IsZero() || ev.RunningID != "run-1" || !ev.LastSuccessTime.IsZero() {
				return "want an open run with run id run-1 and no success"
			}
			return ""
		}},
		{"POST", "/ping/" + tok + "?rid=run-1", "backup done\n", func(ev *memon.Event) string {
			if ev.LastSuccessTime.IsZero() || ev.State != memon.Up || ev.LastMessage != "backup done\n" {
				return "want a success with the body as message"
			}
			return ""
		}},
		{"GET", "/ping/" + tok + "/fail", "", func(ev *memon.Event) string {
			if ev.LastFailTime.IsZero() || ev.State != memon.Down || ev.LastExitCode != nil {
				return "want a failure without exit code"
			}
			return ""
		}},
		{"GET", "/ping/" + tok + "/0?rid=run-2", "", func(ev *memon.Event) string {
			if ev.State != memon.Up || ev.LastRunID != "run-2" || ev.LastExitCode != nil {
				return "want up again (exit 0 is a success) with run id run-2"
			}
			return ""
		}},
		{"POST", "/ping/" + tok + "/7", strings.Repeat("a", 10000) + "THE END", func(ev *memon.Event) string {
			if ev.State != memon.Down || ev.LastExitCode == nil || *ev.LastExitCode != 7 ||
				len(ev.LastMessage) != memon.MaxMessageLen || !strings.HasSuffix(ev.LastMessage, "THE END") {
				return fmt.Sprintf("want a failure with exit code 7 and the body's last %d bytes", memon.MaxMessageLen)
			}
			return ""
		}},
	}
	for _, s := range steps {
		code, body := l.do(s.method, s.path, s.body)
		if code != 200 || body != "OK" {
			t.Fatalf("%s %s: %d %q, want 200 OK", s.method, s.path, code, body)
		}
		time.Sleep(5 * time.Millisecond) // SentTimestamp has milliseconds: keep the order
		l.poll()
		ev := l.event("nightly")
		if msg := s.check(ev); msg != "" {
			t.Fatalf("after %s %s: %s; event %+v", s.method, s.path, msg, ev)
		}
	}
}

func TestRejectedPingsQueueNothing(t *testing.T) {
	t.Parallel() // its own queue and tables (the prefix) on the package's moto
	l := startLocal(t, "pu-reject")
	old := l.create("etl")
	if !l.event("etl").HasToken {
		t.Fatal("the event does not say it has a token")
	}
	if _, err := l.tokens.Issue(context.Background(), "etl", false); !errors.Is(err, dynamo.ErrTokenExists) {
		t.Fatalf("a second token without rotate: %v, want ErrTokenExists", err)
	}
	rotated, err := l.tokens.Issue(context.Background(), "etl", true)
	if err != nil {
		t.Fatal(err)
	}
	var notFoundBody string
	for _, path := range []string{
		"/ping/" + old, // rotated away
		"/ping/" + strings.Repeat("A", memon.TokenLen), // well formed, unknown
		"/ping/not-a-token",                            // malformed
		"/ping/" + old + "/300",                        // a rotated token's bad exit code
		"/ping/" + rotated + "/start/now",              // bad suffix
	} {
		code, body := l.do("POST", path, "x")
		if code != 404 {
			t.Errorf("%s: %d %q, want 404", path, code, body)
		}
		if notFoundBody == "" {
			notFoundBody = body
		} else if body != notFoundBody {
			t.Errorf("%s: body %q differs from %q", path, body, notFoundBody)
		}
	}
	if code, body := l.do("POST", "/ping/"+rotated+"/300", "x"); code != 400 || body != "invalid url format" {
		t.Errorf("the current token's exit code over 255: %d %q, want 400 invalid url format", code, body)
	}
	if code, _ := l.do("POST", "/ping/"+rotated, strings.Repeat("x", memon.MaxMessageBody+1)); code != 413 {
		t.Errorf("oversized body: %d, want 413", code)
	}
	if n := l.queued(); n != 0 {
		t.Fatalf("%d messages queued by rejected pings, want 0", n)
	}
	if code, _ := l.do("GET", "/ping/"+rotated, ""); code != 200 || l.queued() != 1 {
		t.Fatalf("the rotated-in token: %d, %d queued; want 200 and one message", code, l.queued())
	}
	// Deleting an event's token (memon-config delete revokes it first) ends its URL.
	if err := l.tokens.Revoke(context.Background(), "etl"); err != nil {
		t.Fatal(err)
	}
	if code, _ := l.do("GET", "/ping/"+rotated, ""); code != 404 {
		t.Errorf("revoked token: %d, want 404", code)
	}
	if ev := l.event("etl"); ev.HasToken {
		t.Error("the event still says it has a token after Revoke")
	}
}

// Past --max-in-flight the server answers 429 at once; the request in
// flight is served. Not parallel: its second request must come while the
// first is inside its answer time, so it runs before the parallel tests.
func TestLocalServerThrottles(t *testing.T) {
	l := startLocal(t, "pu-throttle", "--max-in-flight", "1", "--min-latency", "1500ms")
	tok := l.create("busy")
	first := make(chan int)
	go func() { // no t.Fatal off the test goroutine
		resp, err := http.Get(l.base + "/ping/" + tok)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	time.Sleep(500 * time.Millisecond) // the first request is inside its 1.5 s answer time
	if code, body := l.do("GET", "/ping/"+tok, ""); code != 429 {
		t.Errorf("second request while one is in flight: %d %q, want 429", code, body)
	}
	if code := <-first; code != 200 {
		t.Errorf("first request: %d, want 200", code)
	}
	if n := l.queued(); n != 1 {
		t.Errorf("%d queued, want the first ping only", n)
	}
}

// TestATokenDiesWithItsEventWhoeverDeletesIt: the item is deleted the way
// the console, memon.py or the CDK construct do (no memon-config, so the
// token item stays): the old URL answers 404 at once, also after an event
// of that name is created again, and a poller with create-on-first-ping on
// never brings the event back from it. Revoke then deletes every token item
// naming the event, and a rotation leaves only the new one.
func TestATokenDiesWithItsEventWhoeverDeletesIt(t *testing.T) {
	t.Parallel() // its own queue and tables (the prefix) on the package's moto
	l := startLocal(t, "pu-dies")
	ctx := context.Background()
	old := l.create("nightly")
	if code, _ := l.do("GET", "/ping/"+old, ""); code != 200 {
		t.Fatalf("a live token: %d, want 200", code)
	}
	l.poll()
	if err := l.store.Delete(ctx, "nightly"); err != nil { // the console's DeleteItem
		t.Fatal(err)
	}
	if code, _ := l.do("GET", "/ping/"+old, ""); code != 404 {
		t.Fatalf("the token of a deleted event: %d, want 404", code)
	}
	auto := poller.New(queue.NewReceiver(l.sqs, l.res.QueueURL, 0), l.store, notify.New(sns.NewFromConfig(srv.Config(ctx)), l.res.TopicARN),
		poller.Config{ReconcileEvery: -1, Receivers: 1, AutoCreatePeriod: time.Hour}, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := auto.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.store.Get(ctx, "nightly"); !errors.Is(err, memon.ErrNotFound) {
		t.Fatalf("the old URL brought the deleted event back (%v)", err)
	}

	s, _ := memon.NewSchedule(memon.Rolling, time.Hour, "", "")
	if err := l.store.Create(ctx, memon.NewEvent("nightly", s)); err != nil { // created again, by anyone
		t.Fatal(err)
	}
	if code, _ := l.do("GET", "/ping/"+old, ""); code != 404 {
		t.Fatalf("an event created again inherited the old token: %d, want 404", code)
	}
	fresh, err := l.tokens.Issue(ctx, "nightly", false)
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := l.do("GET", "/ping/"+fresh, ""); code != 200 {
		t.Fatalf("the new token: %d, want 200", code)
	}
	if code, _ := l.do("GET", "/ping/"+old, ""); code != 404 {
		t.Fatalf("the old token after a new one: %d, want 404", code)
	}
	if n := l.tokenItems(); n != 1 {
		t.Fatalf("%d token items after the new token, want 1 (the old one's leftover deleted)", n)
	}
	if err := l.tokens.Revoke(ctx, "nightly"); err != nil {
		t.Fatal(err)
	}
	if code, _ := l.do("GET", "/ping/"+fresh, ""); code != 404 || l.tokenItems() != 0 {
		t.Fatalf("after Revoke: %d and %d token items, want 404 and none", code, l.tokenItems())
	}
}

// tokenItems counts the tokens table's items.
func (l *local) tokenItems() int {
	l.t.Helper()
	out, err := dynamodb.NewFromConfig(srv.Config(context.Background())).Scan(context.Background(), &dynamodb.ScanInput{
		TableName: aws.String(l.res.Table + settings.TokenTableSuffix)})
	if err != nil {
		l.t.Fatal(err)
	}
	return len(out.Items)
}
