// Package lambdatest serves the Lambda Runtime API on a loopback port, so a
// test can run a real `bootstrap` binary (aws-lambda-go's runtime loop) and
// invoke it as Lambda would: one invocation at a time, answer collected.
package lambdatest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

const prefix = "/2018-06-01/runtime"

// Runtime is a Runtime API server.
type Runtime struct {
	server  *httptest.Server
	pending chan invocation
	done    chan struct{}

	mu      sync.Mutex
	answers map[string]chan Answer
	n       int
}

type invocation struct {
	id      string
	payload []byte
}

// Answer is how the function answered: Kind "response" or "error".
type Answer struct {
	Kind string
	Body []byte
}

// Start serves the API; Close stops it.
func Start() *Runtime {
	rt := &Runtime{pending: make(chan invocation), done: make(chan struct{}), answers: map[string]chan Answer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/invocation/next", rt.next)
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/response", rt.answer("response"))
	mux.HandleFunc("POST "+prefix+"/invocation/{id}/error", rt.answer("error"))
	mux.HandleFunc("POST "+prefix+"/init/error", rt.answer("init/error"))
	rt.server = httptest.NewServer(mux)
	return rt
}

// Addr is the value of AWS_LAMBDA_RUNTIME_API.
func (rt *Runtime) Addr() string { return strings.TrimPrefix(rt.server.URL, "http://") }

// Close ends pending polls and stops the server.
func (rt *Runtime) Close() {
	close(rt.done)
	rt.server.Close()
}

// Invoke hands payload to the function and waits up to wait for its answer.
func (rt *Runtime) Invoke(payload []byte, wait time.Duration) (Answer, error) {
	rt.mu.Lock()
	rt.n++
	id := "req-" + strconv.Itoa(rt.n)
	ch := make(chan Answer, 1)
	rt.answers[id] = ch
	rt.mu.Unlock()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case rt.pending <- invocation{id: id, payload: payload}:
	case <-timer.C:
		return Answer{}, fmt.Errorf("the function did not ask for invocation %s within %s", id, wait)
	}
	select {
	case a := <-ch:
		return a, nil
	case <-timer.C:
		return Answer{}, fmt.Errorf("no answer to invocation %s within %s", id, wait)
	}
}

func (rt *Runtime) next(w http.ResponseWriter, r *http.Request) {
	select {
	case inv := <-rt.pending:
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test")
		_, _ = w.Write(inv.payload)
	case <-rt.done:
		http.Error(w, "test over", http.StatusServiceUnavailable)
	case <-r.Context().Done():
	}
}

func (rt *Runtime) answer(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rt.mu.Lock()
		ch := rt.answers[r.PathValue("id")]
		rt.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		if ch != nil {
			ch <- Answer{Kind: kind, Body: body}
		}
	}
}
