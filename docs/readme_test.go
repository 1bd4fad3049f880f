package docs

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeMaxLines keeps README.md an entry page: what MEMon is, the two first
// commands, deploy, a first check and a map; every topic has its own page.
const readmeMaxLines = 250

func TestReadmeIsAnEntryPage(t *testing.T) {
	t.Parallel()
	readme := readFile(t, filepath.Join(root, "README.md"))
	if n := strings.Count(strings.TrimRight(readme, "\n"), "\n") + 1; n > readmeMaxLines {
		t.Errorf("README.md has %d lines, more than %d: move the detail into a page under docs/", n, readmeMaxLines)
	}
	if !strings.Contains(readme, "](docs/ui-overview.png)") {
		t.Error("README.md does not show the screenshot docs/ui-overview.png")
	}
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range pages {
		if !strings.Contains(readme, "](docs/"+page+")") {
			t.Errorf("README.md's map of the docs does not link docs/%s", page)
		}
	}
}

// TestReadmeSaysWhereEachCommandComesFrom: the first README line that names
// one of MEMon's commands also says how to get it, so no line uses a binary
// the reader does not have yet.
func TestReadmeSaysWhereEachCommandComesFrom(t *testing.T) {
	t.Parallel()
	lines := strings.Split(readFile(t, filepath.Join(root, "README.md")), "\n")
	for _, cmd := range []string{"memon-send", "memon-config", "memon-pingurl", "memon-poller"} {
		word := regexp.MustCompile(`\b` + cmd + `\b`)
		i := slices.IndexFunc(lines, word.MatchString)
		if i < 0 {
			t.Errorf("README.md never names %s", cmd)
			continue
		}
		if !strings.Contains(lines[i], "make build") {
			t.Errorf("README.md:%d names %s before saying where it comes from (make build): %q", i+1, cmd, lines[i])
		}
	}
}

// TestReadmeFirstCommandsAreWhatCIRuns: the README's first code block gives
// the two commands of a fresh machine (run MEMon locally, run the tests);
// both are make targets that install what they need first (deps), and
// .ci/run runs exactly the test command the README gives.
func TestReadmeFirstCommandsAreWhatCIRuns(t *testing.T) {
	t.Parallel()
	readme := readFile(t, filepath.Join(root, "README.md"))
	_, block, ok := strings.Cut(readme, "\n```sh\n")
	if !ok {
		t.Fatal("README.md has no sh code block")
	}
	block, _, _ = strings.Cut(block, "\n```")
	var cmds []string
	for _, l := range strings.Split(block, "\n") {
		if c, _, _ := strings.Cut(l, "#"); strings.TrimSpace(c) != "" {
			cmds = append(cmds, strings.Join(strings.Fields(c), " "))
		}
	}
	if len(cmds) != 2 {
		t.Fatalf("README.md's first code block has %d commands %q, want 2: run it locally, run the tests", len(cmds), cmds)
	}
	prereqs := makeTargets(t)
	for _, c := range cmds {
		target, ok := strings.CutPrefix(c, "make ")
		if !ok || strings.Contains(target, " ") {
			t.Errorf("README.md's first command %q is not one make target", c)
			continue
		}
		if !reaches(prereqs, target, "deps") {
			t.Errorf("make %s does not run make deps first, so it fails on a fresh machine", target)
		}
	}
	if !reaches(prereqs, strings.TrimPrefix(cmds[0], "make "), "local") {
		t.Errorf("README.md's first command %q does not run MEMon locally (make local)", cmds[0])
	}
	var ciRuns bool
	for _, l := range strings.Split(readFile(t, filepath.Join(root, ".ci", "run")), "\n") {
		ciRuns = ciRuns || strings.Join(strings.Fields(l), " ") == cmds[1]
	}
	if !ciRuns {
		t.Errorf(".ci/run does not run the README's test command %q", cmds[1])
	}
}

var makeRuleRE = regexp.MustCompile(`(?m)^([a-z][a-z-]*):([^=\n#]*)`)

// makeTargets returns each Makefile target's prerequisites.
func makeTargets(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range makeRuleRE.FindAllStringSubmatch(readFile(t, filepath.Join(root, "Makefile")), -1) {
		out[m[1]] = strings.Fields(m[2])
	}
	return out
}

func reaches(prereqs map[string][]string, from, to string) bool {
	if _, ok := prereqs[from]; !ok {
		return false
	}
	seen := map[string]bool{}
	queue := []string{from}
	for len(queue) > 0 {
		target := queue[0]
		queue = queue[1:]
		if target == to {
			return true
		}
		if !seen[target] {
			seen[target] = true
			queue = append(queue, prereqs[target]...)
		}
	}
	return false
}

// TestDeployStepsComeInTheOrderTheyWork: the README and the deploy page give
// the steps a first deploy needs, and never tell a newcomer to run the CDK CLI
// before `make deps` installs it.
func TestDeployStepsComeInTheOrderTheyWork(t *testing.T) {
	t.Parallel()
	for _, file := range []string{filepath.Join(root, "README.md"), "deploy.md"} {
		text := readFile(t, file)
		for _, want := range []string{"`make deps`", "node_modules/.bin/cdk bootstrap", "EMAIL=you@example.com,oncall@example.com", "unsubscribe", "memon-config doctor"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", file, want)
			}
		}
		if strings.Index(text, "`make deps`") > strings.Index(text, "node_modules/.bin/cdk bootstrap") {
			t.Errorf("%s tells a newcomer to run cdk bootstrap before make deps installs it", file)
		}
	}
	if !strings.Contains(readFile(t, "schedules.md"), "**Which one?**") {
		t.Error("schedules.md no longer says which schedule kind to choose")
	}
}
