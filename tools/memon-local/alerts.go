package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/peerj/memon/internal/mototest"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// alerts reads MEMon's alerts back in the demo: moto's CloudFormation
// creates no SNS subscriptions, so the demo subscribes a queue of its own.
func alerts(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	endpoint := getenv("AWS_ENDPOINT_URL")
	if endpoint == "" {
		fmt.Fprintln(stderr, "local: error: AWS_ENDPOINT_URL is not set: source .local/memon.env (make local writes it)")
		return 2
	}
	srv := mototest.Attach(endpoint)
	var err error
	switch {
	case len(args) == 3 && args[0] == "subscribe":
		var url string
		if url, err = srv.SubscribeQueue(ctx, args[1], args[2]); err == nil {
			fmt.Fprintln(stdout, url)
		}
	case len(args) == 2 && args[0] == "drain":
		_, err = srv.ReadAlerts(ctx, args[1], 0)
	case len(args) <= 2 && args[0] == "watch":
		// No queue and no subject: subscribe our own queue to the stack's
		// topic and print every alert until interrupted (or SECS).
		topic := getenv(settings.EnvTopicARN)
		if topic == "" {
			fmt.Fprintf(stderr, "local: error: %s is not set: source .local/memon.env (make local writes it)\n", settings.EnvTopicARN)
			return 2
		}
		limit := time.Duration(0)
		if len(args) == 2 {
			secs, perr := strconv.ParseFloat(args[1], 64)
			if perr != nil {
				fmt.Fprintf(stderr, "local: error: SECS %q is not a number of seconds\n", args[1])
				return 2
			}
			limit = time.Duration(secs * float64(time.Second))
		}
		var url string
		if url, err = srv.SubscribeQueue(ctx, topic, watchQueue); err == nil {
			fmt.Fprintf(stderr, "watching alerts of %s (queue %s); Ctrl-C stops\n", topic, watchQueue)
			err = watchAll(ctx, srv, url, limit, stdout)
		}
	case (len(args) == 3 || len(args) == 4) && args[0] == "watch":
		secs := 20.0
		if len(args) == 4 {
			if secs, err = strconv.ParseFloat(args[3], 64); err != nil {
				fmt.Fprintf(stderr, "local: error: SECS %q is not a number of seconds\n", args[3])
				return 2
			}
		}
		err = watch(ctx, srv, args[1], args[2], time.Duration(secs*float64(time.Second)), stdout)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "demo: error: %v\n", err)
		return 1
	}
	return 0
}

// watchQueue is the queue `alerts watch` subscribes to the topic.
const watchQueue = "memon-local-alerts"

// watchAll prints alerts as they arrive until ctx ends (Ctrl-C) or, when
// limit is not 0, limit has passed.
func watchAll(ctx context.Context, srv *mototest.Server, url string, limit time.Duration, w io.Writer) error {
	var deadline time.Time
	if limit > 0 {
		deadline = time.Now().Add(limit)
	}
	for ctx.Err() == nil && (deadline.IsZero() || time.Now().Before(deadline)) {
		got, err := srv.ReadAlerts(ctx, url, time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, a := range got {
			show(w, a)
		}
	}
	return nil
}

// watch prints alerts as they arrive until one has the subject want and
// the queue is quiet again, or fails after limit.
func watch(ctx context.Context, srv *mototest.Server, url, want string, limit time.Duration, w io.Writer) error {
	deadline := time.Now().Add(limit)
	seen := false
	for time.Now().Before(deadline) {
		got, err := srv.ReadAlerts(ctx, url, time.Second)
		if err != nil {
			return err
		}
		for _, a := range got {
			show(w, a)
			seen = seen || a.Subject == want
		}
		if seen && len(got) == 0 {
			return nil
		}
	}
	if seen {
		return nil
	}
	return fmt.Errorf("no alert %q within %s", want, limit)
}

// show prints one alert: subject, attributes and its first lines.
func show(w io.Writer, a mototest.Alert) {
	fmt.Fprintf(w, "    ALERT  %s    [kind=%s event=%s]\n", memon.SingleLine(a.Subject), memon.SingleLine(a.Kind), memon.SingleLine(a.Event))
	n := 0
	for _, line := range strings.Split(a.Body, "\n") {
		if strings.TrimSpace(line) == "" || n == 3 {
			continue
		}
		fmt.Fprintf(w, "           | %s\n", memon.SingleLine(line))
		n++
	}
}
