package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/pkg/memon"
)

// keyStore is the stack keys' store (dynamo.Keys): api-key uses it, and
// so do the other commands that print a stack key once.
type keyStore interface {
	Issue(ctx context.Context, kind memon.KeyKind, label string) (string, memon.Key, error)
	Rotate(ctx context.Context, kind memon.KeyKind) (string, memon.Key, error)
	List(ctx context.Context, kind memon.KeyKind) ([]memon.Key, error)
	Revoke(ctx context.Context, kind memon.KeyKind, id string) error
}

var _ keyStore = (*dynamo.Keys)(nil)

func openKeys(ctx context.Context, g *globals) (keyStore, error) {
	cfg, err := loadAWS(ctx, g)
	if err != nil {
		return nil, err
	}
	return dynamo.NewKeys(dynamodb.NewFromConfig(cfg), g.tokens), nil
}

// apiKeyOptions are api-key's flags.
type apiKeyOptions struct {
	readOnly bool
	label    string
}

func apiKeyCommand() *command {
	o := &apiKeyOptions{}
	return &command{
		name: "api-key", args: "create --read-only [--label L] | list | revoke ID",
		summary: "Manage the keys of the read-only Management API (<StatusUrl>/api/v3/checks/, header X-Api-Key).\n" +
			"create prints a new key once (only its hash is stored); list shows each key's id, label and\n" +
			"creation time, never the key; revoke ID ends a key at once. Needs -c httpPings=true.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&o.readOnly, "read-only", false, "create: the key reads and cannot write (required: there are no write keys)")
			fs.StringVar(&o.label, "label", "", "create: a `NOTE` saying who holds the key, shown by list")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runAPIKey(a, ctx, cl, o) },
	}
}

func runAPIKey(a *app, ctx context.Context, cl *call, o *apiKeyOptions) error {
	verb, rest := "", cl.args
	if len(rest) > 0 {
		verb, rest = rest[0], rest[1:]
	}
	want := map[string]int{"create": 0, "list": 0, "revoke": 1}
	n, ok := want[verb]
	if !ok {
		return usagef("want memon-config api-key create --read-only [--label L], api-key list or api-key revoke ID, not %q", cl.args)
	}
	if len(rest) != n {
		if verb == "revoke" {
			return usagef("revoke takes one key ID (memon-config api-key list shows them), not %q", rest)
		}
		return usagef("%s takes no arguments, not %q", verb, rest)
	}
	if verb != "create" && (o.readOnly || o.label != "") {
		return usagef("--read-only and --label go with api-key create only")
	}
	if verb == "create" {
		if !o.readOnly {
			return usagef("create needs --read-only: the Management API only reads, and there are no write keys (memon-config api-key create --read-only)")
		}
		if err := memon.ValidateKeyLabel(o.label); err != nil {
			return asFlag(err)
		}
	}
	ks, err := openKeys(ctx, cl.g)
	if err != nil {
		return err
	}
	hint := func(err error) error {
		return fmt.Errorf("%w (is the stack deployed with -c httpPings=true? it creates the tokens table %s)", err, cl.g.tokens)
	}
	switch verb {
	case "create":
		key, k, err := ks.Issue(ctx, memon.KeyAPI, o.label)
		if err != nil {
			return hint(err)
		}
		fmt.Fprintln(a.stdout, key)
		fmt.Fprintf(a.stderr, "memon-config api-key: created read-only key %s. Send it as the X-Api-Key header; save it now: it is shown only once.\n", k.ID)
	case "list":
		keys, err := ks.List(ctx, memon.KeyAPI)
		if err != nil {
			return hint(err)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLABEL\tCREATED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", k.ID, k.Label, k.Created.UTC().Format("2006-01-02 15:04:05Z"))
		}
		return tw.Flush()
	case "revoke":
		err := ks.Revoke(ctx, memon.KeyAPI, rest[0])
		if errors.Is(err, memon.ErrNotFound) {
			return fmt.Errorf("no API key with id %q (memon-config api-key list shows them): %w", rest[0], err)
		}
		if err != nil {
			return hint(err)
		}
		fmt.Fprintf(a.stderr, "memon-config api-key: revoked %s: it no longer works.\n", rest[0])
	}
	return nil
}
