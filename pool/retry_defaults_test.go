package pool

import (
	"context"
	"io"
	"testing"
	"time"
)

// TestRetryDefaults pins the documented defaults of RetryConfig
// (MaxAttempts 3, BaseDelay 20ms, MaxDelay 1s), on its own and through
// Config, and that a value the caller set is kept.
func TestRetryDefaults(t *testing.T) {
	t.Parallel()
	want := RetryConfig{MaxAttempts: 3, BaseDelay: 20 * time.Millisecond, MaxDelay: time.Second}
	tests := []struct {
		name string
		got  RetryConfig
		want RetryConfig
	}{
		{"zero RetryConfig", RetryConfig{}.withDefaults(), want},
		{"zero Config", Config{}.withDefaults().Retry, want},
		{"set values kept", RetryConfig{MaxAttempts: 1, BaseDelay: 5 * time.Millisecond, MaxDelay: 7 * time.Millisecond}.withDefaults(),
			RetryConfig{MaxAttempts: 1, BaseDelay: 5 * time.Millisecond, MaxDelay: 7 * time.Millisecond}},
		{"only BaseDelay set", RetryConfig{BaseDelay: 50 * time.Millisecond}.withDefaults(),
			RetryConfig{MaxAttempts: 3, BaseDelay: 50 * time.Millisecond, MaxDelay: time.Second}},
		{"only MaxDelay set", RetryConfig{MaxDelay: 300 * time.Millisecond}.withDefaults(),
			RetryConfig{MaxAttempts: 3, BaseDelay: 20 * time.Millisecond, MaxDelay: 300 * time.Millisecond}},
	}
	for _, tt := range tests {
		g, w := tt.got, tt.want
		if g.MaxAttempts != w.MaxAttempts || g.BaseDelay != w.BaseDelay || g.MaxDelay != w.MaxDelay || g.OnRetry != nil {
			t.Errorf("%s: got {MaxAttempts: %d, BaseDelay: %s, MaxDelay: %s}, want {%d, %s, %s}",
				tt.name, g.MaxAttempts, g.BaseDelay, g.MaxDelay, w.MaxAttempts, w.BaseDelay, w.MaxDelay)
		}
	}
	if errs := (RetryConfig{}).withDefaults().validate(); len(errs) != 0 {
		t.Errorf("the defaults do not validate: %v", errs)
	}
}

// TestDefaultBackoffGrowsAndCaps plans retries with the default config the
// way a statement retry does and checks the jitter is drawn below a
// positive ceiling that starts at BaseDelay, doubles per retry and stops
// at MaxDelay.
func TestDefaultBackoffGrowsAndCaps(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	ceilings := []time.Duration{20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, time.Second, time.Second, time.Second}
	db := newTestDB(RetryConfig{MaxAttempts: len(ceilings) + 1})
	var asked int64
	top := func(n int64) int64 { asked = n; return n - 1 } // the largest sleep allowed
	p := &retryPlan{db: db, ctx: context.Background(), mayRetry: func(error, int) bool { return true }, draw: top}
	for i, want := range ceilings {
		p.attempt = i + 1
		asked = 0
		if !p.retryIf(io.ErrUnexpectedEOF) {
			t.Fatalf("retry after attempt %d refused", p.attempt)
		}
		if time.Duration(asked) != want {
			t.Errorf("retry after attempt %d drew from [0, %s), want [0, %s)", p.attempt, time.Duration(asked), want)
		}
		if p.next != want-1 {
			t.Errorf("retry after attempt %d sleeps %s with the largest draw, want %s", p.attempt, p.next, want-1)
		}
	}
}
