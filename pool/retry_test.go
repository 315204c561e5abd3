package pool

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestBackoffCeiling(t *testing.T) {
	t.Parallel()
	base, maxD := 20*time.Millisecond, time.Second
	tests := []struct {
		retry int
		want  time.Duration
	}{
		{0, 20 * time.Millisecond}, {1, 20 * time.Millisecond}, {2, 40 * time.Millisecond},
		{3, 80 * time.Millisecond}, {6, 640 * time.Millisecond}, {7, time.Second}, {100, time.Second},
	}
	for _, tt := range tests {
		if got := backoffCeiling(tt.retry, base, maxD); got != tt.want {
			t.Errorf("backoffCeiling(%d) = %s, want %s", tt.retry, got, tt.want)
		}
	}
}

func TestFullJitterIsUniformBelowCeiling(t *testing.T) {
	t.Parallel()
	var asked int64
	top := func(n int64) int64 { asked = n; return n - 1 }
	if got := fullJitter(3, 10*time.Millisecond, time.Second, top); got != 40*time.Millisecond-1 {
		t.Errorf("largest draw = %s, want just below 40ms", got)
	}
	if asked != int64(40*time.Millisecond) {
		t.Errorf("drew from [0, %d), want [0, %d)", asked, int64(40*time.Millisecond))
	}
	if got := fullJitter(3, 10*time.Millisecond, time.Second, func(int64) int64 { return 0 }); got != 0 {
		t.Errorf("smallest draw = %s, want 0 (full jitter starts at zero)", got)
	}
	if got := fullJitter(1, 0, 0, top); got != 0 {
		t.Errorf("zero base gives %s, want 0", got)
	}
}

func TestFitsDeadline(t *testing.T) {
	t.Parallel()
	if !fitsDeadline(context.Background(), time.Hour) {
		t.Error("no deadline must always fit")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if fitsDeadline(ctx, time.Second) {
		t.Error("a 1s sleep fits a 50ms deadline")
	}
	if !fitsDeadline(ctx, time.Millisecond) {
		t.Error("a 1ms sleep does not fit a 50ms deadline")
	}
}

func newTestDB(rc RetryConfig) *DB {
	return &DB{cfg: Config{Retry: rc}.withDefaults()}
}

func TestRetryPlanRetriesUpToMaxAttempts(t *testing.T) {
	t.Parallel()
	var events []RetryEvent
	db := newTestDB(RetryConfig{MaxAttempts: 3, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond,
		OnRetry: func(_ context.Context, ev RetryEvent) { events = append(events, ev) }})
	calls := 0
	p := &retryPlan{db: db, ctx: context.Background(), sql: "SELECT 1", endpoint: "primary",
		mayRetry: func(error, int) bool { return true }}
	err := p.run(io.ErrUnexpectedEOF, func() error { calls++; return io.ErrUnexpectedEOF })
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want the last attempt's error", err)
	}
	if calls != 2 {
		t.Errorf("ran %d more attempts after the first, want 2", calls)
	}
	if len(events) != 2 || events[0].Attempt != 1 || events[1].Attempt != 2 || events[0].SQL != "SELECT 1" {
		t.Errorf("retry events = %+v, want attempts 1 and 2 for SELECT 1", events)
	}
}

func TestRetryPlanStopsOnSuccessAndOnRefusal(t *testing.T) {
	t.Parallel()
	db := newTestDB(RetryConfig{MaxAttempts: 5, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond})
	calls := 0
	p := &retryPlan{db: db, ctx: context.Background(), mayRetry: func(error, int) bool { return true }}
	if err := p.run(io.ErrUnexpectedEOF, func() error { calls++; return nil }); err != nil || calls != 1 {
		t.Errorf("after a success: err = %v, calls = %d; want nil, 1", err, calls)
	}
	calls = 0
	p = &retryPlan{db: db, ctx: context.Background(), mayRetry: func(error, int) bool { return false }}
	if err := p.run(io.EOF, func() error { calls++; return nil }); !errors.Is(err, io.EOF) || calls != 0 {
		t.Errorf("refused retry: err = %v, calls = %d; want io.EOF, 0", err, calls)
	}
}

func TestRetryPlanNeverSleepsPastDeadline(t *testing.T) {
	t.Parallel()
	db := newTestDB(RetryConfig{MaxAttempts: 10, BaseDelay: time.Second, MaxDelay: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	calls := 0
	p := &retryPlan{db: db, ctx: ctx, mayRetry: func(error, int) bool { return true },
		draw: func(n int64) int64 { return n / 2 }} // 500ms: longer than the time left
	start := time.Now()
	err := p.run(io.ErrUnexpectedEOF, func() error { calls++; return io.ErrUnexpectedEOF })
	if calls != 0 {
		t.Errorf("ran %d retries although the sleep did not fit the deadline", calls)
	}
	if ctx.Err() != nil {
		t.Errorf("waited until the deadline (%s) instead of giving up at once", time.Since(start))
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want the original error", err)
	}
}

func TestRetryDisabledWithOneAttempt(t *testing.T) {
	t.Parallel()
	db := newTestDB(RetryConfig{MaxAttempts: 1})
	calls := 0
	p := &retryPlan{db: db, ctx: context.Background(), mayRetry: func(error, int) bool { return true }}
	if err := p.run(io.EOF, func() error { calls++; return nil }); !errors.Is(err, io.EOF) || calls != 0 {
		t.Errorf("MaxAttempts 1: err = %v, calls = %d; want io.EOF and no retry", err, calls)
	}
}

type retryRecorder struct {
	events []RetryEvent
}

func (r *retryRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (r *retryRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *retryRecorder) TraceRetry(_ context.Context, ev RetryEvent)                     { r.events = append(r.events, ev) }

func TestRetriesReachTheTracer(t *testing.T) {
	t.Parallel()
	rec := &retryRecorder{}
	db := &DB{cfg: Config{Tracer: rec, Retry: RetryConfig{BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}}.withDefaults()}
	p := &retryPlan{db: db, ctx: context.Background(), sql: "SELECT 1", endpoint: "replica[0] (x:1)",
		mayRetry: func(error, int) bool { return true }}
	_ = p.run(io.EOF, func() error { return nil })
	if len(rec.events) != 1 || rec.events[0].Endpoint != "replica[0] (x:1)" || !errors.Is(rec.events[0].Err, io.EOF) {
		t.Errorf("tracer saw %+v, want one retry of the EOF on replica[0]", rec.events)
	}
}
