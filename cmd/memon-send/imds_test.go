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
	creds := []string{"AWS_ACCESS_KEY_ID=" + string(mototest.Sender), "AWS_SECRET_ACCESS_KEY=test", "AWS_ENDPOINT_URL=" + moto.Endpoint}

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

// fakeSQS answers every SQS call with one AWS error, as SQS does for a
// sender without permission or with refused keys.
func sqsRefusing(code, message string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Query-Error", code+";Sender")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sqs#` + code + `","message":"` + message + `"}`))
	}))
}

// TestIntegrationErrorsSayWhatToFix: under a cron job's bare environment,
// each credential, permission and queue problem is one line on stderr that
// names the fix, with no SDK log line beside it.
func TestIntegrationErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	mototest.Need(t, moto)
	newQueue(t, "it-errors")
	imds := httptest.NewServer(&fakeIMDS{}) // the region, but no instance role
	defer imds.Close()
	denied := sqsRefusing("AccessDenied", "User: arn:aws:iam::123456789012:user/cron is not authorized to perform: sqs:sendmessage")
	defer denied.Close()
	refused := sqsRefusing("InvalidClientTokenId", "The security token included in the request is invalid.")
	defer refused.Close()
	keys := []string{"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=" + mototest.Region}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"no credentials on an EC2 host without a role",
			[]string{"AWS_ENDPOINT_URL=" + moto.Endpoint, "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL},
			[]string{"--queue", "it-errors", "nightly"},
			[]string{"no AWS credentials", "attach the memon-sender policy", "AWS_PROFILE"}},
		{"no permission on the queue", append(keys, "AWS_ENDPOINT_URL="+denied.URL),
			[]string{"--queue-url", denied.URL + "/123456789012/memon", "nightly"},
			[]string{"not allowed to send to the queue (AccessDenied)", "attach the memon-sender policy", "check AWS_PROFILE"}},
		{"refused keys", append(keys, "AWS_ENDPOINT_URL="+refused.URL),
			[]string{"--queue-url", refused.URL + "/123456789012/memon", "nightly"},
			[]string{"AWS refused the credentials (InvalidClientTokenId)", "check AWS_PROFILE", "memon-sender"}},
		{"a profile that does not exist", append(keys, "AWS_ENDPOINT_URL="+moto.Endpoint, "AWS_PROFILE=cron", "HOME=/nonexistent"),
			[]string{"--queue", "it-errors", "nightly"},
			[]string{"AWS_PROFILE=cron names no profile", "memon-sender"}},
		{"no such queue", append(keys, "AWS_ENDPOINT_URL="+moto.Endpoint),
			[]string{"--queue", "it-no-such-queue", "nightly"},
			[]string{`no queue named "it-no-such-queue" in region us-east-1`, "--queue-url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runBare(t, tc.env, tc.args...)
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], `memon-send: success ping for "nightly" not sent: `) {
				t.Fatalf("exit %d, want 1 and one line from memon-send:\n%s", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "SDK ") || strings.Contains(out, "WARN") || strings.Contains(out, "operation error") {
				t.Errorf("an SDK line or chain leaked:\n%s", out)
			}
		})
	}
}
