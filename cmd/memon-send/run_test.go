package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/pkg/memon"
)

// fakeSQS records what memon-send sends; its calls are function fields.
type fakeSQS struct {
	mu          sync.Mutex
	sendMessage func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error)
	getQueueURL func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error)
	sent        []sentMsg
	lookups     []string
}

type sentMsg struct {
	url string
	msg memon.Message
}

func (f *fakeSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendMessage != nil {
		if out, err := f.sendMessage(in); err != nil {
			return out, err
		}
	}
	var m memon.Message
	if err := json.Unmarshal([]byte(aws.ToString(in.MessageBody)), &m); err != nil {
		return nil, err
	}
	f.sent = append(f.sent, sentMsg{url: aws.ToString(in.QueueUrl), msg: m})
	return &sqs.SendMessageOutput{MessageId: aws.String("id")}, nil
}

func (f *fakeSQS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups = append(f.lookups, aws.ToString(in.QueueName))
	if f.getQueueURL != nil {
		return f.getQueueURL(in)
	}
	return &sqs.GetQueueUrlOutput{QueueUrl: aws.String("https://looked-up/" + aws.ToString(in.QueueName))}, nil
}

var _ queue.SendAPI = (*fakeSQS)(nil)

var testNow = time.UnixMilli(1700000000123)

// testDeps wires run to f with a fixed environment, host and clock; region
// records what newAPI was asked for.
func testDeps(f *fakeSQS, env map[string]string, region *string) deps {
	return deps{
		getenv:   func(k string) string { return env[k] },
		hostname: func() (string, error) { return "host1", nil },
		now:      func() time.Time { return testNow },
		newAPI: func(_ context.Context, r string) (queue.SendAPI, string, error) {
			if region != nil {
				*region = r
			}
			return f, "us-east-1", nil
		},
	}
}

func TestRunPlainSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantURL    string
		wantLookup string
		wantRegion string
		want       memon.Message
	}{
		{name: "success via default queue name", args: []string{"backup"},
			wantURL: "https://looked-up/memon", wantLookup: "memon",
			want: memon.Message{Name: "backup", Signal: memon.Success, Host: "host1"}},
		{name: "--queue renames the lookup", args: []string{"--queue", "memon-dev", "backup"},
			wantURL: "https://looked-up/memon-dev", wantLookup: "memon-dev",
			want: memon.Message{Name: "backup", Signal: memon.Success, Host: "host1"}},
		{name: "env URL beats the lookup", args: []string{"backup"}, env: map[string]string{"MEMON_QUEUE_URL": "https://env/q"},
			wantURL: "https://env/q",
			want:    memon.Message{Name: "backup", Signal: memon.Success, Host: "host1"}},
		{name: "flag URL beats env", args: []string{"--queue-url", "https://sqs.eu-west-2.amazonaws.com/1/memon", "backup"}, env: map[string]string{"MEMON_QUEUE_URL": "https://env/q"},
			wantURL: "https://sqs.eu-west-2.amazonaws.com/1/memon", wantRegion: "eu-west-2",
			want: memon.Message{Name: "backup", Signal: memon.Success, Host: "host1"}},
		{name: "--region beats the URL's region", args: []string{"--region", "ap-south-1", "--queue-url", "https://sqs.eu-west-2.amazonaws.com/1/memon", "backup"},
			wantURL: "https://sqs.eu-west-2.amazonaws.com/1/memon", wantRegion: "ap-south-1",
			want: memon.Message{Name: "backup", Signal: memon.Success, Host: "host1"}},
		{name: "fail with everything", args: []string{"--fail", "--exit-code", "3", "--message", "m", "--run-id", "r", "--host", "h2", "--queue-url", "https://q", "backup"},
			wantURL: "https://q",
			want:    memon.Message{Name: "backup", Signal: memon.Fail, ExitCode: intp(3), Message: "m", RunID: "r", Host: "h2"}},
		{name: "start", args: []string{"--start", "--queue-url", "https://q", "backup"},
			wantURL: "https://q",
			want:    memon.Message{Name: "backup", Signal: memon.Start, Host: "host1"}},
		{name: "long message keeps its tail", args: []string{"--message", strings.Repeat("a", 5000) + "END", "--queue-url", "https://q", "backup"},
			wantURL: "https://q",
			want:    memon.Message{Name: "backup", Signal: memon.Success, Host: "host1", Message: strings.Repeat("a", memon.MaxMessageLen-3) + "END"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeSQS{}
			var region string
			var stdout, stderr bytes.Buffer
			code := runWith(context.Background(), testDeps(f, tt.env, &region), tt.args, nil, &stdout, &stderr)
			if code != 0 || stderr.Len() != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr.String())
			}
			if len(f.sent) != 1 {
				t.Fatalf("%d messages sent, want 1", len(f.sent))
			}
			got := f.sent[0]
			if got.url != tt.wantURL {
				t.Errorf("URL %q, want %q", got.url, tt.wantURL)
			}
			if strings.Join(f.lookups, ",") != tt.wantLookup {
				t.Errorf("lookups %q, want %q", f.lookups, tt.wantLookup)
			}
			if region != tt.wantRegion {
				t.Errorf("region asked for %q, want %q", region, tt.wantRegion)
			}
			want := tt.want
			want.Time = 1700000000.123
			gj, _ := json.Marshal(got.msg)
			wj, _ := json.Marshal(want)
			if string(gj) != string(wj) {
				t.Errorf("sent\n %s\nwant\n %s", gj, wj)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		f        *fakeSQS
		apiErr   error
		wantCode int
		wantLine string
	}{
		{name: "usage", args: []string{"--start", "--exit-code", "1", "x"}, f: &fakeSQS{}, wantCode: 2,
			wantLine: "memon-send: --exit-code 1 cannot be used with --start"},
		{name: "bad name sends nothing", args: []string{"a b"}, f: &fakeSQS{}, wantCode: 2,
			wantLine: `memon-send: EVENT: name "a b" is invalid`},
		{name: "queue missing", args: []string{"x"}, wantCode: 1,
			f: &fakeSQS{getQueueURL: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
				return nil, &types.QueueDoesNotExist{}
			}},
			wantLine: `memon-send: success ping for "x" not sent: no queue named "memon" in region us-east-1: set --queue-url or MEMON_QUEUE_URL, --queue NAME, or --region`},
		{name: "access denied", args: []string{"--queue-url", "https://q", "x"}, wantCode: 1,
			f: &fakeSQS{sendMessage: func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
				return nil, &types.InvalidAddress{ErrorCodeOverride: aws.String("AccessDenied"), Message: aws.String("no")}
			}},
			wantLine: "not allowed to send to the queue (AccessDenied): attach the memon-sender policy"},
		{name: "no credentials", args: []string{"--queue-url", "https://q", "x"}, wantCode: 1,
			f: &fakeSQS{sendMessage: func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
				return nil, errors.New("get identity: get credentials: failed to refresh cached credentials, failed to retrieve credentials")
			}},
			wantLine: "no AWS credentials: this host has no instance role and no keys; attach the memon-sender policy"},
		{name: "timeout", args: []string{"--timeout", "1ms", "--queue-url", "https://q", "x"}, wantCode: 1,
			f: &fakeSQS{sendMessage: func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
				time.Sleep(20 * time.Millisecond)
				return nil, context.DeadlineExceeded
			}},
			wantLine: "(no answer within --timeout 1ms; queue from --queue-url)"},
		{name: "no region", args: []string{"x"}, f: &fakeSQS{}, apiErr: errNoRegion, wantCode: 1,
			wantLine: `memon-send: success ping for "x" not sent: no AWS region: set --region or AWS_REGION`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := testDeps(tt.f, nil, nil)
			if tt.apiErr != nil {
				d.newAPI = func(context.Context, string) (queue.SendAPI, string, error) { return nil, "", tt.apiErr }
			}
			var stdout, stderr bytes.Buffer
			code := runWith(context.Background(), d, tt.args, nil, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			line := stderr.String()
			if strings.Count(line, "\n") != 1 || !strings.Contains(line, tt.wantLine) {
				t.Errorf("stderr %q, want one line containing %q", line, tt.wantLine)
			}
			if len(tt.f.sent) != 0 {
				t.Errorf("%d messages sent, want none", len(tt.f.sent))
			}
		})
	}
}

func TestRunHelpAndVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--version"}} {
		var stdout, stderr bytes.Buffer
		if code := runWith(context.Background(), testDeps(&fakeSQS{}, nil, nil), args, nil, &stdout, &stderr); code != 0 || stdout.Len() == 0 || stderr.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %d bytes, stderr %q", args, code, stdout.Len(), stderr.String())
		}
	}
}

func TestRunWrapper(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		failSends  bool
		wantCode   int
		wantSignal memon.Signal
		wantTail   string
		wantStderr string
	}{
		{name: "success", args: []string{"job", "--", "sh", "-c", "echo hello"}, wantCode: 0, wantSignal: memon.Success, wantTail: "hello\n"},
		{name: "exit 1", args: []string{"job", "--", "sh", "-c", "echo bad >&2; exit 1"}, wantCode: 1, wantSignal: memon.Fail, wantTail: "bad\n"},
		{name: "not found", args: []string{"job", "--", "memon-no-such-command"}, wantCode: 127, wantSignal: memon.Fail,
			wantTail: "memon-send: memon-no-such-command: command not found\n", wantStderr: "command not found"},
		{name: "killed", args: []string{"job", "--", "sh", "-c", "kill -TERM $$"}, wantCode: 143, wantSignal: memon.Fail,
			wantTail: "memon-send: sh killed by signal: terminated\n"},
		{name: "pings fail, status kept", args: []string{"job", "--", "sh", "-c", "exit 7"}, failSends: true, wantCode: 7,
			wantStderr: `memon-send: start ping for "job" not sent`},
		{name: "given run id", args: []string{"--run-id", "r42", "job", "--", "true"}, wantCode: 0, wantSignal: memon.Success},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeSQS{}
			if tt.failSends {
				f.sendMessage = func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error) { return nil, errors.New("down") }
			}
			var stdout, stderr bytes.Buffer
			code := runWith(context.Background(), testDeps(f, nil, nil), tt.args, nil, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.wantStderr)
			}
			if tt.failSends {
				if n := strings.Count(stderr.String(), "not sent"); n != 2 {
					t.Errorf("%d failure lines, want one per ping: %q", n, stderr.String())
				}
				return
			}
			if len(f.sent) != 2 {
				t.Fatalf("%d pings, want start and outcome", len(f.sent))
			}
			start, end := f.sent[0].msg, f.sent[1].msg
			if start.Signal != memon.Start || start.RunID == "" || start.RunID != end.RunID || start.Host != "host1" {
				t.Errorf("start %+v, end %+v: want start then outcome sharing a run id", start, end)
			}
			if strings.Contains(strings.Join(tt.args, " "), "r42") && start.RunID != "r42" {
				t.Errorf("run id %q, want r42", start.RunID)
			}
			if end.Signal != tt.wantSignal || end.Duration == nil || end.Message != tt.wantTail {
				t.Errorf("outcome %+v, want %s with a duration and tail %q", end, tt.wantSignal, tt.wantTail)
			}
			if (end.ExitCode != nil) != (tt.wantCode != 0) || (end.ExitCode != nil && *end.ExitCode != tt.wantCode) {
				t.Errorf("exit_code %v, want %d only on fail", end.ExitCode, tt.wantCode)
			}
		})
	}
}

// The start ping runs beside the command: a slow queue delays the command's
// start by nothing, and the outcome still follows the start.
func TestRunWrapperStartIsConcurrent(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var calls int
	var mu sync.Mutex
	f := &fakeSQS{sendMessage: func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			<-release
		}
		return nil, nil
	}}
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- runWith(context.Background(), testDeps(f, nil, nil), []string{"--queue-url", "https://q", "job", "--", "sh", "-c", "echo ran"}, nil, &lockedBuffer{b: &stdout}, &stderr)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if strings.Contains(readLocked(&stdout), "ran") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the command did not run while the start ping was blocked")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if len(f.sent) != 2 || f.sent[0].msg.Signal != memon.Start {
		t.Fatalf("sent %+v, want start then success", f.sent)
	}
}

var bufMu sync.Mutex

type lockedBuffer struct{ b *bytes.Buffer }

func (l *lockedBuffer) Write(p []byte) (int, error) {
	bufMu.Lock()
	defer bufMu.Unlock()
	return l.b.Write(p)
}

func readLocked(b *bytes.Buffer) string {
	bufMu.Lock()
	defer bufMu.Unlock()
	return b.String()
}
