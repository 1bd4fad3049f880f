package main

import (
	"strings"
	"sync"
	"testing"
)

func TestRing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		size   int
		writes []string
		want   string
	}{
		{name: "empty", size: 8, want: ""},
		{name: "under size", size: 8, writes: []string{"ab", "cd"}, want: "abcd"},
		{name: "exactly size", size: 4, writes: []string{"ab", "cd"}, want: "abcd"},
		{name: "wraps", size: 4, writes: []string{"abc", "def"}, want: "cdef"},
		{name: "wraps many times", size: 3, writes: []string{"ab", "cd", "ef", "gh", "i"}, want: "ghi"},
		{name: "one write larger than size", size: 4, writes: []string{"0123456789"}, want: "6789"},
		{name: "large write after wrap", size: 4, writes: []string{"abc", "0123456789", "x"}, want: "789x"},
		{name: "never opens mid-rune", size: 3, writes: []string{"aé", "xy"}, want: "xy"}, // kept: 0xA9 x y
		{name: "keeps a whole rune", size: 4, writes: []string{"aé", "xy"}, want: "éxy"},
		{name: "zero size", size: 0, writes: []string{"abc"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRing(tt.size)
			for _, w := range tt.writes {
				if n, err := r.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := r.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRingConcurrentWriters(t *testing.T) {
	t.Parallel()
	r := newRing(4096)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				r.Write([]byte(strings.Repeat(string(rune('a'+i)), 10)))
			}
		}()
	}
	wg.Wait()
	if got := len(r.String()); got != 4096 {
		t.Fatalf("kept %d bytes, want 4096", got)
	}
}
