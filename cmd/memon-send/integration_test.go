package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/buildflags"
	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

// These tests run the real, statically built binary against a private
// moto_server. Without moto (or with -short) mototest.Main leaves moto nil
// and they skip themselves, except under CI=true where that is a failure.

var moto *mototest.Server

func TestMain(m *testing.M) {
	code := mototest.Main(m, &moto)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// binary builds memon-send once per test run, as `make build` does (the
// release flags of internal/buildflags: stripped, static, no inlining,
// which keeps it under 10 MB with the full AWS credential chain inside).
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "memon-send-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "memon-send")
		if out, err := buildflags.Command(buildflags.SmallCLI, ".", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// newQueue creates a queue named for the test and returns its URL.
func newQueue(t *testing.T, name string) string {
	t.Helper()
	out, err := sqsClient(t).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func sqsClient(t *testing.T) *sqs.Client {
	t.Helper()
	mototest.Need(t, moto)
	return sqs.NewFromConfig(moto.Config(context.Background()))
}

type received struct {
	msg    memon.Message
	sentAt time.Time
}

// drain reads n messages from the queue (deleting them) within a few seconds.
func drain(t *testing.T, url string, n int) []received {
	t.Helper()
	c := sqsClient(t)
	var got []received
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(url),
			MaxNumberOfMessages:         10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		for _, m := range out.Messages {
			var r received
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &r.msg); err != nil {
				t.Fatalf("body %q is not a memon.Message: %v", aws.ToString(m.Body), err)
			}
			ms, err := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64)
			if err != nil {
				t.Fatalf("SentTimestamp %q: %v", m.Attributes["SentTimestamp"], err)
			}
			r.sentAt = time.UnixMilli(ms)
			got = append(got, r)
			_, _ = c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(got) != n {
		t.Fatalf("queue held %d messages, want %d: %+v", len(got), n, got)
	}
	// The poller orders by the queue's timestamp; so do the assertions.
	if n == 2 && got[1].msg.Signal == memon.Start {
		got[0], got[1] = got[1], got[0]
	}
	return got
}

type runResult struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

// runBinary runs memon-send with moto's environment plus extra variables
// (later entries win), and no MEMON_QUEUE_URL unless given.
func runBinary(t *testing.T, extraEnv []string, args ...string) runResult {
	t.Helper()
	mototest.Need(t, moto)
	cmd := exec.Command(binary(t), args...)
	for _, kv := range moto.EnvAs(mototest.Sender) {
		if !strings.HasPrefix(kv, "MEMON_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	res := runResult{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(began)}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run memon-send: %v", err)
		}
		res.code = ee.ExitCode()
	}
	return res
}

func TestIntegrationPlainSend(t *testing.T) {
	t.Parallel()
	url := newQueue(t, "it-plain")
	host, _ := os.Hostname()
	before := time.Now()
	r := runBinary(t, []string{"MEMON_QUEUE_URL=" + url}, "backup")
	if r.code != 0 || r.stderr != "" || r.stdout != "" {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	got := drain(t, url, 1)[0]
	m := got.msg
	if m.Name != "backup" || m.Signal != memon.Success || m.Host != host || m.ExitCode != nil || m.RunID != "" {
		t.Errorf("message %+v", m)
	}
	sent := time.UnixMilli(int64(m.Time * 1000))
	if sent.Before(before.Add(-time.Second)) || sent.After(time.Now().Add(time.Second)) {
		t.Errorf("time %v is not the sender's clock around %v", sent, before)
	}
	if m.Time != float64(int64(m.Time*1000+0.5))/1000 {
		t.Errorf("time %v has more than millisecond precision", m.Time)
	}
	if got.sentAt.Before(before.Add(-time.Second)) {
		t.Errorf("SentTimestamp %v before the send", got.sentAt)
	}
	// A memon.py-era poller reads only name and time; the Go poller decodes all.
	p, err := memon.DecodeMessage(mustJSON(t, m), got.sentAt)
	if err != nil || p.Name != "backup" || p.Signal != memon.Success {
		t.Errorf("DecodeMessage: %+v, %v", p, err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIntegrationFail(t *testing.T) {
	t.Parallel()
	url := newQueue(t, "it-fail")
	r := runBinary(t, nil, "--queue-url", url, "--fail", "--exit-code", "3", "--message", "x", "--run-id", "r1", "backup")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	m := drain(t, url, 1)[0].msg
	if m.Signal != memon.Fail || m.ExitCode == nil || *m.ExitCode != 3 || m.Message != "x" || m.RunID != "r1" || m.Name != "backup" || m.Time == 0 {
		t.Errorf("message %+v", m)
	}
}

func TestIntegrationWrapper(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		command    []string
		wantCode   int
		wantStdout string
		wantTail   string
	}{
		{name: "exit-0", command: []string{"sh", "-c", "echo all good"}, wantCode: 0, wantStdout: "all good\n", wantTail: "all good\n"},
		{name: "exit-1", command: []string{"sh", "-c", "echo started; echo disk full >&2; exit 1"}, wantCode: 1, wantStdout: "started\n", wantTail: "disk full"},
		{name: "exit-127", command: []string{"memon-no-such-command", "arg"}, wantCode: 127, wantTail: "memon-no-such-command: command not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := newQueue(t, "it-wrap-"+tt.name)
			r := runBinary(t, []string{"MEMON_QUEUE_URL=" + url}, append([]string{"--timeout", "3s", "nightly", "--"}, tt.command...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want the command's %d (stderr %q)", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != tt.wantStdout {
				t.Errorf("stdout %q, want the command's %q", r.stdout, tt.wantStdout)
			}
			got := drain(t, url, 2)
			start, end := got[0].msg, got[1].msg
			if start.Signal != memon.Start || start.RunID == "" || start.Name != "nightly" {
				t.Errorf("start %+v", start)
			}
			if end.RunID != start.RunID || end.Duration == nil || *end.Duration < 0 || !strings.Contains(end.Message, tt.wantTail) {
				t.Errorf("outcome %+v: want run id %q, a duration and a tail containing %q", end, start.RunID, tt.wantTail)
			}
			switch {
			case tt.wantCode == 0 && (end.Signal != memon.Success || end.ExitCode != nil):
				t.Errorf("outcome %+v, want success without exit_code", end)
			case tt.wantCode != 0 && (end.Signal != memon.Fail || end.ExitCode == nil || *end.ExitCode != tt.wantCode):
				t.Errorf("outcome %+v, want fail with exit_code %d", end, tt.wantCode)
			}
		})
	}
}

func TestIntegrationDefaultQueueName(t *testing.T) {
	t.Parallel()
	url := newQueue(t, "memon")
	r := runBinary(t, nil, "backup")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if m := drain(t, url, 1)[0].msg; m.Name != "backup" {
		t.Errorf("message %+v", m)
	}

	other := newQueue(t, "it-named")
	if r := runBinary(t, nil, "--queue", "it-named", "backup2"); r.code != 0 || r.stderr != "" {
		t.Fatalf("--queue: exit %d stderr %q", r.code, r.stderr)
	}
	if m := drain(t, other, 1)[0].msg; m.Name != "backup2" {
		t.Errorf("message %+v", m)
	}

	r = runBinary(t, nil, "--queue", "it-missing", "backup")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, `no queue named "it-missing"`) {
		t.Errorf("missing queue: exit %d stderr %q", r.code, r.stderr)
	}
}

// blackhole accepts connections and never answers, like a firewalled
// endpoint: only the --timeout can end a send to it.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return "http://" + l.Addr().String()
}

func TestIntegrationUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		endpoint string
		timeout  string // default 2s
		args     []string
		wantCode int
	}{
		{name: "refused", endpoint: "http://127.0.0.1:1", args: []string{"backup"}, wantCode: 1},
		{name: "refused, queue URL given", endpoint: "http://127.0.0.1:1", args: []string{"--queue-url", "http://127.0.0.1:1/123456789012/memon", "backup"}, wantCode: 1},
		{name: "no answer", endpoint: blackhole(t), args: []string{"backup"}, wantCode: 1},
		{name: "wrapper keeps exit code", endpoint: "http://127.0.0.1:1", args: []string{"backup", "--", "sh", "-c", "exit 3"}, wantCode: 3},
		// Each ping has its own --timeout and the outcome waits for the start
		// (to stay ordered after it), so a dead endpoint can add up to two
		// timeouts after a short command: 1s each keeps this under 5s.
		{name: "wrapper keeps exit code, no answer", endpoint: blackhole(t), timeout: "1s", args: []string{"backup", "--", "sh", "-c", "exit 0"}, wantCode: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runBinary(t, []string{"AWS_ENDPOINT_URL=" + tt.endpoint}, append([]string{"--timeout", cmp.Or(tt.timeout, "2s")}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, tt.wantCode, r.stderr)
			}
			if r.elapsed >= 5*time.Second {
				t.Errorf("took %v, want under 5s with --timeout 2s", r.elapsed)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			wantLines := 1
			if slices.Contains(tt.args, "--") {
				wantLines = 2 // start and outcome each report once
			}
			if len(lines) != wantLines || !strings.HasPrefix(lines[0], "memon-send: ") || !strings.Contains(r.stderr, "not sent") {
				t.Errorf("stderr %q, want %d line(s) saying the ping was not sent", r.stderr, wantLines)
			}
			if !strings.Contains(r.stderr, "AWS_ENDPOINT_URL="+tt.endpoint) {
				t.Errorf("stderr %q does not name the endpoint setting", r.stderr)
			}
		})
	}
}
