// Package mototest starts a private moto_server (a local AWS) for integration
// tests and hands out SDK configurations pointed at it.
//
// Tests never reach a real AWS endpoint: every configuration this package
// builds carries dummy static credentials and the moto endpoint. Under CI
// (CI=true) a missing moto_server is a test failure, never a silent skip.
package mototest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the region every moto-backed test uses.
const Region = "us-east-1"

// Server is a running moto_server owned by one test binary.
type Server struct {
	// Endpoint is the base URL, e.g. http://localhost:41234.
	Endpoint string
	cmd      *exec.Cmd
	rec      *recorder // nil unless EnvCalls is set (calls.go)
}

// ErrMissing reports that moto_server is not installed.
var ErrMissing = errors.New("moto_server not found on PATH: install it with `pip install 'moto[server]'`")

// Start launches moto_server on a free loopback port and waits until it answers.
func Start() (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, ErrMissing
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("find a free port for moto: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	// "localhost" rather than 127.0.0.1: moto would read a dotted IP host as an
	// S3 bucket name when the CDK CLI talks to it.
	s := &Server{Endpoint: fmt.Sprintf("http://localhost:%d", port), cmd: cmd}
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	rec, endpoint, err := startRecorder(s.Endpoint)
	if err != nil {
		s.Stop()
		return nil, err
	}
	if rec != nil {
		s.rec, s.Endpoint = rec, endpoint
	}
	return s, nil
}

func (s *Server) waitReady(limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for {
		resp, err := client.Get(s.Endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if !time.Now().Before(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("moto_server at %s did not answer within %s", s.Endpoint, limit)
}

// Stop ends the server.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.rec.stop()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// Reset wipes every resource in the server so tests can start clean.
func (s *Server) Reset() error {
	resp, err := http.Post(s.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return fmt.Errorf("reset moto: %w", err)
	}
	resp.Body.Close()
	return nil
}

// Config returns an SDK configuration with dummy credentials aimed at the server.
func (s *Server) Config(ctx context.Context) aws.Config {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(s.Endpoint),
	)
	if err != nil {
		// LoadDefaultConfig only fails on malformed shared config files; with
		// every source given explicitly that is a broken test machine.
		panic(fmt.Sprintf("build moto SDK config: %v", err))
	}
	return cfg
}

// Env returns the environment a child process needs to talk to the server
// (for testing built binaries): a copy of os.Environ without any AWS
// identity or endpoint of its own, plus AWSEnv.
func (s *Server) Env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
			"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION":
			continue
		}
		env = append(env, kv)
	}
	return append(env, s.AWSEnv()...)
}

// AWSEnv is the standard AWS configuration that points any SDK or CLI at
// the server with dummy credentials (AWS_DEFAULT_REGION for the v1 CLI).
func (s *Server) AWSEnv() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Main is for TestMain: it starts moto, runs the tests and stops it. With
// -short, or when moto_server is missing outside CI, the tests run with *srv
// nil and the ones that need moto skip themselves (see Need). Under CI=true a
// missing moto_server fails the package.
func Main(m *testing.M, srv **Server) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	s, err := Start()
	if err != nil {
		if errors.Is(err, ErrMissing) && os.Getenv("CI") != "true" {
			fmt.Fprintln(os.Stderr, "mototest: moto tests will skip:", err)
			return m.Run()
		}
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	*srv = s
	defer s.Stop()
	return m.Run()
}

// Need skips a test that needs moto when Main did not start it (only
// possible outside CI, or with -short).
func Need(t testing.TB, s *Server) {
	t.Helper()
	if s == nil {
		t.Skip("needs moto_server (run without -short; install with `pip install 'moto[server]'`)")
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
