// Command memon-pingurl serves MEMon's HTTPS ping API outside Lambda: for
// `make local`, tests, and self-hosting behind a TLS reverse proxy. It is the
// handler the function URL serves (internal/pingurl), wired from the same
// environment as the Lambda (pingurl.FromEnv).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/peerj/memon/internal/pingurl"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/statusurl"
	"github.com/peerj/memon/internal/statusurl/awsenv"
	"github.com/peerj/memon/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: memon-pingurl [--addr HOST:PORT] [--min-latency DUR] [--max-in-flight N]
       memon-pingurl --version | version

Serves MEMon's ping API (HEAD|GET|POST /ping/<token>[/start|/fail|/log|/<exit code>],
/ping/<ping-key>/<event>[...], the same without /ping, and Uptime Kuma's
/api/push/<token>) over plain HTTP; put a TLS reverse proxy in front of it when it leaves the host.
On the same listener it serves the read routes of the stack output StatusUrl
(GET /api/v1|v2|v3/checks/... with X-Api-Key, /badge/<badge-key>/..., and with
MEMON_STATUS_PAGE=true or details /status/<status-key>/), with their own bound of 8 at
once, so reads never take a ping's place.
  --addr HOST:PORT      where to listen (default ` + settings.PingURLAddr + `; memon-config ui takes 8080)
  --min-latency DUR     least time an answer takes (default 250ms)
  --max-in-flight N     requests served at once; more are answered 429 (default 16)

Environment (required): MEMON_QUEUE_URL, MEMON_TOKEN_TABLE; MEMON_TABLE (the
events table, whose TokenHash says which token is current; default the tokens
table's name without -tokens); MEMON_HISTORY_TABLE (flips; default the events
table's name + -history); and the standard AWS_REGION, AWS_PROFILE,
AWS_ENDPOINT_URL.
`

// options are memon-pingurl's flags.
type options struct {
	addr        string
	minLatency  time.Duration
	maxInFlight int
	version     bool
}

// newFlagSet binds memon-pingurl's flags to o; usage describes them.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("memon-pingurl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.addr, "addr", settings.PingURLAddr, "where to listen, `HOST:PORT`")
	fs.DurationVar(&o.minLatency, "min-latency", pingurl.DefaultMinLatency, "least time an answer takes, `DUR`")
	fs.IntVar(&o.maxInFlight, "max-in-flight", pingurl.DefaultMaxInFlight, "requests served at once, `N`")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	return fs
}

// run listens on --addr until ctx ends.
func run(ctx context.Context, args []string, getenv settings.Lookup, stdout, stderr io.Writer) int {
	o := &options{}
	fs := newFlagSet(o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "memon-pingurl: %v\n\n%s", err, usage)
		return 2
	}
	if o.version || (fs.NArg() == 1 && fs.Arg(0) == "version") {
		fmt.Fprintf(stdout, "memon-pingurl %s\n", version.String())
		return 0
	}
	if o.addr == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "memon-pingurl: give --addr HOST:PORT (default %s)\n\n%s", settings.PingURLAddr, usage)
		return 2
	}
	if o.minLatency < 0 || o.maxInFlight < 1 {
		fmt.Fprintf(stderr, "memon-pingurl: --min-latency must be 0 or more and --max-in-flight at least 1\n")
		return 2
	}
	// A floor of 0 is asked as 1ns: 0 would take the default.
	floor := max(o.minLatency, time.Nanosecond)
	var pings pingurl.Config
	pings.MinLatency, pings.MaxInFlight = floor, o.maxInFlight
	h, err := pingurl.FromEnv(ctx, getenv, pings)
	if err != nil {
		fmt.Fprintln(stderr, "memon-pingurl:", err)
		return 2
	}
	// The read routes (the read-only Management API, badges, the status
	// page) on the same listener, with their own in-flight bound.
	var readCfg statusurl.Config
	readCfg.MinLatency = floor
	reads, err := awsenv.FromEnv(ctx, getenv, readCfg)
	if err != nil {
		fmt.Fprintln(stderr, "memon-pingurl:", err)
		return 2
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintf(stderr, "memon-pingurl: listen on --addr %s: %v\n", o.addr, err)
		return 1
	}
	fmt.Fprintf(stdout, "memon-pingurl: serving http://%s/ping/<token>\n", l.Addr())
	if err := pingurl.Serve(ctx, l, h, reads); err != nil {
		fmt.Fprintln(stderr, "memon-pingurl:", err)
		return 1
	}
	return 0
}
