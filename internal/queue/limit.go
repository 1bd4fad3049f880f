package queue

import (
	"fmt"
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/peerj/memon/pkg/memon/ping"
)

// MaxResponseBytes bounds what the poller's SQS client reads of one
// response. A receive of ten pings of at most ping.MaxMessageBody each is
// far smaller even with JSON escaping (under 1 MiB); a queue that lets
// larger messages in (no MaximumMessageSize: SQS allows 1 MiB, so ten are
// 10 MiB) cannot make one receive hold more than this in the poller's 128 MB.
const MaxResponseBytes = 2 << 20

// LimitResponses is an sqs.Options function for the poller's client: no
// response body is read past MaxResponseBytes. A larger one fails to decode
// (not retried); its messages come back after the visibility timeout and,
// after the redrive limit, rest in the dead-letter queue, whose alarm fires.
func LimitResponses(o *sqs.Options) {
	next := o.HTTPClient
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	o.HTTPClient = limitedClient{next: next, max: MaxResponseBytes}
}

type limitedClient struct {
	next sqs.HTTPClient
	max  int64
}

func (c limitedClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &cappedBody{ReadCloser: resp.Body, left: c.max, max: c.max}
	return resp, nil
}

// cappedBody fails a read that goes past max bytes.
type cappedBody struct {
	io.ReadCloser
	left, max int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("SQS response over %d bytes: the queue holds messages larger than a ping may be "+
			"(set its MaximumMessageSize to %d, as the MEMon stack does)", b.max, ping.MaxMessageBody)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}
