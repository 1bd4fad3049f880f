package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/settings"
)

// local is `make local`'s state: the port, the state directory (pid file,
// logs, outputs, env file) and the stack.
type local struct {
	port, dir, stack, root string
	log                    io.Writer
}

func localFrom(getenv func(string) string, log io.Writer) *local {
	return &local{
		port:  cmp.Or(getenv("MOTO_PORT"), "5055"),
		dir:   cmp.Or(getenv("MEMON_LOCAL_DIR"), ".local"),
		stack: cmp.Or(getenv("MEMON_STACK"), settings.StackName("")),
		root:  ".", // the Makefile runs it from the module root, where cdk.json is
		log:   log,
	}
}

func (l *local) say(format string, args ...any) { fmt.Fprintf(l.log, "local: "+format+"\n", args...) }

func (l *local) pidFile() string { return filepath.Join(l.dir, "moto.pid") }

// "localhost", not 127.0.0.1: moto reads a dotted host as an S3 bucket.
func (l *local) server() *mototest.Server {
	return mototest.Attach("http://localhost:" + l.port)
}

func (l *local) up(ctx context.Context) error {
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return err
	}
	if _, err := mototest.CDK(l.root); err != nil {
		l.say("installing the pinned CDK CLI (npm ci)")
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Stdout, cmd.Stderr = l.log, l.log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("npm ci: %w", err)
		}
	}
	srv := l.server()
	if err := l.startMoto(srv); err != nil {
		return err
	}
	status, out, err := srv.Stack(ctx, l.stack)
	if err != nil {
		return err
	}
	if mototest.Complete(status) {
		l.say("stack %s is already %s in moto: not redeploying", l.stack, status)
	} else {
		logPath := filepath.Join(l.dir, "deploy.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			return err
		}
		defer logFile.Close()
		l.say("cdk deploy %s into moto (builds the poller; the first run compiles the CDK app, ~1-2 min; log: %s)", l.stack, logPath)
		// The app is cdk.json's (go run ./infra), as `cdk deploy` runs it.
		out, err = srv.Deploy(ctx, mototest.Deployment{Root: l.root, Stack: l.stack, WorkDir: l.root, Log: logFile})
		if err != nil {
			return fmt.Errorf("%w\n(full log: %s)", err, logPath)
		}
	}
	// The HTTPS routes (memon-pingurl: pings, badges, the status page)
	// need the tokens table, which the stack makes only with httpPings.
	tokens, err := srv.EnsureTokenTable(ctx, out.TableName)
	if err != nil {
		return err
	}
	return l.writeEnv(srv, out, tokens)
}

// writeEnv writes outputs.json (as `cdk deploy --outputs-file` does) and
// memon.env, which a shell sources: the stack's outputs, the tokens table,
// the URL memon-pingurl serves on by default, and the status page on.
func (l *local) writeEnv(srv *mototest.Server, out mototest.Outputs, tokens string) error {
	outputs, err := filepath.Abs(filepath.Join(l.dir, "outputs.json"))
	if err != nil {
		return err
	}
	body, _ := json.MarshalIndent(map[string]map[string]string{l.stack: out.All}, "", "  ")
	if err := os.WriteFile(outputs, append(body, '\n'), 0o644); err != nil {
		return err
	}
	lines := append(srv.AWSEnv(), out.Env()...)
	lines = append(lines, "MEMON_DLQ_URL="+out.DeadLetterQueueURL, "MEMON_STACK_OUTPUTS="+outputs,
		settings.EnvTokenTable+"="+tokens, settings.EnvPingURL+"=http://"+settings.PingURLAddr,
		// memon-pingurl serves the reads (badges, the status page) too.
		settings.EnvStatusURL+"=http://"+settings.PingURLAddr, settings.EnvStatusPage+"=true")
	var b strings.Builder
	b.WriteString("# MEMon against the local moto stack; written by tools/memon-local (make local). Source it.\n")
	for _, kv := range lines {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	envPath := filepath.Join(l.dir, "memon.env")
	if err := os.WriteFile(envPath, []byte(b.String()), 0o644); err != nil {
		return err
	}
	l.say("wrote %s and %s", envPath, outputs)
	l.say("ready: . %s   (stop with: make local-down)", envPath)
	return nil
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]*$`)

func shellQuote(v string) string {
	if shellSafe.MatchString(v) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// startMoto starts moto_server in the background, detached so it outlives
// this command, unless something already answers on the port.
func (l *local) startMoto(srv *mototest.Server) error {
	if srv.Answers() {
		if pid, ok := l.ourMoto(); ok {
			l.say("moto started earlier by make local (pid %d) answers at %s", pid, srv.Endpoint)
		} else {
			_ = os.Remove(l.pidFile())
			l.say("moto already answers at %s: using it (make local-down will not stop it)", srv.Endpoint)
		}
		return nil
	}
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return mototest.ErrMissing
	}
	logPath := filepath.Join(l.dir, "moto.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	l.say("starting moto_server on localhost:%s (log: %s)", l.port, logPath)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", l.port)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // not killed with make's process group
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start moto_server: %w", err)
	}
	pid := cmd.Process.Pid
	if err := os.WriteFile(l.pidFile(), []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if srv.Answers() {
			l.say("moto ready (pid %d)", pid)
			return nil
		}
		select {
		case err := <-exited:
			_ = os.Remove(l.pidFile())
			return fmt.Errorf("moto_server exited (%v); see %s", err, logPath)
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("moto_server did not answer on %s within 30s; see %s", srv.Endpoint, logPath)
}

// ourMoto returns the pid in the pid file if that process is a running
// moto_server.
func (l *local) ourMoto() (int, bool) {
	b, err := os.ReadFile(l.pidFile())
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), "moto_server") {
		return pid, false
	}
	return pid, true
}

func (l *local) down() error {
	if _, err := os.Stat(l.pidFile()); errors.Is(err, os.ErrNotExist) {
		l.say("no moto started by make local (no %s): nothing to stop", l.pidFile())
		return nil
	}
	pid, ok := l.ourMoto()
	if !ok {
		l.say("moto_server (pid %d) is no longer running", pid)
		return os.Remove(l.pidFile())
	}
	l.say("stopping moto_server (pid %d)", pid)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop moto_server (pid %d): %w", pid, err)
	}
	for range 50 {
		if _, ok := l.ourMoto(); !ok {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return os.Remove(l.pidFile())
}
