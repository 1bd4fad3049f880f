package queue

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/pkg/memon"
)

// fakeSendSQS is a SendAPI whose calls are function fields; nil fields fail
// the test when called.
type fakeSendSQS struct {
	t           *testing.T
	sendMessage func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error)
	getQueueURL func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error)
	sends       []*sqs.SendMessageInput
	lookups     []string
}

func (f *fakeSendSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.sends = append(f.sends, in)
	if f.sendMessage == nil {
		return &sqs.SendMessageOutput{MessageId: aws.String("m-1")}, nil
	}
	return f.sendMessage(in)
}

func (f *fakeSendSQS) GetQueueUrl(_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	f.lookups = append(f.lookups, aws.ToString(in.QueueName))
	if f.getQueueURL == nil {
		f.t.Fatalf("GetQueueUrl(%q) called, want no lookup", aws.ToString(in.QueueName))
	}
	return f.getQueueURL(in)
}

var _ SendAPI = (*fakeSendSQS)(nil)

const testTime = 1700000000.123

const testURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/memon"

func TestSenderSend(t *testing.T) {
	t.Parallel()
	lookupOK := func(in *sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
		return &sqs.GetQueueUrlOutput{QueueUrl: aws.String("https://sqs.x/1/" + aws.ToString(in.QueueName))}, nil
	}
	code := 3
	tests := []struct {
		name        string
		url, queue  string
		msg         memon.Message
		getQueueURL func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error)
		sendMessage func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error)
		wantErr     string // substring; "" means success
		wantIs      error
		wantURL     string
		wantLookups []string
		wantSends   int
	}{
		{name: "given URL, no lookup", url: testURL, msg: memon.Message{Name: "backup", Time: 1700000000.5},
			wantURL: testURL, wantSends: 1},
		{name: "default name looked up", msg: memon.Message{Name: "backup"}, getQueueURL: lookupOK,
			wantURL: "https://sqs.x/1/memon", wantLookups: []string{"memon"}, wantSends: 1},
		{name: "other name looked up", queue: "memon-dev", msg: memon.Message{Name: "backup"}, getQueueURL: lookupOK,
			wantURL: "https://sqs.x/1/memon-dev", wantLookups: []string{"memon-dev"}, wantSends: 1},
		{name: "fail with exit code", url: testURL, msg: memon.Message{Name: "b", Signal: memon.Fail, ExitCode: &code},
			wantURL: testURL, wantSends: 1},
		{name: "bad name refused before any call", url: testURL, msg: memon.Message{Name: "a b"},
			wantErr: `name "a b" is invalid`, wantIs: memon.ErrInvalid},
		{name: "queue does not exist", msg: memon.Message{Name: "b"},
			getQueueURL: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
				return nil, &types.QueueDoesNotExist{Message: aws.String("nope")}
			},
			wantErr: `look up queue "memon"`, wantIs: ErrQueueNotFound, wantLookups: []string{"memon"}},
		{name: "lookup fails", msg: memon.Message{Name: "b"},
			getQueueURL: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
				return nil, errors.New("connection refused")
			},
			wantErr: `look up queue "memon": connection refused`, wantLookups: []string{"memon"}},
		{name: "lookup returns no URL", msg: memon.Message{Name: "b"},
			getQueueURL: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
				return &sqs.GetQueueUrlOutput{}, nil
			},
			wantErr: "GetQueueUrl returned no URL", wantLookups: []string{"memon"}},
		{name: "send fails", url: testURL, msg: memon.Message{Name: "b"},
			sendMessage: func(*sqs.SendMessageInput) (*sqs.SendMessageOutput, error) {
				return nil, errors.New("AccessDenied")
			},
			wantErr: "send to " + testURL + ": AccessDenied", wantURL: testURL, wantSends: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeSendSQS{t: t, getQueueURL: tt.getQueueURL, sendMessage: tt.sendMessage}
			if tt.msg.Time == 0 {
				tt.msg.Time = testTime
			}
			err := NewSender(f, tt.url, tt.queue).Send(context.Background(), tt.msg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Send: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Send error = %v, want it to contain %q", err, tt.wantErr)
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Fatalf("Send error = %v, want errors.Is %v", err, tt.wantIs)
			}
			if strings.Join(f.lookups, ",") != strings.Join(tt.wantLookups, ",") {
				t.Errorf("lookups = %q, want %q", f.lookups, tt.wantLookups)
			}
			if len(f.sends) != tt.wantSends {
				t.Fatalf("%d sends, want %d", len(f.sends), tt.wantSends)
			}
			if tt.wantSends == 0 {
				return
			}
			in := f.sends[0]
			if got := aws.ToString(in.QueueUrl); got != tt.wantURL {
				t.Errorf("QueueUrl = %q, want %q", got, tt.wantURL)
			}
			want, _ := memon.EncodeMessage(tt.msg)
			if got := aws.ToString(in.MessageBody); got != string(want) {
				t.Errorf("body = %s, want %s", got, want)
			}
		})
	}
}

func TestSenderResolvesOnce(t *testing.T) {
	t.Parallel()
	f := &fakeSendSQS{t: t, getQueueURL: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
		return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(testURL)}, nil
	}}
	s := NewSender(f, "", "")
	for range 3 {
		if err := s.Send(context.Background(), memon.Message{Name: "b", Time: testTime}); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.lookups) != 1 || len(f.sends) != 3 {
		t.Fatalf("%d lookups and %d sends, want 1 and 3", len(f.lookups), len(f.sends))
	}
}

func TestSenderRetriesFailedLookup(t *testing.T) {
	t.Parallel()
	calls := 0
	f := &fakeSendSQS{t: t, getQueueURL: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("throttled")
		}
		return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(testURL)}, nil
	}}
	s := NewSender(f, "", "")
	if err := s.Send(context.Background(), memon.Message{Name: "b", Time: testTime}); err == nil {
		t.Fatal("first Send succeeded, want the lookup error")
	}
	if err := s.Send(context.Background(), memon.Message{Name: "b", Time: testTime}); err != nil {
		t.Fatalf("second Send: %v", err)
	}
}

// A log tail of control characters escapes to six bytes each in JSON; the
// body must still fit what the poller's decoder accepts.
func TestSenderTrimsBodyToFit(t *testing.T) {
	t.Parallel()
	f := &fakeSendSQS{t: t}
	tail := strings.Repeat("\x1b", memon.MaxMessageLen-1) + "END"
	if err := NewSender(f, testURL, "").Send(context.Background(), memon.Message{Name: "b", Time: testTime, Message: tail}); err != nil {
		t.Fatal(err)
	}
	body := aws.ToString(f.sends[0].MessageBody)
	if len(body) > memon.MaxMessageBody {
		t.Fatalf("body is %d bytes, want at most %d", len(body), memon.MaxMessageBody)
	}
	var m memon.Message
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.Message, "END") || len(m.Message) < 1000 {
		t.Errorf("message kept %d bytes ending %q, want a long tail ending END", len(m.Message), m.Message[len(m.Message)-3:])
	}
}

func TestKeepTail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "def"},
		{"aé", 1, ""}, // never starts inside a rune
		{"aéz", 2, "z"},
		{"aéz", 3, "éz"},
	}
	for _, tt := range tests {
		if got := memon.KeepTail(tt.s, tt.n); got != tt.want {
			t.Errorf("KeepTail(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestRegionFromURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ url, want string }{
		{"https://sqs.eu-west-1.amazonaws.com/123456789012/memon", "eu-west-1"},
		{"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/memon", "cn-north-1"},
		{"https://sqs-fips.us-gov-west-1.amazonaws.com/1/memon", "us-gov-west-1"},
		{"https://us-west-2.queue.amazonaws.com/123456789012/memon", "us-west-2"},
		{"http://localhost:4566/000000000000/memon", ""},
		{"https://sqs.example.com/1/memon", ""},
		{"::not a url", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RegionFromURL(tt.url); got != tt.want {
			t.Errorf("RegionFromURL(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}
