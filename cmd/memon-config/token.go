package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/pkg/memon"
)

// tokenStore issues and revokes ping tokens (dynamo.Tokens).
type tokenStore interface {
	Issue(ctx context.Context, name string, rotate bool) (string, error)
	Revoke(ctx context.Context, name string) error
}

var _ tokenStore = (*dynamo.Tokens)(nil)

func openTokens(ctx context.Context, g *globals) (tokenStore, error) {
	cfg, err := loadAWS(ctx, g)
	if err != nil {
		return nil, err
	}
	return dynamo.NewTokens(dynamodb.NewFromConfig(cfg), g.table, g.tokens), nil
}

func tokenCommand() *command {
	o := &tokenOptions{}
	return &command{
		name: "token", args: "EVENT [--rotate] [--ping-url URL]",
		summary: "Create the event's HTTPS ping token and print its URL once: <PingUrl>/ping/<token>.\n" +
			"Only a hash of the token is stored, so the URL cannot be shown again; --rotate replaces it\n" +
			"and the old URL stops working at once. Needs a stack deployed with -c httpPings=true.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&o.rotate, "rotate", false, "replace an existing token (the old URL stops working at once)")
			fs.StringVar(&o.pingURL, "ping-url", "", "the endpoint's base `URL` (env "+settings.EnvPingURL+", default the stack output PingUrl)")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runToken(a, ctx, cl, o) },
	}
}

// tokenOptions are token's flags.
type tokenOptions struct {
	rotate  bool
	pingURL string
}

func runToken(a *app, ctx context.Context, cl *call, o *tokenOptions) error {
	name, err := cl.event("token", false)
	if err != nil {
		return err
	}
	base, err := a.pingURL(ctx, cl, o.pingURL)
	if err != nil {
		return err
	}
	ts, err := a.tokens(ctx, cl.g)
	if err != nil {
		return err
	}
	rotate := o.rotate
	token, err := ts.Issue(ctx, name, rotate)
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return notFound(name)
	case errors.Is(err, dynamo.ErrTokenExists):
		return usagef("%s already has a ping token, and its URL cannot be shown again (only a hash is stored): "+
			"memon-config token %s --rotate makes a new one and the old URL stops working at once", name, name)
	case err != nil:
		return fmt.Errorf("%w (is the stack deployed with -c httpPings=true? it creates the tokens table %s)", err, cl.g.tokens)
	}
	fmt.Fprintf(a.stdout, "%s/ping/%s\n", base, token)
	what := "created"
	if rotate {
		what = "rotated: the old URL no longer works"
	}
	fmt.Fprintf(a.stderr, "memon-config token: %s: ping token %s. Keep the URL secret and save it now: it is shown only once.\n", name, what)
	return nil
}

// pingURL is the endpoint's base URL without a trailing slash: --ping-url,
// MEMON_PING_URL, else the stack's PingUrl output.
func (a *app) pingURL(ctx context.Context, cl *call, flagURL string) (string, error) {
	return a.endpointURL(ctx, cl, endpoint{flag: "ping-url", value: flagURL, env: settings.EnvPingURL, output: "PingUrl", what: "ping"})
}

// endpoint names where one of the stack's public URLs comes from: a flag,
// an env var, else a stack output.
type endpoint struct {
	flag, value, env, output, what string
}

// endpointURL is the endpoint's base URL without a trailing slash.
func (a *app) endpointURL(ctx context.Context, cl *call, e endpoint) (string, error) {
	u := cmp.Or(e.value, a.env(e.env))
	if u == "" {
		cfg, err := loadAWS(ctx, cl.g)
		if err != nil {
			return "", err
		}
		outs, err := stackOutputs(ctx, cloudformation.NewFromConfig(cfg), stackName(cl.g))
		if err != nil {
			return "", fmt.Errorf("find the %s URL: %w (or give --%s URL, env %s)", e.what, err, e.flag, e.env)
		}
		if u = outs[e.output]; u == "" {
			return "", usagef("stack %s has no %s output: HTTPS pings are off; deploy with -c httpPings=true (or give --%s URL, env %s)", stackName(cl.g), e.output, e.flag, e.env)
		}
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return "", flagError(e.flag, u, "an http(s) URL such as https://abc.lambda-url.eu-west-1.on.aws")
	}
	return strings.TrimRight(u, "/"), nil
}
