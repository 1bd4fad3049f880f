package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/pkg/memon"
)

// TestIntegrationSignalsReachTheCommand: each catchable
// terminating signal sent to the memon-send binary reaches the wrapped
// command; memon-send waits for it, exits with its status and sends the
// outcome ping, also when the signal kills the command.
func TestIntegrationSignalsReachTheCommand(t *testing.T) {
	t.Parallel()
	mototest.Need(t, moto)
	for _, tc := range []struct {
		sig      syscall.Signal
		trap     bool
		wantCode int
		wantTail string
	}{
		{syscall.SIGHUP, true, 7, "got HUP"},
		{syscall.SIGINT, true, 7, "got INT"},
		{syscall.SIGQUIT, true, 7, "got QUIT"},
		{syscall.SIGTERM, true, 7, "got TERM"},
		{syscall.SIGUSR1, true, 7, "got USR1"},
		{syscall.SIGUSR2, true, 7, "got USR2"},
		{syscall.SIGHUP, false, 128 + int(syscall.SIGHUP), "killed by signal: hangup"},
		{syscall.SIGUSR1, false, 128 + int(syscall.SIGUSR1), "killed by signal: user defined signal 1"},
	} {
		name := fmt.Sprintf("%d-trap-%v", int(tc.sig), tc.trap)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := newQueue(t, "it-sig-"+name)
			ready := filepath.Join(t.TempDir(), "ready")
			sigName := signalName(tc.sig)
			// Bounded, so a memon-send that dies without forwarding leaves no
			// command running for long.
			script := fmt.Sprintf("touch %s; i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exit 99", ready)
			if tc.trap {
				script = fmt.Sprintf("trap 'echo got %s; exit 7' %s; %s", sigName, sigName, script)
			}
			cmd := exec.Command(binary(t), "--timeout", "3s", "--queue-url", url, "nightly", "--", "sh", "-c", script)
			cmd.Env = moto.EnvAs(mototest.Sender)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.WaitDelay = time.Second // the command may outlive a memon-send that does not forward
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ready)
			time.Sleep(50 * time.Millisecond) // the trap is set before touch; let memon-send's handler be in place too
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantCode {
				t.Fatalf("memon-send exit %d, want the command's %d (stderr %q)", code, tc.wantCode, stderr.String())
			}
			got := drain(t, url, 2)
			end := got[1].msg
			if end.Signal != memon.Fail || end.ExitCode == nil || *end.ExitCode != tc.wantCode || !strings.Contains(end.Message, tc.wantTail) {
				t.Errorf("outcome %+v, want fail, exit %d, output with %q", end, tc.wantCode, tc.wantTail)
			}
		})
	}
}

// TestIntegrationNoOutput: --no-output keeps the command's output out of the
// ping (and so out of the alert), while the caller still sees it.
func TestIntegrationNoOutput(t *testing.T) {
	t.Parallel()
	mototest.Need(t, moto)
	url := newQueue(t, "it-no-output")
	r := runBinary(t, nil, "--queue-url", url, "--no-output", "nightly", "--", "sh", "-c", "echo token=s3cret; exit 3")
	if r.code != 3 || r.stdout != "token=s3cret\n" {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	end := drain(t, url, 2)[1].msg
	if end.Signal != memon.Fail || strings.Contains(end.Message, "s3cret") {
		t.Errorf("outcome %+v carries the output", end)
	}
}

func signalName(s syscall.Signal) string {
	return map[syscall.Signal]string{syscall.SIGHUP: "HUP", syscall.SIGINT: "INT", syscall.SIGQUIT: "QUIT",
		syscall.SIGTERM: "TERM", syscall.SIGUSR1: "USR1", syscall.SIGUSR2: "USR2"}[s]
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s never appeared", path)
}
