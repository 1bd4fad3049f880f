package web

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/peerj/memon/pkg/memon"
)

// Options configure the live application.
type Options struct {
	Addr     string // the address the listener is bound to (host:port): requests must name it
	ReadOnly bool   // serve no form and refuse every POST
	Store    Store
	Days     Days   // nil when the poller keeps no daily counts
	Editor   Editor // unused when ReadOnly
	Now      func() time.Time
	Log      io.Writer // one line per refused request and failed write
	// Secret, when set (memon-config ui on a non-loopback address), is the
	// one-time key of the URL printed at start: the first request that
	// carries it (?key=) gets a session cookie (HttpOnly, SameSite=Strict)
	// and the key is spent; every request needs that cookie. Empty on
	// loopback, where the bind address is the boundary.
	Secret string
	// Hosted is the status page the public read function serves (and
	// memon-pingurl): read-only, under a path the caller strips (links are
	// relative), any Host (the function URL's own; no credentials behind
	// it to rebind to), and a problem page that names no AWS error.
	Hosted bool
	// Details shows, on a read-only page, what it otherwise keeps to
	// itself: each job's output, host, run id and exit code, descriptions,
	// alert settings and the transitions' reasons. Without it a read-only
	// page reveals only names, statuses, schedules and times.
	Details bool
}

// sessionCookie carries the session a spent key opened.
const sessionCookie = "memon_ui_session"

// Server is `memon-config ui`'s HTTP handler.
type Server struct {
	o      Options
	r      *renderer
	csrf   string
	hosts  hostCheck
	sparks *sparks
	mux    *http.ServeMux

	keyMu   sync.Mutex
	key     string // the URL's one-time key; "" once spent (or never set)
	session string // the cookie's value once the key is spent
}

// csp allows only this origin's style, script and images; inline SVG and
// form posts to this origin.
const csp = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// New builds the handler. The CSRF token is random per process: a page
// served by this process carries it, another origin cannot read it.
func New(o Options) (*Server, error) {
	if o.Hosted {
		o.ReadOnly = true
	}
	if o.Store == nil || (!o.ReadOnly && o.Editor == nil) {
		return nil, errors.New("web: a Store, and an Editor unless read-only, are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	r, err := newRenderer()
	if err != nil {
		return nil, err
	}
	hc := hostCheck{any: true}
	if !o.Hosted {
		if hc, err = newHostCheck(o.Addr); err != nil {
			return nil, err
		}
	}
	tok := make([]byte, 32)
	if _, err := rand.Read(tok); err != nil {
		return nil, fmt.Errorf("csrf token: %w", err)
	}
	s := &Server{o: o, r: r, csrf: hex.EncodeToString(tok), hosts: hc, key: o.Secret,
		sparks: &sparks{st: o.Store, days: o.Days, now: o.Now}, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", s.overview)
	s.mux.HandleFunc("GET /event", s.event)
	s.mux.HandleFunc("GET /new", s.newForm)
	s.mux.HandleFunc("GET /edit", s.editForm)
	s.mux.HandleFunc("GET /delete", s.confirmDelete)
	s.mux.HandleFunc("POST /set", s.set)
	s.mux.HandleFunc("POST /pause", s.toggle(false))
	s.mux.HandleFunc("POST /resume", s.toggle(true))
	s.mux.HandleFunc("POST /delete", s.delete)
	s.mux.HandleFunc("GET /assets/{file}", s.asset)
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "assets/icon.svg", http.StatusMovedPermanently)
	})
	return s, nil
}

// ServeHTTP refuses foreign Host headers (DNS rebinding) and, for a POST,
// read-only mode, cross-site requests and a missing or wrong CSRF token,
// before any handler runs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null"
	// on the form posts, which the origin check must refuse.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if !s.hosts.allowed(r.Host) {
		s.refuse(w, r, http.StatusMisdirectedRequest, fmt.Sprintf("host %q is not the address this server listens on (%s): open %s", r.Host, s.o.Addr, s.hosts.home))
		return
	}
	if s.o.Secret != "" && !s.authenticated(w, r) {
		return
	}
	if r.Method == http.MethodPost {
		if s.o.ReadOnly {
			s.refuse(w, r, http.StatusForbidden, "this server is read-only (memon-config ui --read-only): nothing can be changed here")
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			s.refuse(w, r, http.StatusForbidden, "a change must come from this server's own pages (Sec-Fetch-Site "+site+")")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !s.hosts.origin(o) {
			s.refuse(w, r, http.StatusForbidden, fmt.Sprintf("a change must come from this server's own pages, not %q", o))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		tok := r.PostFormValue("csrf")
		if subtle.ConstantTimeCompare([]byte(tok), []byte(s.csrf)) != 1 {
			s.refuse(w, r, http.StatusForbidden, "the form's security token is missing or stale: reload the page and try again")
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// authenticated admits a request carrying the session cookie. A request
// carrying the one-time key while it is unspent spends it: it gets the
// cookie and is sent to the same page without the key (so the key leaves
// the address bar and the history). Anything else is refused.
func (s *Server) authenticated(w http.ResponseWriter, r *http.Request) bool {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if c, err := r.Cookie(sessionCookie); err == nil && s.session != "" &&
		subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.session)) == 1 {
		return true
	}
	if k := r.URL.Query().Get("key"); k != "" && s.key != "" && r.Method == http.MethodGet &&
		subtle.ConstantTimeCompare([]byte(k), []byte(s.key)) == 1 {
		tok := make([]byte, 32)
		if _, err := rand.Read(tok); err != nil {
			s.refuse(w, r, http.StatusInternalServerError, "cannot make a session: "+err.Error())
			return false
		}
		s.key, s.session = "", hex.EncodeToString(tok)
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.session, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		u := *r.URL
		q := u.Query()
		q.Del("key")
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
		return false
	}
	s.refuse(w, r, http.StatusUnauthorized, "this server needs the one-time link memon-config ui printed when it started "+
		"(it works once, in one browser); restart memon-config ui for a new one")
	return false
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, msg string) {
	fmt.Fprintf(s.o.Log, "memon-config ui: refused %s %s (Host %q): %s\n", r.Method, r.URL.Path, r.Host, msg)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

// hostCheck accepts the Host names of the bound address: loopback names
// for a loopback or unspecified address, the literal address otherwise.
// A DNS-rebound name (evil.example resolving to 127.0.0.1) is refused.
type hostCheck struct {
	any   bool // hosted: every Host is the page's own
	port  string
	names map[string]bool
	anyIP bool   // bound to 0.0.0.0 or ::: any IP literal names it
	home  string // the URL to suggest
}

func newHostCheck(addr string) (hostCheck, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return hostCheck{}, fmt.Errorf("address %q: %w", addr, err)
	}
	hc := hostCheck{port: port, names: map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}}
	ip := net.ParseIP(host)
	switch {
	case host == "" || (ip != nil && ip.IsUnspecified()):
		hc.anyIP = true
	case ip == nil:
		hc.names[strings.ToLower(host)] = true
	default:
		hc.names[ip.String()] = true
	}
	hc.home = "http://" + net.JoinHostPort("localhost", port) + "/"
	return hc, nil
}

func (hc hostCheck) allowed(hostport string) bool {
	if hc.any {
		return true
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "80"
	}
	if port != hc.port {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if hc.names[host] {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (hc.anyIP || ip.IsLoopback())
}

func (hc hostCheck) origin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && u.Scheme == "http" && hc.allowed(u.Host)
}

// page starts a page with what every template needs.
func (s *Server) page(title, nav string) *page {
	now := s.o.Now()
	p := &page{Title: title, Nav: nav, Live: true, ReadOnly: s.o.ReadOnly, Hosted: s.o.Hosted, Generated: newMoment(now, now, nil)}
	if !s.o.ReadOnly {
		p.CSRF = s.csrf
	}
	return p
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, code int, tmpl string, p *page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	var out io.Writer = w
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		gz := gzip.NewWriter(w)
		defer gz.Close()
		out = gz
	}
	w.WriteHeader(code)
	if err := s.r.render(out, tmpl, p); err != nil {
		fmt.Fprintf(s.o.Log, "memon-config ui: %v\n", err)
	}
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, code int, title string, err error) {
	p := s.page(title, "")
	p.Problem = memon.SingleLine(err.Error())
	if s.o.Hosted && code >= http.StatusInternalServerError {
		// The reader of a public page learns that reading failed, not
		// which table, role or request the AWS error names.
		fmt.Fprintf(s.o.Log, "memon status page: %s: %s\n", title, p.Problem)
		p.Problem = "MEMon could not read its tables just now; try again in a minute."
	}
	s.write(w, r, code, "problem", p)
}

// flashes are the messages a redirect may ask for: fixed texts, so a link
// cannot make the page say anything else.
var flashes = map[string]string{
	"created": "Created.", "saved": "Saved.", "unchanged": "Nothing changed.", "paused": "Paused: pings are recorded, no alerts.",
	"resumed": "Resumed.", "deleted": "Deleted.",
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	ls, err := s.o.Store.List(r.Context())
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "Cannot read the events", err)
		return
	}
	q := r.URL.Query()
	o := newOverview(ls, s.o.Now(), q.Get("q"), memon.ParseStatus(q.Get("status")), q.Get("tag"))
	s.sparks.fill(r.Context(), o.Rows, ls, false)
	if !s.details() {
		o.redact()
	}
	p := s.page("Overview", "overview")
	p.Overview, p.Flash = o, flashes[q.Get("done")]
	s.write(w, r, http.StatusOK, "overview", p)
}

func (s *Server) event(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	ep, err := loadEvent(r.Context(), s.o.Store, s.o.Days, name, s.o.Now())
	if errors.Is(err, memon.ErrNotFound) {
		s.problem(w, r, http.StatusNotFound, "No such event", fmt.Errorf("no event named %q", name))
		return
	}
	if err != nil {
		s.problem(w, r, http.StatusBadGateway, "Cannot read the event", err)
		return
	}
	if !s.details() {
		ep.redact()
	}
	p := s.page(name, "")
	p.Event, p.Flash = ep, flashes[r.URL.Query().Get("done")]
	if !s.o.ReadOnly {
		p.Form = &form{Name: name}
	}
	s.write(w, r, http.StatusOK, "event", p)
}

// details says whether the pages show more than names, statuses,
// schedules and times: always when they can edit, on a read-only page only
// when its deployer asked.
func (s *Server) details() bool { return !s.o.ReadOnly || s.o.Details }

func (s *Server) readOnly(w http.ResponseWriter, r *http.Request) bool {
	if s.o.ReadOnly {
		s.problem(w, r, http.StatusForbidden, "Read-only", errors.New("this server is read-only (memon-config ui --read-only): it serves no forms"))
	}
	return s.o.ReadOnly
}

func (s *Server) newForm(w http.ResponseWriter, r *http.Request) {
	if s.readOnly(w, r) {
		return
	}
	p := s.page("New event", "new")
	p.Form = &form{New: true, Values: map[string]string{"type": string(memon.Rolling)}}
	s.write(w, r, http.StatusOK, "form", p)
}

func (s *Server) editForm(w http.ResponseWriter, r *http.Request) {
	if s.readOnly(w, r) {
		return
	}
	name := r.URL.Query().Get("name")
	ev, err := s.current(r.Context(), name)
	if err != nil {
		s.problem(w, r, statusFor(err), "Cannot edit "+name, err)
		return
	}
	p := s.page("Edit "+name, "")
	p.Form = &form{Name: name, Values: currentValues(ev)}
	s.write(w, r, http.StatusOK, "form", p)
}

// current reads an event to edit; an unusable item is edited from what
// could be read of it.
func (s *Server) current(ctx context.Context, name string) (*memon.Event, error) {
	ev, err := s.o.Store.Get(ctx, name)
	switch {
	case errors.Is(err, memon.ErrInvalid) && ev != nil:
		return ev, nil
	case errors.Is(err, memon.ErrNotFound):
		return nil, fmt.Errorf("no event named %q: %w", name, err)
	}
	return ev, err
}

func statusFor(err error) int {
	switch {
	case errors.Is(err, memon.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, memon.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, memon.ErrConflict), errors.Is(err, memon.ErrExists):
		return http.StatusConflict
	}
	return http.StatusBadGateway
}

func (s *Server) set(w http.ResponseWriter, r *http.Request) {
	sub := submitted(r.PostForm)
	isNew := false
	name := sub["name"]
	var cur map[string]string
	f := &form{Name: name, Values: sub}
	ev, err := s.current(r.Context(), name)
	switch {
	case err == nil && ev != nil:
		isNew = false
		cur = currentValues(ev)
	case errors.Is(err, memon.ErrNotFound):
		isNew = true
	default:
		f.Error = memon.SingleLine(err.Error())
		s.formPage(w, r, http.StatusBadGateway, f)
		return
	}
	if r.PostFormValue("mode") == "new" && !isNew {
		f.New = true
		f.Errors = map[string]string{"name": fmt.Sprintf("an event named %q exists: open it and edit it instead", name)}
		s.formPage(w, r, http.StatusConflict, f)
		return
	}
	f.New = isNew
	fields := changes(sub, cur, isNew)
	if !isNew && len(fields) == 0 {
		http.Redirect(w, r, "/event?name="+url.QueryEscape(name)+"&done=unchanged", http.StatusSeeOther)
		return
	}
	if _, err := s.o.Editor.Set(r.Context(), name, fields); err != nil {
		fmt.Fprintf(s.o.Log, "memon-config ui: set %s: %v\n", name, err)
		f.Errors, f.Error = placeErrors(err)
		if errors.Is(err, memon.ErrConflict) || errors.Is(err, memon.ErrExists) {
			f.Errors, f.Error = nil, "The event kept changing while this was saved (a poll or another edit): nothing was written. "+
				"Reload the form to see its current settings. ("+memon.SingleLine(err.Error())+")"
		}
		s.formPage(w, r, statusFor(err), f)
		return
	}
	done := "saved"
	if isNew {
		done = "created"
	}
	http.Redirect(w, r, "/event?name="+url.QueryEscape(name)+"&done="+done, http.StatusSeeOther)
}

func (s *Server) formPage(w http.ResponseWriter, r *http.Request, code int, f *form) {
	title := "Edit " + f.Name
	if f.New {
		title = "New event"
	}
	p := s.page(title, "")
	p.Form = f
	s.write(w, r, code, "form", p)
}

func (s *Server) toggle(resume bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PostFormValue("name")
		do, done := s.o.Editor.Pause, "paused"
		if resume {
			do, done = s.o.Editor.Resume, "resumed"
		}
		if err := do(r.Context(), name); err != nil {
			s.problem(w, r, statusFor(err), "Cannot change "+name, err)
			return
		}
		http.Redirect(w, r, "/event?name="+url.QueryEscape(name)+"&done="+done, http.StatusSeeOther)
	}
}

func (s *Server) confirmDelete(w http.ResponseWriter, r *http.Request) {
	if s.readOnly(w, r) {
		return
	}
	name := r.URL.Query().Get("name")
	if _, err := s.current(r.Context(), name); err != nil {
		s.problem(w, r, statusFor(err), "Cannot delete "+name, err)
		return
	}
	p := s.page("Delete "+name, "")
	p.Confirm = &confirm{Name: name}
	s.write(w, r, http.StatusOK, "confirm", p)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	name := r.PostFormValue("name")
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r, "/delete?name="+url.QueryEscape(name), http.StatusSeeOther)
		return
	}
	if err := s.o.Editor.Delete(r.Context(), name); err != nil {
		s.problem(w, r, statusFor(err), "Cannot delete "+name, err)
		return
	}
	http.Redirect(w, r, "/?done=deleted", http.StatusSeeOther)
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	file := path.Base(r.PathValue("file"))
	b, err := assetFS.ReadFile("assets/" + file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mime.TypeByExtension(path.Ext(file)))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && len(b) > 1024 {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		gz := gzip.NewWriter(w)
		defer gz.Close()
		gz.Write(b)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
