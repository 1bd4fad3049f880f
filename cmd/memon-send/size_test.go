package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseBinaryIsStaticAndSmall builds memon-send as `make build` does
// and holds it to its limits: static (no ELF interpreter, so it runs
// on any Linux host) and at most 10 MB (10,000,000 bytes).
func TestReleaseBinaryIsStaticAndSmall(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("ELF check")
	}
	path := binary(t)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > 10_000_000 {
		t.Errorf("memon-send is %d bytes, over the 10 MB limit", info.Size())
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("memon-send is dynamically linked (has PT_INTERP): build with CGO_ENABLED=0")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("memon-send is not stripped")
	}
	t.Logf("memon-send: %d bytes", info.Size())
}

// TestReleaseBinaryLinksTheMessageContractOnly: the binary on every host
// carries the ping contract and the SQS client, never the domain (schedules,
// the cron parser, storage): what `go version -m` lists of the built binary
// is the AWS SDK, smithy-go and MEMon itself, and of MEMon's packages only
// these.
func TestReleaseBinaryLinksTheMessageContractOnly(t *testing.T) {
	out, err := exec.Command("go", "version", "-m", binary(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "dep" {
			continue
		}
		if !strings.HasPrefix(f[1], "github.com/aws/aws-sdk-go-v2") && f[1] != "github.com/aws/smithy-go" {
			t.Errorf("memon-send links module %s: only the AWS SDK's SQS client may join the message contract", f[1])
		}
	}
	const mod = "github.com/peerj/memon/"
	allowed := map[string]bool{mod + "cmd/memon-send": true, mod + "pkg/memon/ping": true,
		mod + "internal/queue": true, mod + "internal/settings": true, mod + "internal/version": true}
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, p := range strings.Fields(string(deps)) {
		if strings.HasPrefix(p, mod) && !allowed[p] {
			t.Errorf("memon-send imports %s", p)
		}
	}
}
