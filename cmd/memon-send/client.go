package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/internal/settings"
)

// maxAttempts is the SDK retryer's attempts per call: enough to ride out a
// throttle or a dropped connection, few enough that --timeout is what stops
// a send against an endpoint that is down.
const maxAttempts = 3

var errNoRegion = errors.New("no AWS region: set --region or AWS_REGION (or a region in the AWS_PROFILE profile), or give the full queue URL with --queue-url or " + settings.EnvQueueURL + " (on EC2 the instance metadata service did not answer)")

// imdsTimeout bounds the instance-metadata region lookup: off EC2 nothing
// answers, and a send must not wait for it long. It is only waited for when
// no region is configured; on EC2 the two IMDSv2 requests (token, region)
// answer in milliseconds, but a host busy with its own jobs must still get
// them in.
const imdsTimeout = 2 * time.Second

// newSQS builds the SQS client from the standard AWS configuration chain
// (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, credentials, ...). region is
// --region or the queue URL's; when neither that nor the chain gives one (a
// cron job's bare environment on EC2), the instance metadata service does
// (IMDSv2, honouring AWS_EC2_METADATA_SERVICE_ENDPOINT and
// AWS_EC2_METADATA_DISABLED). ECS and Lambda set AWS_REGION themselves.
func newSQS(ctx context.Context, region string) (queue.SendAPI, string, error) {
	// No SDK log lines: a cron job's mail must hold memon-send's one line
	// that says what to fix, not the SDK's warnings beside it.
	opts := []func(*config.LoadOptions) error{config.WithRetryMaxAttempts(maxAttempts), config.WithLogger(logging.Nop{})}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	var noProfile config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &noProfile):
		return nil, "", fmt.Errorf("AWS_PROFILE=%s names no profile in the AWS config or credentials file (~/.aws/config, ~/.aws/credentials of the user the job runs as): set AWS_PROFILE to a profile whose keys have the memon-sender policy, or unset it to use the instance role", noProfile.Profile)
	case err != nil:
		return nil, "", fmt.Errorf("load AWS configuration (check AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE): %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = imdsRegion(ctx)
	}
	if cfg.Region == "" {
		return nil, "", errNoRegion
	}
	return sqs.NewFromConfig(cfg), cfg.Region, nil
}

// imdsRegion asks the instance metadata service for the region, "" when it
// does not answer within imdsTimeout.
func imdsRegion(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, imdsTimeout)
	defer cancel()
	out, err := imds.New(imds.Options{}).GetRegion(ctx, nil)
	if err != nil {
		return ""
	}
	return out.Region
}

// explain turns a send error into one line that says what to set.
func (p *pinger) explain(ctx context.Context, err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	_, name, source := queueTarget(p.o, p.d.getenv)
	var api smithy.APIError
	var netErr *net.OpError
	switch {
	case errors.Is(err, queue.ErrQueueNotFound):
		return fmt.Sprintf("no queue named %q in region %s: set --queue-url or %s, --queue NAME, or --region", name, p.region, settings.EnvQueueURL)
	case errors.Is(err, errNoRegion):
		return msg
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		return fmt.Sprintf("%s (no answer within --timeout %s; queue from %s%s)", msg, p.o.timeout, source, endpointHint(p.d.getenv))
	case isNoCredentials(msg):
		return "no AWS credentials: this host has no instance role and no keys" + profileNote(p.d.getenv) +
			"; attach the memon-sender policy (stack output SenderPolicyArn) to the host's instance role, or set AWS_PROFILE to a profile whose keys have it"
	case errors.As(err, &api) && refusedCredentials[api.ErrorCode()]:
		return fmt.Sprintf("AWS refused the credentials (%s)%s: check AWS_PROFILE and the keys it gives (expired, deleted or mistyped?); the sender needs the memon-sender policy", api.ErrorCode(), profileNote(p.d.getenv))
	case errors.As(err, &api) && strings.Contains(api.ErrorCode(), "AccessDenied"):
		return fmt.Sprintf("not allowed to send to the queue (%s)%s: attach the memon-sender policy (stack output SenderPolicyArn: sqs:SendMessage and sqs:GetQueueUrl on the queue) to this host's role or user, and check AWS_PROFILE names that identity", api.ErrorCode(), profileNote(p.d.getenv))
	case errors.As(err, &netErr):
		return fmt.Sprintf("%s (queue from %s%s)", msg, source, endpointHint(p.d.getenv))
	}
	return msg
}

func endpointHint(getenv settings.Lookup) string {
	if e := getenv("AWS_ENDPOINT_URL"); e != "" {
		return "; endpoint from AWS_ENDPOINT_URL=" + e
	}
	return ""
}

// isNoCredentials recognises the SDK's "no credentials anywhere" errors
// (environment, profile and instance role all tried).
func isNoCredentials(msg string) bool {
	for _, m := range []string{"retrieve credentials", "get credentials", "no EC2 IMDS role found", "failed to refresh cached credentials"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// refusedCredentials are the error codes of credentials AWS does not accept.
var refusedCredentials = map[string]bool{
	"InvalidClientTokenId": true, "UnrecognizedClientException": true, "SignatureDoesNotMatch": true,
	"ExpiredToken": true, "ExpiredTokenException": true, "InvalidAccessKeyId": true,
}

// profileNote names the profile in force, if one is set.
func profileNote(getenv settings.Lookup) string {
	if p := getenv("AWS_PROFILE"); p != "" {
		return fmt.Sprintf(" (AWS_PROFILE=%s)", p)
	}
	return ""
}
