// Package functionurl adapts an http.Handler to Lambda function URL events,
// so a Lambda serves exactly what the same handler serves on a listener
// (memon-pingurl). The ping endpoint and the read endpoint both use it. It
// imports aws-lambda-go's event types and nothing of MEMon.
package functionurl

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is h as a function URL handler. An event no client could have
// sent (a body that is not base64 though it says so) is served as a bodiless
// GET of "/", which every MEMon handler answers 404 after the floor its
// other answers take.
func Handler(h http.Handler) func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return func(ctx context.Context, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
		r, err := toRequest(ctx, ev)
		if err != nil {
			if r, err = http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ev.RequestContext.DomainName+"/", nil); err != nil {
				return events.LambdaFunctionURLResponse{}, err
			}
		}
		w := &responseRecorder{header: http.Header{}}
		h.ServeHTTP(w, r)
		if w.status == 0 {
			w.status = http.StatusOK
		}
		headers := map[string]string{}
		for k, v := range w.header {
			headers[k] = strings.Join(v, ", ")
		}
		body := w.body.String()
		if ev.RequestContext.HTTP.Method == http.MethodHead {
			body = ""
		}
		return events.LambdaFunctionURLResponse{StatusCode: w.status, Headers: headers, Body: body}, nil
	}
}

func toRequest(ctx context.Context, ev events.LambdaFunctionURLRequest) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("decode base64 body: %w", err)
		}
		body = b
	}
	path := ev.RawPath
	if path == "" {
		path = "/"
	}
	u := "https://" + ev.RequestContext.DomainName + path
	if ev.RawQueryString != "" {
		u += "?" + ev.RawQueryString
	}
	r, err := http.NewRequestWithContext(ctx, ev.RequestContext.HTTP.Method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range ev.Headers {
		r.Header.Set(k, v)
	}
	r.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	return r, nil
}

// responseRecorder is the http.ResponseWriter a function URL answer is
// collected in.
type responseRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *responseRecorder) Header() http.Header { return w.header }

func (w *responseRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}
