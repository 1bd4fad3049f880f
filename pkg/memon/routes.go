package memon

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
)

// Routes send a tag's alerts to the people who own its jobs. They are
// given once, at deploy time, as one line a person can type:
//
//	data=data-team@example.com;payments=https://hooks.example.com/x,+15551234567;*/down=+15557654321
//
// Each route is TAGS[/KINDS]=TARGET[,TARGET...]: TAGS one tag, several
// joined by | (any of them), or * (every alert); KINDS the alert kinds it
// takes, joined by | (default: every kind). A target is an e-mail address,
// an https:// URL, a phone number in E.164 form (+15551234567, SMS), or
// the ARN of an SQS queue or a Lambda function. Each target becomes one SNS
// subscription whose filter policy is the route's (FilterPolicy): routing
// is SNS's own, with no code in the poller's path.

// Route is one parsed route.
type Route struct {
	Tags    []string    // nil: every alert (*)
	Kinds   []AlertKind // nil: every kind
	Targets []RouteTarget
}

// RouteTarget is one subscriber of a route: an SNS protocol and endpoint.
type RouteTarget struct {
	Protocol string // email, https, sms, sqs, lambda
	Endpoint string
}

// The routes' bounds: SNS allows 150 value combinations per filter policy,
// and each target is a subscription in the stack.
const (
	maxRouteCombinations = 150
	MaxRouteTargets      = 100
)

// RouteKinds are the kinds a route may name.
func RouteKinds() []AlertKind {
	return []AlertKind{KindDown, KindLate, KindUp, KindFailed, KindOverrun, KindFlapping, KindConfig, KindReport}
}

const routeForm = "want TAGS[/KINDS]=TARGET[,TARGET...] routes separated by ;, " +
	"e.g. data=team@example.com;payments|billing/down|failed=https://hooks.example.com/x,+15551234567"

// ParseRoutes reads the deploy's routes (field names the setting in
// errors: the context key). "" is no route. Every problem is reported.
func ParseRoutes(field, s string) ([]Route, error) {
	var routes []Route
	var errs []error
	targets := 0
	seen := map[RouteTarget]string{}
	for _, one := range strings.Split(s, ";") {
		if one = strings.TrimSpace(one); one == "" {
			continue
		}
		r, err := parseRoute(field, one)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// SNS keeps one subscription per topic and endpoint, so one filter
		// policy: a target in two routes would get only one's alerts.
		sel := r.selector()
		for _, t := range r.Targets {
			if other, ok := seen[t]; ok {
				errs = append(errs, invalid(field, t.Endpoint, fmt.Sprintf("in two routes (%s and %s): SNS subscribes an endpoint once, give it one route joining the tags with |", other, sel)))
			}
			seen[t] = sel
		}
		targets += len(r.Targets)
		routes = append(routes, r)
	}
	if targets > MaxRouteTargets {
		errs = append(errs, invalid(field, fmt.Sprintf("%d targets", targets), fmt.Sprintf("want at most %d targets in all (each is an SNS subscription)", MaxRouteTargets)))
	}
	return routes, errors.Join(errs...)
}

func parseRoute(field, s string) (Route, error) {
	bad := func(value, want string) error { return invalid(field, SingleLine(truncate(value, 200)), want) }
	selector, targets, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(targets) == "" {
		return Route{}, bad(s, routeForm)
	}
	var r Route
	tags, kinds, hasKinds := strings.Cut(strings.TrimSpace(selector), "/")
	if tags = strings.TrimSpace(tags); tags != "*" {
		for _, t := range strings.Split(tags, "|") {
			t = strings.TrimSpace(t)
			if err := CheckTag(field, t); err != nil {
				return Route{}, fmt.Errorf("route %q: %w", SingleLine(truncate(s, 200)), err)
			}
			if !slices.Contains(r.Tags, t) {
				r.Tags = append(r.Tags, t)
			}
		}
	}
	if hasKinds {
		for _, k := range strings.Split(kinds, "|") {
			kind := AlertKind(strings.ToLower(strings.TrimSpace(k)))
			if !slices.Contains(RouteKinds(), kind) {
				return Route{}, bad(k, fmt.Sprintf("route %q: want kinds among %s, joined by |", SingleLine(truncate(s, 200)), kindList()))
			}
			if !slices.Contains(r.Kinds, kind) {
				r.Kinds = append(r.Kinds, kind)
			}
		}
	}
	if n := max(len(r.Tags), 1) * (len(r.Kinds) + 1); n > maxRouteCombinations {
		return Route{}, bad(s, fmt.Sprintf("route has %d tag and kind combinations, SNS allows %d: split it", n, maxRouteCombinations))
	}
	for _, t := range strings.Split(targets, ",") {
		target, err := ParseRouteTarget(field, strings.TrimSpace(t))
		if err != nil {
			return Route{}, err
		}
		if !slices.Contains(r.Targets, target) {
			r.Targets = append(r.Targets, target)
		}
	}
	return r, nil
}

func kindList() string { return strings.Join(KindNames(RouteKinds()), ", ") }

// ParseRouteTarget reads one subscriber: its protocol from its form.
func ParseRouteTarget(field, s string) (RouteTarget, error) {
	bad := func(want string) error { return invalid(field, SingleLine(truncate(s, 200)), want) }
	switch {
	case s == "":
		return RouteTarget{}, bad("an empty target: " + routeForm)
	case strings.HasPrefix(s, "https://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || strings.ContainsAny(s, " \t") {
			return RouteTarget{}, bad("want an https:// URL with a host (write , and ; in it as %2C and %3B)")
		}
		return RouteTarget{"https", s}, nil
	case strings.HasPrefix(s, "http://"):
		return RouteTarget{}, bad("want https://: SNS would send the alerts unencrypted over http")
	case strings.HasPrefix(s, "+"):
		digits := s[1:]
		if len(digits) < 8 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
			return RouteTarget{}, bad("want a phone number in E.164 form: + and 8 to 15 digits, e.g. +15551234567")
		}
		return RouteTarget{"sms", s}, nil
	case strings.HasPrefix(s, "arn:"):
		parts := strings.SplitN(s, ":", 7)
		if len(parts) >= 6 && parts[2] == "sqs" && parts[5] != "" {
			return RouteTarget{"sqs", s}, nil
		}
		if len(parts) >= 7 && parts[2] == "lambda" && parts[5] == "function" && parts[6] != "" {
			return RouteTarget{"lambda", s}, nil
		}
		return RouteTarget{}, bad("want the ARN of an SQS queue (arn:aws:sqs:REGION:ACCOUNT:NAME) or a Lambda function (arn:aws:lambda:REGION:ACCOUNT:function:NAME)")
	case strings.Contains(s, "@"):
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
			return RouteTarget{}, bad("want an e-mail address such as team@example.com")
		}
		return RouteTarget{"email", s}, nil
	}
	return RouteTarget{}, bad("want an e-mail address, an https:// URL, a phone number +15551234567, or an SQS queue or Lambda function ARN")
}

// FilterPolicy is the route's SNS subscription filter policy on the message
// attributes, nil for a route that takes every alert. A route with kinds
// takes test alerts too (kind test), so `memon-config test-alert --tag T`
// reaches it.
func (r Route) FilterPolicy() map[string]any {
	p := map[string]any{}
	if len(r.Tags) > 0 {
		p["tags"] = slices.Clone(r.Tags)
	}
	if len(r.Kinds) > 0 {
		p["kind"] = append(KindNames(r.Kinds), string(KindTest))
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// String is the route as ParseRoutes reads it.
func (r Route) String() string {
	var ts []string
	for _, t := range r.Targets {
		ts = append(ts, t.Endpoint)
	}
	return r.selector() + "=" + strings.Join(ts, ",")
}

// selector is the route's TAGS[/KINDS].
func (r Route) selector() string {
	sel := "*"
	if len(r.Tags) > 0 {
		sel = strings.Join(r.Tags, "|")
	}
	if len(r.Kinds) > 0 {
		sel += "/" + strings.Join(KindNames(r.Kinds), "|")
	}
	return sel
}

// What the default subscribers (the deploy's e-mail addresses) get.
const (
	DefaultAlertsAll      = "all"      // every alert; routes add the teams (the default)
	DefaultAlertsUntagged = "untagged" // only alerts of untagged events, and those about no one event
)

// DefaultFilterPolicy is the default subscribers' filter policy for mode
// ("" is DefaultAlertsAll, which takes every alert: nil). Untagged: the
// alerts with no tags attribute, and those with no event attribute
// (digests, reports), which speak for many events: a DOWN digest may list
// untagged events among tagged ones.
func DefaultFilterPolicy(field, mode string) (map[string]any, error) {
	switch strings.TrimSpace(mode) {
	case "", DefaultAlertsAll:
		return nil, nil
	case DefaultAlertsUntagged:
		return map[string]any{"$or": []any{
			map[string]any{"tags": []any{map[string]any{"exists": false}}},
			map[string]any{"event": []any{map[string]any{"exists": false}}},
		}}, nil
	}
	return nil, invalid(field, mode, "want all (the default subscribers get every alert) or untagged (only untagged events' alerts and digests)")
}
