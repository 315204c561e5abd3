package pool

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/avast/retry-go/v4"
	"github.com/jackc/pgx/v5/pgconn"
)

// RetryConfig configures statement retries (see the package doc for what is
// retried). Transactions as a whole are retried only with RetryConflicts.
type RetryConfig struct {
	// MaxAttempts is the number of tries of one statement, the first
	// included. 1 disables retries. Default 3.
	MaxAttempts int
	// BaseDelay is the backoff ceiling of the first retry; it doubles per
	// retry up to MaxDelay and the actual sleep is uniform in [0, ceiling)
	// ("full jitter"). Default 20ms.
	BaseDelay time.Duration
	// MaxDelay caps the backoff ceiling. Default 1s.
	MaxDelay time.Duration
	// OnRetry, when set, is called before each retry's sleep.
	OnRetry func(ctx context.Context, ev RetryEvent)
}

// RetryEvent describes one retry about to happen.
type RetryEvent struct {
	SQL      string        // the statement (raw SQL text as passed in); "" for a transaction
	Endpoint string        // where the failed attempt ran
	Attempt  int           // the attempt that failed, from 1
	Err      error         // its error
	Delay    time.Duration // the sleep before the next attempt
}

// RetryTracer is implemented by a Config.Tracer that wants to see retries.
type RetryTracer interface {
	TraceRetry(ctx context.Context, ev RetryEvent)
}

func (c RetryConfig) withDefaults() RetryConfig {
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 3
	}
	if c.BaseDelay == 0 {
		c.BaseDelay = 20 * time.Millisecond
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = time.Second
	}
	return c
}

func (c RetryConfig) validate() []error {
	var errs []error
	if c.MaxAttempts < 0 {
		errs = append(errs, &ConfigError{Field: "Retry.MaxAttempts", Msg: "must be at least 1 (1 disables retries)"})
	}
	if c.BaseDelay < 0 {
		errs = append(errs, &ConfigError{Field: "Retry.BaseDelay", Msg: "must not be negative, got " + c.BaseDelay.String()})
	}
	if c.MaxDelay < 0 {
		errs = append(errs, &ConfigError{Field: "Retry.MaxDelay", Msg: "must not be negative, got " + c.MaxDelay.String()})
	} else if c.MaxDelay > 0 && c.BaseDelay > c.MaxDelay {
		errs = append(errs, &ConfigError{Field: "Retry.BaseDelay", Msg: "must not exceed Retry.MaxDelay (" + c.MaxDelay.String() + ")"})
	}
	return errs
}

// backoffCeiling is min(max, base·2^(retry-1)) for retry = 1, 2, …
func backoffCeiling(retry int, base, maxDelay time.Duration) time.Duration {
	if retry < 1 {
		retry = 1
	}
	d := base
	for i := 1; i < retry; i++ {
		// d > maxDelay/2 (rounded down) exactly when 2d > maxDelay, without
		// computing 2d, which could overflow.
		if d > maxDelay/2 {
			return maxDelay
		}
		d *= 2
	}
	return min(d, maxDelay)
}

// fullJitter draws the sleep before a retry: uniform in [0, ceiling).
// draw(n) must return a value in [0, n).
func fullJitter(retry int, base, maxDelay time.Duration, draw func(int64) int64) time.Duration {
	c := backoffCeiling(retry, base, maxDelay)
	if c <= 0 {
		return 0
	}
	return time.Duration(draw(int64(c)))
}

// fitsDeadline reports whether sleeping d still leaves time before ctx's
// deadline; a retry that could not run is not worth sleeping for.
func fitsDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}

// retryPlan drives retry-go for one call whose first attempt already
// failed: the first "attempt" replays that outcome, so the fast path pays
// nothing for retries.
type retryPlan struct {
	db       *DB
	ctx      context.Context
	sql      string
	endpoint string // endpoint of the last attempt, set by the attempt
	attempt  int
	attempts int // total tries; 0 means Config.Retry.MaxAttempts
	next     time.Duration
	mayRetry func(err error, attempt int) bool
	draw     func(int64) int64 // jitter source; nil means math/rand/v2
}

func (p *retryPlan) maxAttempts() int {
	if p.attempts > 0 {
		return p.attempts
	}
	return p.db.cfg.Retry.MaxAttempts
}

func (p *retryPlan) run(first error, attempt func() error) error {
	attempts := p.maxAttempts()
	if attempts <= 1 {
		return first
	}
	p.attempt = 0
	err := retry.Do(
		func() error {
			p.attempt++
			if p.attempt == 1 {
				return first
			}
			return attempt()
		},
		retry.Context(p.ctx),
		retry.Attempts(uint(attempts)),
		retry.LastErrorOnly(true),
		retry.RetryIf(p.retryIf),
		retry.DelayType(func(uint, error, *retry.Config) time.Duration { return p.next }),
		retry.OnRetry(func(_ uint, err error) { p.report(err) }),
	)
	return err
}

// retryIf decides, and plans the sleep so the decision can account for
// the ctx deadline.
func (p *retryPlan) retryIf(err error) bool {
	if p.ctx.Err() != nil || p.attempt >= p.maxAttempts() || !p.mayRetry(err, p.attempt) {
		return false
	}
	cfg := p.db.cfg.Retry
	draw := p.draw
	if draw == nil {
		draw = rand.Int64N
	}
	p.next = fullJitter(p.attempt, cfg.BaseDelay, cfg.MaxDelay, draw)
	return fitsDeadline(p.ctx, p.next)
}

func (p *retryPlan) report(err error) {
	ev := RetryEvent{SQL: p.sql, Endpoint: p.endpoint, Attempt: p.attempt, Err: err, Delay: p.next}
	if f := p.db.cfg.Retry.OnRetry; f != nil {
		f(p.ctx, ev)
	}
	if rt, ok := p.db.cfg.Tracer.(RetryTracer); ok {
		rt.TraceRetry(p.ctx, ev)
	}
}

// mayRetryStatement is the statement retry rule: never after the caller
// gave up or inside a transaction (callers check); always when nothing
// reached the server; once for a stale cached plan; after the statement
// may have reached the server (a lost connection, a network timeout) only
// when replay is provably harmless: it ran on a replica (a hot standby
// cannot write) or the caller marked it idempotent. SQL text cannot prove
// that a statement on the primary does not write — SELECT charge($1) may
// insert — so a read there is not replayed either.
func mayRetryStatement(err error, attempt int, onReplica, idempotent bool) bool {
	switch {
	case errors.Is(err, ErrClosed), errors.Is(err, ErrSessionState), errors.Is(err, ErrMisuse):
		return false
	case errors.Is(err, ErrCircuitOpen):
		return false
	case safeToRetry(err):
		return true
	case isCachedPlanChange(err):
		return attempt == 1
	case isReadOnlyViolation(err):
		// Rejected before anything ran (a demoted primary); the role check
		// has reset the pool.
		return true
	case onReplica && sqlState(err) == codeSerializationFailure:
		// A replica canceled the read for a recovery conflict.
		return true
	}
	return (onReplica || idempotent) && (isInfraFailure(err) || isConnLoss(err))
}

// mayHaveRun reports an error after which the statement may or may not
// have run: the connection was lost or timed out after it was sent (not
// before: safeToRetry covers connections that could not be made).
func mayHaveRun(err error) bool {
	return !safeToRetry(err) && (isConnLoss(err) || pgconn.Timeout(err))
}

// failed shapes the error a call returns after its last attempt, on e: it
// keeps ctx's error as a cause (errors.Is(err, context.DeadlineExceeded)
// holds whatever pgx or the server said), and on the primary a statement
// that may have run is reported as an *OutcomeUnknownError. what names the
// call for that error ("statement", "batch", "copy", "commit").
func failed(ctx context.Context, e *endpoint, what string, err error) error {
	if err == nil {
		return nil
	}
	err = withCause(ctx, err)
	if !e.replica && mayHaveRun(err) && !errors.Is(err, ErrOutcomeUnknown) {
		return &OutcomeUnknownError{Endpoint: e.label, What: what, Err: err}
	}
	return err
}
