package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/peerj/memon/internal/browsertest"
	"github.com/peerj/memon/internal/fake"
	"github.com/peerj/memon/pkg/memon"
)

// screenshotDir is where the browser tests leave their screenshots
// (build/ is ignored by git); docs/badges.png is this test's badges.png.
const screenshotDir = "../../build/screenshots"

// TestBadgesInBrowser: Chromium draws each state's SVG badge, as an <img>
// from the badge handler, at the width the SVG declares, and the row of
// them is screenshotted.
func TestBadgesInBrowser(t *testing.T) {
	b := browsertest.New(t)
	down := hourly(t, "etl-orders", t0.Add(-3*time.Hour))
	down.State, down.ErrorCount, down.Tags = memon.Down, 1, []string{"data"}
	late := hourly(t, "report-hourly", t0.Add(-time.Minute))
	late.Grace, late.Tags = time.Hour, []string{"reports"}
	up := hourly(t, "backup-nightly", t0.Add(time.Hour))
	up.Tags = []string{"backups"}
	ls, _ := fake.NewStore(up, late, down).List(context.Background())
	mux := http.NewServeMux()
	mux.Handle("/badge/k/", badgeHandler(ls, t0))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body style="margin:0;background:#fff">` +
			`<p id="row" style="display:inline-flex;gap:8px;padding:8px;margin:0">` +
			`<img src="/badge/k/backups.svg" alt="backups"><img src="/badge/k/reports.svg" alt="reports">` +
			`<img src="/badge/k/data.svg" alt="data"><img src="/badge/k/*.svg" alt="all"></p></body></html>`))
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	var drawn []struct {
		Alt          string
		NaturalWidth float64
	}
	b.Run(t, browsertest.View(800, "light"), chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(`#row`),
		chromedp.Poll(`Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(`Array.from(document.images).map(i => ({alt: i.alt, naturalWidth: i.naturalWidth}))`, &drawn))
	want := map[string]string{"backups": "up", "reports": "late", "data": "down", "all": "down"}
	if len(drawn) != len(want) {
		t.Fatalf("drew %d badges: %+v", len(drawn), drawn)
	}
	for _, d := range drawn {
		label := d.Alt
		if label == "all" {
			label = "MEMon"
		}
		if w := float64(badgeWidth(label) + badgeWidth(want[d.Alt]) + 20); d.NaturalWidth != w {
			t.Errorf("%s badge drawn %v px wide, its SVG says %v", d.Alt, d.NaturalWidth, w)
		}
	}
	var png []byte
	b.Run(t, chromedp.Screenshot(`#row`, &png, chromedp.ByID))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, "badges.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("browser console errors: %v", errs)
	}
}
