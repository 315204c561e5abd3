package pool

import (
	"context"
	"errors"
	"io"
	"testing"
)

// TestRetryPlanSingleAttemptReturnsFirstError checks that a call allowed
// one attempt (MaxAttempts 1, or a plan's own attempts of 1) hands back
// its first error as it is, without another attempt and without a retry
// report, even when the caller's ctx has ended since: the retry loop would
// answer an ended ctx with the ctx's error and lose the statement's own.
func TestRetryPlanSingleAttemptReturnsFirstError(t *testing.T) {
	t.Parallel()
	first := errors.New("duplicate key value violates unique constraint")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name     string
		cfg      RetryConfig
		attempts int
	}{
		{"MaxAttempts 1", RetryConfig{MaxAttempts: 1}, 0},
		{"plan of one attempt", RetryConfig{MaxAttempts: 5}, 1},
	} {
		reports := 0
		tt.cfg.OnRetry = func(context.Context, RetryEvent) { reports++ }
		calls := 0
		p := &retryPlan{db: newTestDB(tt.cfg), ctx: canceled, attempts: tt.attempts,
			mayRetry: func(error, int) bool { return true }}
		err := p.run(first, func() error { calls++; return io.ErrUnexpectedEOF })
		if err != first { //nolint:errorlint // the very error, not one wrapping it
			t.Errorf("%s: run = %v, want the first error itself", tt.name, err)
		}
		if calls != 0 || reports != 0 {
			t.Errorf("%s: %d more attempts, %d retry reports, want none", tt.name, calls, reports)
		}
	}
}
