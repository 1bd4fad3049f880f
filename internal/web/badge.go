package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// BadgeFormat is how a badge is written: the extension of its URL.
type BadgeFormat string

const (
	BadgeSVG     BadgeFormat = "svg"     // an image in the shields "flat" style
	BadgeJSON    BadgeFormat = "json"    // {"status","total","grace","down"}, as healthchecks writes it
	BadgeShields BadgeFormat = "shields" // shields.io's endpoint schema, for img.shields.io/endpoint?url=…
)

// BadgeFormats are the formats, in the order the docs and `memon-config
// badges` list them.
func BadgeFormats() []BadgeFormat { return []BadgeFormat{BadgeSVG, BadgeJSON, BadgeShields} }

// ContentType is the format's media type.
func (f BadgeFormat) ContentType() string {
	if f == BadgeSVG {
		return "image/svg+xml"
	}
	return "application/json"
}

// badgeColours are the shields palette's names and hex values per state.
var badgeColours = map[memon.BadgeState]struct{ name, hex string }{
	memon.BadgeUp:   {"brightgreen", "#4c1"},
	memon.BadgeLate: {"orange", "#fe7d37"},
	memon.BadgeDown: {"red", "#e05d44"},
}

// RenderBadge writes b labelled label (the tag, the event's name, or
// "MEMon" for every event) in format f.
func RenderBadge(f BadgeFormat, label string, b memon.Badge) ([]byte, error) {
	label = memon.SingleLine(label)
	switch f {
	case BadgeSVG:
		return []byte(badgeSVG(label, string(b.Status), badgeColours[b.Status].hex)), nil
	case BadgeJSON:
		return json.Marshal(b)
	case BadgeShields:
		return json.Marshal(struct {
			SchemaVersion int    `json:"schemaVersion"`
			Label         string `json:"label"`
			Message       string `json:"message"`
			Color         string `json:"color"`
		}{1, label, string(b.Status), badgeColours[b.Status].name})
	}
	return nil, fmt.Errorf("badge format %q: want svg, json or shields", f)
}

// badgeSVG is shields.io's "flat" badge: a grey label, a coloured message,
// Verdana 11 px with a 1 px shadow. The text is measured with badgeWidth
// and drawn with textLength, so a viewer without Verdana keeps the layout.
func badgeSVG(label, message, colour string) string {
	lw, mw := badgeWidth(label)+10, badgeWidth(message)+10
	w := lw + mw
	l, m := html.EscapeString(label), html.EscapeString(message)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s: %s">`, w, l, m)
	fmt.Fprintf(&b, `<title>%s: %s</title>`, l, m)
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`, w)
	fmt.Fprintf(&b, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`,
		lw, lw, mw, colour, w)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`)
	for _, t := range []struct {
		x, len int
		s      string
	}{{lw * 5, (lw - 10) * 10, l}, {lw*10 + mw*5, (mw - 10) * 10, m}} {
		fmt.Fprintf(&b, `<text aria-hidden="true" x="%d" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="%d">%s</text>`, t.x, t.len, t.s)
		fmt.Fprintf(&b, `<text x="%d" y="140" transform="scale(.1)" fill="#fff" textLength="%d">%s</text>`, t.x, t.len, t.s)
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

// verdana11 are the advance widths, in tenths of a pixel, of Verdana at
// 11 px for printable ASCII from the space on; anything else is as wide
// as "W" less a little.
var verdana11 = [95]int{
	39, 39, 46, 82, 64, 109, 73, 27, 46, 46, 64, 82, 37, 46, 37, 46, // space to /
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 46, 46, 82, 82, 82, 55, // 0 to ?
	100, 70, 70, 72, 78, 64, 58, 78, 76, 43, 46, 71, 56, 86, 75, 79, // @ to O
	61, 79, 71, 70, 62, 73, 70, 101, 70, 62, 70, 46, 46, 46, 82, 64, // P to _
	64, 60, 62, 53, 62, 60, 35, 62, 63, 27, 34, 59, 27, 97, 63, 61, // ` to o
	62, 62, 43, 52, 39, 63, 59, 82, 59, 59, 53, 64, 46, 64, 82, // p to ~
}

// badgeWidth is the text's width in whole pixels, rounded up.
func badgeWidth(s string) int {
	tenths := 0
	for _, r := range s {
		if r >= ' ' && r <= '~' {
			tenths += verdana11[r-' ']
		} else {
			tenths += 90
		}
	}
	return (tenths + 9) / 10
}

// AllTags is the tag that names every event in a badge's URL.
const AllTags = "*"

// BadgeMaxAge is how long a badge may be cached: by a browser, a proxy
// (GitHub's camo, shields.io), and the reader's own list of events.
const BadgeMaxAge = 60 * time.Second

// ErrNoBadge is a badge path that names no format, tag or event.
var ErrNoBadge = errors.New("no such badge: want <tag or *>.svg|.json|.shields or event/<name>.svg|.json|.shields")

// BadgeFor is the badge an escaped path asks for, from the listed events
// at now (the read function's /badge/<badge-key>/<path>):
//
//	<tag>.svg|.json|.shields         the events tagged tag; "*" is every event
//	event/<name>.svg|.json|.shields  one event (its name path-escaped)
//
// A badge shows a status and counts, nothing else. A tag or name no event
// has is ErrNoBadge, so a typo in a README shows a broken image, never "up".
func BadgeFor(ls []memon.Listed, now time.Time, path string) (BadgeFormat, []byte, error) {
	event := strings.HasPrefix(path, "event/")
	path = strings.TrimPrefix(path, "event/")
	dot := strings.LastIndexByte(path, '.')
	f := BadgeFormat(path[dot+1:])
	if dot <= 0 || !slices.Contains(BadgeFormats(), f) || strings.Contains(path, "/") {
		return "", nil, ErrNoBadge
	}
	name, err := url.PathUnescape(path[:dot])
	if err != nil {
		return "", nil, ErrNoBadge
	}
	b, n, label := memon.NewBadge(), 0, name
	for _, l := range ls {
		if ev := l.Event; (event && ev != nil && ev.Name == name) || (!event && (name == AllTags || hasTag(ev, name))) {
			b.Add(l.Status(now))
			n++
		}
	}
	if n == 0 {
		return "", nil, ErrNoBadge
	}
	if !event && name == AllTags {
		label = "MEMon"
	}
	body, err := RenderBadge(f, label, b)
	return f, body, err
}

// Headers are a badge answer's headers besides its length: the type,
// cacheable for BadgeMaxAge, and the JSON forms readable by any page.
func (f BadgeFormat) Headers() map[string]string {
	h := map[string]string{
		"Content-Type":            f.ContentType(),
		"Cache-Control":           fmt.Sprintf("public, max-age=%d", int(BadgeMaxAge/time.Second)),
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'",
	}
	if f != BadgeSVG {
		h["Access-Control-Allow-Origin"] = "*"
	}
	return h
}

// hasTag says whether ev carries tag.
func hasTag(ev *memon.Event, tag string) bool {
	return ev != nil && slices.Contains(ev.Tags, tag)
}
