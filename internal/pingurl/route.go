package pingurl

import (
	"strings"
)

// form is which of the endpoint's URL families a path belongs to.
type form int

const (
	noForm    form = iota // nothing any form matches: answered 404 without a lookup
	tokenForm             // /ping/<token>[/suffix], /<token>[/suffix]
	slugForm              // /ping/<ping-key>/<slug>[/suffix], /<ping-key>/<slug>[/suffix]
	kumaForm              // /api/push/<token>: Uptime Kuma's push URL
)

// route is what a request's path asks for. Every form goes through
// parseRoute, and serve decides the answer from it: one place knows the URL
// shapes healthchecks' clients and Uptime Kuma's send.
type route struct {
	form   form
	id     string // the token, or the ping key
	slug   string // slugForm: the event's name
	suffix string // "", "start", "fail", "log" or an exit code (digits, maybe over 255)
	// orSlug marks a two-segment path whose second segment is also a
	// suffix (/<x>/start): a token with a suffix when x is a known token,
	// else ping key x and the slug "start".
	orSlug bool
}

// parseRoute reads a path into its route. The hosted form (no /ping/
// prefix, where tools put the token right after their base URL) and the
// /ping/ form are the same routes; one trailing slash is ignored.
func parseRoute(path string) route {
	if rest, ok := strings.CutPrefix(path, "/api/push/"); ok {
		rest = strings.TrimSuffix(rest, "/")
		if rest == "" || strings.Contains(rest, "/") {
			return route{}
		}
		return route{form: kumaForm, id: rest}
	}
	rest, ok := strings.CutPrefix(path, "/ping/")
	if !ok {
		rest = strings.TrimPrefix(path, "/")
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return route{}
	}
	seg := strings.Split(rest, "/")
	switch {
	case len(seg) == 1:
		return route{form: tokenForm, id: seg[0]}
	case len(seg) == 2 && isSuffix(seg[1]):
		return route{form: tokenForm, id: seg[0], suffix: seg[1], orSlug: true}
	case len(seg) == 2:
		return route{form: slugForm, id: seg[0], slug: seg[1]}
	case len(seg) == 3:
		return route{form: slugForm, id: seg[0], slug: seg[1], suffix: seg[2]}
	}
	return route{}
}

// asSlug is the slug reading of a two-segment path (orSlug).
func (r route) asSlug() route {
	return route{form: slugForm, id: r.id, slug: r.suffix}
}

// isSuffix is whether s is one of the suffixes after a token or a slug:
// start, fail, log, or digits (healthchecks matches any number and answers
// 400 for one over 255, after finding the check).
func isSuffix(s string) bool {
	switch s {
	case "start", "fail", "log":
		return true
	}
	return s != "" && strings.Trim(s, "0123456789") == ""
}
