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
)

func TestExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notExec := filepath.Join(dir, "script")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\nexit 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badFormat := filepath.Join(dir, "garbage")
	if err := os.WriteFile(badFormat, []byte{0x7f, 'E', 'L', 'F', 0, 0, 0}, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		argv []string
		want int
	}{
		{name: "success", argv: []string{"sh", "-c", "exit 0"}, want: 0},
		{name: "exit 1", argv: []string{"sh", "-c", "exit 1"}, want: 1},
		{name: "exit 255", argv: []string{"sh", "-c", "exit 255"}, want: 255},
		{name: "killed by SIGTERM", argv: []string{"sh", "-c", "kill -TERM $$"}, want: 128 + int(syscall.SIGTERM)},
		{name: "killed by SIGKILL", argv: []string{"sh", "-c", "kill -KILL $$"}, want: 128 + int(syscall.SIGKILL)},
		{name: "not on PATH", argv: []string{"memon-no-such-command"}, want: 127},
		{name: "path does not exist", argv: []string{filepath.Join(dir, "missing")}, want: 127},
		{name: "not executable", argv: []string{notExec}, want: 126},
		{name: "a directory", argv: []string{dir}, want: 126},
		{name: "bad executable format", argv: []string{badFormat}, want: 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			res := runCommand(tt.argv, nil, &out, &out, newRing(64))
			if res.code != tt.want {
				t.Fatalf("%q: code %d (err %v), want %d", tt.argv, res.code, res.err, tt.want)
			}
			if (res.err != nil) == res.started {
				t.Errorf("started = %v with err %v", res.started, res.err)
			}
		})
	}
}

func TestExitStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
		line string
	}{
		{nil, 0, ""},
		{&exec.Error{Name: "x", Err: exec.ErrNotFound}, 127, "x: command not found"},
		{&os.PathError{Op: "fork/exec", Path: "x", Err: syscall.ENOENT}, 127, "x: command not found"},
		{&exec.Error{Name: "x", Err: os.ErrPermission}, 126, "x: cannot execute: permission denied"},
		{&os.PathError{Op: "fork/exec", Path: "x", Err: syscall.EACCES}, 126, "x: cannot execute: permission denied"},
		{&os.PathError{Op: "fork/exec", Path: "x", Err: syscall.ENOEXEC}, 126, "x: cannot execute: exec format error"},
		{errors.New("weird"), 126, "x: cannot execute: weird"},
	}
	for _, tt := range tests {
		if got := exitStatus(tt.err, nil); got != tt.want {
			t.Errorf("exitStatus(%v) = %d, want %d", tt.err, got, tt.want)
		}
		if tt.err == nil {
			continue
		}
		if got := startError("x", tt.err); got != tt.line {
			t.Errorf("startError(%v) = %q, want %q", tt.err, got, tt.line)
		}
	}
}

func TestRunCommandTeesOutput(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	tail := newRing(16)
	res := runCommand([]string{"sh", "-c", `read line; echo "got $line"; echo oops >&2; exit 3`},
		strings.NewReader("input\n"), &stdout, &stderr, tail)
	if res.code != 3 || !res.started || res.err != nil {
		t.Fatalf("result %+v, want code 3", res)
	}
	if stdout.String() != "got input\n" || stderr.String() != "oops\n" {
		t.Errorf("stdout %q stderr %q: the caller must see the command's output", stdout.String(), stderr.String())
	}
	if got := tail.String(); !strings.Contains(got, "got input") || !strings.Contains(got, "oops") {
		t.Errorf("tail %q, want both streams", got)
	}
}

func TestRunCommandKeepsLastBytes(t *testing.T) {
	t.Parallel()
	var sink bytes.Buffer
	tail := newRing(4096)
	res := runCommand([]string{"sh", "-c", `i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done`}, nil, &sink, &sink, tail)
	if res.code != 0 {
		t.Fatalf("code %d", res.code)
	}
	got := tail.String()
	if len(got) != 4096 || !strings.HasSuffix(got, "line 1999\n") {
		t.Errorf("tail is %d bytes ending %q", len(got), got[len(got)-12:])
	}
	if sink.Len() < 10000 {
		t.Errorf("caller saw %d bytes, want all output", sink.Len())
	}
}

// SIGTERM sent to memon-send reaches the child, whose death by that signal
// becomes status 143.
func TestRunCommandForwardsSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("sends a signal to the test process")
	}
	ready := filepath.Join(t.TempDir(), "ready")
	go func() {
		for {
			if _, err := os.Stat(ready); err == nil {
				_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var sink bytes.Buffer
	res := runCommand([]string{"sh", "-c", fmt.Sprintf("touch %s; exec sleep 10", ready)}, nil, &sink, &sink, newRing(64))
	if res.code != 128+int(syscall.SIGTERM) || res.signal != syscall.SIGTERM {
		t.Fatalf("code %d signal %v, want 143 by SIGTERM", res.code, res.signal)
	}
}
