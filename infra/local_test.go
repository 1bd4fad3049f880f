package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMakeLocal runs `make local`'s command (tools/memon-local) on a free
// port with its state in a temp dir: it starts moto, deploys the real stack
// through cdk.json, and writes memon.env from the stack outputs; a second
// `up` does not redeploy; `down` stops the moto it started.
func TestMakeLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys the stack into moto")
	}
	t.Parallel() // its own moto and its own port; the root's cdk.out is no other infra test's
	cdkCLI(t)
	lookTool(t, "moto_server", "make deps")
	root, err := filepath.Abs(moduleRoot)
	if err != nil {
		t.Fatal(err)
	}
	tool := filepath.Join(t.TempDir(), "memon-local")
	if out, err := exec.Command("go", "build", "-o", tool, filepath.Join(root, "tools", "memon-local")).CombinedOutput(); err != nil {
		t.Fatalf("build memon-local: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	dir := t.TempDir()
	local := func(arg string) (string, error) {
		cmd := exec.Command(tool, arg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "MOTO_PORT="+port, "MEMON_LOCAL_DIR="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { _, _ = local("down") })

	start := time.Now()
	if out, err := local("up"); err != nil {
		t.Fatalf("memon-local up: %v\n%s", err, out)
	}
	t.Logf("memon-local up (deploy): %s", time.Since(start).Round(time.Second))
	env := readEnvFile(t, filepath.Join(dir, "memon.env"))
	want := map[string]string{
		"AWS_ENDPOINT_URL": "http://localhost:" + port, "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
		"MEMON_TABLE": "memon", "MEMON_HISTORY_TABLE": "memon-history",
		"MEMON_TOPIC_ARN":     "arn:aws:sns:us-east-1:123456789012:memon",
		"MEMON_STACK_OUTPUTS": filepath.Join(dir, "outputs.json"),
		"MEMON_TOKEN_TABLE":   "memon-tokens", "MEMON_PING_URL": "http://127.0.0.1:8090",
		"MEMON_STATUS_URL": "http://127.0.0.1:8090", "MEMON_STATUS_PAGE": "true",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("memon.env %s=%q, want %q", k, env[k], v)
		}
	}
	for k, suffix := range map[string]string{"MEMON_QUEUE_URL": "/memon", "MEMON_DLQ_URL": "/memon-dlq"} {
		if !strings.HasSuffix(env[k], suffix) {
			t.Errorf("memon.env %s=%q, want a URL ending in %s", k, env[k], suffix)
		}
	}

	localRecipe(t, root, env)

	out, err := local("up")
	if err != nil || !strings.Contains(out, "not redeploying") {
		t.Errorf("second memon-local up should find the stack and skip the deploy: %v\n%s", err, out)
	}
	if out, err := local("down"); err != nil || !strings.Contains(out, "stopping moto_server") {
		t.Fatalf("memon-local down: %v\n%s", err, out)
	}
	client := http.Client{Timeout: time.Second}
	if resp, err := client.Get("http://localhost:" + port + "/moto-api/"); err == nil {
		resp.Body.Close()
		t.Error("moto still answers after memon-local down")
	}
}

// readEnvFile parses `export KEY=VALUE` lines (values without quoting).
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = strings.Trim(v, "'")
		}
	}
	return env
}

// localRecipe runs docs/development.md's local recipe for HTTPS pings,
// badges and the status page on the stack memon.env describes:
// memon-pingurl (on a free port, which MEMON_PING_URL and MEMON_STATUS_URL
// then name, instead of its default 8090), a token, a GET of its URL, a
// poll, and the event is up on its badge and the status page.
func localRecipe(t *testing.T, root string, env map[string]string) {
	t.Helper()
	bin := t.TempDir()
	for name, c := range map[string]string{"memon-config": "cmd/memon-config", "memon-pingurl": "cmd/memon-pingurl", "memon-poller": "lambdas/poller"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, name), "./"+c)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", c, err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env["MEMON_PING_URL"], env["MEMON_STATUS_URL"] = "http://"+addr, "http://"+addr
	environ := os.Environ()
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir, cmd.Env = root, environ
		return cmd
	}
	do := func(name string, args ...string) string {
		t.Helper()
		cmd := command(name, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	srv := command("memon-pingurl", "--addr", addr)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Signal(os.Interrupt); srv.Wait() })
	do("memon-config", "set", "hello", "--period", "30s")
	url := do("memon-config", "token", "hello")
	if !strings.HasPrefix(url, env["MEMON_PING_URL"]+"/ping/") {
		t.Fatalf("memon-config token printed %q", url)
	}
	var resp *http.Response
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(100 * time.Millisecond) {
		if resp, err = http.Get(url); err == nil {
			break
		}
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the ping URL: %v %v", resp, err)
	}
	resp.Body.Close()
	do("memon-poller", "--once")
	if out := do("memon-config", "show", "hello"); !strings.Contains(out, "up") {
		t.Errorf("after the ping and a poll, show hello:\n%s", out)
	}
	// The reads on the same listener: GET u with key as X-Api-Key (when given).
	get := func(u, key string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("X-Api-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
		}
		return string(b)
	}
	// The read-only API, with a key made for it.
	if body := get(env["MEMON_PING_URL"]+"/api/v3/checks/", do("memon-config", "api-key", "create", "--read-only")); !strings.Contains(body, `"name":"hello"`) ||
		!strings.Contains(body, `"status":"up"`) {
		t.Errorf("GET /api/v3/checks/ with the new key: %s", body)
	}
	badges := strings.Fields(do("memon-config", "badges"))
	if len(badges) != 3 || !strings.HasSuffix(badges[1], "/*.json") {
		t.Fatalf("memon-config badges printed %q", badges)
	}
	if got := get(badges[1], ""); got != `{"status":"up","total":1,"grace":0,"down":0}` {
		t.Errorf("the badge of every event: %s", got)
	}
	page := do("memon-config", "status-page")
	if body := get(page, ""); !strings.Contains(body, `data-name="hello" data-status="up"`) || strings.Contains(body, "<form") {
		t.Errorf("the status page:\n%s", body)
	}
}
