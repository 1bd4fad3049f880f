package docs

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// commands are MEMon's binaries whose flags the docs mention, by the name the
// docs use, and the package each is built from.
var commands = map[string]string{
	"memon-send":    "./cmd/memon-send",
	"memon-config":  "./cmd/memon-config",
	"memon-pingurl": "./cmd/memon-pingurl",
	"memon-poller":  "./lambdas/poller",
}

// helpFlags holds the flags each command's --help lists, per memon-config
// command too ("memon-config set"); "memon-config" alone is its global flags.
type helpFlags map[string]map[string]bool

var (
	// flagRE finds --flag (or -flag, Go's flag package form in help output)
	// at the start of a word.
	flagRE = regexp.MustCompile(`(?:^|[\s\[(|,/])--?([a-z][a-z0-9-]*)`)
	// docFlagRE finds a flag written with two dashes in the docs.
	docFlagRE = regexp.MustCompile(`(?:^|[\s\[(|,/])--([a-z][a-z0-9-]*)`)
	cmdRE     = regexp.MustCompile(`\bmemon-(send|config|pingurl|poller)\b`)
)

// buildHelp builds every command and reads the flags its --help lists: a line
// that defines a flag (it starts with -) or a usage line.
func buildHelp(t *testing.T) (helpFlags, []string) {
	t.Helper()
	bin := t.TempDir()
	help := helpFlags{}
	// One go build for all four links them in parallel; each binary is
	// named for its package's directory (lambdas/poller: "poller").
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, pkg := range commands {
		args = append(args, pkg)
	}
	build := exec.Command("go", args...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	run := func(name string, args ...string) string {
		out, _ := exec.Command(filepath.Join(bin, filepath.Base(commands[name])), args...).CombinedOutput()
		if len(out) == 0 {
			t.Fatalf("%s %s printed no help", name, strings.Join(args, " "))
		}
		return string(out)
	}
	for name := range commands {
		help[name] = parseHelp(name, run(name, "--help"))
	}
	var verbs []string
	top := run("memon-config", "--help")
	_, list, _ := strings.Cut(top, "\nCommands:\n")
	for _, l := range strings.Split(list, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			break
		}
		verbs = append(verbs, f[0])
	}
	if len(verbs) < 10 {
		t.Fatalf("memon-config --help lists %d commands %q: the help's layout changed", len(verbs), verbs)
	}
	for _, v := range verbs {
		help["memon-config "+v] = parseHelp("memon-config", run("memon-config", v, "--help"))
	}
	return help, verbs
}

func parseHelp(name, text string) map[string]bool {
	flags := map[string]bool{"help": true} // the flag package always accepts --help
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "-") || strings.HasPrefix(l, "usage:") || strings.HasPrefix(l, name+" ") {
			for _, m := range flagRE.FindAllStringSubmatch(l, -1) {
				flags[m[1]] = true
			}
		}
	}
	return flags
}

// owner is the command a documented flag belongs to: "memon-config set",
// "memon-config" (any of its commands), "memon-send", or "" for any MEMon
// command.
type owner string

// has reports whether the owner's help lists the flag. memon-config's global
// flags are valid with every one of its commands.
func (h helpFlags) has(o owner, flag string, verbs []string) bool {
	switch {
	case o == "":
		for _, flags := range h {
			if flags[flag] {
				return true
			}
		}
		return false
	case o == "memon-config":
		for _, v := range verbs {
			if h["memon-config "+v][flag] {
				return true
			}
		}
	}
	return h[string(o)][flag] || strings.HasPrefix(string(o), "memon-config ") && h["memon-config"][flag]
}

// commandFlags reads a shell line or a code span that runs commands: each
// --flag belongs to the last MEMon command before it on the line, until a
// pipe, an && or a wrapper's "--" ends that command. context is the owner
// for a line that starts with a memon-config command name ("set EVENT …")
// in prose about memon-config; found is called per flag.
func commandFlags(line string, context owner, verbs []string, found func(owner, string)) {
	cur := owner("")
	fields := strings.Fields(strings.ReplaceAll(line, `\|`, "|"))
	if len(fields) > 0 && strings.HasPrefix(string(context), "memon-config") && contains(verbs, fields[0]) {
		cur = owner("memon-config " + fields[0])
	}
	for i, f := range fields {
		base := filepath.Base(f)
		switch {
		case commands[base] != "":
			cur = owner(base)
			if base == "memon-config" {
				for _, next := range fields[i+1:] {
					if contains(verbs, next) {
						cur = owner("memon-config " + next)
						break
					}
				}
			}
		case f == "--" || f == "|" || f == "||" || f == "&&" || strings.HasPrefix(f, "$("):
			cur = ""
		case strings.HasSuffix(f, ";") && !strings.HasPrefix(f, "--"):
			// "…, run memon-poller --every 5s; a longer --wait": a sentence
			// or a shell command ends; a flag list ("--only-errors; --json") does not.
			cur = ""
		case cur != "" && strings.HasPrefix(f, "--"):
			for _, m := range docFlagRE.FindAllStringSubmatch(f, -1) {
				found(cur, m[1])
			}
		case cur != "" && strings.Contains(f, "--"):
			for _, m := range docFlagRE.FindAllStringSubmatch(" "+f, -1) {
				found(cur, m[1])
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// documentedFlags walks a page and reports every --flag written next to one
// of MEMon's commands, with the command it belongs to:
//   - in a code block, a flag belongs to the command before it on its line;
//   - in prose, a code span that runs a command (`memon-config set X --grace 1h`)
//     likewise; a span of flags only (`--fail [--exit-code N]`) belongs to the
//     command named last in its paragraph, list item or table row before it,
//     else to the command the section's heading names, else to any MEMon
//     command.
func documentedFlags(text string, verbs []string, found func(line int, o owner, flag string)) {
	lines := strings.Split(text, "\n")
	inFence := false
	section := owner("")
	var block []string
	blockStart := 0
	flush := func() {
		if len(block) > 0 {
			proseFlags(strings.Join(block, " "), section, verbs, func(o owner, flag string) { found(blockStart+1, o, flag) })
		}
		block = nil
	}
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			flush()
			inFence = !inFence
		case inFence:
			commandFlags(l, "", verbs, func(o owner, flag string) { found(i+1, o, flag) })
		case headingRE.MatchString(l):
			flush()
			section = ""
			if m := cmdRE.FindAllString(l, -1); len(m) > 0 {
				section = owner(m[len(m)-1])
			}
		case trimmed == "" || strings.HasPrefix(trimmed, "|") || strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* ") || regexp.MustCompile(`^\d+\. `).MatchString(trimmed):
			flush()
			if trimmed != "" {
				block, blockStart = []string{trimmed}, i
			}
		default:
			if len(block) == 0 {
				blockStart = i
			}
			block = append(block, trimmed)
		}
	}
	flush()
}

var spanRE = regexp.MustCompile("`([^`]+)`")

func proseFlags(block string, section owner, verbs []string, found func(owner, string)) {
	last := owner("")
	lastAt := func(upTo int) owner {
		o := last
		for _, m := range cmdRE.FindAllStringIndex(block[:upTo], -1) {
			o = owner(block[m[0]:m[1]])
		}
		return o
	}
	for _, m := range spanRE.FindAllStringSubmatchIndex(block, -1) {
		span := strings.TrimSpace(block[m[2]:m[3]])
		context := lastAt(m[0])
		if context == "" {
			context = section
		}
		switch {
		case strings.HasPrefix(span, "--") || strings.HasPrefix(span, "[--"):
			for _, f := range docFlagRE.FindAllStringSubmatch(span, -1) {
				found(context, f[1])
			}
		default:
			first := strings.Fields(span)[0]
			if commands[filepath.Base(first)] != "" || strings.HasPrefix(string(context), "memon-config") && contains(verbs, first) {
				commandFlags(span, context, verbs, found)
			}
		}
	}
}

// TestDocumentedFlagsExist: every --flag the README and docs/ write next to
// memon-send, memon-config (and each of its commands), memon-pingurl or
// memon-poller is one that command's --help lists.
func TestDocumentedFlagsExist(t *testing.T) {
	t.Parallel()
	help, verbs := buildHelp(t)
	checked := 0
	for _, file := range markdownFiles(t) {
		documentedFlags(readFile(t, file), verbs, func(line int, o owner, flag string) {
			checked++
			if !help.has(o, flag, verbs) {
				who := string(o)
				if who == "" {
					who = "any MEMon command"
				}
				t.Errorf("%s:%d: --%s is not in the --help of %s", file, line, flag, who)
			}
		})
	}
	t.Logf("checked %d documented flags", checked)
	if checked < 100 {
		t.Errorf("checked only %d documented flags: the docs' layout changed and this test no longer finds them", checked)
	}
}

// TestDocumentedFlagsFindsEachForm pins which command a documented flag is
// charged to.
func TestDocumentedFlagsFindsEachForm(t *testing.T) {
	t.Parallel()
	verbs := []string{"set", "show", "pause"}
	doc := strings.Join([]string{
		"## memon-send",
		"",
		"- `--fail [--exit-code N]`, `--start` send the other signals.",
		"",
		"```sh",
		"17 3 * * *  backup.sh && /usr/local/bin/memon-send nightly -- backup.sh --full",
		"bin/memon-send hello && bin/memon-poller --once && curl --retry 5",
		"memon-config show   # --only-errors; --json",
		"FAIL  poller: run memon-poller --every 5s; a longer --wait",
		"```",
		"",
		"## Other",
		"",
		"`memon-config set X --period 1d`, then `pause EVENT --until 1h`; `memon-pingurl --addr A` and `--min-latency`.",
		"| row | `--stack NAME` |",
	}, "\n")
	var got []string
	documentedFlags(doc, verbs, func(_ int, o owner, flag string) { got = append(got, string(o)+" --"+flag) })
	sort.Strings(got)
	want := []string{
		" --stack",
		"memon-config pause --until",
		"memon-config set --period",
		"memon-config show --json",
		"memon-config show --only-errors",
		"memon-pingurl --addr",
		"memon-pingurl --min-latency",
		"memon-poller --every",
		"memon-poller --once",
		"memon-send --exit-code",
		"memon-send --fail",
		"memon-send --start",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
