// Command print writes the release `go build` command of one kind (cli,
// small-cli, lambda), environment and flags included, with VERSION stamped
// in when given, as shell words for the Makefile, which appends -o and the
// package:
//
//	GOBUILD = $(shell $(GO) run ./internal/buildflags/print cli $(VERSION))
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/peerj/memon/internal/buildflags"
)

func main() {
	kinds := map[string]buildflags.Kind{"cli": buildflags.CLI, "small-cli": buildflags.SmallCLI, "lambda": buildflags.Lambda}
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: print cli|small-cli|lambda [VERSION]")
		os.Exit(2)
	}
	kind, ok := kinds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "print: unknown kind %q: want cli, small-cli or lambda\n", os.Args[1])
		os.Exit(2)
	}
	ver := ""
	if len(os.Args) == 3 {
		ver = os.Args[2]
	}
	words := append(append(buildflags.Env(kind), "go", "build"), buildflags.Flags(kind, ver)...)
	for i, w := range words {
		if strings.ContainsAny(w, " '") {
			words[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	fmt.Println(strings.Join(words, " "))
}
