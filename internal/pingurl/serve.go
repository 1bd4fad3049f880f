package pingurl

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Reads is the read endpoint served beside the pings on one listener
// (statusurl.Handler): the paths it owns go to it, every other to the pings.
// Each keeps its own in-flight bound, so a flood of reads never takes a
// ping's place, nor pings a read's.
type Reads interface {
	http.Handler
	Owns(path string) bool
}

// Serve answers pings (and the reads, when reads is not nil) on l until ctx
// ends, then shuts down within 5 s: memon-pingurl's server, outside Lambda.
func Serve(ctx context.Context, l net.Listener, h *Handler, reads Reads) error {
	srv := newServer(h, reads)
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
func newServer(h *Handler, reads Reads) *http.Server {
	var root http.Handler = h
	if reads != nil {
		root = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if reads.Owns(r.URL.Path) {
				reads.ServeHTTP(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	return &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}
