// Package browsertest drives a real headless Chromium (Debian's
// /usr/bin/chromium) through the DevTools protocol, for the pages' browser
// tests: one tab that records every console error, uncaught exception and
// browser log error (CSP violations, failed loads), the viewport and colour
// scheme a page sees, and full-page screenshots. Tests only.
package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = "/usr/bin/chromium"

// Need returns Chromium's path. It skips without Chromium, except under
// CI=true where a missing browser is a failure (scripts/install-deps.sh
// installs it), and under -short.
func Need(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: not under -short")
	}
	path := ChromiumPath
	if _, err := os.Stat(path); err != nil {
		if p, err := exec.LookPath("chromium"); err == nil {
			path = p
		} else if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is missing (%v): scripts/install-deps.sh installs it with apt", err)
		} else {
			t.Skip("chromium is not installed (apt-get install chromium); CI=true makes this a failure")
		}
	}
	return path
}

// Browser is one headless Chromium tab.
type Browser struct {
	Ctx  context.Context
	mu   sync.Mutex
	errs []string
}

// New starts Chromium with one tab, closed when the test ends. The viewer
// is in New York: the pages show times in the viewer's zone as well as in
// UTC and the event's.
func New(t *testing.T) *Browser {
	t.Helper()
	path := Need(t)
	// Not t.TempDir: Chromium may still be writing its profile while the
	// test's cleanup removes it; this one is removed after the browser.
	profile, err := os.MkdirTemp("", "memon-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	b := &Browser{Ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				msg = "console.error"
				for _, a := range e.Args {
					msg += " " + string(a.Value)
				}
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.LevelError {
				msg = fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
			}
		}
		if msg != "" {
			b.mu.Lock()
			b.errs = append(b.errs, msg)
			b.mu.Unlock()
		}
	})
	if err := chromedp.Run(ctx, cdplog.Enable(), runtime.Enable(), emulation.SetTimezoneOverride("America/New_York")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// Run runs actions within 45 s, failing the test on an error.
func (b *Browser) Run(t *testing.T, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// Errors returns the console errors seen so far; expected ones (a page
// that answers 403 on purpose) are dropped by the caller's filter.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errs...)
}

// View sets the window width and the colour scheme ("light", "dark") the
// page sees.
func View(width int64, scheme string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		if err := emulation.SetDeviceMetricsOverride(width, 1000, 1, width < 600).Do(ctx); err != nil {
			return err
		}
		return emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}).Do(ctx)
	})
}

// Settled waits until the page's fonts are loaded and two frames have been
// painted since: a screenshot taken sooner can catch a page half laid out.
func Settled() chromedp.Action {
	return chromedp.Evaluate(`document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))`,
		nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })
}

// Screenshot writes the whole page, once settled, as dir/name (PNG). On a
// loaded machine Chromium can capture before every tile of the page is
// rastered (a settled page with its lower rows blank), so it captures
// until two captures in a row are the same.
func (b *Browser) Screenshot(t *testing.T, dir, name string) {
	t.Helper()
	var png, again []byte
	b.Run(t, Settled(), chromedp.FullScreenshot(&png, 100))
	for range 5 {
		b.Run(t, Settled(), chromedp.FullScreenshot(&again, 100))
		if bytes.Equal(png, again) {
			break
		}
		png = again
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
