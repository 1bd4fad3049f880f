package bounds

import (
	"sync"
	"time"
)

// MaxKeys is how many keys' buckets are kept before all are dropped.
const MaxKeys = 64

// Limiter bounds what one key may ask: a token bucket per key hash, in
// memory (per Lambda instance or memon-pingurl process, so a key gets at most
// the burst, then the rate a second, from each). Only keys that were found
// get a bucket, so the map holds as many as there are keys; it is emptied if
// it ever holds MaxKeys.
type Limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens a second
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter of rate a second after a burst of burst.
func NewLimiter(rate float64, burst int) *Limiter {
	return &Limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// Allow takes one token of key's bucket at now, if it has one.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= MaxKeys {
			clear(l.buckets)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+d.Seconds()*l.rate)
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
