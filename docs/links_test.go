// Package docs holds MEMon's documentation pages. Its tests hold the pages
// and README.md to the code: links resolve, documented flags exist, quoted
// errors are still printed, and the README stays an entry page.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// root is the module root, relative to this package's directory.
const root = ".."

// markdownFiles returns README.md and every page under docs/, as paths
// relative to this package's directory.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no pages under docs/")
	}
	return append([]string{filepath.Join(root, "README.md")}, pages...)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// proseLines returns a file's lines with fenced code blocks blanked out, so
// that neither a `# comment` in a shell block nor a link-like string in code
// counts as a heading or a link.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	inFence := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inFence = !inFence
			lines[i] = ""
			continue
		}
		if inFence {
			lines[i] = ""
		}
	}
	return lines
}

var (
	headingRE  = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	linkRE     = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	codeSpanRE = regexp.MustCompile("`[^`]*`")
)

// anchors returns the anchors GitHub gives a page's headings: lower case,
// punctuation dropped, spaces to hyphens, and -1, -2… for repeats.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, l := range proseLines(text) {
		m := headingRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		slug := slugify(m[2])
		if n := seen[slug]; n > 0 {
			out[slug+"-"+strconv.Itoa(n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

func slugify(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestDocLinksResolve: every relative link in README.md and docs/ names a
// file that exists, and an #anchor names a heading of that page.
func TestDocLinksResolve(t *testing.T) {
	t.Parallel()
	for _, file := range markdownFiles(t) {
		text := readFile(t, file)
		for n, l := range proseLines(text) {
			for _, m := range linkRE.FindAllStringSubmatch(codeSpanRE.ReplaceAllString(l, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.Join(filepath.Dir(file), path)
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s:%d: link %q: %v", file, n+1, target, err)
						continue
					}
				}
				if anchor == "" {
					continue
				}
				if !strings.HasSuffix(dest, ".md") {
					t.Errorf("%s:%d: link %q: an anchor into a file that is not a page", file, n+1, target)
					continue
				}
				if !anchors(readFile(t, dest))[anchor] {
					t.Errorf("%s:%d: link %q: %s has no heading with the anchor #%s", file, n+1, target, dest, anchor)
				}
			}
		}
	}
}

func TestSlugifyFollowsGitHub(t *testing.T) {
	t.Parallel()
	for heading, want := range map[string]string{
		"Moving from memon.py":                     "moving-from-memonpy",
		"Alert controls (noise)":                   "alert-controls-noise",
		"Alerts in Slack, Teams, SMS and webhooks": "alerts-in-slack-teams-sms-and-webhooks",
		"The web page: memon-config ui and html":   "the-web-page-memon-config-ui-and-html",
		"`memon-send` on a host":                   "memon-send-on-a-host",
	} {
		if got := slugify(heading); got != want {
			t.Errorf("slugify(%q) = %q, want %q", heading, got, want)
		}
	}
	if a := anchors("# A\n\n## A\n```sh\n# not a heading\n```\n"); !a["a"] || !a["a-1"] || a["not-a-heading"] {
		t.Errorf("anchors = %v, want a and a-1 only", a)
	}
}
