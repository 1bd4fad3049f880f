package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

func TestRenderBadgeInEachFormat(t *testing.T) {
	t.Parallel()
	b := memon.NewBadge(memon.StatusUp, memon.StatusLate, memon.StatusDown)
	got, err := RenderBadge(BadgeJSON, "data", b)
	if err != nil || string(got) != `{"status":"down","total":3,"grace":1,"down":1}` {
		t.Errorf("json: %s %v", got, err)
	}
	got, err = RenderBadge(BadgeShields, "data", memon.NewBadge(memon.StatusLate))
	if err != nil || string(got) != `{"schemaVersion":1,"label":"data","message":"late","color":"orange"}` {
		t.Errorf("shields: %s %v", got, err)
	}
	for state, colour := range map[memon.BadgeState]string{memon.BadgeUp: "#4c1", memon.BadgeLate: "#fe7d37", memon.BadgeDown: "#e05d44"} {
		svg, err := RenderBadge(BadgeSVG, `a<b>&"c"`, memon.Badge{Status: state})
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			XMLName xml.Name `xml:"svg"`
			Width   int      `xml:"width,attr"`
			Title   string   `xml:"title"`
			Rects   []struct {
				Fill string `xml:"fill,attr"`
			} `xml:"g>rect"`
			Texts []string `xml:"g>text"`
		}
		if err := xml.Unmarshal(svg, &doc); err != nil {
			t.Fatalf("%s: not XML (%v):\n%s", state, err, svg)
		}
		if doc.Title != `a<b>&"c": `+string(state) || len(doc.Rects) != 3 || doc.Rects[1].Fill != colour ||
			len(doc.Texts) != 4 || doc.Texts[3] != string(state) || doc.Width != badgeWidth(`a<b>&"c"`)+badgeWidth(string(state))+20 {
			t.Errorf("%s: %+v\n%s", state, doc, svg)
		}
	}
	if _, err := RenderBadge("png", "x", memon.Badge{}); err == nil {
		t.Error("an unknown format rendered")
	}
	if badgeWidth("mmmm") <= badgeWidth("iiii") || badgeWidth("up") != 13 {
		t.Errorf("widths: mmmm %d, iiii %d, up %d", badgeWidth("mmmm"), badgeWidth("iiii"), badgeWidth("up"))
	}
}

// badgeHandler serves BadgeFor under /badge/k/, as the read function's
// route does (without its key check).
func badgeHandler(ls []memon.Listed, now time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, body, err := BadgeFor(ls, now, strings.TrimPrefix(r.URL.EscapedPath(), "/badge/k/"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		for k, v := range f.Headers() {
			w.Header().Set(k, v)
		}
		w.Write(body)
	})
}

func TestBadgeForEachGroup(t *testing.T) {
	t.Parallel()
	down := hourly(t, "db/dump", t0.Add(-3*time.Hour))
	down.State, down.ErrorCount = memon.Down, 1
	late := hourly(t, "report", t0.Add(-time.Minute))
	late.Grace = time.Hour
	down.Tags, late.Tags = []string{"data", "nightly"}, []string{"data"}
	ls, _ := fake.NewStore(hourly(t, "backup", t0.Add(time.Hour)), down, late).List(context.Background())
	ts := httptest.NewServer(badgeHandler(ls, t0))
	t.Cleanup(ts.Close)
	get := func(p string) (*http.Response, string) {
		return do(t, http.MethodGet, ts.URL+"/badge/k"+p, "", nil, nil)
	}

	for _, tc := range []struct{ path, want string }{
		{"/*.json", `{"status":"down","total":3,"grace":1,"down":1}`},
		{"/data.json", `{"status":"down","total":2,"grace":1,"down":1}`},
		{"/nightly.shields", `{"schemaVersion":1,"label":"nightly","message":"down","color":"red"}`},
		{"/event/backup.json", `{"status":"up","total":1,"grace":0,"down":0}`},
		{"/event/report.json", `{"status":"late","total":1,"grace":1,"down":0}`},
		{"/event/" + url.PathEscape("db/dump") + ".json", `{"status":"down","total":1,"grace":0,"down":1}`},
		{"/event/backup.shields", `{"schemaVersion":1,"label":"backup","message":"up","color":"brightgreen"}`},
		{"/*.shields", `{"schemaVersion":1,"label":"MEMon","message":"down","color":"red"}`},
	} {
		resp, body := get(tc.path)
		if resp.StatusCode != http.StatusOK || body != tc.want || resp.Header.Get("Cache-Control") != "public, max-age=60" ||
			resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %d %s %v, want %s", tc.path, resp.StatusCode, body, resp.Header, tc.want)
		}
	}
	resp, body := get("/*.svg")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<title>MEMon: down</title>") {
		t.Errorf("svg: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	for _, p := range []string{"/nosuchtag.svg", "/event/nosuch.svg", "/*.png", "/*", "/event/backup", "/a/b.svg", "/.svg"} {
		if resp, _ := get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
	if _, _, err := BadgeFor(ls, t0, "event/%zz.svg"); err != ErrNoBadge {
		t.Errorf("a bad escape: %v", err)
	}
}
