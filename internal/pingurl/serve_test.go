package pingurl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/bounds"
	"github.com/peerj/memon/internal/statusurl"
	"github.com/peerj/memon/pkg/memon"
)

// TestSlowBodiesLeaveRealPingsAnswered: as many connections as there are
// in-flight slots send a POST body at one byte a second; real pings that
// arrive meanwhile are still answered 200 (the body is read before a slot
// is taken), and the slow requests end at the body timeout.
func TestSlowBodiesLeaveRealPingsAnswered(t *testing.T) {
	tokens := &fakeTokens{byHash: map[string]string{memon.HashToken(goodToken): "backup"}}
	sender := &fakeSender{}
	h := New(tokens, nil, sender, Config{Limits: bounds.Limits{MinLatency: time.Millisecond, MaxInFlight: DefaultMaxInFlight}, BodyTimeout: time.Second}, time.Now)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(h, nil)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	base := "http://" + l.Addr().String()

	stop := make(chan struct{})
	defer close(stop)
	answered := make(chan time.Duration, DefaultMaxInFlight)
	for range DefaultMaxInFlight {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		fmt.Fprintf(c, "POST /ping/%s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", goodToken)
		start := time.Now()
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := c.Write([]byte("x")); err != nil {
						return
					}
				}
			}
		}()
		go func() {
			buf := make([]byte, 512)
			if _, err := c.Read(buf); err == nil {
				answered <- time.Since(start)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // every slow request is in the server, reading its body

	client := &http.Client{Timeout: 5 * time.Second}
	for i := range 5 {
		resp, err := client.Get(base + "/ping/" + goodToken)
		if err != nil {
			t.Fatalf("real ping %d: %v", i, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("real ping %d during a slow-body attack: %d, want 200", i, resp.StatusCode)
		}
	}
	sender.mu.Lock()
	n := len(sender.sent)
	sender.mu.Unlock()
	if n != 5 {
		t.Errorf("%d pings queued, want the 5 real ones", n)
	}
	for range DefaultMaxInFlight {
		select {
		case d := <-answered:
			if d > 3*time.Second {
				t.Errorf("a slow body was answered after %s, want about the 1s body timeout", d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a slow-body request was still open 5s later (body timeout 1s)")
		}
	}
}

// blockingEvents is an event list that blocks until released, so the reads
// waiting on it hold their in-flight slots.
type blockingEvents struct{ release chan struct{} }

func (b blockingEvents) List(ctx context.Context) ([]memon.Listed, error) {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil, nil
}

type anyAPIKey struct{}

func (anyAPIKey) Lookup(context.Context, string) (memon.Key, error) {
	return memon.Key{Kind: memon.KeyAPI}, nil
}

type noHistory struct{}

func (noHistory) History(context.Context, string, time.Time) ([]memon.HistoryRecord, error) {
	return nil, nil
}

// TestReadsNeverTakeAPingsPlace: on memon-pingurl's one listener, reads
// that hold every read slot make further reads 429 at once, and pings are
// still answered 200; the reads, released, end 200.
func TestReadsNeverTakeAPingsPlace(t *testing.T) {
	tokens := &fakeTokens{byHash: map[string]string{memon.HashToken(goodToken): "backup"}}
	h := New(tokens, nil, &fakeSender{}, Config{Limits: bounds.Limits{MinLatency: time.Millisecond}}, time.Now)
	ev := blockingEvents{release: make(chan struct{})}
	const slots = 2
	reads := statusurl.New(anyAPIKey{}, ev, noHistory{}, statusurl.Config{Limits: bounds.Limits{MinLatency: time.Millisecond, MaxInFlight: slots}}, time.Now)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(h, reads)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	base := "http://" + l.Addr().String()
	get := func(path, key string) int {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("X-Api-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	held := make(chan int, slots)
	for range slots {
		go func() {
			for { // a 429 here is a probe's slot taken first: try again
				if code := get("/api/v3/checks/", strings.Repeat("k", memon.TokenLen)); code != http.StatusTooManyRequests {
					held <- code
					return
				}
			}
		}()
	}
	// Until both slots are held, a further read may still get one (a
	// keyless one: 401 at once, and no key's rate spent).
	deadline := time.Now().Add(5 * time.Second)
	for get("/api/v3/checks/", "") != http.StatusTooManyRequests {
		if time.Now().After(deadline) {
			t.Fatal("the held reads never filled the read slots")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range 5 {
		if code := get("/ping/"+goodToken, ""); code != http.StatusOK {
			t.Fatalf("a ping while every read slot is held: %d", code)
		}
	}
	close(ev.release)
	for range slots {
		if code := <-held; code != http.StatusOK {
			t.Errorf("a held read, released: %d", code)
		}
	}
}
