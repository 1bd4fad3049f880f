package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// pingKeyOptions are ping-key's flags.
type pingKeyOptions struct {
	rotate bool
}

func pingKeyCommand() *command {
	o := &pingKeyOptions{}
	return &command{
		name: "ping-key", args: "[--rotate]",
		summary: "Create the stack's ping key and print it once: slug pings use it in healthchecks' form,\n" +
			"<PingUrl>/ping/<ping-key>/<event>[/start|/fail|/log|/<code>] (?create=1 creates a missing event).\n" +
			"Only its hash is stored, so it cannot be shown again; --rotate replaces it and the old key stops\n" +
			"working at once. Needs -c httpPings=true.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&o.rotate, "rotate", false, "replace the existing ping key (the old one stops working at once)")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runPingKey(a, ctx, cl, o) },
	}
}

func runPingKey(a *app, ctx context.Context, cl *call, o *pingKeyOptions) error {
	if err := cl.noArgs("ping-key"); err != nil {
		return err
	}
	key, err := issueStackKey(ctx, cl.g, memon.KeyPing, o.rotate)
	if errors.Is(err, dynamo.ErrKeyExists) {
		return usagef("the stack already has a ping key, and it cannot be shown again (only a hash is stored): " +
			"memon-config ping-key --rotate makes a new one and the old key stops working at once")
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, key)
	what := "created"
	if o.rotate {
		what = "rotated: the old key no longer works"
	}
	fmt.Fprintf(a.stderr, "memon-config ping-key: ping key %s. Ping <PingUrl>/ping/<ping-key>/<event>; keep it secret and save it now: it is shown only once.\n", what)
	return nil
}

// issueStackKey makes the stack's key of kind, or with rotate replaces it
// (the old one stops working at once), and returns it: the one time it is
// seen, since only its hash is stored. dynamo.ErrKeyExists when there is
// one already and rotate is not asked.
func issueStackKey(ctx context.Context, g *globals, kind memon.KeyKind, rotate bool) (string, error) {
	ks, err := openKeys(ctx, g)
	if err != nil {
		return "", err
	}
	var key string
	if rotate {
		key, _, err = ks.Rotate(ctx, kind)
	} else {
		key, _, err = ks.Issue(ctx, kind, "")
	}
	if err != nil && !errors.Is(err, dynamo.ErrKeyExists) {
		return "", fmt.Errorf("%w (is the stack deployed with -c httpPings=true? it creates the tokens table %s)", err, g.tokens)
	}
	return key, err
}
