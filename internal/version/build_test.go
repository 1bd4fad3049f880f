package version

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// moduleRoot is where the Makefile is.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "Makefile")); err != nil {
		t.Fatal(err)
	}
	return root
}

func makeIn(t *testing.T, root string, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestBinariesShareOneVersionAndHelp: `make build` stamps one
// version into all three binaries; --version and the version verb print it;
// --help exits 0 on each.
func TestBinariesShareOneVersionAndHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	root := moduleRoot(t)
	bin := t.TempDir()
	makeIn(t, root, "build", "BIN="+bin, "VERSION=v9.8.7-test")
	for _, name := range []string{"memon-send", "memon-config", "memon-poller", "memon-pingurl"} {
		for _, args := range [][]string{{"--version"}, {"version"}} {
			out, err := exec.Command(filepath.Join(bin, name), args...).Output()
			if want := name + " v9.8.7-test\n"; err != nil || string(out) != want {
				t.Errorf("%s %v: %q, %v; want %q", name, args, out, err, want)
			}
		}
		cmd := exec.Command(filepath.Join(bin, name), "--help")
		cmd.Env = []string{"PATH=/usr/bin:/bin"} // no AWS configuration needed for help
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || !strings.Contains(strings.ToLower(string(out)), "usage") {
			t.Errorf("%s --help: %v\n%s", name, err, out)
		}
		// Help is printed once, to stdout: not a second copy on stderr.
		if stderr.Len() != 0 || strings.Count(strings.ToLower(string(out)), "usage:") != 1 {
			t.Errorf("%s --help: want usage once on stdout and nothing on stderr; stdout:\n%s\nstderr:\n%s", name, out, stderr.String())
		}
	}
}

// TestMakeDist: `make dist` writes one reproducible archive
// per platform with memon-send, memon-config, memon-pingurl, the README and
// the docs/ pages it links (not their tests), stamped with
// the version, and a SHA256SUMS that matches. One platform is built here
// (the host's, so the binaries can run); the default list is checked with
// make -n.
func TestMakeDist(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles")
	}
	root := moduleRoot(t)
	plan := makeIn(t, root, "-n", "dist", "VERSION=v1.0.0")
	for _, p := range []string{"linux/amd64", "linux/arm64", "darwin/arm64", "darwin/amd64"} {
		if !strings.Contains(plan, p) {
			t.Errorf("make dist does not build %s:\n%s", p, plan)
		}
	}
	dist := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	makeIn(t, root, "dist", "DIST="+dist, "DIST_PLATFORMS="+platform, "VERSION=v1.0.0-test")
	name := fmt.Sprintf("memon-v1.0.0-test-%s-%s", runtime.GOOS, runtime.GOARCH)
	archive, err := os.ReadFile(filepath.Join(dist, name+".tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(archive)
	if want := hex.EncodeToString(sum[:]) + "  " + name + ".tar.gz\n"; string(sums) != want {
		t.Errorf("SHA256SUMS %q, want %q", sums, want)
	}
	files := untar(t, archive, filepath.Join(dist, "x"))
	want := []string{name + "/", name + "/README.md", name + "/docs/"}
	for _, pattern := range []string{"*.md", "*.png"} {
		pages, err := filepath.Glob(filepath.Join(root, "docs", pattern))
		if err != nil || len(pages) == 0 {
			t.Fatalf("docs/%s: %v %v", pattern, pages, err)
		}
		for _, p := range pages {
			want = append(want, name+"/docs/"+filepath.Base(p))
		}
	}
	want = append(want, name+"/memon-config", name+"/memon-pingurl", name+"/memon-send")
	sort.Strings(want)
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("archive holds %v, want %v", files, want)
	}
	for _, bin := range []string{"memon-send", "memon-config", "memon-pingurl"} {
		out, err := exec.Command(filepath.Join(dist, "x", name, bin), "--version").Output()
		if want := bin + " v1.0.0-test\n"; err != nil || string(out) != want {
			t.Errorf("%s --version: %q %v, want %q", bin, out, err, want)
		}
	}
}

func untar(t *testing.T, archive []byte, dir string) []string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.IsZero() && h.ModTime.Unix() != 0 {
			t.Errorf("%s: mtime %v, want the epoch (reproducible archives)", h.Name, h.ModTime)
		}
		target := filepath.Join(dir, h.Name)
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, b, os.FileMode(h.Mode)); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(names)
	return names
}
