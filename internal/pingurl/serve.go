package pingurl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/version"
)

const serveUsage = `usage: memon-pingurl --addr HOST:PORT [--min-latency DUR] [--max-in-flight N]
       memon-pingurl --version | version

Serves MEMon's ping API (GET|POST /ping/<token>[/start|/fail|/<exit code>])
over plain HTTP; put a TLS reverse proxy in front of it when it leaves the host.
  --addr HOST:PORT      where to listen (e.g. 127.0.0.1:8080)
  --min-latency DUR     least time an answer takes (default 250ms)
  --max-in-flight N     requests served at once; more are answered 429 (default 16)

Environment (required): MEMON_QUEUE_URL, MEMON_TOKEN_TABLE; and the standard
AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL.
`

// Serve is memon-pingurl's main: it listens on --addr until ctx ends.
func Serve(ctx context.Context, args []string, getenv settings.Lookup, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("memon-pingurl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "", "")
	minLatency := fs.Duration("min-latency", DefaultMinLatency, "")
	maxInFlight := fs.Int("max-in-flight", DefaultMaxInFlight, "")
	showVersion := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, serveUsage)
			return 0
		}
		fmt.Fprintf(stderr, "memon-pingurl: %v\n\n%s", err, serveUsage)
		return 2
	}
	if *showVersion || (fs.NArg() == 1 && fs.Arg(0) == "version") {
		fmt.Fprintf(stdout, "memon-pingurl %s\n", version.String())
		return 0
	}
	if *addr == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "memon-pingurl: give --addr HOST:PORT (e.g. --addr 127.0.0.1:8080)\n\n%s", serveUsage)
		return 2
	}
	if *minLatency < 0 || *maxInFlight < 1 {
		fmt.Fprintf(stderr, "memon-pingurl: --min-latency must be 0 or more and --max-in-flight at least 1\n")
		return 2
	}
	h, err := FromEnv(ctx, getenv, Config{MinLatency: max(*minLatency, time.Nanosecond), MaxInFlight: *maxInFlight})
	if err != nil {
		fmt.Fprintln(stderr, "memon-pingurl:", err)
		return 2
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "memon-pingurl: listen on --addr %s: %v\n", *addr, err)
		return 1
	}
	srv := newServer(h)
	fmt.Fprintf(stdout, "memon-pingurl: serving http://%s/ping/<token>\n", l.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "memon-pingurl:", err)
		return 1
	}
	return 0
}

// newServer is memon-pingurl's HTTP server. Its timeouts bound how long a
// connection may take; the handler reads a body within its own shorter
// BodyTimeout, before the request takes an in-flight slot.
func newServer(h *Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}
