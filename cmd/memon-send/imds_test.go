package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

// fakeIMDS serves the two IMDSv2 calls the SDK makes for the region: a
// session token (PUT), then the instance identity document with that token.
type fakeIMDS struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeIMDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	switch {
	case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" && r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") != "":
		w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
		_, _ = w.Write([]byte("imds-token"))
	case r.Method == http.MethodGet && r.URL.Path == "/latest/dynamic/instance-identity/document":
		if r.Header.Get("X-Aws-Ec2-Metadata-Token") != "imds-token" {
			http.Error(w, "IMDSv2 token required", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"region": "` + mototest.Region + `", "instanceId": "i-0123456789abcdef0", "accountId": "123456789012"}`))
	default:
		http.NotFound(w, r)
	}
}

// runBare runs the memon-send binary under `env -i` plus only env: no PATH,
// no HOME, no region, as a cron job on a host starts.
func runBare(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("/usr/bin/env", append(append([]string{"-i"}, env...), append([]string{binary(t)}, args...)...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// TestIntegrationRegionFromInstanceMetadata: on an EC2 host a
// cron job's bare environment has no region; memon-send asks the instance
// metadata service (IMDSv2) for it, and finds the queue by name.
func TestIntegrationRegionFromInstanceMetadata(t *testing.T) {
	t.Parallel()
	mototest.Need(t, moto)
	url := newQueue(t, "it-imds")
	imds := &fakeIMDS{}
	srv := httptest.NewServer(imds)
	defer srv.Close()
	creds := []string{"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_ENDPOINT_URL=" + moto.Endpoint}

	code, out := runBare(t, append(creds, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+srv.URL), "--queue", "it-imds", "nightly")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	if m := drain(t, url, 1)[0].msg; m.Name != "nightly" || m.Signal != memon.Success {
		t.Errorf("ping %+v", m)
	}
	imds.mu.Lock()
	calls := strings.Join(imds.calls, ", ")
	imds.mu.Unlock()
	if !strings.Contains(calls, "PUT /latest/api/token") || !strings.Contains(calls, "GET /latest/dynamic/instance-identity/document") {
		t.Errorf("metadata calls %q: want an IMDSv2 token, then the region", calls)
	}

	// Off EC2 nothing answers: memon-send gives up quickly and says what to set.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + closed.Addr().String()
	closed.Close()
	began := time.Now()
	code, out = runBare(t, append(creds, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+dead), "--queue", "it-imds", "nightly")
	if code != 1 || !strings.Contains(out, "no AWS region: set --region or AWS_REGION") {
		t.Errorf("exit %d: %s", code, out)
	}
	if d := time.Since(began); d > 4*time.Second {
		t.Errorf("took %s without a metadata service: want the short timeout", d)
	}
}
