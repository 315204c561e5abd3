package pool

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestBreakerDefaults pins the documented defaults of BreakerConfig
// (FailureThreshold 5, OpenTimeout 5s, HalfOpenProbes 1), on its own and
// through Config, and that a value the caller set is kept.
func TestBreakerDefaults(t *testing.T) {
	t.Parallel()
	want := BreakerConfig{FailureThreshold: 5, OpenTimeout: 5 * time.Second, HalfOpenProbes: 1}
	set := BreakerConfig{FailureThreshold: 2, OpenTimeout: 300 * time.Millisecond, HalfOpenProbes: 3}
	tests := []struct {
		name      string
		got, want BreakerConfig
	}{
		{"zero BreakerConfig", BreakerConfig{}.withDefaults(), want},
		{"zero Config", Config{}.withDefaults().Breaker, want},
		{"set values kept", set.withDefaults(), set},
		{"only HalfOpenProbes set", BreakerConfig{HalfOpenProbes: 4}.withDefaults(),
			BreakerConfig{FailureThreshold: 5, OpenTimeout: 5 * time.Second, HalfOpenProbes: 4}},
	}
	for _, tt := range tests {
		g, w := tt.got, tt.want
		if g.FailureThreshold != w.FailureThreshold || g.OpenTimeout != w.OpenTimeout || g.HalfOpenProbes != w.HalfOpenProbes {
			t.Errorf("%s: got {FailureThreshold: %d, OpenTimeout: %s, HalfOpenProbes: %d}, want {%d, %s, %d}",
				tt.name, g.FailureThreshold, g.OpenTimeout, g.HalfOpenProbes, w.FailureThreshold, w.OpenTimeout, w.HalfOpenProbes)
		}
	}
}

// TestBreakerConfigValidateRefusesOnlyNegativeOpenTimeout checks the edge:
// zero (the default's marker) and a positive timeout pass, one nanosecond
// below zero names the field.
func TestBreakerConfigValidateRefusesOnlyNegativeOpenTimeout(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, time.Nanosecond, time.Hour} {
		if errs := (BreakerConfig{OpenTimeout: d}).validate(); len(errs) != 0 {
			t.Errorf("OpenTimeout %s refused: %v", d, errs)
		}
	}
	errs := BreakerConfig{OpenTimeout: -time.Nanosecond}.validate()
	if len(errs) != 1 {
		t.Fatalf("OpenTimeout -1ns: %d errors, want 1: %v", len(errs), errs)
	}
	var ce *ConfigError
	if !errors.As(errs[0], &ce) || ce.Field != "Breaker.OpenTimeout" {
		t.Errorf("OpenTimeout -1ns: error %#v, want a *ConfigError on Breaker.OpenTimeout", errs[0])
	}
}

// TestBreakerStateTextRoundTrip reads back every state's name, as a JSON
// health report carries it, and refuses a name that is no state.
func TestBreakerStateTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, st := range []BreakerState{BreakerClosed, BreakerHalfOpen, BreakerOpen} {
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		got := BreakerState(-1)
		if err := json.Unmarshal(b, &got); err != nil || got != st {
			t.Errorf("%s: read back %s as %v (err %v)", st, b, got, err)
		}
	}
	for _, name := range []string{"", "Open", "half_open", "opened"} {
		got := BreakerOpen
		if err := got.UnmarshalText([]byte(name)); err == nil {
			t.Errorf("UnmarshalText(%q) accepted it as %v", name, got)
		}
		if got != BreakerOpen {
			t.Errorf("UnmarshalText(%q) changed the state to %v on error", name, got)
		}
	}
}
