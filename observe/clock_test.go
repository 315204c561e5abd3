package observe

import (
	"testing"
	"time"
)

func TestMonoClock(t *testing.T) {
	t.Parallel()
	c := newMonoClock()
	before := time.Now()
	got := c.Now()
	after := time.Now()
	if got.Before(before) || got.After(after) {
		t.Errorf("Now = %v, want between %v and %v", got, before, after)
	}
	time.Sleep(2 * time.Millisecond)
	if d := c.Now().Sub(got); d < 2*time.Millisecond {
		t.Errorf("two readings 2ms apart differ by %v", d)
	}
}

func TestMonoClockResyncs(t *testing.T) {
	t.Parallel()
	c := newMonoClock()
	// A base taken long ago with a wall clock 10s behind, as after a step.
	stale := time.Now().Add(-2 * resync).Add(-10 * time.Second)
	c.base.Store(&stale)
	before := time.Now()
	got := c.Now()
	if got.Before(before) || got.Sub(before) > time.Second {
		t.Errorf("Now with a stale base = %v, want about %v", got, before)
	}
	if b := c.base.Load(); b.Before(before) {
		t.Errorf("base not renewed: %v", b)
	}
}
