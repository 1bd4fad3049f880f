package statusurl

import (
	"net/http"
	"strings"
	"testing"

	"github.com/peerj/memon/pkg/memon"
)

const statusKey = "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS"

// pagesHandler is newTestHandler with the status key known too.
func pagesHandler(t *testing.T, cfg Config) *testHandler {
	t.Helper()
	th := newTestHandler(t, cfg)
	th.keys.(fakeKeys)[memon.HashToken(statusKey)] = memon.Key{Kind: memon.KeyStatus, ID: "s"}
	return th
}

func TestBadgesBehindTheBadgeKey(t *testing.T) {
	t.Parallel()
	th := pagesHandler(t, Config{})
	for path, want := range map[string]string{
		"/badge/" + badgeKey + "/*.json":                      `{"status":"down","total":9,"grace":1,"down":3}`,
		"/badge/" + badgeKey + "/prod.json":                   `{"status":"up","total":2,"grace":0,"down":0}`,
		"/badge/" + badgeKey + "/event/late-job.json":         `{"status":"late","total":1,"grace":1,"down":0}`,
		"/badge/" + badgeKey + "/event/Batch:Nightly.shields": `{"schemaVersion":1,"label":"Batch:Nightly","message":"up","color":"brightgreen"}`,
	} {
		w := th.do(http.MethodGet, path, "")
		if w.Code != http.StatusOK || w.Body.String() != want || w.Header().Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("%s: %d %q %v, want %s", path, w.Code, w.Body, w.Header(), want)
		}
	}
	w := th.do(http.MethodGet, "/badge/"+badgeKey+"/db.svg", "")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(w.Body.String(), "<title>db: up</title>") {
		t.Errorf("svg: %d %v %s", w.Code, w.Header(), w.Body)
	}
	// Without the badge key every path answers alike.
	for _, path := range []string{"/badge/" + apiKey + "/*.svg", "/badge/" + statusKey + "/*.svg", "/badge/" + strings.Repeat("x", 32) + "/*.svg",
		"/badge/short/*.svg", "/badge/", "/badge/" + badgeKey + "/nosuchtag.svg"} {
		if w := th.do(http.MethodGet, path, ""); w.Code != http.StatusNotFound || w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %v, want 404", path, w.Code, w.Header())
		}
	}
	if w := th.do(http.MethodPost, "/badge/"+badgeKey+"/*.svg", ""); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST a badge: %d", w.Code)
	}
	for _, d := range th.slept {
		if d < DefaultMinLatency-10e6 {
			t.Fatalf("an answer took less than the floor: slept %v", d)
		}
	}
	if !th.Owns("/badge/x") || !th.Owns("/status/x") {
		t.Error("memon-pingurl must send /badge/ and /status/ to the reads")
	}
}

func TestStatusPageOnlyWithStatusPage(t *testing.T) {
	t.Parallel()
	off := pagesHandler(t, Config{})
	for _, p := range []string{"/status/" + statusKey + "/", "/status/" + statusKey, "/status/" + statusKey + "/event?name=backup"} {
		if w := off.do(http.MethodGet, p, ""); w.Code != http.StatusNotFound {
			t.Errorf("without StatusPage %s: %d", p, w.Code)
		}
	}
}

func TestStatusPageBehindTheStatusKey(t *testing.T) {
	t.Parallel()
	th := pagesHandler(t, Config{StatusPage: true})
	base := "/status/" + statusKey
	if w := th.do(http.MethodGet, base, ""); w.Code != http.StatusPermanentRedirect || w.Header().Get("Location") != base+"/" {
		t.Errorf("%s: %d %v", base, w.Code, w.Header())
	}
	w := th.do(http.MethodGet, base+"/", "")
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(w.Header().Get("Content-Security-Policy"), "default-src 'none'") || w.Header().Get("X-Frame-Options") != "DENY" {
		t.Fatalf("overview: %d %v\n%s", w.Code, w.Header(), body)
	}
	for name, status := range map[string]string{"backup": "up", "late-job": "late", "overdue-job": "overdue", "down-job": "down",
		"paused-job": "paused", "new-job": "new"} {
		if !strings.Contains(body, `data-name="`+name+`" data-status="`+status+`"`) {
			t.Errorf("overview: %s is not %s", name, status)
		}
	}
	if strings.Contains(body, "<form") || strings.Contains(body, "nightly dump") {
		t.Errorf("overview has a form or a description:\n%s", body)
	}
	w = th.do(http.MethodGet, base+"/event?name=backup", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Availability") || strings.Contains(w.Body.String(), "nightly dump") ||
		strings.Contains(w.Body.String(), "still down") {
		t.Errorf("event page: %d\n%s", w.Code, w.Body)
	}
	if w := th.do(http.MethodGet, base+"/assets/style.css", ""); w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("style: %d %v", w.Code, w.Header())
	}
	if w := th.do(http.MethodGet, base+"/event?name=nosuch", ""); w.Code != http.StatusNotFound {
		t.Errorf("an unknown event: %d", w.Code)
	}
	for _, p := range []string{"/status/" + badgeKey + "/", "/status/" + apiKey + "/", "/status/" + strings.Repeat("y", 32) + "/", "/status/", "/status/short/"} {
		if w := th.do(http.MethodGet, p, ""); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "backup") {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		if w := th.do(m, base+"/pause", ""); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d, want 405", m, w.Code)
		}
	}

	details := pagesHandler(t, Config{StatusPage: true, StatusDetails: true})
	if w := details.do(http.MethodGet, base+"/event?name=backup", ""); !strings.Contains(w.Body.String(), "nightly dump") || !strings.Contains(w.Body.String(), "still down") {
		t.Errorf("with StatusDetails the event page shows the description and reasons:\n%s", w.Body)
	}
}
