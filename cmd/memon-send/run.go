package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/peerj/memon/internal/queue"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/version"
	"github.com/peerj/memon/pkg/memon/ping"
)

// Exit statuses of a plain send (a wrapped command's own status wins).
const (
	exitOK    = 0
	exitSend  = 1
	exitUsage = 2
)

// deps is what run takes from the process, so tests can replace it.
type deps struct {
	getenv   settings.Lookup
	hostname func() (string, error)
	now      func() time.Time
	// newAPI builds the SQS client for region ("" means the AWS config
	// chain's) and reports the region it settled on.
	newAPI func(ctx context.Context, region string) (queue.SendAPI, string, error)
}

func osDeps() deps {
	return deps{getenv: settings.OS(), hostname: os.Hostname, now: time.Now, newAPI: newSQS}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, osDeps(), args, stdin, stdout, stderr)
}

func runWith(ctx context.Context, d deps, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "memon-send: %v\n", err)
		return exitUsage
	case o.help:
		printUsage(stdout)
		return exitOK
	case o.version:
		fmt.Fprintf(stdout, "memon-send %s\n", version.String())
		return exitOK
	}
	if o.host == "" {
		if h, err := d.hostname(); err == nil {
			o.host = h
		}
	}
	stderr = &lockedWriter{w: stderr} // the child's copier and the start ping share it
	p := &pinger{d: d, o: o, stderr: stderr}
	if o.command != nil {
		return p.wrap(ctx, stdin, stdout, stderr)
	}
	m := ping.Message{
		Name:     o.event,
		Signal:   o.signal,
		ExitCode: o.exitCode,
		RunID:    o.runID,
		Host:     o.host,
		Message:  o.message,
	}
	if err := p.send(ctx, m); err != nil {
		return exitSend
	}
	return exitOK
}

// wrap runs the command between a start ping (sent concurrently, so it never
// delays the command) and a success or fail ping, and returns the command's
// own exit status whatever happened to the pings.
func (p *pinger) wrap(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) int {
	base := ping.Message{
		Name:  p.o.event,
		RunID: cmp.Or(p.o.runID, rand.Text()),
		Host:  p.o.host,
	}
	startSent := make(chan struct{})
	go func() {
		defer close(startSent)
		m := base
		m.Signal = ping.Start
		_ = p.send(ctx, m)
	}()

	tail := newRing(ping.MaxMessageLen)
	var output io.Writer = tail
	if p.o.noOutput {
		output = io.Discard // memon-send's own notes below still go in
	}
	res := runCommand(p.o.command, stdin, stdout, stderr, output)
	if res.err != nil {
		line := "memon-send: " + startError(p.o.command[0], res.err)
		fmt.Fprintln(stderr, line)
		fmt.Fprintln(tail, line)
	}
	if res.signal != nil {
		fmt.Fprintf(tail, "memon-send: %s killed by signal: %v\n", p.o.command[0], res.signal)
	}
	<-startSent // keep start before the outcome on the queue

	m := base
	secs := math.Round(res.duration.Seconds()*1000) / 1000
	m.Duration = &secs
	m.Message = tail.String()
	m.Signal = ping.Success
	if res.code != 0 {
		code := res.code
		m.Signal, m.ExitCode = ping.Fail, &code
	}
	_ = p.send(ctx, m)
	return res.code
}

// pinger sends pings, building the SQS client on first use.
type pinger struct {
	d      deps
	o      options
	stderr io.Writer

	mu     sync.Mutex
	sender *queue.Sender
	region string
	err    error // a configuration error, reported for every ping
	ready  bool
}

// send stamps m with the sender's clock and sends it within --timeout. A
// failure is reported as one line on stderr and returned.
func (p *pinger) send(ctx context.Context, m ping.Message) error {
	ctx, cancel := context.WithTimeout(ctx, p.o.timeout)
	defer cancel()
	m.Time = ping.EpochSeconds(p.d.now())
	s, err := p.client(ctx)
	if err == nil {
		err = s.Send(ctx, m)
	}
	if err != nil {
		fmt.Fprintf(p.stderr, "memon-send: %s ping for %q not sent: %s\n",
			cmp.Or(string(m.Signal), string(ping.Success)), m.Name, p.explain(ctx, err))
	}
	return err
}

func (p *pinger) client(ctx context.Context) (*queue.Sender, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready {
		return p.sender, p.err
	}
	url, name, _ := queueTarget(p.o, p.d.getenv)
	region := cmp.Or(p.o.region, queue.RegionFromURL(url))
	api, region, err := p.d.newAPI(ctx, region)
	p.ready, p.region, p.err = true, region, err
	if err == nil {
		p.sender = queue.NewSender(api, url, name)
	}
	return p.sender, p.err
}

// queueTarget applies the resolution order: --queue-url, then
// MEMON_QUEUE_URL, then a GetQueueUrl lookup of --queue (default "memon").
// It returns the URL (empty when it must be looked up), the name, and where
// the queue came from.
func queueTarget(o options, getenv settings.Lookup) (url, name, source string) {
	name = cmp.Or(o.queueName, settings.DefaultQueueName)
	switch {
	case o.queueURL != "":
		return o.queueURL, name, "--queue-url"
	case getenv(settings.EnvQueueURL) != "":
		return getenv(settings.EnvQueueURL), name, settings.EnvQueueURL
	default:
		return "", name, "--queue " + name
	}
}

// lockedWriter serialises writes from concurrent goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
