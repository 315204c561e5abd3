package pool

import (
	"testing"
	"time"
)

// TestBreakerOpeningSchedulesOneHealthCheckAtOpenTimeout: when a breaker
// opens, it asks for a health check (onHalfOpen) once OpenTimeout has
// passed, so that the probe can close it then rather than at the next
// HealthCheckPeriod tick; its other changes (half-open, closed) schedule
// nothing.
func TestBreakerOpeningSchedulesOneHealthCheckAtOpenTimeout(t *testing.T) {
	t.Parallel()
	const openTimeout = 20 * time.Millisecond
	b := newBreaker("primary (x:1)", EndpointPrimary, BreakerConfig{FailureThreshold: 1, OpenTimeout: openTimeout,
		HalfOpenProbes: 1}.withDefaults())
	woken := make(chan time.Time, 10)
	b.onHalfOpen = func() { woken <- time.Now() }

	opened := time.Now()
	tk, _ := b.allow()
	b.finish(tk, outcomeFailure)
	if s := b.current(); s != BreakerOpen {
		t.Fatalf("state after a failure = %s, want open", s)
	}
	select {
	case at := <-woken:
		if at.Sub(opened) < openTimeout {
			t.Errorf("health check asked for %s after opening, before OpenTimeout %s", at.Sub(opened), openTimeout)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening the breaker never asked for a health check")
	}

	// The probe: half-open, then a success closes it.
	if s := b.current(); s != BreakerHalfOpen {
		t.Fatalf("state after OpenTimeout = %s, want half-open", s)
	}
	tk, err := b.allow()
	if err != nil {
		t.Fatalf("half-open breaker refused the probe: %v", err)
	}
	b.finish(tk, outcomeSuccess)
	if s := b.current(); s != BreakerClosed {
		t.Fatalf("state after the probe = %s, want closed", s)
	}
	select {
	case <-woken:
		t.Error("half-opening or closing asked for another health check")
	case <-time.After(5 * openTimeout):
	}
}
