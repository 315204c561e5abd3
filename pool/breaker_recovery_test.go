package pool

import (
	"testing"
)

// TestBreakerFastPathResumesAfterFailure: a failure below the threshold
// sends the next success through gobreaker (to reset its count of
// consecutive failures), and that success alone: the calls after it are
// back on the lock-free path, which allocates nothing. A breaker that
// kept reporting every success would take gobreaker's mutex twice per
// call for the rest of its life.
func TestBreakerFastPathResumesAfterFailure(t *testing.T) { // not parallel: AllocsPerRun
	b := newBreaker("primary", EndpointPrimary, BreakerConfig{FailureThreshold: 3}.withDefaults())
	tk, _ := b.allow()
	b.finish(tk, outcomeFailure)
	tk, _ = b.allow()
	b.finish(tk, outcomeSuccess)
	allocs := testing.AllocsPerRun(1000, func() {
		tk, _ := b.allow()
		b.finish(tk, outcomeSuccess)
	})
	if allocs != 0 {
		t.Errorf("after a failure and a success, a call allocates %v, want 0 (the fast path)", allocs)
	}
	// Two more failures would open it only if the success had not reset the count.
	for range 2 {
		tk, _ := b.allow()
		b.finish(tk, outcomeFailure)
	}
	if s := b.current(); s != BreakerClosed {
		t.Errorf("state after failure, success, 2 failures (threshold 3) = %s, want closed", s)
	}
}
