package pingurl

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Serve answers pings on l with h until ctx ends, then shuts down within
// 5 s: memon-pingurl's server, outside Lambda.
func Serve(ctx context.Context, l net.Listener, h *Handler) error {
	srv := newServer(h)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newServer is memon-pingurl's HTTP server. Its timeouts bound how long a
// connection may take; the handler reads a body within its own shorter
// BodyTimeout, before the request takes an in-flight slot.
func newServer(h *Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}
