package functionurl

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func event(method, path, query, body string, b64 bool) events.LambdaFunctionURLRequest {
	return events.LambdaFunctionURLRequest{RawPath: path, RawQueryString: query, Body: body, IsBase64Encoded: b64,
		Headers: map[string]string{"x-api-key": "k"},
		RequestContext: events.LambdaFunctionURLRequestContext{DomainName: "abc.lambda-url.us-east-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "203.0.113.7"}}}
}

// The handler sees the request a client sent (method, path, query, body,
// headers, source address), and its answer comes back whole.
func TestHandlerCarriesRequestAndAnswer(t *testing.T) {
	t.Parallel()
	var seen *http.Request
	var body string
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Add("Vary", "a")
		w.Header().Add("Vary", "b")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "Created")
	}))
	resp, err := h(context.Background(), event("POST", "/ping/tok/3", "rid=7", base64.StdEncoding.EncodeToString([]byte("disk full")), true))
	if err != nil {
		t.Fatal(err)
	}
	if seen.Method != "POST" || seen.URL.Path != "/ping/tok/3" || seen.URL.RawQuery != "rid=7" || body != "disk full" ||
		seen.Header.Get("X-Api-Key") != "k" || seen.RemoteAddr != "203.0.113.7" {
		t.Errorf("request %s %s ?%s %q %v %s", seen.Method, seen.URL.Path, seen.URL.RawQuery, body, seen.Header, seen.RemoteAddr)
	}
	if resp.StatusCode != http.StatusCreated || resp.Body != "Created" || resp.Headers["Vary"] != "a, b" {
		t.Errorf("answer %+v", resp)
	}
	if resp, _ := h(context.Background(), event("HEAD", "/x", "", "", false)); resp.Body != "" || resp.StatusCode != http.StatusCreated {
		t.Errorf("HEAD: %+v", resp)
	}
}

// A body that says it is base64 and is not is served as a bodiless GET of
// "/", which every MEMon handler answers 404 after its floor.
func TestHandlerServesAnUnreadableEventAsRoot(t *testing.T) {
	t.Parallel()
	var seen *http.Request
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.WriteHeader(http.StatusNotFound)
	}))
	resp, err := h(context.Background(), event("POST", "/ping/tok", "", "%%%not base64", true))
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("%+v %v", resp, err)
	}
	if seen.Method != http.MethodGet || seen.URL.Path != "/" {
		t.Errorf("served %s %s", seen.Method, seen.URL.Path)
	}
}
