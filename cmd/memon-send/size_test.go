package main

import (
	"debug/elf"
	"os"
	"runtime"
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
