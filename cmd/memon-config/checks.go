package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/peerj/memon/pkg/memon"
)

// Checks as code: `export` prints every event's configuration, `apply`
// makes the table match a file. A file entry is a `set` in another form:
// its keys are set's flags, and each entry goes through set's own
// validation (parseSet) and edit (applySet), so a file and the command line
// can never disagree on what an event means.

// specKeys are the keys an entry may have besides name: set's flags for
// every setting of memon.Config.
func specKeys() []string { return memon.SettingKeys() }

// listKeys are the settings a file may give as a list.
func isListKey(k string) bool {
	return k == memon.KeyQuiet || k == memon.KeyDependsOn || k == memon.KeyTag
}

// spec is one event of a checks file: its name, then its settings in
// memon.Config's text, spelled so that applying it changes nothing.
type spec struct {
	name     string
	settings []memon.Setting
}

// specOf is an event's configuration as a file entry.
func specOf(ev *memon.Event) spec {
	c := ev.Configured()
	return spec{name: ev.Name, settings: c.Settings()}
}

func (s spec) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	// A file is read as text (entryValue), so a scalar is written as plain
	// as YAML allows: 5, true, 30m; quoted only where it must be.
	str := func(v string) *yaml.Node {
		if v == "" {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: v, Style: yaml.DoubleQuotedStyle}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Value: v}
	}
	n.Content = append(n.Content, str("name"), str(s.name))
	for _, st := range s.settings {
		v := str(st.Value)
		if st.IsList {
			v = &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, item := range st.List {
				v.Content = append(v.Content, str(item))
			}
		}
		n.Content = append(n.Content, str(st.Key), v)
	}
	return n, nil
}

func (s spec) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	key := func(k string, v any) error {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
		return nil
	}
	if err := key("name", s.name); err != nil {
		return nil, err
	}
	for _, st := range s.settings {
		var v any = st.Value
		switch {
		case st.IsList:
			v = append([]string{}, st.List...)
		case st.Key == memon.KeyEnabled:
			v = st.Value == "true"
		case st.Key == memon.KeyMaxAlerts || st.Key == memon.KeyFailuresBeforeAlert:
			v = json.Number(st.Value)
		}
		if err := key(st.Key, v); err != nil {
			return nil, err
		}
	}
	return []byte("{" + b.String() + "}"), nil
}

type checksFile struct {
	Events []spec `yaml:"events" json:"events"`
}

// exportOptions are export's flags.
type exportOptions struct {
	Format string
}

func exportCommand() *command {
	o := &exportOptions{}
	return &command{
		name: "export", summary: "Print every event's configuration as a checks file for `apply` (YAML, or JSON with --format json).",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&o.Format, "format", "yaml", "output `FORMAT`: yaml or json")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runExport(a, ctx, cl, o) },
	}
}

func runExport(a *app, ctx context.Context, cl *call, o *exportOptions) error {
	if err := cl.noArgs("export"); err != nil {
		return err
	}
	if o.Format != "yaml" && o.Format != "json" {
		return flagError("format", o.Format, "want yaml or json")
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}
	listed, err := st.List(ctx)
	if err != nil {
		return err
	}
	var f checksFile
	f.Events = []spec{}
	for _, l := range listed {
		if l.Err != nil || l.Event == nil {
			// Left out, and said so: apply --prune leaves unusable items alone.
			fmt.Fprintf(a.stderr, "memon-config export: warning: %s left out: %v\n", memon.SingleLine(l.Name()), l.Err)
			continue
		}
		f.Events = append(f.Events, specOf(l.Event))
	}
	slices.SortFunc(f.Events, func(x, y spec) int { return strings.Compare(x.name, y.name) })
	if o.Format == "json" {
		b, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	fmt.Fprintf(a.stdout, "# MEMon checks: memon-config apply -f FILE makes the events table match this file.\n"+
		"# Keys are memon-config set's flags (%s).\n", strings.Join(specKeys(), ", "))
	enc := yaml.NewEncoder(a.stdout)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}

// applyOptions are apply's flags.
type applyOptions struct {
	File   string
	DryRun bool
	Prune  bool
	Yes    bool
}

func applyCommand() *command {
	o := &applyOptions{}
	return &command{
		name: "apply", summary: "Create and update the events in a checks file (from `export`, YAML or JSON).\n" +
			"Each entry is validated as `set` validates its flags; nothing is written unless every entry is valid.",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&o.File, "f", "", "the checks `FILE` (- for standard input)")
			fs.BoolVar(&o.DryRun, "dry-run", false, "print what would change, write nothing")
			fs.BoolVar(&o.Prune, "prune", false, "also delete events that are not in the file (asks first, unless --yes)")
			fs.BoolVar(&o.Yes, "yes", false, "with --prune: delete without asking")
		},
		run: func(a *app, ctx context.Context, cl *call) error { return runApply(a, ctx, cl, o) },
	}
}

// fileEntry is a parsed entry: set's flag values, with where they were.
type fileEntry struct {
	name   string
	values map[string]string
	line   int
	lines  map[string]int // key -> line
}

// at prefixes an error with the file and line of the entry, or of the key
// the error names.
func (e fileEntry) at(file string, err error) error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok { // set reports every bad flag: locate each
		var each []error
		for _, x := range joined.Unwrap() {
			each = append(each, e.at(file, x))
		}
		return errors.Join(each...)
	}
	line := e.line
	for k, l := range e.lines {
		if strings.Contains(err.Error(), "--"+k+" ") || strings.Contains(err.Error(), "--"+k+"\n") {
			line = l
		}
	}
	return fmt.Errorf("%s:%d: event %q: %w", file, line, e.name, err)
}

// parseChecks reads a checks file (YAML; JSON is YAML too) into entries,
// reporting every structural problem with its line.
func parseChecks(file string, data []byte) ([]fileEntry, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, usagef("%s: %v: want a checks file as `memon-config export` writes it", file, err)
	}
	if len(root.Content) == 0 {
		return nil, usagef("%s: the file is empty: want `events:` and a list of events", file)
	}
	doc := root.Content[0]
	var events *yaml.Node
	if doc.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(doc.Content); i += 2 {
			if doc.Content[i].Value == "events" {
				events = doc.Content[i+1]
			} else {
				return nil, usagef("%s:%d: unknown key %q: the file has one key, events", file, doc.Content[i].Line, doc.Content[i].Value)
			}
		}
	}
	if events == nil || (events.Kind != yaml.SequenceNode && !(events.Kind == yaml.ScalarNode && events.Tag == "!!null")) {
		return nil, usagef("%s:%d: want `events:` holding a list of events", file, doc.Line)
	}
	var out []fileEntry
	var errs []error
	seen := map[string]int{}
	for _, n := range events.Content {
		e := fileEntry{values: map[string]string{}, line: n.Line, lines: map[string]int{}}
		if n.Kind != yaml.MappingNode {
			errs = append(errs, usagef("%s:%d: an event is a mapping of keys (name, %s)", file, n.Line, strings.Join(specKeys(), ", ")))
			continue
		}
		var bad []error
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			value, err := entryValue(k.Value, v)
			if err != nil {
				bad = append(bad, usagef("%s:%d: %v", file, v.Line, err))
				continue
			}
			switch {
			case k.Value == "name":
				e.name = value
			case slices.Contains(specKeys(), k.Value):
				if _, dup := e.values[k.Value]; dup {
					bad = append(bad, usagef("%s:%d: %s is given twice", file, k.Line, k.Value))
				}
				e.values[k.Value] = value
				e.lines[k.Value] = k.Line
			default:
				bad = append(bad, usagef("%s:%d: unknown key %q: want name, %s", file, k.Line, k.Value, strings.Join(specKeys(), ", ")))
			}
		}
		if en, ok := e.values["enabled"]; ok {
			if b, err := strconv.ParseBool(en); err != nil {
				bad = append(bad, usagef("%s:%d: enabled %q: want true or false", file, e.lines["enabled"], en))
			} else {
				e.values["enabled"] = strconv.FormatBool(b)
			}
		}
		switch {
		case e.name == "":
			bad = append(bad, usagef("%s:%d: the event has no name", file, n.Line))
		case seen[e.name] > 0:
			bad = append(bad, usagef("%s:%d: event %q is also at line %d: give each event once", file, n.Line, e.name, seen[e.name]))
		default:
			seen[e.name] = n.Line
		}
		if len(bad) > 0 {
			errs = append(errs, bad...)
			continue
		}
		out = append(out, e)
	}
	return out, errors.Join(errs...)
}

// entryValue is a key's value as set takes it: a list setting's items
// joined as its repeated flag joins them ("none" for an empty list, which
// clears it), anything else one scalar.
func entryValue(key string, v *yaml.Node) (string, error) {
	if v.Kind == yaml.ScalarNode {
		return v.Value, nil
	}
	if v.Kind != yaml.SequenceNode || !isListKey(key) {
		return "", fmt.Errorf("%s: want a single value", key)
	}
	var items []string
	for _, it := range v.Content {
		if it.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("%s: want a list of single values", key)
		}
		items = append(items, it.Value)
	}
	if len(items) == 0 {
		return "none", nil
	}
	return strings.Join(items, ";"), nil
}

// change is what apply does to one event.
type change struct {
	entry  fileEntry
	req    *setRequest
	create bool
	diff   []string // "grace 0s -> 30m"
}

func runApply(a *app, ctx context.Context, cl *call, o *applyOptions) error {
	if err := cl.noArgs("apply"); err != nil {
		return err
	}
	file, dry, prune, yes := o.File, o.DryRun, o.Prune, o.Yes
	if file == "" {
		return usagef("missing -f FILE: want memon-config apply -f checks.yaml (from memon-config export)")
	}
	var data []byte
	var err error
	if file == "-" {
		data, err = readAll(a)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return usagef("read %s: %v", file, err)
	}
	entries, err := parseChecks(file, data)
	if err != nil {
		return err
	}
	st, err := a.open(ctx, cl.g)
	if err != nil {
		return err
	}

	// Validate and diff everything first: nothing is written unless every
	// entry is valid.
	var changes []change
	var errs []error
	unchanged := 0
	for _, e := range entries {
		cur, unusable, err := readForSet(ctx, st, e.name)
		if err != nil {
			return err
		}
		if cur != nil && unusable == nil && pastInitial(cur) {
			// The first deadline of a file arms an event that has not run
			// yet; once it runs, its deadlines come from its runs.
			delete(e.values, memon.KeyInitialDate)
			delete(e.values, memon.KeyInitialTime)
		}
		req, err := parseSet(e.name, e.values, a.now())
		if err != nil {
			errs = append(errs, e.at(file, err))
			continue
		}
		var before *memon.Config
		if cur != nil {
			c := cur.Configured()
			before = &c
		}
		after, err := req.apply(cur, unusable, a.now())
		if err != nil {
			errs = append(errs, e.at(file, err))
			continue
		}
		c := change{entry: e, req: req, create: before == nil}
		if before != nil {
			c.diff = configDiff(*before, after.Configured())
			if len(c.diff) == 0 && unusable == nil {
				unchanged++
				continue
			}
			if unusable != nil {
				c.diff = append(c.diff, "rewrites the unusable item")
			}
		} else {
			c.diff = []string{scheduleText(after) + ", " + enabledText(after.Enabled)}
		}
		changes = append(changes, c)
	}
	planned := map[string][]string{}
	for _, c := range changes {
		if deps := c.req.controls.dependsOn; deps != nil {
			planned[c.entry.name] = *deps
		} else if c.create {
			planned[c.entry.name] = nil
		}
	}
	for _, c := range changes {
		if deps := c.req.controls.dependsOn; deps != nil {
			if err := checkDependsOn(ctx, st, c.entry.name, *deps, planned); err != nil {
				errs = append(errs, c.entry.at(file, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return usageWrap(err)
	}
	var deletes []string
	if prune {
		listed, err := st.List(ctx)
		if err != nil {
			return err
		}
		inFile := map[string]bool{}
		for _, e := range entries {
			inFile[e.name] = true
		}
		for _, l := range listed {
			switch {
			case inFile[l.Name()]:
			case l.Err != nil:
				fmt.Fprintf(a.stderr, "memon-config apply: warning: %s is not in %s but is left alone: it is unusable (%v)\n",
					memon.SingleLine(l.Name()), file, l.Err)
			default:
				deletes = append(deletes, l.Name())
			}
		}
		slices.Sort(deletes)
	}

	if dry {
		fmt.Fprintln(a.stdout, "dry run: nothing is written")
	}
	for _, c := range changes {
		sign, verb := "~", "update"
		if c.create {
			sign, verb = "+", "create"
		}
		fmt.Fprintf(a.stdout, "%s %s %s: %s\n", sign, verb, memon.SingleLine(c.entry.name), strings.Join(c.diff, "; "))
	}
	for _, n := range deletes {
		fmt.Fprintf(a.stdout, "- delete %s\n", memon.SingleLine(n))
	}
	fmt.Fprintf(a.stdout, "%d to create, %d to update, %d unchanged, %d to delete\n",
		countCreates(changes, true), countCreates(changes, false), unchanged, len(deletes))
	if dry {
		return nil
	}
	if len(deletes) > 0 && !yes {
		ok, err := a.confirm(fmt.Sprintf("delete %d events that are not in %s? [y/N] ", len(deletes), file))
		if err != nil {
			return err
		}
		if !ok {
			return usagef("nothing deleted: --prune needs a yes (or --yes); the creates and updates were not applied either")
		}
	}
	for _, c := range changes {
		ev, before, err := a.applySet(ctx, st, c.req)
		if err != nil {
			return fmt.Errorf("%s: event %q: %w (the events before it in the file are applied)", file, c.entry.name, err)
		}
		if before != "" {
			if err := a.recordToggle(ctx, st, ev, before); err != nil {
				return err
			}
		}
	}
	for _, c := range changes {
		if deps := c.req.controls.dependsOn; deps != nil {
			if err := a.linkParents(ctx, st, c.entry.name, *deps); err != nil {
				return fmt.Errorf("%s: event %q: %w", file, c.entry.name, err)
			}
		}
	}
	for _, n := range deletes {
		if err := a.deleteEvent(ctx, cl.g, st, n); err != nil && !errors.Is(err, memon.ErrNotFound) {
			return fmt.Errorf("delete %q: %w", n, err)
		}
	}
	fmt.Fprintln(a.stdout, "applied")
	return nil
}

// usageWrap keeps a joined list of usage errors a usage error (exit 2),
// one per line.
func usageWrap(err error) error {
	return usagef("the file has errors, nothing was written:\n%v", err)
}

func countCreates(cs []change, create bool) int {
	n := 0
	for _, c := range cs {
		if c.create == create {
			n++
		}
	}
	return n
}

func enabledText(on bool) string {
	if on {
		return "enabled"
	}
	return "paused"
}

// pastInitial says whether an event's deadlines no longer come from a
// first deadline: it has one that is not its initial one.
func pastInitial(ev *memon.Event) bool {
	return !ev.NextBlockTime.IsZero() && ev.Configured().Initial.IsZero()
}

// configDiff lists what apply changes between two configurations of an
// event, setting by setting.
func configDiff(old, cur memon.Config) []string {
	var d []string
	add := func(what, from, to string) {
		if from != to {
			d = append(d, fmt.Sprintf("%s %s -> %s", what, from, to))
		}
	}
	add("schedule", old.Schedule.String(), cur.Schedule.String())
	values := func(c memon.Config) map[string]string {
		m := map[string]string{}
		for _, s := range c.Settings() {
			m[s.Key] = s.Value
		}
		return m
	}
	ov, cv := values(old), values(cur)
	for _, k := range memon.SettingKeys() {
		switch k {
		case memon.KeyType, memon.KeyPeriod, memon.KeyCron, memon.KeyTZ:
			// in the schedule
		case memon.KeyDescription:
			add(k, strconv.Quote(memon.SingleLine(ov[k])), strconv.Quote(memon.SingleLine(cv[k])))
		case memon.KeyEnabled:
			add("state", enabledText(old.Enabled), enabledText(cur.Enabled))
		default:
			add(k, orNone(ov[k]), orNone(cv[k]))
		}
	}
	return d
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return memon.SingleLine(s)
}

// confirm asks a yes/no question on the terminal.
func (a *app) confirm(question string) (bool, error) {
	if a.stdin == nil {
		return false, usagef("--prune would delete events and there is no terminal to ask: give --yes")
	}
	fmt.Fprint(a.stderr, question)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes", nil
}

func readAll(a *app) ([]byte, error) {
	if a.stdin == nil {
		return nil, errors.New("no standard input")
	}
	var b bytes.Buffer
	_, err := b.ReadFrom(a.stdin)
	return b.Bytes(), err
}
