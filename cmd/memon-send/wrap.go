package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// Conventional shell statuses for a command that could not be run.
const (
	exitNotFound      = 127
	exitNotExecutable = 126
)

// pipeGrace bounds how long output is drained after the command exits, so a
// background process that inherited its stdout cannot hold memon-send open.
const pipeGrace = 2 * time.Second

// result is what a wrapped command did.
type result struct {
	code     int           // the status memon-send exits with
	started  bool          // false when the command could not be run
	err      error         // why it could not be run, or nil
	signal   os.Signal     // what killed it, or nil
	duration time.Duration // start to exit
}

// forwarded are the catchable signals that end a process by default (and
// the user signals a job may expect): memon-send passes each to the command
// instead of dying, waits for the command, and so always sends the outcome.
var forwarded = []os.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2}

// runCommand runs argv with the caller's stdin, copying its stdout and stderr
// both to the caller and into tail, forwarding the signals in forwarded.
func runCommand(argv []string, stdin io.Reader, stdout, stderr io.Writer, tail io.Writer) result {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = stdin
	cmd.Stdout = io.MultiWriter(stdout, tail)
	cmd.Stderr = io.MultiWriter(stderr, tail)
	cmd.WaitDelay = pipeGrace

	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)

	began := time.Now()
	if err := cmd.Start(); err != nil {
		return result{code: exitStatus(err, nil), err: err, duration: time.Since(began)}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	res := result{started: true, duration: time.Since(began)}
	res.code = exitStatus(err, cmd.ProcessState)
	if cmd.ProcessState == nil {
		res.err = err
	} else if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.signal = ws.Signal()
	}
	return res
}

// exitStatus maps how a command ended to the status a shell would report:
// its exit code, 128+N when killed by signal N, 127 when it does not exist
// and 126 when it exists but cannot be executed.
func exitStatus(err error, state *os.ProcessState) int {
	if state != nil {
		// Set whenever the process ran, even when Wait also returned
		// exec.ErrWaitDelay because a grandchild kept the output open.
		if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return state.ExitCode()
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return exitNotFound
	default: // permission denied, exec format error, a directory, ...
		return exitNotExecutable
	}
}

// startError phrases why a command could not be run, the way a shell does.
func startError(argv0 string, err error) string {
	switch exitStatus(err, nil) {
	case exitNotFound:
		return fmt.Sprintf("%s: command not found", argv0)
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Sprintf("%s: cannot execute: %v", argv0, pe.Err)
		}
		var ee *exec.Error
		if errors.As(err, &ee) {
			return fmt.Sprintf("%s: cannot execute: %v", argv0, ee.Err)
		}
		return fmt.Sprintf("%s: cannot execute: %v", argv0, err)
	}
}
