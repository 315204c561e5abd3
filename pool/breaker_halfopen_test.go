package pool

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// halfOpenBreaker returns a breaker (one failure opens it, one probe
// closes it) that has opened and half-opened, with onLost counting its
// calls.
func halfOpenBreaker(t *testing.T) (*breaker, *atomic.Int32) {
	t.Helper()
	b := newBreaker("primary (x:1)", EndpointPrimary, BreakerConfig{FailureThreshold: 1, OpenTimeout: 20 * time.Millisecond,
		HalfOpenProbes: 1}.withDefaults())
	var lost atomic.Int32
	b.onLost = func() { lost.Add(1) }
	tk, _ := b.allow()
	b.finish(tk, outcomeFailure)
	if s := b.current(); s != BreakerOpen {
		t.Fatalf("state after a failure = %s, want open", s)
	}
	time.Sleep(30 * time.Millisecond)
	if s := b.current(); s != BreakerHalfOpen {
		t.Fatalf("state after OpenTimeout = %s, want half-open", s)
	}
	return b, &lost
}

// TestBreakerHalfOpenIgnoresCanceledAndLostCalls: a half-open breaker
// closes only on a call the server really answered. A call the caller
// gave up on, or whose established connection was lost, says nothing
// about the server's health; counted as a success it would close the
// breaker on a server that is still down.
func TestBreakerHalfOpenIgnoresCanceledAndLostCalls(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		o    outcome
	}{{"caller canceled", outcomeExcluded}, {"connection lost", outcomeLost}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := tt.o
			b, lost := halfOpenBreaker(t)
			probe, err := b.allow()
			if err != nil {
				t.Fatalf("half-open breaker refused its probe: %v", err)
			}
			b.finish(probe, o)
			if s := b.current(); s != BreakerHalfOpen {
				t.Fatalf("state after the probe = %s, want half-open (the call proves nothing)", s)
			}
			if !b.routable() {
				t.Errorf("half-open breaker not routable")
			}
			// The ignored call gave its probe slot back: the next call is
			// admitted, and it is the one that decides.
			next, err := b.allow()
			if err != nil {
				t.Fatalf("second probe refused: %v, want admitted", err)
			}
			if _, err := b.allow(); !errors.Is(err, b.halfErr) {
				t.Errorf("third call while the second probe runs: %v, want the half-open refusal", err)
			}
			b.finish(next, outcomeSuccess)
			if s := b.current(); s != BreakerClosed {
				t.Errorf("state after a successful probe = %s, want closed", s)
			}
			wantLost := int32(0)
			if o == outcomeLost {
				wantLost = 1
			}
			if n := lost.Load(); n != wantLost {
				t.Errorf("onLost called %d times, want %d", n, wantLost)
			}
		})
	}
}

// TestBreakerLostConnectionWakesHealthCheck: the loss of a connection
// does not count as a failure, so the health loop must probe at once to
// find out whether the server is gone, in every breaker state.
func TestBreakerLostConnectionWakesHealthCheck(t *testing.T) {
	t.Parallel()
	t.Run("half-open", func(t *testing.T) {
		t.Parallel()
		b, lost := halfOpenBreaker(t)
		probe, err := b.allow()
		if err != nil || probe.done == nil {
			t.Fatalf("half-open probe = %+v, %v; want a slow-path ticket", probe, err)
		}
		b.finish(probe, outcomeLost)
		if n := lost.Load(); n != 1 {
			t.Errorf("onLost called %d times after a lost half-open call, want 1", n)
		}
	})
	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		b := newBreaker("primary (x:1)", EndpointPrimary, BreakerConfig{FailureThreshold: 1}.withDefaults())
		var lost atomic.Int32
		b.onLost = func() { lost.Add(1) }
		tk, _ := b.allow()
		b.finish(tk, outcomeLost)
		if n := lost.Load(); n != 1 {
			t.Errorf("onLost called %d times after a lost call, want 1", n)
		}
		if s := b.current(); s != BreakerClosed {
			t.Errorf("state after a lost connection = %s, want closed (a loss is not a failure)", s)
		}
		for _, tt := range []struct {
			name string
			o    outcome
		}{{"success", outcomeSuccess}, {"failure", outcomeFailure}, {"caller canceled", outcomeExcluded}} {
			tk, _ := b.allow()
			b.finish(tk, tt.o)
			if n := lost.Load(); n != 1 {
				t.Errorf("%s called onLost (%d calls so far), want only a lost connection to", tt.name, n)
			}
			b.closeNow()
		}
	})
}
