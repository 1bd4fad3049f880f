package pingurl

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseRouteReadsEveryForm(t *testing.T) {
	const tok = "abcdefghijklmnopqrstuvwxyzABCD-_"
	for _, tc := range []struct {
		path string
		want route
	}{
		{"/ping/" + tok, route{form: tokenForm, id: tok}},
		{"/ping/" + tok + "/", route{form: tokenForm, id: tok}},
		{"/" + tok, route{form: tokenForm, id: tok}},
		{"/" + tok + "/", route{form: tokenForm, id: tok}},
		{"/ping/" + tok + "/start", route{form: tokenForm, id: tok, suffix: "start", orSlug: true}},
		{"/" + tok + "/log/", route{form: tokenForm, id: tok, suffix: "log", orSlug: true}},
		{"/" + tok + "/256", route{form: tokenForm, id: tok, suffix: "256", orSlug: true}},
		{"/ping/key/nightly-db", route{form: slugForm, id: "key", slug: "nightly-db"}},
		{"/key/nightly-db/", route{form: slugForm, id: "key", slug: "nightly-db"}},
		{"/key/nightly-db/fail", route{form: slugForm, id: "key", slug: "nightly-db", suffix: "fail"}},
		{"/ping/key/nightly-db/3/", route{form: slugForm, id: "key", slug: "nightly-db", suffix: "3"}},
		{"/ping/key/Nightly", route{form: slugForm, id: "key", slug: "Nightly"}},
		{"/api/push/" + tok, route{form: kumaForm, id: tok}},
		{"/api/push/" + tok + "/", route{form: kumaForm, id: tok}},
		{"/api/push/", route{}},
		{"/api/push/a/b", route{}},
		{"/", route{}},
		{"/ping/", route{}},
		{"/a/b/c/d", route{}},
	} {
		if got := parseRoute(tc.path); got != tc.want {
			t.Errorf("parseRoute(%q) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
}

// FuzzServeAnyPath: whatever the path and query, the handler answers one
// of its answers after the floor, queues at most one ping, and queues one
// only for the right token or key.
func FuzzServeAnyPath(f *testing.F) {
	for _, s := range []string{
		"/ping/" + goodToken, "/" + goodToken + "/start", "/" + goodToken + "/256", "/ping/" + pingKey + "/backup/log",
		"/" + pingKey + "/nightly?create=1", "/api/push/" + goodToken + "?status=down&ping=-1", "/a/b/c/d", "//", "/ping//x",
		"/" + pingKey + "/Backup", "/api/push/", "/%2e%2e/" + goodToken,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n#") {
			return
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		r := newRig(t, Config{})
		start := r.clock.Now()
		w := r.do("GET", u.RequestURI(), "")
		switch w.Code {
		case 200, 201, 400, 404, 429:
		default:
			t.Fatalf("%s: status %d", target, w.Code)
		}
		if len(r.slept) != 1 || r.slept[0].Before(start.Add(DefaultMinLatency)) {
			t.Fatalf("%s: answered before the floor (%v)", target, r.slept)
		}
		if len(r.sender.sent) > 1 {
			t.Fatalf("%s: %d pings queued", target, len(r.sender.sent))
		}
		if len(r.sender.sent) == 1 && !strings.Contains(u.Path, goodToken) && !strings.Contains(u.Path, pingKey) {
			t.Fatalf("%s: a ping queued without the token or the key", target)
		}
	})
}
