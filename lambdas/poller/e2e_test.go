package main

// End-to-end: the real stack deployed into moto with the pinned CDK CLI, the
// real poller `bootstrap` run as Lambda runs it (against a Runtime API served
// here with httptest, fed the EventBridge scheduled event), and the real
// memon-config and memon-send binaries. Alerts are read from a queue
// subscribed to the stack's topic (moto's CloudFormation creates no
// subscriptions).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerj/memon/internal/buildflags"
	"github.com/peerj/memon/internal/lambdatest"
	"github.com/peerj/memon/internal/mototest"
)

// moduleRoot is the repository root as seen from this package's tests.
const moduleRoot = "../.."

var srv *mototest.Server

// TestMain starts one moto_server for the package (mototest.Main: a missing
// moto_server fails under CI=true); the stack is deployed into it once, by
// the first test that needs it (deployed), and shared.
func TestMain(m *testing.M) {
	code := mototest.Main(m, &srv)
	if setup.dir != "" {
		os.RemoveAll(setup.dir)
	}
	os.Exit(code)
}

// e2eStack is the deployed stack and the binaries built for this host.
type e2eStack struct {
	dir                      string   // temp dir holding binaries and CDK files
	bootstrap, send, config  string   // executables
	env                      []string // moto and the MEMON_* names from out
	out                      mototest.Outputs
	alertQueueURL            string // a queue subscribed to out.TopicArn
	deployTime, setupElapsed time.Duration
}

var (
	setupOnce sync.Once
	setup     e2eStack
	setupSkip string // why the tests skip (only outside CI)
	setupErr  error
)

// deployed returns the shared stack, deploying it on first use.
func deployed(t *testing.T) *e2eStack {
	t.Helper()
	if testing.Short() {
		t.Skip("deploys the stack into moto and runs the built poller")
	}
	mototest.Need(t, srv)
	setupOnce.Do(func() { setupErr = deploy() })
	if setupSkip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: %s", setupSkip)
		}
		t.Skip(setupSkip)
	}
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return &setup
}

// deploy builds the binaries and deploys the real stack into moto with
// mototest's Deploy (the one bootstrap-and-deploy of the repository). The
// CDK app is infra/, built once here and given a prebuilt linux/arm64 poller
// (pollerCodeDir), so nothing is written into the working tree.
func deploy() error {
	start := time.Now()
	root, err := filepath.Abs(moduleRoot)
	if err != nil {
		return err
	}
	if _, err := mototest.CDK(root); err != nil {
		setupSkip = err.Error()
		return nil
	}
	dir, err := os.MkdirTemp("", "memon-e2e-")
	if err != nil {
		return err
	}
	s := &setup
	s.dir = dir
	s.bootstrap = filepath.Join(dir, "bootstrap")
	s.send = filepath.Join(dir, "memon-send")
	s.config = filepath.Join(dir, "memon-config")
	app := filepath.Join(dir, "infra-app")
	work := filepath.Join(dir, "cdk")
	if err := os.Mkdir(work, 0o755); err != nil {
		return err
	}
	d := mototest.Deployment{Root: root, App: app, WorkDir: work,
		Context: map[string]string{"pollerCodeDir": filepath.Join(dir, "code")}}
	build := func(kind buildflags.Kind, out, pkg string, env ...string) func() error {
		return func() error {
			cmd := buildflags.Command(kind, root, out, pkg)
			cmd.Env = append(cmd.Env, env...) // the last value of a key wins
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
			}
			return nil
		}
	}

	// Everything independent runs at once: five builds and cdk bootstrap.
	ctx := context.Background()
	jobs := []func() error{
		// The poller as Lambda runs it, but for this host.
		build(buildflags.Lambda, s.bootstrap, "./lambdas/poller", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH),
		build(buildflags.SmallCLI, s.send, "./cmd/memon-send"),
		build(buildflags.CLI, s.config, "./cmd/memon-config"),
		// The Lambda asset, as `make lambda` builds it (moto never runs it).
		build(buildflags.Lambda, filepath.Join(dir, "code", "bootstrap"), "./lambdas/poller"),
		// A plain build (no -trimpath): the CDK packages' build cache is then
		// shared with `go run ./infra` (cdk.json, make local) and infra's tests.
		func() error {
			if msg, err := exec.Command("go", "build", "-C", root, "-o", app, "./infra").CombinedOutput(); err != nil {
				return fmt.Errorf("go build ./infra: %w\n%s", err, msg)
			}
			return nil
		},
		func() error { return srv.Bootstrap(ctx, d) },
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = job() }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	deployStart := time.Now()
	if s.out, err = srv.Deploy(ctx, d); err != nil {
		return err
	}
	s.deployTime = time.Since(deployStart)
	s.env = append(srv.Env(), s.out.Env()...)
	s.alertQueueURL, err = srv.SubscribeQueue(ctx, s.out.TopicArn, "e2e-alerts")
	if err != nil {
		return err
	}
	s.setupElapsed = time.Since(start)
	return nil
}

// run executes one of the built CLIs against the stack and returns its
// exit code, stdout and stderr.
func (s *e2eStack) run(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = s.envAs(bin), &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatalf("%s %v: %v", filepath.Base(bin), args, err)
	}
	return 0, stdout.String(), stderr.String()
}

// envAs is the environment of one of the binaries, with the access key of
// its principal (so the policy test checks its calls against its policy).
func (s *e2eStack) envAs(bin string) []string {
	p := map[string]mototest.Principal{s.config: mototest.Operator, s.send: mototest.Sender, s.bootstrap: mototest.Poller}[bin]
	return append(append([]string{}, s.env...), "AWS_ACCESS_KEY_ID="+string(p))
}

// ok runs a CLI that must succeed.
func (s *e2eStack) ok(t *testing.T, bin string, args ...string) string {
	t.Helper()
	code, out, errs := s.run(t, bin, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d\n%s%s", filepath.Base(bin), strings.Join(args, " "), code, out, errs)
	}
	return out
}

// status is the event's status as `memon-config show NAME --json` reports it.
func (s *e2eStack) status(t *testing.T, name string) string {
	t.Helper()
	out := s.ok(t, s.config, "show", name, "--json")
	var list []struct{ Name, Status string }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("memon-config show --json: %v\n%s", err, out)
	}
	if len(list) != 1 || list[0].Name != name {
		t.Fatalf("memon-config show %s --json: want one event\n%s", name, out)
	}
	return list[0].Status
}

// alerts drains the subscribed queue: what the poll just published (SNS
// delivers to SQS while Publish runs, so it is there once the poll is done).
func (s *e2eStack) alerts(t *testing.T) []mototest.Alert {
	t.Helper()
	got, err := srv.ReadAlerts(context.Background(), s.alertQueueURL, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// lambdaProcess is the poller bootstrap running against a Runtime API
// served by internal/lambdatest.
type lambdaProcess struct {
	rt     *lambdatest.Runtime
	cmd    *exec.Cmd
	exited chan struct{}
	log    *bytes.Buffer // stdout and stderr: the poller's JSON log
	mu     *sync.Mutex
}

// startLambda runs the built bootstrap with the environment Lambda gives a
// provided.al2023 function, plus the moto endpoint and the stack outputs.
func startLambda(t *testing.T, s *e2eStack) *lambdaProcess {
	t.Helper()
	rt := lambdatest.Start()
	p := &lambdaProcess{rt: rt, exited: make(chan struct{}), log: &bytes.Buffer{}, mu: &sync.Mutex{}}
	p.cmd = exec.Command(s.bootstrap)
	p.cmd.Dir = s.dir
	p.cmd.Env = append(s.envAs(s.bootstrap),
		"AWS_LAMBDA_RUNTIME_API="+rt.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=memon-poller",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/memon-poller",
		"AWS_LAMBDA_LOG_STREAM_NAME=2025/06/02/[$LATEST]e2e",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT="+s.dir,
		"_HANDLER=bootstrap",
	)
	w := &lockedWriter{mu: p.mu, w: p.log}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		rt.Close()
		t.Fatalf("start bootstrap: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		rt.Close()
		if t.Failed() {
			t.Logf("bootstrap output:\n%s", p.output())
		}
	})
	return p
}

func (p *lambdaProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// invoke hands payload to the function and waits for its answer.
func (p *lambdaProcess) invoke(t *testing.T, payload []byte) lambdatest.Answer {
	t.Helper()
	a, err := p.rt.Invoke(payload, 60*time.Second)
	if err != nil {
		select {
		case <-p.exited:
			t.Fatalf("bootstrap exited: %v (%v)\n%s", p.cmd.ProcessState, err, p.output())
		default:
			t.Fatalf("%v\n%s", err, p.output())
		}
	}
	return a
}

// poll invokes the function with the scheduled event and requires success.
func (p *lambdaProcess) poll(t *testing.T) {
	t.Helper()
	event, err := os.ReadFile(filepath.Join("testdata", "scheduled-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	if o := p.invoke(t, event); o.Kind != "response" {
		t.Fatalf("scheduled event: the function answered %s, want response: %s\n%s", o.Kind, o.Body, p.output())
	}
}

// wantAlert requires exactly one alert, with this subject and attributes.
func wantAlert(t *testing.T, got []mototest.Alert, subject, kind, event string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("alerts: got %d [%s], want one %q", len(got), mototest.Subjects(got), subject)
	}
	a := got[0]
	if a.Subject != subject || a.Kind != kind || a.Event != event {
		t.Errorf("alert: subject %q kind %q event %q, want %q %q %q\n%s", a.Subject, a.Kind, a.Event, subject, kind, event, a.Body)
	}
}

// TestLambdaDownThenUp is the story of docs/how-it-works.md through the deployed stack: an
// event configured with memon-config, a ping from memon-send, the Lambda
// invoked by the scheduled event records the first run silently, reports
// DOWN once the period has passed without a ping, and UP after the next one.
func TestLambdaDownThenUp(t *testing.T) {
	s := deployed(t)
	t.Logf("setup (builds, cdk bootstrap, deploy): %s; cdk deploy alone %s",
		s.setupElapsed.Round(time.Second), s.deployTime.Round(time.Second))
	const name = "e2e-job"
	fn := startLambda(t, s)
	if got := s.alerts(t); len(got) != 0 {
		t.Fatalf("alerts before the test: %s", mototest.Subjects(got))
	}
	t.Cleanup(func() { s.run(t, s.config, "delete", name) }) // later polls must not report it

	s.ok(t, s.config, "set", name, "--period", "5s", "--description", "end-to-end test")
	if st := s.status(t, name); st != "new" {
		t.Fatalf("after set: status %q, want new", st)
	}
	sent := time.Now()
	s.ok(t, s.send, name)
	fn.poll(t)
	if st := s.status(t, name); st != "up" {
		t.Fatalf("after the first ping and poll: status %q, want up", st)
	}
	if got := s.alerts(t); len(got) != 0 {
		t.Fatalf("a first run alerts nobody; got %s", mototest.Subjects(got))
	}

	// Miss the 5s period (the deadline is the ping's SQS SentTimestamp + 5s).
	time.Sleep(time.Until(sent.Add(6500 * time.Millisecond)))
	fn.poll(t)
	wantAlert(t, s.alerts(t), "[MEMon] Down: "+name, "down", name)
	if st := s.status(t, name); st != "down" {
		t.Errorf("after the missed period: status %q, want down", st)
	}

	s.ok(t, s.send, name)
	fn.poll(t)
	wantAlert(t, s.alerts(t), "[MEMon] Up: "+name, "up", name)
	if st := s.status(t, name); st != "up" {
		t.Errorf("after the next ping: status %q, want up", st)
	}
	hist := s.ok(t, s.config, "history", name)
	for _, change := range []string{"new → up", "up → down", "down → up"} {
		if !strings.Contains(hist, change) {
			t.Errorf("history lacks %q:\n%s", change, hist)
		}
	}
}

// TestLambdaBadEvent: a payload that is not an EventBridge event is answered
// on /error (the invocation fails, Lambda's retry and alarms see it), and the
// process keeps serving: the next scheduled event succeeds.
func TestLambdaBadEvent(t *testing.T) {
	s := deployed(t)
	fn := startLambda(t, s)
	o := fn.invoke(t, []byte(`"not an event"`))
	if o.Kind != "error" {
		t.Fatalf("malformed event: the function answered %s, want error: %s", o.Kind, o.Body)
	}
	var lambdaErr struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal(o.Body, &lambdaErr); err != nil || lambdaErr.ErrorMessage == "" {
		t.Errorf("error body %q: want a Lambda error document (%v)", o.Body, err)
	}
	fn.poll(t)
}

// TestLambdaScheduledReport: the report schedule's input makes the deployed
// function publish the weekly report to the alert topic (kind=report),
// reading the daily records the polls wrote.
func TestLambdaScheduledReport(t *testing.T) {
	s := deployed(t)
	const name = "e2e-report-job"
	fn := startLambda(t, s)
	t.Cleanup(func() { s.run(t, s.config, "delete", name) })
	s.ok(t, s.config, "set", name, "--period", "1h")
	s.ok(t, s.send, name)
	fn.poll(t)
	_ = s.alerts(t)

	if o := fn.invoke(t, []byte(`{"report": "weekly", "time_zone": "UTC"}`)); o.Kind != "response" {
		t.Fatalf("report input: the function answered %s, want response: %s\n%s", o.Kind, o.Body, fn.output())
	}
	got := s.alerts(t)
	if len(got) != 1 || got[0].Kind != "report" {
		t.Fatalf("alerts after the report input: %d [%s], want one report", len(got), mototest.Subjects(got))
	}
	if !strings.Contains(got[0].Body, name) {
		t.Errorf("the report does not name %s:\n%s", name, got[0].Body)
	}
}
