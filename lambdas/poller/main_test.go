package main

import (
	"testing"

	"github.com/peerj/memon/internal/settings"
)

func TestAutoCreateMaxFromEnv(t *testing.T) {
	for v, want := range map[string]int{"": 0, "1": 1, "80": 80} {
		got, err := autoCreateMax(func(k string) string {
			if k == settings.EnvAutoCreateMax {
				return v
			}
			return ""
		})
		if err != nil || got != want {
			t.Errorf("%s=%q: %d, %v; want %d", settings.EnvAutoCreateMax, v, got, err, want)
		}
	}
	for _, v := range []string{"0", "-3", "many", "1.5"} {
		if _, err := autoCreateMax(func(string) string { return v }); err == nil {
			t.Errorf("%s=%q accepted", settings.EnvAutoCreateMax, v)
		}
	}
}
