package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// Lister is what the badges read: every event, once per answer.
type Lister interface {
	List(ctx context.Context) ([]memon.Listed, error)
}

// BadgeMaxAge is how long a badge may be cached, by a browser, a proxy
// (GitHub's camo, shields.io) and by Badges itself.
const BadgeMaxAge = 60 * time.Second

// Badges serves the badges under the prefix its caller strips and checks
// (the read function's /badge/<badge-key>):
//
//	GET /<tag>.svg|.json|.shields      the events tagged tag; "*" is every event
//	GET /event/<name>.svg|.json|.shields  one event (its name path-escaped)
//
// A badge shows a status and counts, nothing else. The listing is read at
// most once per BadgeMaxAge, however many badges are asked for.
type Badges struct {
	st  Lister
	now func() time.Time
	log io.Writer

	mu     sync.Mutex
	listed []memon.Listed
	at     time.Time
}

// NewBadges serves the badges of st's events; now may be nil (the clock),
// log gets one line per failed read.
func NewBadges(st Lister, now func() time.Time, log io.Writer) *Badges {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = io.Discard
	}
	return &Badges{st: st, now: now, log: log}
}

// AllTags is the tag that names every event in a badge's URL.
const AllTags = "*"

func (bs *Badges) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "a badge is read with GET", http.StatusMethodNotAllowed)
		return
	}
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	event := strings.HasPrefix(p, "event/")
	p = strings.TrimPrefix(p, "event/")
	ext := p[strings.LastIndexByte(p, '.')+1:]
	f := BadgeFormat(ext)
	if !slices.Contains(BadgeFormats(), f) || len(ext) == len(p) || strings.Contains(p, "/") {
		http.Error(w, "no such badge: want <tag or *>.svg|.json|.shields or event/<name>.svg|.json|.shields", http.StatusNotFound)
		return
	}
	name, err := url.PathUnescape(strings.TrimSuffix(p, "."+ext))
	if err != nil || name == "" {
		http.Error(w, "no such badge", http.StatusNotFound)
		return
	}
	ls, err := bs.list(r)
	if err != nil {
		fmt.Fprintf(bs.log, "memon badges: list the events: %v\n", err)
		h.Set("Cache-Control", "no-store")
		http.Error(w, "MEMon could not read its events just now", http.StatusBadGateway)
		return
	}
	now := bs.now()
	b, n, label := memon.NewBadge(), 0, name
	for _, l := range ls {
		if ev := l.Event; (event && ev != nil && ev.Name == name) || (!event && (name == AllTags || hasTag(ev, name))) {
			b.Add(l.Status(now))
			n++
		}
	}
	if n == 0 {
		http.Error(w, "no such badge: no event has that tag or name", http.StatusNotFound)
		return
	}
	if !event && name == AllTags {
		label = "MEMon"
	}
	body, err := RenderBadge(f, label, b)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	h.Set("Content-Type", f.ContentType())
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(BadgeMaxAge/time.Second)))
	if f != BadgeSVG {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// list is the events, read at most once per BadgeMaxAge.
func (bs *Badges) list(r *http.Request) ([]memon.Listed, error) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if now := bs.now(); bs.listed == nil || now.Sub(bs.at) >= BadgeMaxAge || now.Before(bs.at) {
		ls, err := bs.st.List(r.Context())
		if err != nil {
			return nil, err
		}
		bs.listed, bs.at = ls, now
	}
	return bs.listed, nil
}

// hasTag says whether ev carries tag.
func hasTag(ev *memon.Event, tag string) bool {
	return ev != nil && slices.Contains(ev.Tags, tag)
}
