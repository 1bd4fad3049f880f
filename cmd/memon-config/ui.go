package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/peerj/memon/internal/web"
	"github.com/peerj/memon/pkg/memon"
)

func uiCommand() *command {
	o := &uiOptions{}
	return &command{
		name: "ui", args: "[--addr 127.0.0.1:8080] [--open] [--read-only [--details]]",
		summary: "Serve a live web page over your events with your AWS credentials: an overview that updates itself,\n" +
			"event pages with 90-day availability and run charts, and forms that create, edit, pause, resume and delete\n" +
			"with set's own checks. Binds to loopback; nothing runs in AWS and nothing costs when nobody looks.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (any address but loopback warns, and its URL carries a one-time key)")
			fs.BoolVar(&o.open, "open", false, "open the page in the default browser")
			fs.BoolVar(&o.readOnly, "read-only", false, "serve no forms and refuse every change; show only names, statuses, schedules and times")
			fs.BoolVar(&o.details, "details", false, "with --read-only, also show job output, hosts, run ids, exit codes, descriptions, alert settings and reasons")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runUI(a, ctx, cl, o) },
	}
}

// uiOptions are ui's flags.
type uiOptions struct {
	addr                    string
	open, readOnly, details bool
}

func runUI(a *app, ctx context.Context, cl *call, o *uiOptions) error {
	if err := cl.noArgs("ui"); err != nil {
		return err
	}
	if o.details && !o.readOnly {
		return usagef("--details goes with --read-only: the editing page always shows everything")
	}
	addr := o.addr
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return flagError("addr", addr, "want HOST:PORT, e.g. 127.0.0.1:8080")
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on --addr %s: %w (pick another port, e.g. --addr 127.0.0.1:8081)", addr, err)
	}
	defer ln.Close()
	readOnly := o.readOnly
	secret := ""
	if !loopback(host) {
		where := "listens on every network interface"
		if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
			where = "is not a loopback address"
		}
		fmt.Fprintf(a.stderr, "memon-config ui: warning: --addr %s %s: anyone who can reach "+
			"this machine on port %s and holds the link below can read your events%s with your AWS credentials. "+
			"The link's key works once, in one browser (it becomes a cookie). Use 127.0.0.1 unless you mean it.\n",
			addr, where, port, map[bool]string{false: " and change them", true: ""}[readOnly])
		tok := make([]byte, 24)
		if _, err := rand.Read(tok); err != nil {
			return fmt.Errorf("make the ui's one-time key: %w", err)
		}
		secret = hex.EncodeToString(tok)
	}
	srv, err := web.New(web.Options{
		Addr: ln.Addr().String(), ReadOnly: readOnly, Details: o.details, Store: st, Days: daysOf(st), Editor: &webEditor{a: a, g: cl.g, st: st}, Now: a.now, Log: a.stderr,
		Secret: secret,
	})
	if err != nil {
		return err
	}
	_, boundPort, _ := net.SplitHostPort(ln.Addr().String())
	urlHost := host
	if ip := net.ParseIP(host); host == "" || (ip != nil && (ip.IsUnspecified() || ip.IsLoopback())) {
		urlHost = "localhost"
	}
	url := "http://" + net.JoinHostPort(urlHost, boundPort) + "/"
	if secret != "" {
		url += "?key=" + secret
	}
	mode := ""
	if readOnly {
		mode = ", read-only"
	}
	fmt.Fprintf(a.stdout, "MEMon UI on %s (table %s%s; Ctrl-C stops it)\n", url, cl.g.table, mode)
	if o.open {
		if err := openBrowser(url); err != nil {
			fmt.Fprintf(a.stderr, "memon-config ui: could not open a browser (%v): open %s yourself\n", err, url)
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		hs.Shutdown(shut)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", url, err)
	}
	<-done
	return nil
}

// loopback reports whether host (of --addr) reaches only this machine:
// localhost or a loopback address. There the bind address is the boundary
// and the ui asks for no key; anywhere else (every interface, a LAN
// address, a host name) it does.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// daysOf is the store's daily records when it keeps them (DynamoDB does).
func daysOf(st store) web.Days {
	if d, ok := st.(web.Days); ok {
		return d
	}
	return nil
}

// openBrowser hands the URL to the desktop's opener.
func openBrowser(url string) error {
	name, args := "xdg-open", []string{url}
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	return exec.Command(name, args...).Start()
}

// webEditor lets the web forms change events through the very functions
// the CLI verbs run: parseSet's checks and messages, the same conditional
// writes and retries, the same history records.
type webEditor struct {
	a  *app
	g  *globals
	st store
}

var _ web.Editor = (*webEditor)(nil)

func (e *webEditor) Set(ctx context.Context, name string, fields map[string]string) (*memon.Event, error) {
	req, err := parseSet(name, fields, e.a.now())
	if err != nil {
		return nil, err
	}
	ev, before, err := e.a.setEvent(ctx, e.st, req)
	if err != nil {
		return nil, err
	}
	if before != "" {
		return ev, e.a.recordToggle(ctx, e.st, ev, before)
	}
	return ev, nil
}

func (e *webEditor) Pause(ctx context.Context, name string) error  { return e.toggle(ctx, name, false) }
func (e *webEditor) Resume(ctx context.Context, name string) error { return e.toggle(ctx, name, true) }

func (e *webEditor) toggle(ctx context.Context, name string, enable bool) error {
	ev, before, changed, err := e.a.setEnabled(ctx, e.st, name, enable)
	if err != nil || !changed {
		return err
	}
	return e.a.recordToggle(ctx, e.st, ev, before)
}

func (e *webEditor) Delete(ctx context.Context, name string) error {
	return e.a.deleteEvent(ctx, e.g, e.st, name)
}
