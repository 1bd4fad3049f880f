package main

import (
	"bufio"
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
