package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/peerj/memon/internal/mototest"
)

// doctor as a person runs it after `make local` (the real stack deployed
// into this package's moto by mototest.Deploy, as make local does), without
// and with `memon-poller --every 5s` running.
func TestDoctorAgainstMakeLocal(t *testing.T) {
	if srv == nil || testing.Short() {
		t.Skip("deploys the stack into moto (needs moto_server, no -short)")
	}
	// The deploy and doctor's waits take most of this package's time; the
	// stack's default names are no other test's here.
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	outs, err := srv.Deploy(context.Background(), mototest.Deployment{Root: root, WorkDir: root, /* as make local does: cdk.json is there */
		Output: t.TempDir() /* infra's TestMakeLocal synthesizes into the root's cdk.out */})
	if err != nil {
		t.Fatalf("deploy the stack into moto: %v", err)
	}
	t.Logf("make local (deploy into moto): %s", time.Since(start).Round(time.Second))
	env := append(srv.EnvAs(mototest.Operator), outs.Env()...)
	config, err := binary(t, "cmd/memon-config")
	if err != nil {
		t.Fatal(err)
	}
	doctor := func(wait string) (int, string) {
		t.Helper()
		cmd := exec.Command(config, "doctor", "--wait", wait)
		cmd.Env = env
		out, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}

	// A stack that is not there: one FAIL with the fix, every other check skipped.
	cmd := exec.Command(config, "doctor", "--stack", "MEMon-nope", "--wait", "1s")
	cmd.Env = env
	noStack, _ := cmd.Output()
	if cmd.ProcessState.ExitCode() != exitFailure || !strings.HasPrefix(string(noStack), "FAIL  stack MEMon-nope: stack MEMon-nope not found") ||
		!strings.Contains(string(noStack), "Fix: deploy MEMon") || strings.Count(string(noStack), "\nskip  ") != 7 {
		t.Fatalf("doctor --stack MEMon-nope: exit %d\n%s", cmd.ProcessState.ExitCode(), noStack)
	}

	// No poller, no subscription: a clear FAIL line with a fix for each.
	code, out := doctor("6s")
	if code != exitFailure || !strings.Contains(out, "ok    stack MEMon") || !strings.Contains(out, "ok    queue: accepted a ping") ||
		!strings.Contains(out, "FAIL  poller: the ping was not applied within 6s. Fix: the poller is not running") ||
		!strings.Contains(out, "memon-poller --every 5s") ||
		!strings.Contains(out, "FAIL  alert topic: no confirmed subscription") {
		t.Fatalf("doctor without a poller: exit %d\n%s", code, out)
	}
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 8 {
		t.Errorf("%d lines, want one per check (8):\n%s", n, out)
	}

	// A subscriber and a running poller: every check passes.
	ctx := context.Background()
	alertQueue, err := srv.SubscribeQueue(ctx, "arn:aws:sns:us-east-1:123456789012:memon", "doctor-alerts")
	if err != nil {
		t.Fatal(err)
	}
	pollerBin, err := binary(t, "lambdas/poller")
	if err != nil {
		t.Fatal(err)
	}
	poller := exec.Command(pollerBin, "--every", "5s")
	poller.Env = append(env, "AWS_ACCESS_KEY_ID="+string(mototest.Poller))
	if err := poller.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = poller.Process.Kill(); _ = poller.Wait() })

	code, out = doctor("60s")
	if code != 0 || strings.Contains(out, "FAIL") || strings.Count(out, "\nok    ")+1 != 8 || !strings.Contains(out, "doctor: every check passed") {
		t.Fatalf("doctor with a running poller: exit %d\n%s", code, out)
	}
	alerts, err := srv.ReadAlerts(ctx, alertQueue, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range alerts {
		found = found || (a.Subject == "[MEMon] Test: Down: memon-test" && a.Kind == "test" && strings.Contains(a.Body, "sent by memon-config doctor"))
	}
	if !found {
		t.Errorf("no test alert reached the subscriber: %+v", alerts)
	}

	// An error in the poller's log group fails its check, quoting it.
	logs := cloudwatchlogs.NewFromConfig(srv.Config(ctx))
	group, stream := "/aws/lambda/memon-poller", "doctor-test"
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: &stream}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream,
		LogEvents: []cwtypes.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()),
			Message: aws.String(`{"level":"ERROR","msg":"store pings","err":"throttled"}`)}}}); err != nil {
		t.Fatal(err)
	}
	code, out = doctor("60s")
	if code != exitFailure || !strings.Contains(out, "FAIL  poller errors: 1 error line(s) in the last hour") || !strings.Contains(out, "throttled") {
		t.Fatalf("doctor with a logged error: exit %d\n%s", code, out)
	}
}
