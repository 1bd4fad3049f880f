package queue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon/ping"
)

// SendAPI is the part of the SQS client the sender uses: exactly the two
// calls the sender IAM policy allows (sqs:SendMessage, sqs:GetQueueUrl).
type SendAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
}

var _ SendAPI = (*sqs.Client)(nil)

// ErrQueueNotFound reports that GetQueueUrl found no queue of that name.
var ErrQueueNotFound = errors.New("queue not found")

// Sender puts pings on the MEMon queue. It is safe for concurrent use: a
// wrapped run sends its start ping while the command runs.
type Sender struct {
	api  SendAPI
	name string // queue name to resolve when no URL was given

	mu  sync.Mutex
	url string // resolved once, then reused
}

// NewSender returns a sender for the queue at queueURL or, when that is
// empty, for the queue called queueName (default settings.DefaultQueueName)
// looked up with GetQueueUrl on first use.
func NewSender(api SendAPI, queueURL, queueName string) *Sender {
	return &Sender{api: api, url: queueURL, name: cmp.Or(queueName, settings.DefaultQueueName)}
}

// QueueURL returns the queue's URL, resolving the name with GetQueueUrl the
// first time. A failed lookup is not cached: the next send tries again.
func (s *Sender) QueueURL(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.url != "" {
		return s.url, nil
	}
	out, err := s.api.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(s.name)})
	if err != nil {
		var nf *types.QueueDoesNotExist
		if errors.As(err, &nf) {
			return "", fmt.Errorf("look up queue %q: %w", s.name, ErrQueueNotFound)
		}
		return "", fmt.Errorf("look up queue %q: %w", s.name, err)
	}
	if out == nil || aws.ToString(out.QueueUrl) == "" {
		return "", fmt.Errorf("look up queue %q: GetQueueUrl returned no URL", s.name)
	}
	s.url = aws.ToString(out.QueueUrl)
	return s.url, nil
}

// Send encodes m (ping.EncodeMessage validates the name and trims the
// message) and puts it on the queue. A body that JSON escaping made larger
// than ping.MaxMessageBody has its message trimmed further, keeping the tail.
func (s *Sender) Send(ctx context.Context, m ping.Message) error {
	body, err := encodeToFit(m)
	if err != nil {
		return err
	}
	u, err := s.QueueURL(ctx)
	if err != nil {
		return err
	}
	if _, err := s.api.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(u),
		MessageBody: aws.String(string(body)),
	}); err != nil {
		return fmt.Errorf("send to %s: %w", u, err)
	}
	return nil
}

// encodeToFit encodes m, halving its message until the body fits the
// decoder's limit (control characters escape to six bytes each).
func encodeToFit(m ping.Message) ([]byte, error) {
	for {
		body, err := ping.EncodeMessage(m)
		if err != nil {
			return nil, err
		}
		if len(body) <= ping.MaxMessageBody || m.Message == "" {
			return body, nil
		}
		m.Message = ping.KeepTail(m.Message, len(m.Message)/2)
	}
}

// RegionFromURL returns the region in an SQS queue URL such as
// https://sqs.eu-west-1.amazonaws.com/123456789012/memon (or the legacy
// https://eu-west-1.queue.amazonaws.com/...), or "" when it names none.
func RegionFromURL(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	l := strings.Split(u.Hostname(), ".")
	switch {
	case len(l) >= 4 && (l[0] == "sqs" || l[0] == "sqs-fips") && l[2] == "amazonaws":
		return l[1] // sqs.REGION.amazonaws.com[.cn]
	case len(l) >= 4 && l[1] == "queue" && l[2] == "amazonaws":
		return l[0] // REGION.queue.amazonaws.com
	}
	return ""
}
