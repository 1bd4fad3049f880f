package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon/ping"
)

// options is the parsed command line.
type options struct {
	event     string
	fail      bool
	start     bool
	log       bool
	signal    ping.Signal // from fail/start/log: success, start, fail or log
	exitCode  *int        // with fail
	message   string
	noOutput  bool
	runID     string
	host      string // "" means os.Hostname
	queueURL  string
	queueName string
	region    string
	timeout   time.Duration
	command   []string // wrapper mode: everything after --
	help      bool
	version   bool
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

const defaultTimeout = 5 * time.Second

// newFlagSet defines every flag on a silent FlagSet bound to o.
func newFlagSet(o *options, exitCode *string) *flag.FlagSet {
	fs := flag.NewFlagSet("memon-send", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.BoolVar(&o.fail, "fail", false, "send a failure instead of a success")
	fs.BoolVar(&o.start, "start", false, "send a start (the job began; a success or fail follows)")
	fs.BoolVar(&o.log, "log", false, "send --message to the event's history only: no run, no change of state")
	fs.StringVar(exitCode, "exit-code", "", "`N`, the job's exit status (0-255): anything but 0 sends a failure, with or without --fail")
	fs.StringVar(&o.message, "message", "", "a short `TEXT` to send (only the last 4096 bytes are kept)")
	fs.BoolVar(&o.noOutput, "no-output", false, "send none of the command's output (wrapper mode): the ping, and so the alert, carries only the exit status")
	fs.StringVar(&o.runID, "run-id", "", "`ID` tying a start to its success or fail (wrapper mode generates one)")
	fs.StringVar(&o.host, "host", "", "host `NAME` to report (default: this machine's hostname)")
	fs.StringVar(&o.queueURL, "queue-url", "", "queue `URL` (env "+settings.EnvQueueURL+"; default: look up --queue by name)")
	fs.StringVar(&o.queueName, "queue", settings.DefaultQueueName, "queue `NAME` to look up with GetQueueUrl when no URL is set")
	fs.StringVar(&o.region, "region", "", "AWS `REGION` (env AWS_REGION, AWS_DEFAULT_REGION, the AWS_PROFILE profile, or the queue URL's region)")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "bound on each send including retries, e.g. 5s or 500ms")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.help, "help", false, "print this help and exit")
	return fs
}

// parseArgs reads `[flags] EVENT [flags] [-- COMMAND [ARGS...]]`. Flags may
// come before or after EVENT; everything after the first `--` is the command.
func parseArgs(args []string) (options, error) {
	o := options{signal: ping.Success}
	var exitCode string
	fs := newFlagSet(&o, &exitCode)

	flagArgs, positional, command, dashdash := split(fs, args)
	if err := fs.Parse(flagArgs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			o.help = true
			return o, nil
		}
		return o, usagef("%v (see memon-send --help)", err)
	}
	positional = append(positional, fs.Args()...)
	if o.help || o.version {
		return o, nil
	}

	if len(positional) == 1 && positional[0] == "version" && !dashdash {
		o.version = true // `memon-send version`, as every MEMon binary takes it
		return o, nil
	}
	switch {
	case len(positional) == 0:
		return o, usagef("missing EVENT: usage: memon-send [flags] EVENT [-- COMMAND [ARGS...]]")
	case len(positional) > 1:
		return o, usagef("unexpected argument %q after EVENT %q: to wrap a command put it after --, as in memon-send EVENT -- COMMAND ARGS", positional[1], positional[0])
	}
	o.event = positional[0]
	if err := ping.ValidateName(o.event); err != nil {
		return o, usagef("EVENT: %v", err)
	}
	if dashdash && len(command) == 0 {
		return o, usagef("missing COMMAND after --: usage: memon-send [flags] EVENT -- COMMAND [ARGS...]")
	}
	o.command = command

	switch {
	case o.start && o.fail:
		return o, usagef("--start and --fail cannot be combined: a ping carries one signal")
	case o.log && (o.start || o.fail || exitCode != ""):
		return o, usagef("--log cannot be combined with --start, --fail or --exit-code: a ping carries one signal")
	case o.log && len(o.command) > 0:
		return o, usagef("--log cannot be used with a command: memon-send sends start, then success or fail from the command's exit status")
	case o.log:
		o.signal = ping.Log
	case o.start:
		o.signal = ping.Start
	case o.fail:
		o.signal = ping.Fail
	}
	if exitCode != "" {
		n, err := strconv.Atoi(exitCode)
		if err != nil || n < 0 || n > 255 {
			return o, usagef("--exit-code %q is invalid: want a number from 0 to 255", exitCode)
		}
		switch {
		case o.signal == ping.Start:
			return o, usagef("--exit-code %d cannot be used with --start: a start has no exit status yet", n)
		case n != 0:
			o.signal = ping.Fail // an exit status other than 0 is a failure, as the shell reads it
		}
		o.exitCode = &n
	}
	if o.timeout <= 0 {
		return o, usagef("--timeout %s is invalid: want a positive duration such as 5s or 500ms", o.timeout)
	}
	if len(o.runID) > ping.MaxRunIDLen {
		return o, usagef("--run-id is %d bytes: want at most %d", len(o.runID), ping.MaxRunIDLen)
	}
	if len(o.host) > ping.MaxHostLen {
		return o, usagef("--host is %d bytes: want at most %d", len(o.host), ping.MaxHostLen)
	}
	if o.command != nil {
		switch {
		case o.signal != ping.Success:
			return o, usagef("--%s cannot be used with a command: memon-send sends start, then success or fail from the command's exit status", o.signal)
		case o.message != "":
			return o, usagef("--message cannot be used with a command: the ping carries the command's last output")
		}
	}
	if o.noOutput && o.message != "" {
		return o, usagef("--no-output and --message were both given: --no-output sends no text, so drop one")
	}
	// --message longer than ping.MaxMessageLen is trimmed to its tail by
	// ping.EncodeMessage, not rejected.
	return o, nil
}

// split separates flags (with their values) from positional arguments and
// the command after `--`, so that flags may follow EVENT. Whether a flag
// takes a separate value is read from the FlagSet itself.
func split(fs *flag.FlagSet, args []string) (flagArgs, positional, command []string, dashdash bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return flagArgs, positional, args[i+1:], true
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flagArgs = append(flagArgs, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil || isBool(f) {
			continue
		}
		if i+1 < len(args) {
			i++
			flagArgs = append(flagArgs, args[i])
		}
	}
	return flagArgs, positional, nil, false
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

const usageHead = `memon-send: tell MEMon that a job ran.

Usage:
  memon-send [flags] EVENT                      send a success ping
  memon-send --fail [--exit-code N] EVENT       send a failure (--exit-code N alone: a failure unless N is 0)
  memon-send --start [--run-id ID] EVENT        send a start
  memon-send --log --message TEXT EVENT         record TEXT in the event's history
  memon-send [flags] EVENT -- COMMAND [ARGS...] run COMMAND: send start, then
                                                success or fail with its exit
                                                code, duration and last output;
                                                exit with COMMAND's own status

In wrapper mode the last 4 KB of COMMAND's output (stdout and stderr) goes
into the ping, and from there into the FAILED or UP alert e-mail: use
--no-output when it may hold secrets. HUP, INT, QUIT, TERM, USR1 and USR2
sent to memon-send are passed to COMMAND; memon-send waits for it and always
sends the outcome.

  memon-send version                            print the version (as --version)

EVENT is 1 to 80 characters from A-Z a-z 0-9 and . _ - : / @ + ("version"
alone prints the version instead)

Flags (one or two dashes; they may also follow EVENT):
`

const usageTail = `
Environment:
  MEMON_QUEUE_URL     queue URL when --queue-url is not given; with neither,
                      the queue named by --queue (default "memon") is looked
                      up with sqs:GetQueueUrl
  AWS_REGION          region (also AWS_DEFAULT_REGION, or the profile's);
                      --region wins, then the region in the queue URL; with
                      none of these, the EC2 instance metadata service (1s)
  AWS_PROFILE         shared config/credentials profile
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
                      static credentials (otherwise the standard AWS chain:
                      profile, web identity, container, EC2 instance role)
  AWS_ENDPOINT_URL    SQS endpoint override (a local moto or LocalStack)

The sender needs only sqs:SendMessage and sqs:GetQueueUrl on the queue.

Exit status: 0 sent; 1 not sent; 2 bad usage. With a COMMAND, always the
command's own status (127 not found, 126 not executable, 128+N killed by
signal N); a ping that could not be sent is reported on stderr only.
`

// printUsage writes the help text.
func printUsage(w io.Writer) {
	var o options
	var ec string
	fs := newFlagSet(&o, &ec)
	fs.SetOutput(w)
	fmt.Fprint(w, usageHead)
	fs.PrintDefaults()
	fmt.Fprint(w, usageTail)
}
