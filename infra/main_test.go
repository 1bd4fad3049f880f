package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/peerj/memon/internal/mototest"
)

// moduleRoot is the repository root as seen from this package's tests.
const moduleRoot = ".."

// TestMain starts jsii once for the binary (each restart costs seconds) and
// closes it once at the end.
func TestMain(m *testing.M) {
	if os.Getenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION") == "" {
		os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	}
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// ci reports whether missing tools must fail rather than skip.
func ci() bool { return os.Getenv("CI") == "true" }

// startMoto starts a private moto_server for one test (stopped at its
// end); -short skips the test, a missing moto skips it outside CI.
func startMoto(t *testing.T) *mototest.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs moto")
	}
	srv, err := mototest.Start()
	if errors.Is(err, mototest.ErrMissing) {
		skipOrFail(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// skipOrFail skips locally and fails under CI=true: CI must run everything.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if ci() {
		t.Fatalf("CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

var (
	codeOnce sync.Once
	codeDir  string
	codeErr  error
)

// pollerCode returns a directory holding the real poller's linux/arm64
// `bootstrap`, built once per test binary into a temp dir (nothing is
// written to the working tree).
func pollerCode(t *testing.T) string {
	t.Helper()
	codeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "memon-poller-")
		if err != nil {
			codeErr = err
			return
		}
		_, codeErr = BuildPoller(moduleRoot, dir)
		codeDir = dir
	})
	if codeErr != nil {
		t.Fatalf("build the poller code: %v", codeErr)
	}
	return codeDir
}

// synthStack builds a fresh app with the given context and the cdk-nag
// checks, and returns the MEMon stack.
func synthStack(t *testing.T, context map[string]any) awscdk.Stack {
	t.Helper()
	ctx := map[string]any{}
	for k, v := range context {
		ctx[k] = v
	}
	if _, ok := ctx[CtxAdoptTable]; !ok {
		ctx[CtxPollerCodeDir] = pollerCode(t)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
	stack := NewMEMonStack(app, DefaultStackName, nil)
	Check(app)
	return stack
}

// tpl is a synthesized template: the assertions object and its JSON.
type tpl struct {
	assertions.Template
	json  map[string]any
	stack awscdk.Stack
}

func template(t *testing.T, context map[string]any) tpl {
	t.Helper()
	var out tpl
	out.stack = synthStack(t, context)
	must(t, func() {
		out.Template = assertions.Template_FromStack(out.stack, nil)
		out.json = *out.ToJSON()
	})
	return out
}

// synthesized holds the templates synthesized once per test binary, by
// name: a synth costs seconds of the jsii runtime, and many tests read the
// same stack.
var synthesized struct {
	mu   sync.Mutex
	byID map[string]*onceTemplate
}

type onceTemplate struct {
	once sync.Once
	tpl  tpl
}

// templateOnce is template(t, context), synthesized on the first call for
// name and shared after.
func templateOnce(t *testing.T, name string, context map[string]any) tpl {
	t.Helper()
	synthesized.mu.Lock()
	if synthesized.byID == nil {
		synthesized.byID = map[string]*onceTemplate{}
	}
	o := synthesized.byID[name]
	if o == nil {
		o = &onceTemplate{}
		synthesized.byID[name] = o
	}
	synthesized.mu.Unlock()
	o.once.Do(func() { o.tpl = template(t, context) })
	if o.tpl.json == nil {
		t.Fatalf("the %s template failed to synthesize", name)
	}
	return o.tpl
}

// defaultTemplate is the template with no context.
func defaultTemplate(t *testing.T) tpl { return templateOnce(t, "default", nil) }

// must runs f and turns a jsii/assertions panic (AssertionError) into a test
// failure instead of a crash of the whole test binary.
func must(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	f()
}

// resources returns logical id -> resource of the given type.
func (x tpl) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range x.json["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// byProp returns the one resource of type typ whose property key equals
// value, with its logical id.
func (x tpl) byProp(t *testing.T, typ, key string, value any) (string, map[string]any) {
	t.Helper()
	var ids []string
	var found map[string]any
	for id, r := range x.resources(typ) {
		if props, _ := r["Properties"].(map[string]any); props != nil && equalJSON(props[key], value) {
			ids = append(ids, id)
			found = r
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s with %s=%v: found %d (%v), want exactly 1", typ, key, value, len(ids), ids)
	}
	return ids[0], found
}

func props(r map[string]any) map[string]any { return r["Properties"].(map[string]any) }

func ref(id string) map[string]any { return map[string]any{"Ref": id} }

func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func equalJSON(a, b any) bool { return jsonOf(a) == jsonOf(b) }

// expectJSON fails unless got and want have the same JSON.
func expectJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if !equalJSON(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, jsonOf(got), jsonOf(want))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeTemplate writes the template JSON into dir and returns the path.
func writeTemplate(t *testing.T, x tpl, dir string) string {
	t.Helper()
	body, err := json.MarshalIndent(x.json, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "MEMon.template.json")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// lookTool finds a command on PATH or skips/fails the test.
func lookTool(t *testing.T, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, "%s not found (%s)", name, install)
	}
	return p
}
