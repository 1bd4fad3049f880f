// Command memon-pingurl serves MEMon's HTTPS ping API outside Lambda: for
// `make local`, tests, and self-hosting behind a TLS reverse proxy. It is the
// handler the function URL serves (internal/pingurl).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/peerj/memon/internal/pingurl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := pingurl.Serve(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
