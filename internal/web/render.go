package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// page is what every template gets.
type page struct {
	Title        string
	Nav          string // the current menu entry
	Live         bool   // served by memon-config ui: links, forms, self-updating
	ReadOnly     bool
	Hosted       bool // the public status page (Options.Hosted)
	CSRF         string
	Inline       *inline // the snapshot carries its style and script inline
	AssetVersion string
	Generated    *moment
	Flash        string
	Problem      string

	Overview *overview
	Event    *eventPage
	Form     *form
	Confirm  *confirm
}

// Lists every template needs.
func (page) Statuses() []Status { return memon.Statuses() }
func (page) SparkDays() int     { return sparkDays }
func (page) DayLegend() []struct{ Class, Label string } {
	return []struct{ Class, Label string }{
		{dayUp, "up"}, {dayLate, "late run"}, {dayFailed, "failed run"}, {dayDown, "down"}, {dayPaused, "paused"}, {dayNone, "not watched"},
	}
}

type inline struct {
	CSS template.CSS
	JS  template.JS
}

type confirm struct{ Name string }

// The links the read-only pages carry are relative, so they work under any
// prefix (the hosted status page's /status/<key>/): the overview and the
// event page are siblings.
var funcs = template.FuncMap{
	"wbr":       wbr,
	"eventURL":  func(name string) string { return "event?name=" + url.QueryEscape(name) },
	"editURL":   func(name string) string { return "/edit?name=" + url.QueryEscape(name) },
	"deleteURL": func(name string) string { return "/delete?name=" + url.QueryEscape(name) },
	"filterURL": filterURL,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

// renderer holds the parsed templates and the assets.
type renderer struct {
	t       *template.Template
	css, js []byte
	version string // changes with the assets, for cache busting
}

func newRenderer() (*renderer, error) {
	t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	r := &renderer{t: t}
	if r.css, err = assetFS.ReadFile("assets/style.css"); err != nil {
		return nil, err
	}
	if r.js, err = assetFS.ReadFile("assets/app.js"); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append(append([]byte{}, r.css...), r.js...))
	r.version = hex.EncodeToString(sum[:6])
	return r, nil
}

func (r *renderer) render(w io.Writer, name string, p *page) error {
	p.AssetVersion = r.version
	if err := r.t.ExecuteTemplate(w, name, p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

// wbr lets a long name wrap after its separators, never inside a word.
func wbr(name string) template.HTML {
	var b strings.Builder
	for _, r := range name {
		b.WriteString(template.HTMLEscapeString(string(r)))
		if strings.ContainsRune("-_./:@+", r) {
			b.WriteString("<wbr>")
		}
	}
	return template.HTML(b.String())
}

func filterURL(s Status, q, tag string) string {
	v := url.Values{}
	if s != "" {
		v.Set("status", string(s))
	}
	if q != "" {
		v.Set("q", q)
	}
	if tag != "" {
		v.Set("tag", tag)
	}
	if len(v) == 0 {
		return "./"
	}
	return "./?" + v.Encode()
}

// Snapshot writes the static dashboard `memon-config html` prints: the
// overview from the same templates as the live page, with its style and
// script inline and no links to a server. onlyErrors keeps the events in
// trouble. days may be nil.
func Snapshot(ctx context.Context, w io.Writer, st Store, days Days, now time.Time, onlyErrors bool) error {
	r, err := newRenderer()
	if err != nil {
		return err
	}
	ls, err := st.List(ctx)
	if err != nil {
		return err
	}
	o := newOverview(ls, now, "", "", "")
	if onlyErrors {
		var keep []row
		for _, row := range o.Rows {
			if row.Status.Trouble() {
				keep = append(keep, row)
			}
		}
		o.Rows = keep
	}
	sp := &sparks{st: st, days: days, now: func() time.Time { return now }}
	sp.fill(ctx, o.Rows, ls, true)
	p := &page{Title: "Overview", Overview: o, Generated: newMoment(now, now, nil),
		Inline: &inline{CSS: template.CSS(r.css), JS: template.JS(r.js)}}
	return r.render(w, "overview", p)
}
