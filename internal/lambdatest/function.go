package lambdatest

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"
)

// StartFunction serves the Runtime API and runs the bootstrap binary at
// path against it, with env and the API's address; both stop when the test
// ends. The function's output goes to the test binary's stderr.
func StartFunction(t testing.TB, bootstrap string, env []string) *Runtime {
	t.Helper()
	rt := Start()
	cmd := exec.Command(bootstrap)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+rt.Addr())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		rt.Close()
		t.Fatalf("start %s: %v", bootstrap, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		rt.Close()
	})
	return rt
}

// Call hands request, as JSON, to the function and decodes its response
// into response; an error answer, or none within 20 s, fails the test.
func (rt *Runtime) Call(t testing.TB, request, response any) {
	t.Helper()
	payload, err := json.Marshal(request)
	if err != nil {
		t.Fatal(err)
	}
	a, err := rt.Invoke(payload, 20*time.Second)
	if err != nil || a.Kind != "response" {
		t.Fatalf("invoke %s: %v %s %s", payload, err, a.Kind, a.Body)
	}
	if err := json.Unmarshal(a.Body, response); err != nil {
		t.Fatalf("the function's response %s: %v", a.Body, err)
	}
}
