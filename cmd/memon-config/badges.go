package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"

	"github.com/peerj/memon/internal/dynamo"
	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/web"
	"github.com/peerj/memon/pkg/memon"
)

// pageKeyOptions are the flags of badges and status-page.
type pageKeyOptions struct {
	rotate    bool
	statusURL string
}

func pageKeyFlags(o *pageKeyOptions, what string) func(fs *flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		fs.BoolVar(&o.rotate, "rotate", false, "make a new key: the old "+what+" stop working at once")
		fs.StringVar(&o.statusURL, "status-url", "", "the read endpoint's base `URL` (env "+settings.EnvStatusURL+", default the stack output StatusUrl)")
	}
}

func badgesCommand() *command {
	o := &pageKeyOptions{}
	return &command{
		name: "badges", args: "[--rotate] [--status-url URL]",
		summary: "Make the stack's badge key and print the badge URLs once: <StatusUrl>/badge/<key>/<tag or *>.svg,\n" +
			".json and .shields for every event and each tag in use, and event/<name>.svg for one event. A badge shows\n" +
			"a status (up, late, down) and counts, nothing else. Only a hash of the key is stored, so the URLs cannot be\n" +
			"shown again: --rotate makes new ones and the old ones stop working. Needs -c httpPings=true.",
		flags: pageKeyFlags(o, "badge URLs"),
		run:   func(a *app, ctx context.Context, cl *call) error { return runBadges(a, ctx, cl, o) },
	}
}

func statusPageCommand() *command {
	o := &pageKeyOptions{}
	return &command{
		name: "status-page", args: "[--rotate] [--status-url URL]",
		summary: "Make the stack's status-page key and print the hosted read-only status page's URL once:\n" +
			"<StatusUrl>/status/<key>/, the overview and event pages of memon-config ui --read-only. Only a hash of\n" +
			"the key is stored: --rotate makes a new URL and the old one stops working. Needs -c httpPings=true\n" +
			"and -c statusPage=true.",
		flags: pageKeyFlags(o, "page URL"),
		run: func(a *app, ctx context.Context, cl *call) error {
			base, key, err := a.pageKey(ctx, cl, "status-page", memon.KeyStatus, o)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s/status/%s/\n", base, key)
			return nil
		},
	}
}

func runBadges(a *app, ctx context.Context, cl *call, o *pageKeyOptions) error {
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	ls, err := st.List(ctx)
	if err != nil {
		return err
	}
	base, key, err := a.pageKey(ctx, cl, "badges", memon.KeyBadge, o)
	if err != nil {
		return err
	}
	groups := []string{web.AllTags}
	var example string
	for _, l := range ls {
		if l.Event == nil {
			continue
		}
		if example == "" || l.Event.Name < example {
			example = l.Event.Name
		}
		for _, t := range l.Event.Tags {
			if !slices.Contains(groups, t) {
				groups = append(groups, t)
			}
		}
	}
	slices.Sort(groups[1:])
	for _, g := range groups {
		for _, f := range web.BadgeFormats() {
			fmt.Fprintf(a.stdout, "%s/badge/%s/%s.%s\n", base, key, g, f)
		}
	}
	if example == "" {
		example = "NAME"
	}
	fmt.Fprintf(a.stderr, "memon-config badges: one event's badge is %s/badge/%s/event/%s.svg (or .json, .shields; the name path-escaped). "+
		"shields.io draws the .shields ones: https://img.shields.io/endpoint?url=<the URL, query-escaped>\n", base, key, url.PathEscape(example))
	return nil
}

// pageKey makes the kind's key (rotating it with --rotate) and returns the
// read endpoint's base URL and the key, printed once: only its hash stays.
func (a *app) pageKey(ctx context.Context, cl *call, name string, kind memon.KeyKind, o *pageKeyOptions) (string, string, error) {
	if err := cl.noArgs(name); err != nil {
		return "", "", err
	}
	base, err := a.endpointURL(ctx, cl, endpoint{flag: "status-url", value: o.statusURL, env: settings.EnvStatusURL, output: "StatusUrl", what: "read endpoint"})
	if err != nil {
		return "", "", err
	}
	key, err := issueStackKey(ctx, cl.g, kind, o.rotate)
	if errors.Is(err, dynamo.ErrKeyExists) {
		return "", "", usagef("the stack has its %s already, and its URLs cannot be shown again (only a hash is stored): "+
			"memon-config %s --rotate makes new ones and the old ones stop working at once", kind, name)
	}
	if err != nil {
		return "", "", err
	}
	what := "made"
	if o.rotate {
		what = "rotated: the old URLs no longer work"
	}
	fmt.Fprintf(a.stderr, "memon-config %s: %s %s. Save the URLs now: they are shown only once.\n", name, kind, what)
	return base, key, nil
}
