package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/internal/settings"
	"github.com/peerj/memon/internal/version"
	"github.com/peerj/memon/pkg/memon"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a runtime failure: AWS, a missing event, a lost race
	exitUsage   = 2 // bad flags or values: nothing was written
)

// app is everything a command needs from outside: injected so tests are
// deterministic and need no AWS.
type app struct {
	now    func() time.Time
	local  *time.Location // the zone --initial-time falls back to
	env    settings.Lookup
	stdin  io.Reader // apply: -f - and the --prune question (nil: no terminal)
	stdout io.Writer
	stderr io.Writer
	open   func(ctx context.Context, g *globals) (store, error)
	tokens func(ctx context.Context, g *globals) (tokenStore, error) // token.go
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{now: time.Now, local: time.Local, env: settings.OS(), stdin: os.Stdin, stdout: stdout, stderr: stderr, open: openDynamo, tokens: openTokens}
	return a.run(ctx, args)
}

// command is one subcommand.
type command struct {
	name    string
	args    string // the positional arguments, for usage
	summary string
	flags   func(fs *flag.FlagSet) // the command's own flags, besides the globals
	run     func(a *app, ctx context.Context, c *call) error
}

// call is one parsed invocation.
type call struct {
	fs   *flag.FlagSet
	g    *globals
	args []string
	set  map[string]bool // flags given on the command line
}

func commands() []*command {
	return []*command{setCommand(), showCommand(), deleteCommand(), pauseCommand(), resumeCommand(),
		historyCommand(), reportCommand(), htmlCommand(), uiCommand(), testAlertCommand(),
		tokenCommand(), pingKeyCommand(), apiKeyCommand(), badgesCommand(), statusPageCommand(), exportCommand(), applyCommand(),
		doctorCommand(), // doctor.go
		versionCommand(),
	}
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = append([]string{"version"}, args[1:]...) // as every MEMon binary takes it
	}
	g := &globals{}
	root := g.flags()
	if err := root.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.rootUsage(a.stdout)
			return exitOK
		}
		return a.fail(usagef("%v (see memon-config --help)", err))
	}
	rest := root.Args()
	if len(rest) == 0 {
		a.rootUsage(a.stderr)
		return exitUsage
	}
	name := rest[0]
	if name == "help" {
		a.rootUsage(a.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		cl, err := c.parse(root, g, rest[1:])
		if errors.Is(err, flag.ErrHelp) {
			c.usage(a.stdout)
			return exitOK
		}
		if err != nil {
			return a.fail(fmt.Errorf("%s: %w", c.name, err))
		}
		g.resolve(a.env)
		if err := c.run(a, ctx, cl); err != nil {
			return a.fail(fmt.Errorf("%s: %w", c.name, err))
		}
		return exitOK
	}
	return a.fail(usagef("unknown command %q: want one of %s (see memon-config --help)", name, commandNames()))
}

func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

// fail prints an error and maps it to an exit code: bad input is 2, the
// rest 1.
func (a *app) fail(err error) int {
	var missing *dynamotypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		err = fmt.Errorf("%w\n(the table does not exist in this account and region: check --table/MEMON_TABLE and --region/AWS_REGION, or deploy MEMon there: make deploy)", err)
	}
	fmt.Fprintf(a.stderr, "memon-config %v\n", err)
	if isUsage(err) {
		return exitUsage
	}
	return exitFailure
}

// flagSet is the command's own flags plus the global ones, which share the
// root's flag.Values so that a global given before the verb is kept.
func (c *command) flagSet(root *flag.FlagSet) *flag.FlagSet {
	fs := flag.NewFlagSet("memon-config "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
}

// flagDashes finds the flag package's "-name" in its parse errors, which
// are shown as typed: "--name".
var flagDashes = regexp.MustCompile(`(flag|defined:) -`)

// parse reads flags anywhere among the arguments (`set backup --period 1h`
// as well as `set --period 1h backup`); "--" ends the flags.
func (c *command) parse(root *flag.FlagSet, g *globals, args []string) (*call, error) {
	fs := c.flagSet(root)
	cl := &call{fs: fs, g: g, set: map[string]bool{}}
	raw := args
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return cl, err
			}
			return cl, usagef("%s%s (see memon-config %s --help)", flagDashes.ReplaceAllString(err.Error(), "$1 --"), didYouMean(fs, err), c.name)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			cl.args = append(cl.args, rest...)
			break
		}
		cl.args = append(cl.args, rest[0])
		args = rest[1:]
	}
	fs.Visit(func(f *flag.Flag) {
		if root.Lookup(f.Name) == nil {
			cl.set[f.Name] = true
		}
	})
	return cl, splitDuration(fs, raw)
}

// event returns the single EVENT argument, or a usage error.
func (cl *call) event(cmd string, optional bool) (string, error) {
	switch {
	case len(cl.args) == 0 && optional:
		return "", nil
	case len(cl.args) == 0:
		return "", usagef("missing EVENT: want memon-config %s EVENT", cmd)
	case len(cl.args) > 1:
		return "", usagef("too many arguments %q: want one EVENT (quote a name with spaces; flags go before \"--\")", cl.args)
	case cl.args[0] == "":
		return "", usagef("EVENT is empty: want an event name")
	}
	return cl.args[0], nil
}

// noArgs rejects positional arguments for commands that take none.
func (cl *call) noArgs(cmd string) error {
	if len(cl.args) > 0 {
		return usagef("unexpected arguments %q: memon-config %s takes none", cl.args, cmd)
	}
	return nil
}

const envHelp = `Environment (used when the flag is not given):
  MEMON_TABLE           events table (default ` + settings.DefaultTable + `)
  MEMON_HISTORY_TABLE   history table (default ` + settings.DefaultHistoryTable + `)
  AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL and the rest of the standard AWS
  configuration (--region overrides AWS_REGION)
`

// usage lists the command's own flags; the global ones are named, not
// repeated (memon-config --help describes them).
func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "usage: memon-config [global flags] %s %s\n\n%s\n", c.name, c.args, c.summary)
	if c.flags != nil {
		own := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(own)
		fmt.Fprintf(w, "\nFlags:\n")
		printFlags(w, own)
	}
	var names []string
	(&globals{}).flags().VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
	fmt.Fprintf(w, "\nGlobal flags, before or after %s: %s (see memon-config --help)\n", c.name, strings.Join(names, ", "))
	fmt.Fprintf(w, "\n%s", envHelp)
}

func (a *app) rootUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: memon-config [global flags] COMMAND [flags] [EVENT]\n\nCommands:\n")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s %s\n", width, c.name, brief(c.summary))
	}
	fmt.Fprintf(w, "\n  --version  print the version (as the version command does)\n")
	fmt.Fprintf(w, "\nGlobal flags (before or after the command):\n")
	printFlags(w, (&globals{}).flags())
	fmt.Fprintf(w, "\n%s\nRun memon-config COMMAND --help for a command's flags.\n", envHelp)
}

// printFlags lists flags as they are usually typed: two dashes, one for a
// one-letter flag (-f).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		name := dashes(f.Name) + f.Name
		if arg != "" {
			name += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-26s %s\n", name, usage)
	})
}

// brief is a command's summary for the command list: its first sentence,
// never cut mid-sentence without saying so, at most 100 characters.
func brief(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	const most = 100
	if len(s) <= most {
		return s
	}
	cut := strings.LastIndexAny(s[:most], " ,;:")
	return strings.TrimRight(s[:cut], " ,;:") + " …"
}

func versionCommand() *command {
	return &command{
		name: "version", summary: "Print memon-config's version.",
		run: func(a *app, _ context.Context, cl *call) error {
			if err := cl.noArgs("version"); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "memon-config %s\n", version.String())
			return nil
		},
	}
}

// usageError is bad input: exit code 2, nothing written.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Is makes bad input recognisable as memon.ErrInvalid outside this
// package too (the web form tells it from a failed write).
func (e *usageError) Is(target error) bool { return target == memon.ErrInvalid }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// flagError names a flag, the value given and the accepted form.
func flagError(flag, value, want string) error {
	return &memon.FieldError{Field: "--" + flag, Value: value, Want: want}
}

// asFlag renames a domain FieldError's field ("period") to its flag
// ("--period"), so the message says what to type.
func asFlag(err error) error {
	var fe *memon.FieldError
	if errors.As(err, &fe) && !strings.HasPrefix(fe.Field, "--") {
		c := *fe
		c.Field = "--" + c.Field
		if c.Field == "--name" {
			c.Field = "EVENT"
		}
		return &c
	}
	return err
}

// asFlags is asFlag for each of a joined list of errors.
func asFlags(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var each []error
		for _, e := range j.Unwrap() {
			each = append(each, asFlags(e))
		}
		return errors.Join(each...)
	}
	return asFlag(err)
}

func isUsage(err error) bool {
	var ue *usageError
	return errors.As(err, &ue) || errors.Is(err, memon.ErrInvalid)
}

// notFound is the error for a reference to an event that does not exist.
func notFound(name string) error {
	return fmt.Errorf("no event named %q (memon-config show lists them; set creates one): %w", name, memon.ErrNotFound)
}

// dashes is how a flag is written in help: -f for a one-letter flag, --name
// for the others.
func dashes(name string) string {
	if len(name) == 1 {
		return "-"
	}
	return "--"
}

// didYouMean suggests the flag nearest to an undefined one (a typo such as
// --grase), or nothing when none is close.
func didYouMean(fs *flag.FlagSet, err error) string {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return ""
	}
	typed := strings.TrimLeft(strings.TrimPrefix(msg, prefix), "-")
	best, bestDist := "", 3 // at most two edits away
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(typed, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return "; did you mean " + dashes(best) + best + "?"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
