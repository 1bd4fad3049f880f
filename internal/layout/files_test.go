package layout

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// maxTracked is the largest file the repository may track outside testdata/
// and the images under docs/.
const maxTracked = 1 << 20

// root is the repository's top directory.
func root(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("git rev-parse --show-toplevel: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// binaryMagic are the first bytes of the executables Go writes (ELF, Mach-O
// both byte orders and fat, PE).
var binaryMagic = [][]byte{{0x7f, 'E', 'L', 'F'}, {0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf},
	{0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe}, {'M', 'Z'}}

// mayBeLarge says whether a tracked file may exceed maxTracked: test data,
// and the screenshots under docs/.
func mayBeLarge(name string) bool {
	if strings.HasPrefix(name, "testdata/") || strings.Contains(name, "/testdata/") {
		return true
	}
	switch path.Ext(name) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg":
		return strings.HasPrefix(name, "docs/")
	}
	return false
}

// problem says what is wrong with tracking a file of this mode, size and
// first bytes, or "".
func problem(name, mode string, size int64, head []byte) string {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(head, m) {
			return "is a compiled executable"
		}
	}
	if mode == "100755" && !bytes.HasPrefix(head, []byte("#!")) {
		return "is executable but not a script (no #! line)"
	}
	if size > maxTracked && !mayBeLarge(name) {
		return "is over 1 MB outside testdata/ and docs/ images"
	}
	return ""
}

func TestProblemFindsBuildOutput(t *testing.T) {
	for _, c := range []struct {
		name, mode string
		size       int64
		head       string
		bad        bool
	}{
		{"memon-check", "100755", 92 << 20, "\x7fELF\x02\x01", true},
		{"tools/x", "100644", 10, "\xcf\xfa\xed\xfe", true},
		{"memon.exe", "100644", 10, "MZ\x90", true},
		{"scripts/demo.sh", "100755", 100, "#!/usr/bin/env bash", false},
		{"scripts/blob", "100755", 100, "data", true},
		{"big.json", "100644", 2 << 20, "{", true},
		{"pkg/memon/testdata/big.json", "100644", 2 << 20, "{", false},
		{"docs/ui-overview.png", "100644", 2 << 20, "\x89PNG", false},
		{"docs/dump.txt", "100644", 2 << 20, "x", true},
		{"main.go", "100644", 100, "package main", false},
	} {
		if got := problem(c.name, c.mode, c.size, []byte(c.head)) != ""; got != c.bad {
			t.Errorf("problem(%s) found %v, want %v", c.name, got, c.bad)
		}
	}
}

// TestTrackedFiles: git tracks no executable and no file over 1 MB outside
// testdata/ and docs/ images.
func TestTrackedFiles(t *testing.T) {
	dir := root(t)
	cmd := exec.Command("git", "ls-files", "-s", "-z")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	n := 0
	for _, rec := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		meta, name, ok := strings.Cut(rec, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) < 1 {
			t.Fatalf("git ls-files -s: unreadable line %q", rec)
		}
		if fields[0] == "120000" || fields[0] == "160000" { // symlink, submodule
			continue
		}
		f, err := os.Open(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 8)
		k, _ := f.Read(head)
		st, err := f.Stat()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		n++
		if p := problem(name, fields[0], st.Size(), head[:k]); p != "" {
			t.Errorf("%s (%d bytes) %s: untrack it (git rm --cached) and let .gitignore cover it", name, st.Size(), p)
		}
	}
	if n < 100 {
		t.Fatalf("read only %d tracked files", n)
	}
}

// outputs are the files the documented commands write: `go build` of every
// main package run at the top (./cmd/x writes x) or in the package's
// directory, and every `-o` of the Makefile and scripts/.
func outputs(t *testing.T, dir string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{if eq .Name "main"}}{{.Dir}}{{end}}`, "./...")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var files []string
	for _, d := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(dir, d)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(d)
		files = append(files, filepath.ToSlash(filepath.Join(rel, base)))
		if st, err := os.Stat(filepath.Join(dir, base)); err != nil || !st.IsDir() {
			files = append(files, base) // go build refuses to overwrite a directory
		}
	}
	return append(files, makeOutputs(t, dir)...)
}

var (
	makeVar = regexp.MustCompile(`^([A-Z_]+)\s*[:?]?=\s*(\S+)\s*$`)
	dashO   = regexp.MustCompile(`(?:^|\s)-o\s+(\S+)`)
	ref     = regexp.MustCompile(`\$\(([A-Z_]+)\)`)
)

// makeOutputs reads the `-o` targets of the Makefile and scripts/*.sh, with
// the Makefile's variables expanded; dist's per-platform directory stands
// for one platform.
func makeOutputs(t *testing.T, dir string) []string {
	t.Helper()
	sources, _ := filepath.Glob(filepath.Join(dir, "scripts", "*.sh"))
	sources = append(sources, filepath.Join(dir, "Makefile"))
	vars := map[string]string{}
	var files []string
	for _, src := range sources {
		f, err := os.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if m := makeVar.FindStringSubmatch(line); m != nil {
				vars[m[1]] = m[2]
			}
			if !strings.Contains(line, "GOBUILD") && !strings.Contains(line, "go build") || strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, m := range dashO.FindAllStringSubmatch(line, -1) {
				o := strings.ReplaceAll(m[1], "$$dir", "$(DIST)/memon-dev-linux-amd64")
				o = ref.ReplaceAllStringFunc(o, func(r string) string { return vars[ref.FindStringSubmatch(r)[1]] })
				if strings.HasPrefix(o, "/") || strings.ContainsAny(o, "$\"'") {
					continue // outside the tree (/dev/null) or computed at run time
				}
				files = append(files, path.Clean(o))
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 4 {
		t.Fatalf("found only %d -o outputs in the Makefile and scripts: %v", len(files), files)
	}
	return files
}

// TestGitignoreCoversBuildOutput: every binary a documented build writes is
// ignored, so `git add -A` after a build tracks nothing built.
func TestGitignoreCoversBuildOutput(t *testing.T) {
	dir := root(t)
	files := outputs(t, dir)
	for _, f := range files {
		cmd := exec.Command("git", "check-ignore", "-q", "--no-index", f)
		cmd.Dir = dir
		if err := cmd.Run(); err != nil {
			t.Errorf("%s is written by a documented build but .gitignore does not cover it", f)
		}
	}
}
