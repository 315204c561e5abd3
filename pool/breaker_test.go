package pool

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestBreakerOpensOnConsecutiveInfraFailuresOnly(t *testing.T) {
	t.Parallel()
	b := newBreaker("primary (x:1)", EndpointPrimary, BreakerConfig{FailureThreshold: 3, OpenTimeout: time.Hour}.withDefaults())
	for range 100 { // statement errors count as successes
		tk, err := b.allow()
		if err != nil {
			t.Fatalf("breaker refused after statement errors: %v", err)
		}
		b.finish(tk, outcomeSuccess)
	}
	for range 10 { // the caller's cancellations are excluded
		tk, _ := b.allow()
		b.finish(tk, outcomeExcluded)
	}
	if s := b.current(); s != BreakerClosed {
		t.Fatalf("state after successes and exclusions = %s, want closed", s)
	}
	for i := range 2 {
		tk, _ := b.allow()
		b.finish(tk, outcomeFailure)
		if s := b.current(); s != BreakerClosed {
			t.Fatalf("state after %d failures = %s, want closed", i+1, s)
		}
	}
	tk, _ := b.allow()
	b.finish(tk, outcomeSuccess) // resets the consecutive count
	for range 2 {
		tk, _ := b.allow()
		b.finish(tk, outcomeFailure)
	}
	if s := b.current(); s != BreakerClosed {
		t.Fatalf("a success between failures did not reset the count: %s", s)
	}
	tk, _ = b.allow()
	b.finish(tk, outcomeFailure)
	if s := b.current(); s != BreakerOpen {
		t.Fatalf("state after 3 consecutive failures = %s, want open", s)
	}
	_, err := b.allow()
	if err == nil {
		t.Fatal("open breaker admitted a call")
	}
	if !errors.Is(err, b.openErr) {
		t.Errorf("refusal = %v, want the endpoint's CircuitOpenError", err)
	}
}

func TestBreakerHalfOpensAndCloses(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []BreakerEvent
	b := newBreaker("replica[0] (x:1)", EndpointReplica, BreakerConfig{FailureThreshold: 1, OpenTimeout: 20 * time.Millisecond,
		HalfOpenProbes: 1, OnStateChange: func(ev BreakerEvent) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, ev)
		}}.withDefaults())
	tk, _ := b.allow()
	b.finish(tk, outcomeFailure)
	if b.routable() {
		t.Error("open breaker still routable")
	}
	time.Sleep(30 * time.Millisecond)
	probe, err := b.allow()
	if err != nil {
		t.Fatalf("half-open breaker refused its probe: %v", err)
	}
	if _, err := b.allow(); !errors.Is(err, b.halfErr) {
		t.Errorf("second call while the probe runs: %v, want half-open refusal", err)
	}
	b.finish(probe, outcomeSuccess)
	if s := b.current(); s != BreakerClosed {
		t.Fatalf("after a successful probe state = %s, want closed", s)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []BreakerState{BreakerOpen, BreakerHalfOpen, BreakerClosed}
	if len(events) != len(want) {
		t.Fatalf("events = %+v, want transitions to %v", events, want)
	}
	for i, ev := range events {
		if ev.To != want[i] || ev.Endpoint != "replica[0] (x:1)" || ev.Role != EndpointReplica {
			t.Errorf("event %d = %+v, want to %s", i, ev, want[i])
		}
	}
}

func TestBreakerCallbackMayReenter(t *testing.T) {
	t.Parallel()
	var b *breaker
	done := make(chan struct{})
	b = newBreaker("primary", EndpointPrimary, BreakerConfig{FailureThreshold: 1, OnStateChange: func(BreakerEvent) {
		_ = b.current() // would deadlock if called under gobreaker's lock
		_, _ = b.allow()
	}}.withDefaults())
	go func() {
		defer close(done)
		tk, _ := b.allow()
		b.finish(tk, outcomeFailure)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("state-change callback deadlocked")
	}
}

func TestBreakerFastPathDoesNotAllocate(t *testing.T) { // not parallel: AllocsPerRun
	b := newBreaker("primary", EndpointPrimary, BreakerConfig{}.withDefaults())
	allocs := testing.AllocsPerRun(1000, func() {
		tk, _ := b.allow()
		b.finish(tk, outcomeSuccess)
	})
	if allocs != 0 {
		t.Errorf("closed breaker allocates %v per call, want 0", allocs)
	}
}

func TestBreakerDisabled(t *testing.T) {
	t.Parallel()
	b := newBreaker("primary", EndpointPrimary, BreakerConfig{Disabled: true, FailureThreshold: 1}.withDefaults())
	for range 10 {
		tk, err := b.allow()
		if err != nil {
			t.Fatalf("disabled breaker refused: %v", err)
		}
		b.finish(tk, outcomeFailure)
	}
	if s := b.current(); s != BreakerClosed {
		t.Errorf("disabled breaker state = %s", s)
	}
}

func BenchmarkBreakerParallel(b *testing.B) {
	br := newBreaker("primary", EndpointPrimary, BreakerConfig{}.withDefaults())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tk, _ := br.allow()
			br.finish(tk, outcomeSuccess)
		}
	})
}

func TestBreakerCloseNowAndLateCallsOfTheReplacedBreaker(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []BreakerEvent
	b := newBreaker("primary (x:1)", EndpointPrimary, BreakerConfig{FailureThreshold: 1, OpenTimeout: 20 * time.Millisecond,
		OnStateChange: func(ev BreakerEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() }}.withDefaults())
	b.closeNow() // closed: nothing to do
	tk, _ := b.allow()
	b.finish(tk, outcomeFailure)
	if s := b.current(); s != BreakerOpen {
		t.Fatalf("state = %s, want open", s)
	}
	time.Sleep(30 * time.Millisecond)
	late, err := b.allow() // half-open: admitted by the breaker about to be replaced
	if err != nil {
		t.Fatal(err)
	}
	b.finish(late, outcomeFailure) // open again
	b.closeNow()
	if s := b.current(); s != BreakerClosed {
		t.Fatalf("after closeNow: %s, want closed", s)
	}
	if _, err := b.allow(); err != nil {
		t.Fatalf("closed breaker refused: %v", err)
	}
	// A late outcome for the old breaker must not move the new one.
	b.finish(late, outcomeFailure)
	if s := BreakerState(b.state.Load()); s != BreakerClosed {
		t.Fatalf("a late call of the replaced breaker set the state to %s", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := len(events); n == 0 || events[n-1].From != BreakerOpen || events[n-1].To != BreakerClosed {
		t.Fatalf("events %+v: want the last to be open -> closed", events)
	}
}
