package mototest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/peerj/memon/internal/schema"
	"github.com/peerj/memon/internal/settings"
)

// This file records every AWS call a principal's code makes against moto, so
// that infra's policy test can check each against that principal's IAM
// policy in the synthesized stack (moto itself does not scope DynamoDB or
// SNS permissions to resources).
//
// The recorder is a reverse proxy in front of moto rather than an SDK
// middleware: memon-config, memon-send, memon-pingurl and the Lambda
// bootstraps are tested as the built binaries, and a middleware would need a
// test hook compiled into each of them. A principal is told apart by its
// access key id (ConfigAs, EnvAs); moto accepts any key. Calls with the
// plain "test" key (setup, assertions, the CDK CLI) are not recorded.

// EnvCalls names a directory: when set, every Server records its
// principals' calls into a file there (make test sets it; the policy test
// reads the directory).
const EnvCalls = "MEMON_AWS_CALLS"

// Principal is who makes a call: one IAM identity of the deployed stack.
type Principal string

// MEMon's principals, each with its own policy in the stack.
const (
	Poller Principal = "poller"    // the poller Lambda's role: polls, reconcile, stream, lease, reports
	Ping   Principal = "pingurl"   // the ping endpoint's role (Lambda or memon-pingurl)
	Status Principal = "statusurl" // the public read function's role
	// StatusDetails is the public read function's role of a stack deployed
	// with statusPage=details, which may read more.
	StatusDetails Principal = "statusurl-details"
	Sender        Principal = "sender"   // memon-send: the SenderPolicy
	Operator      Principal = "operator" // memon-config, doctor included: the OperatorPolicy
	Check         Principal = "memoncdk" // the CDK construct's custom resource role
)

// Principals lists them all.
var Principals = []Principal{Poller, Ping, Status, StatusDetails, Sender, Operator, Check}

// Call is one recorded AWS call: the IAM action it needs and the resource
// ARN IAM checks, with MEMon's resources renamed to the default stack's
// names (table memon, queue memon-dlq, ...), whatever a test named them.
type Call struct {
	Principal Principal `json:"principal"`
	Action    string    `json:"action"`   // e.g. dynamodb:Query
	Resource  string    `json:"resource"` // e.g. arn:aws:dynamodb:us-east-1:123456789012:table/memon/index/DueShardIndex
	Raw       string    `json:"raw"`      // the resource as the test named it
	// Attributes are the DynamoDB attributes a read asks for (its
	// projection, comma-separated, sorted; "" for the whole item) and
	// Select its Select: the condition keys dynamodb:Attributes and
	// dynamodb:Select.
	Attributes string `json:"attributes,omitempty"`
	Select     string `json:"select,omitempty"`
}

// ConfigAs is Config for a principal: its calls are recorded under it.
func (s *Server) ConfigAs(ctx context.Context, p Principal) aws.Config {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(string(p), "test", "")),
		config.WithBaseEndpoint(s.Endpoint),
	)
	if err != nil {
		panic(fmt.Sprintf("build moto SDK config: %v", err))
	}
	return cfg
}

// EnvAs is Env for a child process acting as a principal.
func (s *Server) EnvAs(p Principal) []string {
	return append(s.Env(), "AWS_ACCESS_KEY_ID="+string(p))
}

// ReadCalls reads every call recorded under dir, sorted and without repeats.
func ReadCalls(dir string) ([]Call, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	seen := map[Call]bool{}
	var out []Call
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			var c Call
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})
	return out, nil
}

// recorder is the proxy.
type recorder struct {
	moto   string // moto's own endpoint
	client *http.Client
	srv    *http.Server

	mu        sync.Mutex
	out       *os.File
	seen      map[Call]bool
	names     map[string]string // kind/raw name -> canonical name
	iterators map[string]string // shard iterator -> its stream's ARN
}

// startRecorder serves the proxy on a free loopback port and returns its
// endpoint, or "" when EnvCalls is unset.
func startRecorder(motoEndpoint string) (*recorder, string, error) {
	dir := os.Getenv(EnvCalls)
	if dir == "" {
		return nil, "", nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("%s: %w", EnvCalls, err)
	}
	f, err := os.CreateTemp(dir, "calls-*.jsonl")
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", EnvCalls, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Close()
		return nil, "", err
	}
	r := &recorder{moto: motoEndpoint, client: &http.Client{}, out: f, seen: map[Call]bool{},
		names: map[string]string{}, iterators: map[string]string{}}
	r.srv = &http.Server{Handler: r}
	go func() { _ = r.srv.Serve(l) }()
	return r, fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port), nil
}

func (r *recorder) stop() {
	if r == nil {
		return
	}
	_ = r.srv.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.out.Close()
}

var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Transfer-Encoding": true, "Upgrade": true, "Te": true, "Trailer": true}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out, err := http.NewRequestWithContext(req.Context(), req.Method, r.moto+req.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range req.Header {
		if !hopHeaders[k] {
			out.Header[k] = v
		}
	}
	// moto builds URLs it returns (queue URLs) from the Host it is asked on:
	// keep the proxy's, so clients keep coming through it.
	out.Host = req.Host
	resp, err := r.client.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode < 300 {
		r.observe(req, body, respBody)
	}
	for k, v := range resp.Header {
		if !hopHeaders[k] {
			w.Header()[k] = v
		}
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
}

// observe learns MEMon's resources from the calls that create them and
// records a principal's call.
func (r *recorder) observe(req *http.Request, body, respBody []byte) {
	service, key := credentialScope(req.Header.Get("Authorization"))
	target := req.Header.Get("X-Amz-Target")
	prefix, op, _ := strings.Cut(target, ".")
	var calls []Call
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case prefix == "DynamoDB_20120810":
		calls = r.dynamodb(op, body)
	case prefix == "DynamoDBStreams_20120810":
		calls = r.streams(op, body, respBody)
	case prefix == "AmazonSQS":
		calls = r.sqs(op, body)
	case prefix == "Logs_20140328":
		calls = r.logs(op, body)
	case target == "" && (service == "sns" || service == "cloudformation" || service == "sts"):
		form, _ := url.ParseQuery(string(body))
		calls = r.query(service, form)
	default:
		calls = []Call{{Action: "unknown:" + cmpOr(target, service+" "+req.Method+" "+req.URL.Path), Resource: "*"}}
	}
	p := Principal(key)
	if !known(p) {
		return
	}
	for _, c := range calls {
		c.Principal = p
		if r.seen[c] {
			continue
		}
		r.seen[c] = true
		b, _ := json.Marshal(c)
		_, _ = r.out.Write(append(b, '\n'))
	}
}

func known(p Principal) bool {
	for _, q := range Principals {
		if p == q {
			return true
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// credentialScope reads the signing service and access key id of a SigV4
// Authorization header.
func credentialScope(auth string) (service, key string) {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", ""
	}
	cred, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(cred, "/")
	if len(parts) < 4 {
		return "", ""
	}
	return parts[3], parts[0]
}

const arnPrefix = "arn:aws:"

func regional(service, resource string) string {
	return arnPrefix + service + ":" + Region + ":" + Account + ":" + resource
}

// canonical names: the default stack's.
const (
	kindTable = "table/"
	kindQueue = "queue/"
	kindTopic = "topic/"
	kindStack = "stack/"
	kindLogs  = "logs/"
)

func (r *recorder) learn(kind, raw, canonical string) {
	if raw != "" {
		r.names[kind+raw] = canonical
	}
}

func (r *recorder) name(kind, raw string) string {
	if c, ok := r.names[kind+raw]; ok {
		return c
	}
	return raw
}

func (r *recorder) tableARN(raw string) (canonical, rawARN string) {
	return regional("dynamodb", "table/"+r.name(kindTable, raw)), regional("dynamodb", "table/"+raw)
}

type ddbBody struct {
	TableName    string
	IndexName    string
	RequestItems map[string]json.RawMessage
	KeySchema    []struct{ AttributeName, KeyType string }
	// TransactWriteItems, TransactGetItems
	TransactItems []map[string]struct{ TableName string }
	// what a read asks for
	ProjectionExpression     string
	ExpressionAttributeNames map[string]string
	AttributesToGet          []string
	Select                   string
}

// attributes lists the top-level attributes a read's projection names.
func (in ddbBody) attributes() string {
	set := map[string]bool{}
	for _, a := range in.AttributesToGet {
		set[a] = true
	}
	for _, p := range strings.Split(in.ProjectionExpression, ",") {
		p = strings.TrimSpace(p)
		if i := strings.IndexAny(p, ".["); i >= 0 {
			p = p[:i]
		}
		if n, ok := in.ExpressionAttributeNames[p]; ok {
			p = n
		}
		if p != "" {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// transactActions are the actions IAM checks for each part of a transaction.
var transactActions = map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
	"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}

func (r *recorder) dynamodb(op string, body []byte) []Call {
	var in ddbBody
	_ = json.Unmarshal(body, &in)
	call := func(action, table, suffix string) Call {
		c, raw := r.tableARN(table)
		return Call{Action: "dynamodb:" + action, Resource: c + suffix, Raw: raw + suffix}
	}
	switch op {
	case "CreateTable":
		r.learnTable(in)
	case "BatchWriteItem", "BatchGetItem":
		var out []Call
		for t := range in.RequestItems {
			out = append(out, call(op, t, ""))
		}
		return out
	case "TransactWriteItems", "TransactGetItems":
		var out []Call
		for _, item := range in.TransactItems {
			for part, v := range item {
				out = append(out, call(transactActions[part], v.TableName, ""))
			}
		}
		return out
	}
	if in.TableName == "" {
		return []Call{{Action: "dynamodb:" + op, Resource: "*", Raw: "*"}}
	}
	suffix := ""
	if in.IndexName != "" {
		suffix = "/index/" + in.IndexName
	}
	c := call(op, in.TableName, suffix)
	c.Attributes, c.Select = in.attributes(), in.Select
	return []Call{c}
}

// learnTable tells MEMon's three tables apart by their key schemas.
func (r *recorder) learnTable(in ddbBody) {
	var hash, rng string
	for _, k := range in.KeySchema {
		if k.KeyType == "HASH" {
			hash = k.AttributeName
		} else {
			rng = k.AttributeName
		}
	}
	for ts, canonical := range map[*schema.TableSchema]string{
		&schema.EventsTable:  settings.DefaultTable,
		&schema.HistoryTable: settings.DefaultHistoryTable,
		&schema.TokensTable:  settings.DefaultPrefix + settings.TokenTableSuffix,
	} {
		if ts.Hash.Name == hash && ts.Range.Name == rng {
			r.learn(kindTable, in.TableName, canonical)
		}
	}
}

// streamARN renames the table in a stream ARN (…:table/NAME/stream/LABEL).
func (r *recorder) streamARN(arn string) string {
	before, rest, ok := strings.Cut(arn, ":table/")
	if !ok {
		return arn
	}
	table, label, _ := strings.Cut(rest, "/stream/")
	return before + ":table/" + r.name(kindTable, table) + "/stream/" + label
}

func (r *recorder) streams(op string, body, respBody []byte) []Call {
	var in struct{ StreamArn, ShardIterator, TableName string }
	var out struct{ ShardIterator, NextShardIterator string }
	_ = json.Unmarshal(body, &in)
	_ = json.Unmarshal(respBody, &out)
	arn := in.StreamArn
	if op == "GetRecords" {
		// GetRecords names no stream: IAM checks the stream its iterator
		// came from, which GetShardIterator's answer told us.
		arn = r.iterators[in.ShardIterator]
	}
	for _, it := range []string{out.ShardIterator, out.NextShardIterator} {
		if it != "" && arn != "" {
			r.iterators[it] = arn
		}
	}
	if op == "ListStreams" {
		return []Call{{Action: "dynamodb:ListStreams", Resource: "*", Raw: "*"}}
	}
	if arn == "" {
		return []Call{{Action: "dynamodb:" + op, Resource: "unknown-stream", Raw: "unknown-stream"}}
	}
	return []Call{{Action: "dynamodb:" + op, Resource: r.streamARN(arn), Raw: arn}}
}

// sqsBatch are the actions IAM checks for SQS's batch calls.
var sqsBatch = map[string]string{"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
	"ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}

func (r *recorder) sqs(op string, body []byte) []Call {
	var in struct {
		QueueURL   string `json:"QueueUrl"`
		QueueName  string
		Attributes map[string]string
	}
	_ = json.Unmarshal(body, &in)
	name := in.QueueName
	if in.QueueURL != "" {
		name = path.Base(in.QueueURL)
	}
	if op == "CreateQueue" {
		canonical := settings.DefaultQueueName
		if strings.HasSuffix(name, "-dlq") {
			canonical += "-dlq"
		}
		r.learn(kindQueue, name, canonical)
	}
	action := op
	if a, ok := sqsBatch[op]; ok {
		action = a
	}
	return []Call{{Action: "sqs:" + action, Resource: regional("sqs", r.name(kindQueue, name)), Raw: regional("sqs", name)}}
}

func (r *recorder) logs(op string, body []byte) []Call {
	var in struct{ LogGroupName, LogGroupIdentifier string }
	_ = json.Unmarshal(body, &in)
	group := cmpOr(in.LogGroupName, in.LogGroupIdentifier)
	if group == "" {
		return []Call{{Action: "logs:" + op, Resource: "*", Raw: "*"}}
	}
	// IAM checks a log group's calls against arn:…:log-group:NAME:*.
	return []Call{{Action: "logs:" + op, Resource: regional("logs", "log-group:"+r.name(kindLogs, group)+":*"),
		Raw: regional("logs", "log-group:"+group+":*")}}
}

func (r *recorder) query(service string, form url.Values) []Call {
	op := form.Get("Action")
	switch service {
	case "sns":
		if op == "CreateTopic" {
			name := form.Get("Name")
			canonical := settings.DefaultTopicName
			if strings.HasSuffix(name, "-alarms") {
				canonical += "-alarms"
			}
			r.learn(kindTopic, name, canonical)
			return nil
		}
		arn := form.Get("TopicArn")
		if arn == "" {
			return []Call{{Action: "sns:" + op, Resource: "*", Raw: "*"}}
		}
		name := arn[strings.LastIndex(arn, ":")+1:]
		return []Call{{Action: "sns:" + op, Resource: regional("sns", r.name(kindTopic, name)), Raw: arn}}
	case "cloudformation":
		stack := form.Get("StackName")
		if stack == "" || strings.HasPrefix(stack, arnPrefix) {
			return []Call{{Action: "cloudformation:" + op, Resource: cmpOr(stack, "*"), Raw: cmpOr(stack, "*")}}
		}
		// A stack's ARN ends in its id, which the call does not name.
		return []Call{{Action: "cloudformation:" + op, Resource: regional("cloudformation", "stack/"+r.name(kindStack, stack)+"/id"),
			Raw: regional("cloudformation", "stack/"+stack+"/id")}}
	}
	// sts:GetCallerIdentity needs no permission.
	if op == "GetCallerIdentity" {
		return nil
	}
	return []Call{{Action: service + ":" + op, Resource: "*", Raw: "*"}}
}

// learnOutputs names a deployed stack's resources after the default
// stack's (the CDK CLI created them through CloudFormation, unseen).
func (r *recorder) learnOutputs(stack string, o Outputs) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learn(kindStack, stack, settings.StackName(""))
	r.learn(kindTable, o.TableName, settings.DefaultTable)
	r.learn(kindTable, o.HistoryTableName, settings.DefaultHistoryTable)
	r.learn(kindTable, o.All["TokenTableName"], settings.DefaultPrefix+settings.TokenTableSuffix)
	r.learn(kindQueue, path.Base(o.QueueURL), settings.DefaultQueueName)
	r.learn(kindQueue, path.Base(o.DeadLetterQueueURL), settings.DefaultQueueName+"-dlq")
	last := func(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }
	r.learn(kindTopic, last(o.TopicArn), settings.DefaultTopicName)
	r.learn(kindTopic, last(o.AlarmTopicArn), settings.DefaultTopicName+"-alarms")
	for _, fn := range []struct{ name, suffix string }{{o.PollerFunctionName, "-poller"}, {o.All["PingFunctionName"], "-pingurl"}} {
		if fn.name != "" {
			r.learn(kindLogs, "/aws/lambda/"+fn.name, "/aws/lambda/"+settings.DefaultPrefix+fn.suffix)
		}
	}
}
