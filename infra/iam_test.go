package main

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memoncdk"
)

// An IAM evaluator for the identity policies of the synthesized stack,
// enough for MEMon's statements: Allow and Deny, Action lists with
// wildcards, Resource patterns built with Ref, Fn::GetAtt and Fn::Join
// (resolved to the names the default stack deploys). Conditions,
// NotAction, NotResource and principals are refused, not guessed: a
// statement that uses them makes the policy test fail until the evaluator
// learns them.

// statement is one IAM statement with its resources resolved to ARN patterns.
type statement struct {
	Where      string // policy logical id and statement index
	Effect     string
	Actions    []string
	Resources  []string
	Conditions []condition
}

// condition is one operator, key and values of a Condition block. The
// evaluator knows the operators MEMon's policies use.
type condition struct {
	Op, Key string
	Values  []string
}

// contextOf gives a call's value of a condition key (ok false when the
// request has none). A read that names no attribute gets the whole item,
// and is judged so: as asking for every attribute (allAttributes, which
// no list holds), and a query or scan without Select or projection as
// DynamoDB's default, ALL_ATTRIBUTES.
func contextOf(c mototest.Call, key string) (values []string, ok bool) {
	whole := c.Attributes == "" && wholeItemReads[c.Action] && (c.Select == "" || c.Select == "ALL_ATTRIBUTES")
	switch key {
	case "dynamodb:Attributes":
		if whole {
			return []string{allAttributes}, true
		}
		if c.Attributes == "" {
			return nil, false
		}
		return strings.Split(c.Attributes, ","), true
	case "dynamodb:Select":
		if c.Select == "" && whole && c.Action != "dynamodb:GetItem" && c.Action != "dynamodb:BatchGetItem" {
			return []string{"ALL_ATTRIBUTES"}, true
		}
		return []string{c.Select}, c.Select != ""
	}
	return nil, false
}

// wholeItemReads are the reads that return whole items unless they name
// attributes.
var wholeItemReads = map[string]bool{"dynamodb:GetItem": true, "dynamodb:BatchGetItem": true, "dynamodb:Query": true, "dynamodb:Scan": true}

// allAttributes stands for every attribute of an item.
const allAttributes = "*"

func (k condition) holds(c mototest.Call) bool {
	got, ok := contextOf(c, k.Key)
	in := func(v string) bool { return slices.Contains(k.Values, v) }
	switch k.Op {
	case "ForAllValues:StringEquals": // every requested value allowed (vacuously true without one)
		for _, v := range got {
			if !in(v) {
				return false
			}
		}
		return true
	case "StringEqualsIfExists":
		return !ok || in(got[0])
	case "StringEquals":
		return ok && in(got[0])
	}
	return false
}

var knownConditions = map[string]bool{"ForAllValues:StringEquals": true, "StringEqualsIfExists": true, "StringEquals": true}
var knownKeys = map[string]bool{"dynamodb:Attributes": true, "dynamodb:Select": true}

// principalPolicy is everything one principal's identity may do.
type principalPolicy struct {
	Principal  mototest.Principal
	Source     string // where the statements come from, for the report
	Statements []statement
	// Managed are policies attached by ARN that are not in the template
	// (AWS-managed); they are listed, never evaluated.
	Managed []string
}

// account and region of the names the resolver produces: moto's, which the
// recorded calls carry.
const (
	evalAccount = mototest.Account
	evalRegion  = mototest.Region
)

// resolver turns a template's intrinsic functions into strings.
type resolver struct {
	resources map[string]any
}

func newResolver(template map[string]any) resolver {
	return resolver{resources: template["Resources"].(map[string]any)}
}

func (r resolver) prop(id, key string) (string, error) {
	res, ok := r.resources[id].(map[string]any)
	if !ok {
		return "", fmt.Errorf("no resource %s", id)
	}
	p, _ := res["Properties"].(map[string]any)
	v, err := r.resolve(p[key])
	if err != nil {
		return "", fmt.Errorf("%s.%s: %w", id, key, err)
	}
	return v, nil
}

func (r resolver) typeOf(id string) string {
	res, _ := r.resources[id].(map[string]any)
	typ, _ := res["Type"].(string)
	return typ
}

func arn(service, resource string) string {
	return "arn:aws:" + service + ":" + evalRegion + ":" + evalAccount + ":" + resource
}

var pseudo = map[string]string{
	"AWS::Partition": "aws", "AWS::Region": evalRegion, "AWS::AccountId": evalAccount, "AWS::URLSuffix": "amazonaws.com",
	"AWS::StackName": DefaultStackName,
	// The stack's ARN ends in an id the calls do not name: the recorder
	// writes it as "id" (mototest's calls.go).
	"AWS::StackId": "arn:aws:cloudformation:" + evalRegion + ":" + evalAccount + ":stack/" + DefaultStackName + "/id",
}

// resolve evaluates a template value to a string.
func (r resolver) resolve(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if len(v) != 1 {
			break
		}
		if id, ok := v["Ref"].(string); ok {
			return r.ref(id)
		}
		if args, ok := v["Fn::GetAtt"].([]any); ok && len(args) == 2 {
			id, _ := args[0].(string)
			attr, _ := args[1].(string)
			return r.getAtt(id, attr)
		}
		if args, ok := v["Fn::Join"].([]any); ok && len(args) == 2 {
			sep, _ := args[0].(string)
			parts, _ := args[1].([]any)
			out := make([]string, len(parts))
			for i, p := range parts {
				s, err := r.resolve(p)
				if err != nil {
					return "", err
				}
				out[i] = s
			}
			return strings.Join(out, sep), nil
		}
	}
	return "", fmt.Errorf("cannot resolve %s", jsonOf(v))
}

func (r resolver) ref(id string) (string, error) {
	if p, ok := pseudo[id]; ok {
		return p, nil
	}
	switch r.typeOf(id) {
	case "AWS::SNS::Topic":
		name, err := r.prop(id, "TopicName")
		return arn("sns", name), err
	case "AWS::DynamoDB::Table":
		return r.prop(id, "TableName")
	case "AWS::SQS::Queue":
		name, err := r.prop(id, "QueueName")
		return "https://sqs." + evalRegion + ".amazonaws.com/" + evalAccount + "/" + name, err
	case "AWS::Lambda::Function":
		return r.prop(id, "FunctionName")
	case "AWS::IAM::ManagedPolicy":
		name, err := r.prop(id, "ManagedPolicyName")
		return "arn:aws:iam::" + evalAccount + ":policy/" + name, err
	}
	return "", fmt.Errorf("cannot resolve Ref %s (%s)", id, r.typeOf(id))
}

func (r resolver) getAtt(id, attr string) (string, error) {
	switch r.typeOf(id) + "." + attr {
	case "AWS::DynamoDB::Table.Arn":
		name, err := r.prop(id, "TableName")
		return arn("dynamodb", "table/"+name), err
	case "AWS::DynamoDB::Table.StreamArn":
		// The stream's label is the time it was enabled: unknown until then.
		name, err := r.prop(id, "TableName")
		return arn("dynamodb", "table/"+name+"/stream/*"), err
	case "AWS::SQS::Queue.Arn":
		name, err := r.prop(id, "QueueName")
		return arn("sqs", name), err
	case "AWS::SNS::Topic.TopicArn":
		name, err := r.prop(id, "TopicName")
		return arn("sns", name), err
	case "AWS::Logs::LogGroup.Arn":
		name, err := r.prop(id, "LogGroupName")
		return arn("logs", "log-group:"+name+":*"), err
	case "AWS::Lambda::Function.Arn":
		name, err := r.prop(id, "FunctionName")
		return arn("lambda", "function:"+name), err
	}
	return "", fmt.Errorf("cannot resolve Fn::GetAtt %s.%s (%s)", id, attr, r.typeOf(id))
}

// list reads an IAM field that is a string or a list.
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// statements reads a policy document's statements, resolved.
func (r resolver) statements(where string, doc any) ([]statement, error) {
	d, _ := doc.(map[string]any)
	var out []statement
	for i, s := range list(d["Statement"]) {
		st, _ := s.(map[string]any)
		w := fmt.Sprintf("%s statement %d", where, i)
		for _, k := range []string{"NotAction", "NotResource", "Principal", "NotPrincipal"} {
			if _, ok := st[k]; ok {
				return nil, fmt.Errorf("%s: the evaluator does not handle %s", w, k)
			}
		}
		out1 := statement{Where: w}
		cond, _ := st["Condition"].(map[string]any)
		for op, keys := range cond {
			if !knownConditions[op] {
				return nil, fmt.Errorf("%s: the evaluator does not handle the condition operator %s", w, op)
			}
			for key, vals := range keys.(map[string]any) {
				if !knownKeys[key] {
					return nil, fmt.Errorf("%s: the evaluator does not handle the condition key %s", w, key)
				}
				k := condition{Op: op, Key: key}
				for _, v := range list(vals) {
					k.Values = append(k.Values, fmt.Sprint(v))
				}
				out1.Conditions = append(out1.Conditions, k)
			}
		}
		out1.Effect, _ = st["Effect"].(string)
		if out1.Effect != "Allow" && out1.Effect != "Deny" {
			return nil, fmt.Errorf("%s: Effect %v", w, st["Effect"])
		}
		for _, a := range list(st["Action"]) {
			s, ok := a.(string)
			if !ok {
				return nil, fmt.Errorf("%s: action %v", w, a)
			}
			out1.Actions = append(out1.Actions, s)
		}
		for _, res := range list(st["Resource"]) {
			s, err := r.resolve(res)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", w, err)
			}
			out1.Resources = append(out1.Resources, s)
		}
		if len(out1.Actions) == 0 || len(out1.Resources) == 0 {
			return nil, fmt.Errorf("%s: no action or no resource", w)
		}
		out = append(out, out1)
	}
	return out, nil
}

// roleOfFunction is the logical id of the role of the function named name.
func roleOfFunction(template map[string]any, name string) (string, error) {
	var ids []string
	for _, v := range template["Resources"].(map[string]any) {
		res := v.(map[string]any)
		p, _ := res["Properties"].(map[string]any)
		if res["Type"] != "AWS::Lambda::Function" || p["FunctionName"] != name {
			continue
		}
		att, _ := p["Role"].(map[string]any)["Fn::GetAtt"].([]any)
		if len(att) != 2 || att[1] != "Arn" {
			return "", fmt.Errorf("function %s: role %s", name, jsonOf(p["Role"]))
		}
		ids = append(ids, att[0].(string))
	}
	if len(ids) != 1 {
		return "", fmt.Errorf("%d functions named %s", len(ids), name)
	}
	return ids[0], nil
}

// rolePolicy gathers what a role may do: the inline policies that name it
// and the managed policies it carries.
func rolePolicy(p mototest.Principal, template map[string]any, roleID string) (principalPolicy, error) {
	r := newResolver(template)
	out := principalPolicy{Principal: p, Source: "role " + roleID}
	var ids []string
	for id := range r.resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		res := r.resources[id].(map[string]any)
		props, _ := res["Properties"].(map[string]any)
		if res["Type"] != "AWS::IAM::Policy" || !strings.Contains(jsonOf(props["Roles"]), `{"Ref":"`+roleID+`"}`) {
			continue
		}
		st, err := r.statements(id, props["PolicyDocument"])
		if err != nil {
			return out, err
		}
		out.Statements = append(out.Statements, st...)
	}
	role, _ := r.resources[roleID].(map[string]any)
	if role == nil {
		return out, fmt.Errorf("no role %s", roleID)
	}
	for _, m := range list(role["Properties"].(map[string]any)["ManagedPolicyArns"]) {
		if ref, ok := m.(map[string]any)["Ref"].(string); ok && r.typeOf(ref) == "AWS::IAM::ManagedPolicy" {
			mp, err := managedPolicy(p, template, ref)
			if err != nil {
				return out, err
			}
			out.Statements = append(out.Statements, mp.Statements...)
			continue
		}
		s, err := r.resolve(m)
		if err != nil {
			return out, fmt.Errorf("role %s: managed policy: %w", roleID, err)
		}
		out.Managed = append(out.Managed, s)
	}
	return out, nil
}

// managedPolicy is one customer-managed policy of the template.
func managedPolicy(p mototest.Principal, template map[string]any, id string) (principalPolicy, error) {
	r := newResolver(template)
	res, _ := r.resources[id].(map[string]any)
	if res == nil || res["Type"] != "AWS::IAM::ManagedPolicy" {
		return principalPolicy{}, fmt.Errorf("no managed policy %s", id)
	}
	st, err := r.statements(id, res["Properties"].(map[string]any)["PolicyDocument"])
	return principalPolicy{Principal: p, Source: "managed policy " + id, Statements: st}, err
}

// managedPolicyNamed finds a customer-managed policy by its name.
func managedPolicyNamed(p mototest.Principal, template map[string]any, name string) (principalPolicy, error) {
	for id, v := range template["Resources"].(map[string]any) {
		res := v.(map[string]any)
		if props, _ := res["Properties"].(map[string]any); res["Type"] == "AWS::IAM::ManagedPolicy" && props["ManagedPolicyName"] == name {
			return managedPolicy(p, template, id)
		}
	}
	return principalPolicy{}, fmt.Errorf("no managed policy named %s", name)
}

// wildcard matches IAM's * (any run of characters) and ? (one character).
func wildcard(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	ok, err := path.Match(strings.NewReplacer("/", "\x00", "[", "\\[", "\\", "\\\\").Replace(pattern),
		strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

func actionMatches(pattern, action string) bool {
	return wildcard(strings.ToLower(pattern), strings.ToLower(action))
}

// allowed says whether the policy lets the call through: some Allow
// statement covers it and no Deny does. It returns the statements that
// allowed it.
func (pp principalPolicy) allowed(c mototest.Call) (bool, []statement) {
	var allows []statement
	for _, s := range pp.Statements {
		if !s.covers(c) {
			continue
		}
		if s.Effect == "Deny" {
			return false, nil
		}
		allows = append(allows, s)
	}
	return len(allows) > 0, allows
}

func (s statement) covers(c mototest.Call) bool {
	if !s.coversAction(c.Action) || !s.coversResource(c.Resource) {
		return false
	}
	for _, k := range s.Conditions {
		if !k.holds(c) {
			return false
		}
	}
	return true
}

func (s statement) coversAction(action string) bool {
	for _, a := range s.Actions {
		if actionMatches(a, action) {
			return true
		}
	}
	return false
}

func (s statement) coversResource(resource string) bool {
	for _, r := range s.Resources {
		if wildcard(r, resource) {
			return true
		}
	}
	return false
}

// unused lists each action and each resource of the policy's Allow
// statements that no call exercises (one call must match both the action
// and one of the statement's resources, or the resource and one of its
// actions). exempt holds actions no code of ours calls (by reason).
func (pp principalPolicy) unused(calls []mototest.Call, exempt map[string]string) []string {
	var out []string
	for _, s := range pp.Statements {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range s.Actions {
			if _, ok := exempt[a]; ok {
				continue
			}
			used := false
			for _, c := range calls {
				if actionMatches(a, c.Action) && s.covers(c) {
					used = true
					break
				}
			}
			if !used {
				out = append(out, fmt.Sprintf("%s: %s on %s", s.Where, a, strings.Join(s.Resources, ", ")))
			}
		}
		for _, r := range s.Resources {
			used := false
			for _, c := range calls {
				if wildcard(r, c.Resource) && (s.coversAction(c.Action) || allExempt(s.Actions, exempt)) {
					used = true
					break
				}
			}
			if !used && !allExempt(s.Actions, exempt) {
				out = append(out, fmt.Sprintf("%s: resource %s", s.Where, r))
			}
		}
	}
	return out
}

func allExempt(actions []string, exempt map[string]string) bool {
	for _, a := range actions {
		if _, ok := exempt[a]; !ok {
			return false
		}
	}
	return true
}

// lambdaRuntimeOnly are actions a Lambda role needs that only the Lambda
// service exercises (it writes the function's logs), never MEMon's code.
var lambdaRuntimeOnly = map[string]string{
	"logs:CreateLogStream": "Lambda writes the function's log streams",
	"logs:PutLogEvents":    "Lambda writes the function's log events",
}

// stackPolicies are the identity policies of every MEMon principal: the
// stack with the ping endpoint (it has every principal of the stack) and a
// job's stack holding one memoncdk check.
func stackPolicies(t *testing.T) []principalPolicy {
	t.Helper()
	x := pingTemplate(t).json
	var out []principalPolicy
	add := func(p principalPolicy, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", p.Principal, err)
		}
		out = append(out, p)
	}
	for p, fn := range map[mototest.Principal]string{mototest.Poller: "memon-poller", mototest.Ping: "memon-pingurl", mototest.Status: "memon-statusurl"} {
		role, err := roleOfFunction(x, fn)
		if err != nil {
			t.Fatal(err)
		}
		add(rolePolicy(p, x, role))
	}
	details := statusDetailsTemplate(t).json
	role, err := roleOfFunction(details, "memon-statusurl")
	if err != nil {
		t.Fatal(err)
	}
	add(rolePolicy(mototest.StatusDetails, details, role))
	add(managedPolicyNamed(mototest.Sender, x, "memon-sender"))
	add(managedPolicyNamed(mototest.Operator, x, "memon-operator"))
	add(checkPolicy(t))
	sort.Slice(out, func(i, j int) bool { return out[i].Principal < out[j].Principal })
	return out
}

// checkPolicy is the policy of memoncdk's custom resource: the role of the
// provider function CDK shares between a stack's AwsCustomResources.
func checkPolicy(t *testing.T) (principalPolicy, error) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Job"), &awscdk.StackProps{})
	memoncdk.NewCheck(stack, jsii.String("EtlCheck"), &memoncdk.CheckProps{Name: "batch:nightly-etl", Cron: "0 2 * * *"})
	var x map[string]any
	must(t, func() { x = *assertions.Template_FromStack(stack, nil).ToJSON() })
	var roles []string
	for id, v := range x["Resources"].(map[string]any) {
		if v.(map[string]any)["Type"] == "AWS::IAM::Role" {
			roles = append(roles, id)
		}
	}
	if len(roles) != 1 {
		return principalPolicy{Principal: mototest.Check}, fmt.Errorf("the check's stack has roles %v, want the provider's only", roles)
	}
	return rolePolicy(mototest.Check, x, roles[0])
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:dynamodb:r:a:table/memon", "arn:aws:dynamodb:r:a:table/memon", true},
		{"arn:aws:dynamodb:r:a:table/memon", "arn:aws:dynamodb:r:a:table/memon/index/DueIndex", false},
		{"arn:aws:dynamodb:r:a:table/memon/*", "arn:aws:dynamodb:r:a:table/memon/index/DueIndex", true},
		{"arn:aws:dynamodb:r:a:table/memon/stream/*", "arn:aws:dynamodb:r:a:table/memon/stream/2026-12-01T00:00:00.000", true},
		{"arn:aws:dynamodb:r:a:table/memon/stream/*", "arn:aws:dynamodb:r:a:table/memon-history/stream/x", false},
		{"arn:aws:logs:r:a:log-group:/aws/lambda/memon-poller:*", "arn:aws:logs:r:a:log-group:/aws/lambda/memon-poller:*", true},
		{"arn:aws:sqs:r:a:memon?", "arn:aws:sqs:r:a:memon1", true},
		{"arn:aws:sqs:r:a:memon?", "arn:aws:sqs:r:a:memon", false},
		{"*", "arn:aws:sns:r:a:memon", true},
		{"arn:aws:s3:::b[1]", "arn:aws:s3:::b[1]", true}, // brackets are literal
		{"arn:aws:s3:::b[1]*", "arn:aws:s3:::b[1]x", true},
	} {
		if got := wildcard(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
	if !actionMatches("DynamoDB:Get*", "dynamodb:GetItem") || actionMatches("dynamodb:Get*", "dynamodb:Query") {
		t.Error("action wildcards")
	}
}

func TestEvaluatorAllowsDeniesAndFindsUnused(t *testing.T) {
	t.Parallel()
	table := arn("dynamodb", "table/memon")
	pp := principalPolicy{Principal: mototest.Poller, Statements: []statement{
		{Where: "a", Effect: "Allow", Actions: []string{"dynamodb:GetItem", "dynamodb:Query"}, Resources: []string{table, table + "/index/*"}},
		{Where: "b", Effect: "Deny", Actions: []string{"dynamodb:Query"}, Resources: []string{table + "/index/Secret"}},
		{Where: "c", Effect: "Allow", Actions: []string{"logs:PutLogEvents"}, Resources: []string{"arn:logs"}},
	}}
	call := func(action, res string) mototest.Call { return mototest.Call{Action: action, Resource: res} }
	events := arn("dynamodb", "table/events")
	pp.Statements = append(pp.Statements, statement{Where: "d", Effect: "Allow", Actions: []string{"dynamodb:GetItem"}, Resources: []string{events},
		Conditions: []condition{{Op: "ForAllValues:StringEquals", Key: "dynamodb:Attributes", Values: []string{"Name", "TokenHash"}},
			{Op: "StringEqualsIfExists", Key: "dynamodb:Select", Values: []string{"SPECIFIC_ATTRIBUTES"}}}})
	read := func(attrs, sel string) mototest.Call {
		return mototest.Call{Action: "dynamodb:GetItem", Resource: events, Attributes: attrs, Select: sel}
	}
	for _, tc := range []struct {
		c    mototest.Call
		want bool
	}{
		{call("dynamodb:GetItem", table), true},
		{call("dynamodb:Query", table+"/index/DueIndex"), true},
		{call("dynamodb:Query", table+"/index/Secret"), false},
		{call("dynamodb:PutItem", table), false},
		{call("dynamodb:GetItem", arn("dynamodb", "table/memon-history")), false},
		{read("Name,TokenHash", ""), true},
		{read("TokenHash", "SPECIFIC_ATTRIBUTES"), true},
		{read("Name,TokenHash,Output", ""), false},
		{read("TokenHash", "ALL_ATTRIBUTES"), false},
		{read("", ""), false}, // the whole item
	} {
		if got, _ := pp.allowed(tc.c); got != tc.want {
			t.Errorf("allowed(%v) = %v, want %v", tc.c, got, tc.want)
		}
	}
	got := pp.unused([]mototest.Call{call("dynamodb:GetItem", table), read("TokenHash", "")}, lambdaRuntimeOnly)
	want := []string{"a: dynamodb:Query on " + table + ", " + table + "/index/*", "a: resource " + table + "/index/*"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("unused:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A scan judged by attribute conditions: one that names its attributes
// passes when they are all allowed; one that names none reads the whole
// item (Select ALL_ATTRIBUTES), which no attribute list allows.
func TestEvaluatorJudgesAScanByItsAttributes(t *testing.T) {
	t.Parallel()
	events := arn("dynamodb", "table/memon")
	pp := principalPolicy{Principal: mototest.Status, Statements: []statement{{Where: "a", Effect: "Allow", Actions: []string{"dynamodb:Scan"}, Resources: []string{events},
		Conditions: []condition{{Op: "ForAllValues:StringEquals", Key: "dynamodb:Attributes", Values: []string{"Name", "State"}},
			{Op: "StringEqualsIfExists", Key: "dynamodb:Select", Values: []string{"SPECIFIC_ATTRIBUTES"}}}}}}
	for _, tc := range []struct {
		attrs, sel string
		want       bool
	}{
		{"Name,State", "SPECIFIC_ATTRIBUTES", true},
		{"State", "", true},
		{"Name,LastMessage", "SPECIFIC_ATTRIBUTES", false},
		{"", "", false},
		{"", "ALL_ATTRIBUTES", false},
		{"", "COUNT", false}, // the role selects specific attributes only
	} {
		c := mototest.Call{Action: "dynamodb:Scan", Resource: events, Attributes: tc.attrs, Select: tc.sel}
		if got, _ := pp.allowed(c); got != tc.want {
			t.Errorf("allowed(%+v) = %v, want %v", c, got, tc.want)
		}
	}
}

// TestStackPoliciesResolve: every principal's policy is found in the
// synthesized templates and every statement resolves to ARN patterns the
// evaluator can judge (the recorded calls are judged by make test's policy
// step, stack_calls_test.go).
func TestStackPoliciesResolve(t *testing.T) {
	policies := stackPolicies(t)
	if len(policies) != len(mototest.Principals) {
		t.Fatalf("%d policies for %d principals", len(policies), len(mototest.Principals))
	}
	for _, pp := range policies {
		if len(pp.Statements) == 0 {
			t.Errorf("%s (%s): no statements", pp.Principal, pp.Source)
		}
		for _, s := range pp.Statements {
			for _, r := range s.Resources {
				if !strings.HasPrefix(r, "arn:aws:") || r == "*" {
					t.Errorf("%s %s: resource %q is not a MEMon ARN", pp.Principal, s.Where, r)
				}
			}
		}
	}
}
