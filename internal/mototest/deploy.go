package mototest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/peerj/memon/internal/settings"
)

// This file is the one place that bootstraps and deploys MEMon's stack into
// moto with the pinned CDK CLI: infra's deploy test, the end-to-end test and
// `make local` (tools/memon-local) all call Deploy.

// Account is moto's fixed account id.
const Account = "123456789012"

// CDKEnv is what the pinned CDK CLI needs here: no telemetry, no version
// check (both would call out), no Node end-of-life banner.
var CDKEnv = []string{
	"CDK_DISABLE_CLI_TELEMETRY=true",
	"CDK_DISABLE_VERSION_CHECK=true",
	"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
}

// Outputs are the MEMon stack's outputs (docs/deploy.md lists them). All holds
// every output by key, including ones newer than these fields.
type Outputs struct {
	QueueURL           string `json:"QueueUrl"`
	DeadLetterQueueURL string `json:"DeadLetterQueueUrl"`
	TableName          string
	HistoryTableName   string
	TopicArn           string
	AlarmTopicArn      string
	SenderPolicyArn    string
	PollerFunctionName string
	All                map[string]string `json:"-"`
}

// Env is the MEMON_* environment the CLIs and the poller read, for these
// outputs.
func (o Outputs) Env() []string {
	return []string{
		settings.EnvQueueURL + "=" + o.QueueURL,
		settings.EnvTable + "=" + o.TableName,
		settings.EnvHistoryTable + "=" + o.HistoryTableName,
		settings.EnvTopicARN + "=" + o.TopicArn,
	}
}

// Deployment says what to deploy and where the CDK CLI works.
type Deployment struct {
	Root    string            // the module root: node_modules/.bin/cdk and cdk.json are there
	Stack   string            // default settings.StackName("")
	App     string            // --app: a cloud assembly directory or a command; "" is cdk.json's (go run ./infra)
	Context map[string]string // -c key=value
	// Parameters are --parameters KEY=VALUE. An update of a CDK stack in
	// moto needs BootstrapVersion given (UpdateBootstrapVersion): moto
	// cannot keep a parameter's previous value, which the CLI asks for.
	Parameters map[string]string
	WorkDir    string // the CLI's working directory; cdk.out and the logs go here (default Root)
	// Output is the cloud assembly's directory (--output), default
	// WorkDir/cdk.out. The CLI locks it while it synthesizes: two tests
	// working in the module root each need their own.
	Output string
	Log    io.Writer // the CLI's output; nil keeps it for the error only
}

// output is the cloud assembly directory a deploy synthesizes into and
// locks (Bootstrap synthesizes nothing).
func (d Deployment) output() string {
	return cmp.Or(d.Output, filepath.Join(cmp.Or(d.WorkDir, d.Root), "cdk.out"))
}

// UpdateBootstrapVersion is the Parameters a stack update in moto needs:
// the SSM parameter the CDK's BootstrapVersion reads, named again.
var UpdateBootstrapVersion = map[string]string{"BootstrapVersion": "/cdk-bootstrap/hnb659fds/version"}

// CDK returns the pinned CDK CLI under root, or an error saying how to get it.
func CDK(root string) (string, error) {
	cdk, err := filepath.Abs(filepath.Join(root, "node_modules", ".bin", "cdk"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(cdk); err != nil {
		return "", fmt.Errorf("%s missing: run `npm ci` (make deps)", cdk)
	}
	return cdk, nil
}

// Bootstrap runs `cdk bootstrap` for moto's account unless the CDKToolkit
// stack is already there. It runs in an empty directory: where a cdk.json
// names an app, the CLI synthesizes the whole app first, even for an
// environment given by name (a synth of MEMon costs 12-15 CPU-seconds and
// took the cloud assembly's lock), and bootstrapping needs none of it.
func (s *Server) Bootstrap(ctx context.Context, d Deployment) error {
	if status, _, err := s.Stack(ctx, "CDKToolkit"); err != nil {
		return err
	} else if Complete(status) {
		return nil
	}
	noApp, err := os.MkdirTemp("", "memon-bootstrap-")
	if err != nil {
		return fmt.Errorf("cdk bootstrap: %w", err)
	}
	defer os.RemoveAll(noApp)
	d.WorkDir = noApp
	return s.cdk(ctx, d, "bootstrap", "aws://"+Account+"/"+Region)
}

// Deploy bootstraps moto's account if needed, deploys the stack with `cdk
// deploy --method=direct` (without it moto returns no outputs) and returns
// the stack's outputs.
func (s *Server) Deploy(ctx context.Context, d Deployment) (Outputs, error) {
	if err := s.Bootstrap(ctx, d); err != nil {
		return Outputs{}, err
	}
	stack := cmp.Or(d.Stack, settings.StackName(""))
	args := []string{"deploy", stack, "--method=direct", "--require-approval", "never"}
	if d.App != "" {
		args = append(args, "--app", d.App)
	}
	keys := make([]string, 0, len(d.Context))
	for k := range d.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-c", k+"="+d.Context[k])
	}
	for _, k := range slices.Sorted(maps.Keys(d.Parameters)) {
		args = append(args, "--parameters", k+"="+d.Parameters[k])
	}
	args = append(args, "--output", d.output())
	if err := s.cdk(ctx, d, args...); err != nil {
		return Outputs{}, err
	}
	status, out, err := s.Stack(ctx, stack)
	if err != nil {
		return out, err
	}
	if !Complete(status) {
		return out, fmt.Errorf("stack %s is %s after cdk deploy", stack, cmp.Or(status, "missing"))
	}
	s.rec.learnOutputs(stack, out)
	return out, out.check()
}

// Stack returns a stack's status ("" when there is none) and its outputs.
func (s *Server) Stack(ctx context.Context, name string) (string, Outputs, error) {
	cfn := cloudformation.NewFromConfig(s.Config(ctx))
	got, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &name})
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return "", Outputs{}, nil
		}
		return "", Outputs{}, fmt.Errorf("describe stack %s at %s: %w", name, s.Endpoint, err)
	}
	if len(got.Stacks) == 0 {
		return "", Outputs{}, nil
	}
	st := got.Stacks[0]
	all := map[string]string{}
	for _, o := range st.Outputs {
		all[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	var out Outputs
	b, _ := json.Marshal(all)
	if err := json.Unmarshal(b, &out); err != nil {
		return "", out, fmt.Errorf("outputs of %s: %w", name, err)
	}
	out.All = all
	return string(st.StackStatus), out, nil
}

func (o Outputs) check() error {
	var missing []string
	for k, v := range map[string]string{"QueueUrl": o.QueueURL, "DeadLetterQueueUrl": o.DeadLetterQueueURL,
		"TableName": o.TableName, "HistoryTableName": o.HistoryTableName, "TopicArn": o.TopicArn} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("stack outputs lack %s", strings.Join(missing, ", "))
	}
	return nil
}

// Complete reports a stack status that means the stack is deployed.
func Complete(status string) bool { return status == "CREATE_COMPLETE" || status == "UPDATE_COMPLETE" }

// cdk runs the pinned CLI against the server.
func (s *Server) cdk(ctx context.Context, d Deployment, args ...string) error {
	cdk, err := CDK(d.Root)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, cdk, append(args, "--no-notices")...)
	cmd.Dir = cmp.Or(d.WorkDir, d.Root)
	cmd.Env = append(s.Env(), CDKEnv...)
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if d.Log != nil {
		cmd.Stdout, cmd.Stderr = io.MultiWriter(&buf, d.Log), io.MultiWriter(&buf, d.Log)
	}
	if err := cmd.Run(); err != nil {
		out := buf.String()
		if len(out) > 4000 {
			out = "…" + out[len(out)-4000:]
		}
		return fmt.Errorf("cdk %s: %w\n%s", args[0], err, out)
	}
	return nil
}

// Attach returns a Server for a moto that something else started (make
// local's); Stop leaves it running.
func Attach(endpoint string) *Server { return &Server{Endpoint: endpoint} }

// Answers reports whether moto answers at the server's endpoint.
func (s *Server) Answers() bool { return s.waitReady(0) == nil }
