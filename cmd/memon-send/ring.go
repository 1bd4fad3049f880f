package main

import (
	"sync"
	"unicode/utf8"
)

// ring keeps the last len(buf) bytes written to it: the log tail a wrapped
// command's ping carries. Writes never fail and it is safe for the stdout and
// stderr copiers to write concurrently.
type ring struct {
	mu    sync.Mutex
	buf   []byte
	total int64 // bytes ever written
}

func newRing(size int) *ring { return &ring{buf: make([]byte, size)} }

func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	size := len(r.buf)
	if size == 0 {
		return n, nil
	}
	if len(p) > size {
		r.total += int64(len(p) - size)
		p = p[len(p)-size:]
	}
	pos := int(r.total % int64(size))
	c := copy(r.buf[pos:], p)
	copy(r.buf, p[c:])
	r.total += int64(len(p))
	return n, nil
}

// String returns the kept bytes, oldest first. Once bytes have been dropped
// it starts on a UTF-8 rune boundary so the tail never opens mid-character.
func (r *ring) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	size := int64(len(r.buf))
	if r.total <= size {
		return string(r.buf[:r.total])
	}
	pos := r.total % size
	out := make([]byte, 0, size)
	out = append(out, r.buf[pos:]...)
	out = append(out, r.buf[:pos]...)
	i := 0
	for i < len(out) && i < utf8.UTFMax && !utf8.RuneStart(out[i]) {
		i++
	}
	return string(out[i:])
}
